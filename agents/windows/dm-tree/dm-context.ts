import type { CspHandler, CspHandlerSet, JsonObject } from './csp-handler.js';
import type { DmNode, DmTransaction } from './dm-node.js';
import type { DmSchema } from './dm-schema.js';
import type { LocUriLimits } from './loc-uri.js';

/** Bounds on what a server can make one device's tree hold. */
export interface DmTreeLimits extends LocUriLimits {
  /** Nodes a tree may hold (instances: interior nodes and leaves with a value). Beyond: 420 device full. */
  maxNodes: number;
  /** Characters in one leaf value. Beyond: 413 request entity too large. */
  maxValueLength: number;
}

export const DEFAULT_DM_TREE_LIMITS: DmTreeLimits = {
  maxLength: 2048,
  maxSegmentLength: 255,
  maxDepth: 32,
  maxNodes: 10_000,
  maxValueLength: 64 * 1024,
};

/** The parts of a tree the command logic works on (dm-tree.ts owns them). */
export interface TreeCore {
  readonly schema: DmSchema;
  readonly root: DmNode;
  /** Live node count (DmTransaction keeps it current). */
  nodes: number;
  readonly limits: DmTreeLimits;
  readonly handlers: CspHandlerSet;
  readonly cspStates: Map<string, JsonObject>;
  /** Whether the enrolled user is signed in (the ./User tree is only there while they are). */
  userSignedIn: boolean;
}

export interface AtomicScope {
  /** Lower-case LocURIs an Add created inside this Atomic (a Replace of one of them fails). */
  readonly added: Set<string>;
  /** CSPs written to inside this Atomic (told of a rollback). */
  readonly csps: Set<CspHandler>;
}

export interface ExecContext {
  readonly core: TreeCore;
  readonly origin: 'server' | 'device';
  /** Per `execute()` call: CSP scratch. */
  readonly batch: Map<string, unknown>;
  /** Where this command's mutations go. */
  readonly tx: DmTransaction;
  /** Unjournaled CSP actions of the current top-level command (reported even if an Atomic rolls back). */
  readonly immediate: DmTransaction;
  readonly atomic: AtomicScope | undefined;
}
