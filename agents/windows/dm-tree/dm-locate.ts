import { DmStatus } from './dm-command.js';
import type { ExecContext, TreeCore } from './dm-context.js';
import { newNode, nodeKey, type DmNode } from './dm-node.js';
import type { SchemaNode } from './dm-schema.js';
import { formatLocUri, parseLocUri } from './loc-uri.js';

/** Where a LocURI leads: the definitions along it, the instances that exist, how far the path exists. */
export interface Located {
  segments: string[];
  scope: 'device' | 'user';
  /** Definitions per segment. */
  schema: SchemaNode[];
  /** Instances per segment (undefined: not materialised — a permanent interior node that exists without one, or nothing). */
  nodes: (DmNode | undefined)[];
  /** How many leading segments exist; `segments.length` when the target exists. */
  existing: number;
  /** The definition of the target (the root's for `.`). */
  target: SchemaNode;
}

export type Resolution = { ok: true; loc: Located } | { ok: false; code: number; reason: string };

/** Parses a LocURI and walks it through the schema and the tree. 400/406/414 for a malformed URI, 404 for a path no DDF defines. */
export function locate(core: TreeCore, raw: string | undefined): Resolution {
  const uri = parseLocUri(raw, core.limits);
  return uri.ok ? locateSegments(core, uri.segments) : uri;
}

/** locate() for decoded segments (`./Device` alias already removed). */
export function locateSegments(core: TreeCore, segments: string[]): Resolution {
  const resolved = core.schema.resolve(segments);
  if ('missingAt' in resolved) {
    const shown = formatLocUri(segments.slice(0, resolved.missingAt + 1));
    return { ok: false, code: DmStatus.notFound, reason: `no node ${shown} in the device's management tree` };
  }
  const scope = segments[0]?.toLowerCase() === 'user' ? 'user' : 'device';
  return { ok: true, loc: walk(core, segments, scope, resolved.nodes) };
}

function walk(core: TreeCore, segments: string[], scope: 'device' | 'user', schema: SchemaNode[]): Located {
  const nodes: (DmNode | undefined)[] = [];
  let at: DmNode | undefined = core.root;
  let existing = segments.length;
  for (let i = 0; i < segments.length; i++) {
    const child: DmNode | undefined = at?.children?.get(nodeKey(segments[i]!));
    if (child) {
      nodes.push(child);
      at = child;
    } else if (schema[i]!.format === 'node' && schema[i]!.permanent) {
      // A permanent interior node exists whenever its parent does (TND: created by the device).
      nodes.push(undefined);
      at = undefined;
    } else {
      existing = i;
      break;
    }
  }
  return { segments, scope, schema, nodes, existing, target: schema[schema.length - 1] ?? core.schema.root };
}

/** The instance of segment `index - 1` (the root for 0), materialising permanent ancestors on the way. */
export function materializeParent(ctx: ExecContext, loc: Located, index: number): DmNode {
  let parent = ctx.core.root;
  for (let i = 0; i < index; i++) {
    let node = loc.nodes[i];
    if (!node) {
      node = newNode(loc.schema[i]!.name ?? loc.segments[i]!, loc.schema[i]!, parent);
      ctx.tx.attach(parent, node);
      loc.nodes[i] = node;
    }
    parent = node;
  }
  return parent;
}

/** How many nodes materialising the path down to `index` (inclusive) adds. */
export function nodesToCreate(loc: Located, index: number): number {
  let n = 0;
  for (let i = 0; i <= index; i++) if (!loc.nodes[i]) n++;
  return n;
}

/** A leaf's stored value (raw), undefined when the node holds none or does not exist. */
export function readValue(core: TreeCore, uri: string): string | undefined {
  return valueAtLoc(locate(core, uri));
}

export function valueAtLoc(found: Resolution): string | undefined {
  if (!found.ok || found.loc.existing !== found.loc.segments.length) return undefined;
  return found.loc.nodes[found.loc.nodes.length - 1]?.value;
}

/** Decoded child names of an existing interior node, in the order a Get lists them. */
export function readChildren(core: TreeCore, uri: string): string[] | undefined {
  return childrenAtLoc(core, locate(core, uri));
}

export function childrenAtLoc(core: TreeCore, found: Resolution): string[] | undefined {
  if (!found.ok || found.loc.existing !== found.loc.segments.length || found.loc.target.format !== 'node') return undefined;
  const node = found.loc.segments.length === 0 ? core.root : found.loc.nodes[found.loc.nodes.length - 1];
  return childNames(found.loc.target, node);
}

/**
 * Children of an interior node: its static children that exist (stored, or permanent interior
 * nodes) in DDF order, then the instances of its unnamed child in creation order.
 */
export function childNames(schema: SchemaNode, node: DmNode | undefined): string[] {
  const out: string[] = [];
  for (const s of schema.named.values()) {
    const inst = node?.children?.get(nodeKey(s.name!));
    if (inst) out.push(inst.name);
    else if (s.format === 'node' && s.permanent) out.push(s.name!);
  }
  if (schema.dynamic && node?.children) {
    for (const c of node.children.values()) if (c.schema === schema.dynamic) out.push(c.name);
  }
  return out;
}
