import { CspHandlerSet, type CspHandler, type JsonObject } from './csp-handler.js';
import { defaultCspHandlers } from './csp/default-handlers.js';
import type { DmCommand, DmCommandStatus, DmItemStatus } from './dm-command.js';
import { cspContext } from './csp-context.js';
import { DEFAULT_DM_TREE_LIMITS, type DmTreeLimits, type ExecContext, type TreeCore } from './dm-context.js';
import { locate, readChildren, readValue } from './dm-locate.js';
import { runCommand } from './dm-executor.js';
import { runItem, upsertItem } from './dm-item-ops.js';
import { collapseChanges, DmTransaction, newNode, type DmExecution, type DmTreeChange } from './dm-node.js';
import type { DmSchema } from './dm-schema.js';
import { restoreSnapshot, takeSnapshot, type DmTreeSnapshot } from './dm-snapshot.js';

/** What subscribers hear after a command (or Atomic) committed: the subtrees it changed, the Execs it ran. */
export interface DmTreeEvent {
  origin: 'server' | 'device';
  /** The smallest set of subtrees covering every change, in the order they changed. */
  changes: readonly DmTreeChange[];
  executions: readonly DmExecution[];
}

export type DmTreeListener = (event: DmTreeEvent) => void;

export interface DmTreeOptions {
  /** The CSP quirks; share one set between the trees of a process. Default: defaultCspHandlers(). */
  handlers?: CspHandlerSet;
  limits?: Partial<DmTreeLimits>;
  /**
   * A listener threw. The tree has committed and answered by then; the error is the caller's bug.
   * Default: rethrown from a microtask, so it surfaces as an uncaught error instead of vanishing.
   */
  onListenerError?: (err: unknown, event: DmTreeEvent) => void;
}

export interface DmExecuteOptions {
  /**
   * `server` (default): commands from the management server, held to AccessType and the Atomic
   * rules. `device`: the device writing its own tree (DevInfo facts, a provisioning document), where
   * the server's AccessType does not apply; everything else does.
   */
  origin?: 'server' | 'device';
}

/**
 * One simulated Windows device's OMA DM management tree: nodes defined by the shared DmSchema (built
 * once per process from the DDF files), values and dynamic node instances of this device only.
 * Synchronous and self-contained: the device turns SyncML commands into DmCommands, runs them here,
 * and turns the DmCommandStatuses into Status and Results.
 */
export class DmTree {
  readonly schema: DmSchema;
  readonly #core: TreeCore;
  readonly #listeners = new Set<DmTreeListener>();
  readonly #onListenerError: (err: unknown, event: DmTreeEvent) => void;

