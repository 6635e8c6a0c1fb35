import { canonicalTemplatePath, type SchemaNode } from './dm-schema.js';
import type { DmTreeChange } from './dm-node.js';

/**
 * What a configuration service provider does beyond its DDF. The DDF says which nodes exist and
 * what they accept; a CSP adds behaviour no DDF field expresses (ActiveSync deletes an account
 * whose GUID is provisioned again, EMAIL2 creates missing nodes on Replace, …). Each CSP's quirks
 * live in one handler (agents/windows/dm-tree/csp/), bound to the CSP's root path(s); the tree
 * consults the handler bound to the nearest root above a node.
 *
 * Handlers are stateless and shared by every device of a process: per-device CSP state lives in
 * the tree (`CspContext.state`, saved with the tree's snapshot) and per-message scratch in
 * `CspContext.batch`.
 */
export interface CspHandler {
  /** Key of the handler's state in a tree snapshot. */
  readonly id: string;
  /** Template paths of the CSP root(s) it serves, e.g. `./User/Vendor/MSFT/ActiveSync` (any accepted spelling). */
  readonly roots: readonly string[];
  /** Replace creates the nodes missing on its path instead of answering 404 (EMAIL2). */
  readonly replaceCreatesPath?: boolean;
  /** Server commands that must come inside an Atomic although the DDF does not say so (EMAIL2: Add, Replace). */
  readonly atomicRequired?: readonly ('Add' | 'Replace' | 'Delete')[];
  /** A write about to happen in the CSP's subtree (the target, or a node an Add creates on its way): refuse it, or let it be. */
  checkWrite?(write: CspWrite, ctx: CspContext): CspRefusal | undefined;
  /** An Add named a node that already exists; the tree answers 418 after this. */
  addedExisting?(node: CspNodeRef, ctx: CspContext): void;
  /** The value a Get reports for a leaf. */
  readValue?(node: CspNodeRef, value: string): string;
  /**
   * An Exec on one of the CSP's nodes: the status to answer, 200 when undefined. A 2xx (202 for
   * work the CSP finishes later) still runs it; anything else refuses it.
   */
  exec?(node: CspNodeRef, data: string | undefined, ctx: CspContext): CspRefusal | undefined;
  /** A command (or Atomic) that changed the CSP's subtree committed. The place to update `ctx.state`. */
  committed?(changes: readonly DmTreeChange[], ctx: CspContext): void;
  /** An Atomic that wrote into the CSP's subtree is rolled back. Throwing means the CSP could not undo its side (the Atomic answers 516). */
  rollback?(ctx: CspContext): void;
}

/** A status a CSP answers instead of the tree's (for a refusal, with the reason in words). */
export interface CspRefusal {
  code: number;
  reason: string;
}

/** A node of the CSP, as the handler sees it. */
export interface CspNodeRef {
  /** Canonical LocURI (written on first access). */
  readonly uri: string;
  /** Decoded names from the tree root. */
  readonly segments: readonly string[];
  /** Decoded names below the CSP root (`['Accounts', '{C556…}', 'Password']`). */
  readonly names: readonly string[];
  /** The template below the CSP root with each unnamed node as `*` (the names Accounts, *, Password joined by `/`). */
  readonly template: string;
  /** Canonical template path of the CSP root the node is under, e.g. `./User/Vendor/MSFT/ActiveSync`. */
  readonly rootPath: string;
  readonly schema: SchemaNode;
}

export interface CspWrite extends CspNodeRef {
  readonly op: 'Add' | 'Replace' | 'Delete';
  /** A node an Add (or EMAIL2 Replace) creates because something below it was named. */
  readonly implicit: boolean;
  /** The leaf's value before the write. */
  readonly previous: string | undefined;
  /** The leaf's value after the write (Add/Replace of a leaf). */
  readonly value: string | undefined;
}

export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };
export type JsonObject = { [key: string]: JsonValue };

export interface CspContext {
  readonly origin: 'server' | 'device';
  readonly inAtomic: boolean;
  /** This CSP's per-device state (JSON, kept in snapshots). Replace it with `setState`. */
  readonly state: JsonObject;
  setState(state: JsonObject): void;
  /** Scratch for one `execute()` call (one SyncML message), shared by the handler's calls. */
  readonly batch: Map<string, unknown>;
  /** The raw value of a leaf (no masking), undefined when it holds none. */
  valueOf(uri: string): string | undefined;
  /** Decoded names of an interior node's children, undefined when the node does not exist. */
  childrenOf(uri: string): string[] | undefined;
  /** valueOf by decoded segments (no URI to parse). */
  valueAt(segments: readonly string[]): string | undefined;
  /** childrenOf by decoded segments. */
  childrenAt(segments: readonly string[]): string[] | undefined;
  /**
   * Removes a subtree now, outside any Atomic: a rollback does not bring it back (what a CSP does
   * on its own, as ActiveSync's delete of a re-provisioned account GUID). Subscribers hear of it.
   */
  deleteNow(uri: string): void;
}

/** A handler bound to a schema node: the nearest CSP root above it. */
export interface CspBinding {
  handler: CspHandler;
  root: SchemaNode;
  /** How many segments the root's path has (the node's names below the root start there). */
  rootDepth: number;
  /** The node's template below the root (`*` for unnamed nodes). */
  template: string;
}

/**
 * A set of handlers with the node → handler lookup cached. Build one per process (like the schema)
 * and give it to every tree.
 */
export class CspHandlerSet {
  readonly handlers: readonly CspHandler[];
  readonly #byRoot = new Map<string, CspHandler>();
  readonly #cache = new WeakMap<SchemaNode, CspBinding | null>();

  constructor(handlers: readonly CspHandler[]) {
    this.handlers = handlers;
    for (const h of handlers) {
      for (const r of h.roots) {
        const key = canonicalTemplatePath(r).toLowerCase();
        if (this.#byRoot.has(key)) throw new Error(`two CSP handlers serve ${r}`);
        this.#byRoot.set(key, h);
      }
    }
  }

  /** The handler for a node, if a handler serves one of its ancestors (or the node itself). */
  bindingOf(node: SchemaNode): CspBinding | undefined {
    const cached = this.#cache.get(node);
    if (cached !== undefined) return cached ?? undefined;
    let found: CspBinding | undefined;
    const below: string[] = [];
    for (let n: SchemaNode | undefined = node; n; n = n.parent) {
      const h = this.#byRoot.get(n.path.toLowerCase());
      if (h) {
        found = { handler: h, root: n, rootDepth: n.path.split('/').length - 1, template: below.reverse().join('/') };
        break;
      }
      below.push(n.name ?? '*');
    }
    this.#cache.set(node, found ?? null);
    return found;
  }
}
