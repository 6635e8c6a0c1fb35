import { DDF_FORMATS, readDmValue, type DdfFormat } from '../../../protocol/windows/ddf/index.js';
import { DmStatus, isSuccess, type DmItem, type DmItemCommandKind, type DmItemStatus, type DmResult } from './dm-command.js';
import { cspContext, cspRef, cspWrite } from './csp-context.js';
import type { ExecContext } from './dm-context.js';
import { childNames, locate, materializeParent, nodesToCreate, type Located } from './dm-locate.js';
import { newNode, type DmNode } from './dm-node.js';
import { ACCESS_BITS } from './dm-schema.js';
import { encodeSegment, formatLocUri } from './loc-uri.js';

/**
 * Add, Replace, Delete, Get and Exec of one Item, answered as the Windows client does (status codes
 * from Microsoft's "OMA DM protocol support" page, which follows section 10 of the SyncML Representation Protocol). Checks
 * run cheapest first and a refused item changes nothing:
 *
 *   LocURI syntax 400/406/414 → path defined by a DDF 404 → AccessType 405 → Format 415 →
 *   Atomic rules 500 → node exists 418 (Add) / absent 404 → value size 413 and allowed values 500 →
 *   the CSP's own rules → room in the tree 420.
 */
export interface ItemOutcome {
  status: DmItemStatus;
  result?: DmResult;
}

export function runItem(ctx: ExecContext, kind: DmItemCommandKind, item: DmItem): ItemOutcome {
  switch (kind) {
    case 'Add':
      return addItem(ctx, item);
    case 'Replace':
      return replaceItem(ctx, item);
    case 'Delete':
      return deleteItem(ctx, item);
    case 'Get':
      return getItem(ctx, item);
    case 'Exec':
      return execItem(ctx, item);
  }
}

type Prepared = { ok: true; loc: Located } | { ok: false; outcome: ItemOutcome };

const answer = (item: DmItem, code: number, reason?: string): ItemOutcome => ({
  status: { target: item.target?.trim() ?? '', code, ...(reason ? { reason } : {}) },
});

/** LocURI → definitions → AccessType (server commands only: the device itself writes where the server may not). */
function prepare(ctx: ExecContext, item: DmItem, op: DmItemCommandKind): Prepared {
  const found = locate(ctx.core, item.target);
  if (!found.ok) return { ok: false, outcome: answer(item, found.code, found.reason) };
  const { loc } = found;
  // "The target user must be logged in for the CSP to succeed" (ActiveSync CSP page): with nobody
  // signed in, user-scoped commands fail (500, and an enclosing Atomic 507, as Fleet observed in
  // fleetdm/fleet#50196).
  if (ctx.origin === 'server' && loc.scope === 'user' && !ctx.core.userSignedIn) {
    return { ok: false, outcome: answer(item, DmStatus.commandFailed, 'no user is signed in: ./User nodes are not available') };
  }
  if (ctx.origin === 'server' && (loc.target.access & ACCESS_BITS[op]) === 0) {
    const allowed = Object.entries(ACCESS_BITS)
      .filter(([, bit]) => (loc.target.access & bit) !== 0)
      .map(([name]) => name);
    return {
      ok: false,
      outcome: answer(item, DmStatus.commandNotAllowed, `${op} is not allowed on ${loc.target.path} (AccessType ${allowed.join(', ') || 'none'})`),
    };
  }
  return { ok: true, loc };
}

/**
 * The value an Add or Replace carries, read in the node's format. Meta/Format defaults to `chr`
 * (OMA SyncML Meta Information, Format) and must be the node's DFFormat; an interior node takes `node`.
 */
function itemValue(loc: Located, item: DmItem): { ok: true; value: string | undefined } | { ok: false; reason: string } {
  const format = (item.format ?? '').trim() || 'chr';
  if (!(DDF_FORMATS as readonly string[]).includes(format)) return { ok: false, reason: `unknown Format "${format.slice(0, 32)}"` };
  if (loc.target.format === 'node') {
    return format === 'node' ? { ok: true, value: undefined } : { ok: false, reason: `${loc.target.path} is an interior node: Format must be node, not ${format}` };
  }
  if (format !== loc.target.format) return { ok: false, reason: `Format ${format} does not match ${loc.target.path} (${loc.target.format})` };
  const read = readDmValue(format as DdfFormat, item.data ?? '');
  return read.ok ? { ok: true, value: read.value } : { ok: false, reason: read.reason };
}