  constructor(schema: DmSchema, options: DmTreeOptions = {}) {
    this.schema = schema;
    this.#core = {
      schema,
      root: newNode('.', schema.root, undefined),
      nodes: 1,
      limits: { ...DEFAULT_DM_TREE_LIMITS, ...options.limits },
      handlers: options.handlers ?? new CspHandlerSet(defaultCspHandlers()),
      cspStates: new Map(),
      userSignedIn: true,
    };
    this.#onListenerError =
      options.onListenerError ??
      ((err) =>
        queueMicrotask(() => {
          throw err;
        }));
  }

  /**
   * Whether the enrolled user is signed in (default: yes). While nobody is, the server's commands on
   * `./User/…` fail with 500: Windows loads the user's configuration only with the user's session.
   */
  get userSignedIn(): boolean {
    return this.#core.userSignedIn;
  }

  setUserSignedIn(signedIn: boolean): void {
    this.#core.userSignedIn = signedIn;
  }

  /** Nodes the tree holds (the root, materialised interior nodes, leaves with a value). */
  get nodeCount(): number {
    return this.#core.nodes;
  }

  /** Runs commands in order (one SyncML message's worth); one status per command. Never throws for what a command holds. */
  execute(commands: readonly DmCommand[], options: DmExecuteOptions = {}): DmCommandStatus[] {
    const batch = new Map<string, unknown>();
    const origin = options.origin ?? 'server';
    return commands.map((command) => this.#run(origin, batch, (ctx) => runCommand(ctx, command)));
  }

  /** Calls `listener` after every command that changed the tree or ran an Exec. Returns the unsubscribe function. */
  subscribe(listener: DmTreeListener): () => void {
    this.#listeners.add(listener);
    return () => void this.#listeners.delete(listener);
  }

  // --- The device's own access to its tree (no AccessType, values unmasked). ---

  /** A leaf's value, undefined when it holds none (or the LocURI names nothing). */
  value(uri: string): string | undefined {
    return readValue(this.#core, uri);
  }

  /** Decoded child names of an interior node, undefined when it does not exist. */
  children(uri: string): string[] | undefined {
    return readChildren(this.#core, uri);
  }

  /** Whether the node exists (a leaf: holds a value). */
  exists(uri: string): boolean {
    const found = locate(this.#core, uri);
    return found.ok && found.loc.existing === found.loc.segments.length;
  }

  /**
   * Sets a leaf (or, with `value` undefined, creates an interior node), creating what is missing on
   * the way: how the device records its facts (DevInfo, DevDetail, DMClient HWDevID) and applies a
   * provisioning document. Values are read in the node's own format. CSP rules apply.
   */
  setLocal(uri: string, value?: string): DmItemStatus {
    const found = locate(this.#core, uri);
    const format = found.ok ? found.loc.target.format : 'chr';
    return this.#run('device', new Map(), (ctx) => upsertItem(ctx, { target: uri, format, data: value ?? '' }).status);
  }

  /** Deletes a node and its subtree as the device (the user removing an account). */
  deleteLocal(uri: string): DmItemStatus {
    return this.#run('device', new Map(), (ctx) => runItem(ctx, 'Delete', { target: uri }).status);
  }

  /** A CSP handler's per-device state (as saved in snapshots). */
  cspState(id: string): Readonly<JsonObject> | undefined {
    return this.#core.cspStates.get(id);
  }

  /** Replaces a CSP handler's per-device state (for the device's own events, e.g. a mail sync). */
  setCspState(id: string, state: JsonObject): void {
    this.#core.cspStates.set(id, state);
  }

  /** Everything the device holds, as JSON (for the device's SQLite store). */
  snapshot(): DmTreeSnapshot {
    return takeSnapshot(this.#core);
  }

  /**
   * A tree holding a snapshot's nodes. Nodes the schema does not define (a snapshot taken with other
   * DDF files) are left out and listed in `dropped`. Throws DmSnapshotError on a malformed snapshot.
   */
  static restore(schema: DmSchema, snapshot: unknown, options: DmTreeOptions = {}): { tree: DmTree; dropped: string[] } {
    const tree = new DmTree(schema, options);
    const dropped = restoreSnapshot(tree.#core, snapshot);
    return { tree, dropped };
  }

  #run<T>(origin: 'server' | 'device', batch: Map<string, unknown>, body: (ctx: ExecContext) => T): T {
    const ctx: ExecContext = {
      core: this.#core,
      origin,
      batch,
      tx: new DmTransaction(false, this.#core),
      immediate: new DmTransaction(false, this.#core),
      atomic: undefined,
    };
    const result = body(ctx);
    this.#commit(ctx);
    return result;
  }

  /** After a top-level command: CSPs update their state, then subscribers hear what changed. */
  #commit(ctx: ExecContext): void {
    const changes = collapseChanges([...ctx.immediate.changes, ...ctx.tx.changes]);
    const executions = ctx.tx.executions;
    if (changes.length === 0 && executions.length === 0) return;
    const byHandler = new Map<CspHandler, DmTreeChange[]>();
    for (const change of changes) {
      const resolved = this.schema.resolve(change.segments);
      const schema = 'nodes' in resolved ? resolved.nodes[resolved.nodes.length - 1] : undefined;
      const handler = schema ? this.#core.handlers.bindingOf(schema)?.handler : undefined;
      if (handler?.committed) byHandler.set(handler, [...(byHandler.get(handler) ?? []), change]);
    }
    for (const [handler, mine] of byHandler) handler.committed!(mine, cspContext(ctx, handler));
    const event: DmTreeEvent = { origin: ctx.origin, changes, executions: [...executions] };
    for (const listener of [...this.#listeners]) {
      try {
        listener(event);
      } catch (err) {
        this.#onListenerError(err, event);
      }
    }
  }
}
