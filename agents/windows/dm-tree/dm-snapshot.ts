import type { JsonObject, JsonValue } from './csp-handler.js';
import type { TreeCore } from './dm-context.js';
import { locate } from './dm-locate.js';
import { newNode, uriOf, type DmNode } from './dm-node.js';

/**
 * A tree as JSON, for the device's SQLite store: every stored node as [LocURI, value] (null for an
 * interior node), parents before children, and each CSP's per-device state. Permanent interior
 * nodes are not listed (the schema brings them back).
 */
export interface DmTreeSnapshot {
  format: typeof SNAPSHOT_FORMAT;
  version: 1;
  nodes: [string, string | null][];
  csp: JsonObject;
}

export const SNAPSHOT_FORMAT = 'mdmlab.windows.dm-tree';

export class DmSnapshotError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DmSnapshotError';
  }
}

export function takeSnapshot(core: TreeCore): DmTreeSnapshot {
  const nodes: [string, string | null][] = [];
  const walk = (node: DmNode): void => {
    for (const child of node.children?.values() ?? []) {
      if (child.schema.format !== 'node') nodes.push([uriOf(child), child.value ?? '']);
      else if (!child.schema.permanent) nodes.push([uriOf(child), null]);
      walk(child);
    }
  };
  walk(core.root);
  const csp: JsonObject = {};
  for (const [id, state] of core.cspStates) csp[id] = structuredClone(state);
  return { format: SNAPSHOT_FORMAT, version: 1, nodes, csp };
}

/** Fills an empty tree from a snapshot; returns the LocURIs left out because the schema does not define them (or defines them otherwise). */
export function restoreSnapshot(core: TreeCore, snapshot: unknown): string[] {
  const s = snapshot as Partial<DmTreeSnapshot> | null;
  if (typeof s !== 'object' || s === null || s.format !== SNAPSHOT_FORMAT || s.version !== 1 || !Array.isArray(s.nodes)) {
    throw new DmSnapshotError(`not a version 1 ${SNAPSHOT_FORMAT} snapshot`);
  }
  if (s.csp !== undefined && (typeof s.csp !== 'object' || s.csp === null || Array.isArray(s.csp))) {
    throw new DmSnapshotError('the snapshot\'s "csp" is not an object');
  }
  const dropped: string[] = [];
  for (const entry of s.nodes as unknown[]) {
    if (!Array.isArray(entry) || entry.length !== 2 || typeof entry[0] !== 'string' || (entry[1] !== null && typeof entry[1] !== 'string')) {
      throw new DmSnapshotError('a snapshot node is not [LocURI, value or null]');
    }
    const [uri, value] = entry as [string, string | null];
    const found = locate(core, uri);
    if (!found.ok || (value === null) !== (found.loc.target.format === 'node') || found.loc.segments.length === 0) {
      dropped.push(uri);
      continue;
    }
    if (core.nodes >= core.limits.maxNodes) throw new DmSnapshotError(`the snapshot holds more than ${core.limits.maxNodes} nodes`);
    const { loc } = found;
    let parent = core.root;
    for (let i = 0; i < loc.segments.length; i++) {
      let node = loc.nodes[i];
      if (!node) {
        const schema = loc.schema[i]!;
        node = newNode(schema.name ?? loc.segments[i]!, schema, parent);
        (parent.children ??= new Map()).set(node.name.toLowerCase(), node);
        core.nodes++;
      }
      parent = node;
    }
    if (value !== null) parent.value = value;
  }
  for (const [id, state] of Object.entries((s.csp ?? {}) as Record<string, JsonValue>)) {
    if (typeof state === 'object' && state !== null && !Array.isArray(state)) core.cspStates.set(id, structuredClone(state));
  }
  return dropped;
}
