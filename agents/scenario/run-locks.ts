import { createHash } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { AdminApiError, type AdminClient } from '../admin/admin-client.js';

/** The admin API limits group names to 128 characters. */
const MAX_NAME = 128;
const PREFIX = 'mdmlab scenario lock · ';

export interface RunLockOptions {
  /** How often the holder proves it is alive (default 2 s). */
  heartbeatMs?: number;
  /** A lock whose heartbeat has not changed for this long is taken over (default 20 s). */
  staleMs?: number;
  /** How often a waiting run looks again (default 250 ms). */
  pollMs?: number;
  /** Told once per lock the run has to wait for, with who holds it. */
  onWait?: (text: string) => void;
}

/** Who holds a lock: the run's tag (what identifies it) and the scenario's name (for people). */
export interface LockHolder {
  tag: string;
  scenario: string;
}

export interface Acquired {
  waitedMs: number;
  /** Tags of runs found dead (a lock of theirs went stale) whose locks this run took over. */
  abandoned: string[];
}

interface HeldLock {
  key: string;
  groupId: string;
  name: string;
}

/**
 * Runs against one shared server take turns on the users (and device hardware ids) they share.
 *
 * Why: a group that lists a user targets every device of that user, so two runs that use the same
 * user would each deliver their profiles to the other's devices (iOS then blocks the second one as
 * a duplicate account) and their expectations would depend on timing. Seeded files also give the
 * same UDIDs on every run, and a second Authenticate with a UDID takes the device over. Runs that
 * share nothing go fully in parallel; runs that share a user or a device queue up.
 *
 * How: the server's only atomic test-and-set is a unique name, so a lock is a member-less group
 * named `mdmlab scenario lock · <key>`: creating it takes the lock (409 nameTaken = held by another
 * run), deleting it releases it. The description names the holder's run tag and a heartbeat the
 * holder rewrites every `heartbeatMs` for every lock it holds, from the first one taken on (a run
 * holding one lock may wait long for the next). A waiter takes over a lock whose description has
 * not changed for `staleMs` by its own clock (so clocks of different machines need not agree):
 * that is a run that crashed or was killed. Its other locks then go at once, without waiting
 * `staleMs` each: one holder beats all its locks together, so one stale lock means a dead holder.
 * Takeover deletes the stale group by its id: if someone else already did, the delete answers 404
 * and the new lock (a new id) is untouched. Keys are taken in sorted order, so runs never deadlock.
 */
export class RunLocks {
  readonly #held: HeldLock[] = [];
  /** Tags of holders this run saw die. */
  readonly #dead = new Set<string>();
  #beat = 0;
  #timer: NodeJS.Timeout | undefined;
  readonly #heartbeatMs: number;
  readonly #staleMs: number;
  readonly #pollMs: number;

  constructor(
    private readonly admin: AdminClient,
    private readonly holder: LockHolder,
    private readonly options: RunLockOptions = {},
  ) {
    this.#heartbeatMs = options.heartbeatMs ?? 2000;
    this.#staleMs = options.staleMs ?? 20_000;
    this.#pollMs = options.pollMs ?? 250;
  }

  /**
   * Takes every key (in sorted order), waiting for other runs; resolves with how long it waited and
   * which dead runs' locks it took over. Rejects with the signal's reason once `signal` aborts.
   */
  async acquire(keys: Iterable<string>, signal?: AbortSignal): Promise<Acquired> {
    const started = Date.now();
    const abandoned = new Set<string>();
    for (const key of [...new Set(keys)].sort()) await this.#take(key, abandoned, signal);
    return { waitedMs: Date.now() - started, abandoned: [...abandoned] };
  }

  /** Deletes every lock this run holds; returns what could not be released. */
  async release(): Promise<string[]> {
    clearInterval(this.#timer);
    this.#timer = undefined;
    const errors: string[] = [];
    for (const lock of this.#held.splice(0).reverse()) {
      try {
        await this.admin.call('DELETE', `/groups/${lock.groupId}`);
      } catch (err) {
        if (!(err instanceof AdminApiError && err.status === 404)) errors.push(`lock "${lock.name}" (${lock.groupId}): ${(err as Error).message}`);
      }
    }
    return errors;
  }

  async #take(key: string, abandoned: Set<string>, signal: AbortSignal | undefined): Promise<void> {
    const name = lockName(key);
    let seen: { id: string; description: string; since: number } | undefined;
    let told = false;
    for (;;) {
      signal?.throwIfAborted();
      try {
        const group = await this.admin.call<{ id: string }>('POST', '/groups', { name, description: this.#description() });
        this.#held.push({ key, groupId: group.id, name });
        // From the first lock on: a run holding this one may wait long for its next.
        this.#timer ??= setInterval(() => void this.#heartbeat(), this.#heartbeatMs);
        return;
      } catch (err) {
        if (!(err instanceof AdminApiError && err.code === 'nameTaken')) throw err;
      }
      const groups = await this.admin.call<{ id: string; name: string; description?: string }[]>('GET', '/groups');
      // Group names are unique regardless of case on the server.
      const current = groups.find((g) => g.name.toLowerCase() === name.toLowerCase());
      if (current) {
        const description = current.description ?? '';
        const holder = lockHolderTag(description);
        if (!seen || seen.id !== current.id || seen.description !== description) seen = { id: current.id, description, since: Date.now() };
        const stale = Date.now() - seen.since >= this.#staleMs;
        if (stale || (holder !== undefined && this.#dead.has(holder))) {
          await this.admin.call('DELETE', `/groups/${current.id}`).catch((err: unknown) => {
            if (!(err instanceof AdminApiError && err.status === 404)) throw err;
          });
          if (holder !== undefined) {
            this.#dead.add(holder);
            abandoned.add(holder);
          }
          continue;
        }
        if (!told) {
          told = true;
          this.options.onWait?.(`waiting for ${describeHolder(description)}, which uses ${key} on this server`);
        }
      }
      await sleep(this.#pollMs, undefined, signal ? { signal } : {});
    }
  }

  async #heartbeat(): Promise<void> {
    const description = this.#description();
    for (const lock of this.#held) {
      // A missed beat only brings a takeover closer; the next beat tries again.
      await this.admin.call('PATCH', `/groups/${lock.groupId}`, { description }).catch(() => undefined);
    }
  }

  #description(): string {
    return `held by run ${this.holder.tag} (${JSON.stringify(this.holder.scenario)}) · heartbeat ${++this.#beat}`;
  }
}

/** The lock group's name for a key; a key too long for a group name is replaced by its hash. */
export function lockName(key: string): string {
  const full = `${PREFIX}${key}`;
  return full.length <= MAX_NAME ? full : `${PREFIX}sha256 ${createHash('sha256').update(key).digest('hex').slice(0, 32)}`;
}

export function isLockName(name: string): boolean {
  return name.toLowerCase().startsWith(PREFIX.toLowerCase());
}

/** The run tag of a lock's holder, from the lock group's description; undefined when it names none. */
export function lockHolderTag(description: string | undefined): string | undefined {
  return /^held by run (\S+) /.exec(description ?? '')?.[1];
}

function describeHolder(description: string): string {
  const m = /^held by (.*) · heartbeat \d+$/.exec(description);
  return m?.[1] ?? 'another run';
}