/**
 * MSFT:AtomicRequired ("this node and all children nodes should be enclosed by an Atomic") and a
 * CSP's own Atomic rule. No public source names the status a Windows client answers; 500 (command
 * failed) is what it uses when a CSP refuses a command it cannot map to another code.
 * Deletes are not held to AtomicRequired: removing an account cannot leave it half configured.
 */
function atomicRule(ctx: ExecContext, loc: Located, op: 'Add' | 'Replace' | 'Delete'): string | undefined {
  if (ctx.origin !== 'server' || ctx.atomic) return undefined;
  if (op !== 'Delete' && loc.target.atomicRequired) return `${op} of ${loc.target.path} must be sent inside an Atomic (MSFT:AtomicRequired)`;
  const csp = cspRef(ctx, loc, loc.segments.length - 1);
  if (csp?.handler.atomicRequired?.includes(op)) return `the ${csp.handler.id} CSP takes ${op} only inside an Atomic`;
  return undefined;
}

function addItem(ctx: ExecContext, item: DmItem): ItemOutcome {
  const prepared = prepare(ctx, item, 'Add');
  if (!prepared.ok) return prepared.outcome;
  const { loc } = prepared;
  const value = itemValue(loc, item);
  if (!value.ok) return answer(item, DmStatus.unsupportedMediaTypeOrFormat, value.reason);
  const atomic = atomicRule(ctx, loc, 'Add');
  if (atomic) return answer(item, DmStatus.commandFailed, atomic);
  const n = loc.segments.length;
  if (loc.existing === n) {
    const csp = cspRef(ctx, loc, n - 1);
    if (csp?.handler.addedExisting) {
      ctx.atomic?.csps.add(csp.handler);
      csp.handler.addedExisting(csp.ref, cspContext(ctx, csp.handler));
    }
    return answer(item, DmStatus.alreadyExists, `${formatLocUri(loc.segments)} already exists`);
  }
  return create(ctx, item, loc, value.value, 'Add');
}

function replaceItem(ctx: ExecContext, item: DmItem, createPath = false): ItemOutcome {
  const prepared = prepare(ctx, item, 'Replace');
  if (!prepared.ok) return prepared.outcome;
  const { loc } = prepared;
  const value = itemValue(loc, item);
  if (!value.ok) return answer(item, DmStatus.unsupportedMediaTypeOrFormat, value.reason);
  const atomic = atomicRule(ctx, loc, 'Replace');
  if (atomic) return answer(item, DmStatus.commandFailed, atomic);
  const uri = formatLocUri(loc.segments);
  // "Performing an Add command followed by Replace on the same node within an atomic element isn't supported."
  if (ctx.atomic?.added.has(uri.toLowerCase())) {
    return answer(item, DmStatus.commandFailed, `${uri} was added by this Atomic: an Add followed by a Replace of one node inside an Atomic is not supported`);
  }
  const n = loc.segments.length;
  if (loc.existing === n) {
    const node = loc.nodes[n - 1];
    // Replacing an interior node changes nothing but must be allowed (servers send it before the leaves).
    if (loc.target.format === 'node' || !node) return answer(item, DmStatus.ok);
    return setLeaf(ctx, item, loc, node, value.value!);
  }
  const csp = cspRef(ctx, loc, n - 1);
  // Most CSPs create nothing on Replace (EMAIL2 CSP page: it "handles the Replace command
  // differently from most other configuration service providers" by adding missing nodes). A leaf
  // of an existing node is a setting of that node: Replace sets it (how servers apply Policy CSP
  // settings, with Replace alone).
  const leafOfExisting = loc.existing === n - 1 && loc.target.format !== 'node';
  if (!leafOfExisting && !createPath && !csp?.handler.replaceCreatesPath) {
    return answer(item, DmStatus.notFound, `${formatLocUri(loc.segments.slice(0, loc.existing + 1))} does not exist`);
  }
  return create(ctx, item, loc, value.value, 'Replace');
}

