import { formatLocUri } from './loc-uri.js';
import type { SchemaNode } from './dm-schema.js';

/**
 * One node of a device's tree: what a device holds per node, and nothing it could share. A leaf
 * holds `value`; an interior node holds its materialised children. Permanent interior nodes exist
 * without an instance (their schema says they are there) and are only materialised when something
 * below them is stored.
 */
export interface DmNode {
  /** As created (OMA TND: the case of a dynamic name is preserved); a static node's DDF name. */
  name: string;
  readonly schema: SchemaNode;
  parent: DmNode | undefined;
  value?: string;
  /** By lower-case name, in creation order. */
  children?: Map<string, DmNode>;
}

export const nodeKey = (name: string): string => name.toLowerCase();

export function newNode(name: string, schema: SchemaNode, parent: DmNode | undefined): DmNode {
  return { name, schema, parent };
}

/** Decoded names from the root (exclusive) down to the node. */
export function segmentsOf(node: DmNode): string[] {
  const out: string[] = [];
  for (let n: DmNode | undefined = node; n?.parent; n = n.parent) out.push(n.name);
  return out.reverse();
}

export const uriOf = (node: DmNode): string => formatLocUri(segmentsOf(node));

/** Nodes in the subtree, the node included. */
export function subtreeSize(node: DmNode): number {
  let n = 1;
  if (node.children) for (const c of node.children.values()) n += subtreeSize(c);
  return n;
}

/** A subtree that changed, reported to subscribers after its command (or Atomic) committed. */
export interface DmTreeChange {
  /** LocURI of the subtree's root, canonical: `./User/Vendor/MSFT/ActiveSync/Accounts/%7B…%7D`. */
  uri: string;
  /** Decoded node names below the root. */
  segments: readonly string[];
  scope: 'device' | 'user';
}

/** An Exec a command ran, reported to subscribers (the device acts on it: DMClient …/Unenroll, …). */
export interface DmExecution {
  uri: string;
  segments: readonly string[];
  data: string | undefined;
}

type UndoEntry =
  | { kind: 'value'; node: DmNode; previous: string | undefined }
  | { kind: 'attached'; parent: DmNode; child: DmNode }
  | { kind: 'detached'; parent: DmNode; child: DmNode; order: string[] };

/**
 * The mutations of one top-level command, or of one Atomic. Outside an Atomic there is no undo log
 * (a failed item of a plain command leaves its other items done, as OMA DM has it). Inside an
 * Atomic every mutation is logged and `rollback()` undoes them in reverse order, restoring each
 * parent's child order too.
 */
export class DmTransaction {
  readonly #undo: UndoEntry[] | undefined;
  /** Decoded segments of each node that changed (URIs are only written for what subscribers hear). */
  readonly changes: string[][] = [];
  readonly executions: DmExecution[] = [];

  /** `tree.nodes` is the tree's live node count, kept current as nodes come and go. */
  constructor(
    journaled: boolean,
    private readonly tree: { root: DmNode; nodes: number },
  ) {
    this.#undo = journaled ? [] : undefined;
  }

  get journaled(): boolean {
    return this.#undo !== undefined;
  }

  changed(node: DmNode): void {
    this.changes.push(segmentsOf(node));
  }

  setValue(node: DmNode, value: string | undefined): void {
    this.#undo?.push({ kind: 'value', node, previous: node.value });
    if (value === undefined) delete node.value;
    else node.value = value;
  }

  attach(parent: DmNode, child: DmNode): void {
    this.#undo?.push({ kind: 'attached', parent, child });
    link(parent, child);
    if (this.#live(parent)) this.tree.nodes += subtreeSize(child);
  }

  detach(parent: DmNode, child: DmNode): void {
    this.#undo?.push({ kind: 'detached', parent, child, order: parent.children ? [...parent.children.keys()] : [] });
    const live = this.#live(child);
    unlink(parent, child);
    if (live) this.tree.nodes -= subtreeSize(child);
  }

  /** An Atomic that committed inside a Sequence: what it changed is reported with the Sequence. */
  commitInto(outer: DmTransaction): void {
    outer.changes.push(...this.changes);
    outer.executions.push(...this.executions);
  }

  /**
   * Undoes every logged mutation, newest first. Tolerates entries a CSP made moot (ActiveSync removes
   * an account outside the log): an undo only touches what is still where the log left it.
   */
  rollback(): void {
    const undo = this.#undo ?? [];
    for (let i = undo.length - 1; i >= 0; i--) {
      const e = undo[i]!;
      if (e.kind === 'value') {
        if (e.previous === undefined) delete e.node.value;
        else e.node.value = e.previous;
      } else if (e.kind === 'attached') {
        if (e.parent.children?.get(nodeKey(e.child.name)) !== e.child) continue;
        const live = this.#live(e.child);
        unlink(e.parent, e.child);
        if (live) this.tree.nodes -= subtreeSize(e.child);
      } else {
        link(e.parent, e.child);
        reorder(e.parent, e.order);
        if (this.#live(e.child)) this.tree.nodes += subtreeSize(e.child);
      }
    }
    undo.length = 0;
    this.changes.length = 0;
    this.executions.length = 0;
  }

  /** Whether the node hangs from the tree's root (a detached subtree keeps no parent). */
  #live(node: DmNode): boolean {
    let n: DmNode | undefined = node;
    while (n.parent) n = n.parent;
    return n === this.tree.root;
  }
}

function link(parent: DmNode, child: DmNode): void {
  (parent.children ??= new Map()).set(nodeKey(child.name), child);
  child.parent = parent;
}

function unlink(parent: DmNode, child: DmNode): void {
  parent.children?.delete(nodeKey(child.name));
  child.parent = undefined;
}

/** Re-inserting a child put it last; restore the parent's children to `order` (others after). */
function reorder(parent: DmNode, order: readonly string[]): void {
  const children = parent.children!;
  const reordered = new Map<string, DmNode>();
  for (const key of order) {
    const c = children.get(key);
    if (c) reordered.set(key, c);
  }
  for (const [key, c] of children) if (!reordered.has(key)) reordered.set(key, c);
  parent.children = reordered;
}

/** The smallest set of changed subtrees covering all changes, in the order they first changed. */
export function collapseChanges(changes: readonly string[][]): DmTreeChange[] {
  if (changes.length === 0) return [];
  if (changes.length === 1) return [changeOf(changes[0]!)];
  const keyOf = (segments: readonly string[]) => segments.join('/').toLowerCase();
  const keys = new Set(changes.map(keyOf));
  const seen = new Set<string>();
  const out: DmTreeChange[] = [];
  for (const segments of changes) {
    const key = keyOf(segments);
    if (seen.has(key)) continue;
    let covered = false;
    for (let i = 0; i < segments.length && !covered; i++) covered = keys.has(keyOf(segments.slice(0, i)));
    if (covered) continue;
    seen.add(key);
    out.push(changeOf(segments));
  }
  return out;
}

function changeOf(segments: string[]): DmTreeChange {
  return { uri: formatLocUri(segments), segments, scope: segments[0]?.toLowerCase() === 'user' ? 'user' : 'device' };
}