/** Replace, creating whatever is missing: what the device itself does to its own tree. */
export function upsertItem(ctx: ExecContext, item: DmItem): ItemOutcome {
  return replaceItem(ctx, item, true);
}

function setLeaf(ctx: ExecContext, item: DmItem, loc: Located, node: DmNode, value: string): ItemOutcome {
  const previous = node.value;
  let next = value;
  if (loc.target.def?.properties.replaceBehavior === 'Append' && previous !== undefined && previous !== '') {
    const delimiter = loc.target.def.properties.allowedValues?.list?.delimiter ?? '';
    next = previous + delimiter + value;
  }
  const refused = checkValue(ctx, loc, next);
  if (refused) return answer(item, refused.code, refused.reason);
  const csp = cspRef(ctx, loc, loc.segments.length - 1);
  if (csp) {
    const refusal = csp.handler.checkWrite?.(cspWrite(csp.ref, 'Replace', false, previous, next), cspContext(ctx, csp.handler));
    if (refusal) return answer(item, refusal.code, refusal.reason);
    ctx.atomic?.csps.add(csp.handler);
  }
  if (next !== previous) {
    ctx.tx.setValue(node, next);
    ctx.tx.changed(node);
  }
  return answer(item, DmStatus.ok);
}

/** Size (413) and MSFT:AllowedValues (500) of a leaf's new value. */
function checkValue(ctx: ExecContext, loc: Located, value: string | undefined): { code: number; reason: string } | undefined {
  if (value === undefined) return undefined;
  const max = ctx.core.limits.maxValueLength;
  if (value.length > max) return { code: DmStatus.requestEntityTooLarge, reason: `the value is longer than ${max} characters` };
  // No public source names the status for a value outside AllowedValues; the CSP refuses it, and
  // 500 is what the client answers for a CSP failure it has no other code for ("OMA DM protocol support").
  const why = loc.target.check?.(value);
  return why ? { code: DmStatus.commandFailed, reason: `${loc.target.path}: ${why}` } : undefined;
}

/** Creates the target and every missing node above it (Add's implicit add; Replace where it creates). */
function create(ctx: ExecContext, item: DmItem, loc: Located, value: string | undefined, op: 'Add' | 'Replace'): ItemOutcome {
  const n = loc.segments.length;
  const refused = checkValue(ctx, loc, value);
  if (refused) return answer(item, refused.code, refused.reason);
  // "The security check for the Add command is done at the child level": the nodes created on the
  // way need no Add access of their own, but their names must be valid and the CSP must agree.
  for (let i = loc.existing; i < n; i++) {
    const schema = loc.schema[i]!;
    const name = loc.segments[i]!;
    if (schema.name === undefined) {
      const bad = schema.check?.(name);
      if (bad) return answer(item, DmStatus.commandFailed, `"${name}" cannot name ${schema.path}: ${bad}`);
      const parent = i === 0 ? ctx.core.root : loc.nodes[i - 1];
      if (schema.single && parent?.children && [...parent.children.values()].some((c) => c.schema === schema)) {
        return answer(item, DmStatus.commandFailed, `${schema.path} occurs at most once and one exists`);
      }
    }
    const csp = cspRef(ctx, loc, i);
    if (csp?.handler.checkWrite) {
      const refusal = csp.handler.checkWrite(cspWrite(csp.ref, op, i < n - 1, undefined, i === n - 1 ? value : undefined), cspContext(ctx, csp.handler));
      if (refusal) return answer(item, refusal.code, refusal.reason);
    }
    if (csp) ctx.atomic?.csps.add(csp.handler);
  }
  if (ctx.core.nodes + nodesToCreate(loc, n - 1) > ctx.core.limits.maxNodes) {
    return answer(item, DmStatus.deviceFull, `the tree holds at most ${ctx.core.limits.maxNodes} nodes`);
  }
  let parent = materializeParent(ctx, loc, loc.existing);
  let first: DmNode | undefined;
  for (let i = loc.existing; i < n; i++) {
    const schema = loc.schema[i]!;
    const node = newNode(schema.name ?? loc.segments[i]!, schema, parent);
    if (i === n - 1 && schema.format !== 'node') node.value = value ?? '';
    ctx.tx.attach(parent, node);
    loc.nodes[i] = node;
    first ??= node;
    parent = node;
  }
  ctx.tx.changed(first!);
  if (op === 'Add') ctx.atomic?.added.add(formatLocUri(loc.segments).toLowerCase());
  return answer(item, DmStatus.ok);
}

function deleteItem(ctx: ExecContext, item: DmItem): ItemOutcome {
  const prepared = prepare(ctx, item, 'Delete');
  if (!prepared.ok) return prepared.outcome;
  const { loc } = prepared;
  // TND: a Permanent node "cannot be deleted".
  if (loc.target.permanent || loc.segments.length === 0) {
    return answer(item, DmStatus.commandNotAllowed, `${loc.target.path} is permanent and cannot be deleted`);
  }
  const atomic = atomicRule(ctx, loc, 'Delete');
  if (atomic) return answer(item, DmStatus.commandFailed, atomic);
  const node = loc.existing === loc.segments.length ? loc.nodes[loc.nodes.length - 1] : undefined;
  if (!node?.parent) return answer(item, DmStatus.notFound, `${formatLocUri(loc.segments.slice(0, loc.existing + 1))} does not exist`);
  const csp = cspRef(ctx, loc, loc.segments.length - 1);
  if (csp) {
    const refusal = csp.handler.checkWrite?.(cspWrite(csp.ref, 'Delete', false, node.value, undefined), cspContext(ctx, csp.handler));
    if (refusal) return answer(item, refusal.code, refusal.reason);
    ctx.atomic?.csps.add(csp.handler);
  }
  ctx.tx.changed(node);
  ctx.tx.detach(node.parent, node);
  return answer(item, DmStatus.ok);
}

function getItem(ctx: ExecContext, item: DmItem): ItemOutcome {
  // "Nested Atomic and Get commands aren't allowed and will generate error code 500."
  if (ctx.atomic) return answer(item, DmStatus.commandFailed, 'Get is not allowed inside an Atomic');
  const prepared = prepare(ctx, item, 'Get');
  if (!prepared.ok) return prepared.outcome;
  const { loc } = prepared;
  const n = loc.segments.length;
  const source = item.target!.trim();
  if (loc.existing !== n) {
    if (loc.existing === n - 1 && loc.target.format === 'null') {
      return { status: answer(item, DmStatus.ok).status, result: { source, format: 'null', type: loc.target.mimeType, data: '' } };
    }
    return answer(item, DmStatus.notFound, `${formatLocUri(loc.segments.slice(0, loc.existing + 1))} does not exist`);
  }
  const node = n === 0 ? ctx.core.root : loc.nodes[n - 1];
  if (loc.target.format === 'node') {
    // "for interior nodes, the child node names in the Data element are returned in URI-encoded format"
    const data = childNames(loc.target, node).map(encodeSegment).join('/');
    return { status: answer(item, DmStatus.ok).status, result: { source, format: 'node', data } };
  }
  let data = node?.value ?? '';
  const csp = cspRef(ctx, loc, n - 1);
  if (csp?.handler.readValue) data = csp.handler.readValue(csp.ref, data);
  return { status: answer(item, DmStatus.ok).status, result: { source, format: loc.target.format, type: loc.target.mimeType, data } };
}

function execItem(ctx: ExecContext, item: DmItem): ItemOutcome {
  const prepared = prepare(ctx, item, 'Exec');
  if (!prepared.ok) return prepared.outcome;
  const { loc } = prepared;
  const n = loc.segments.length;
  // An executable leaf holds no value: it is there whenever its parent node is.
  const present = loc.existing === n || (loc.existing === n - 1 && loc.target.format !== 'node');
  if (!present) return answer(item, DmStatus.notFound, `${formatLocUri(loc.segments.slice(0, loc.existing + 1))} does not exist`);
  const csp = cspRef(ctx, loc, n - 1);
  const answered = csp?.handler.exec?.(csp.ref, item.data, cspContext(ctx, csp.handler));
  if (answered && !isSuccess(answered.code)) return answer(item, answered.code, answered.reason);
  ctx.tx.executions.push({ uri: formatLocUri(loc.segments), segments: loc.segments, data: item.data });
  return answer(item, answered?.code ?? DmStatus.ok);
}
