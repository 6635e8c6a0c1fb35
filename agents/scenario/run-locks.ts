import { createHash } from 'node:crypto';
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
 * run), deleting it releases it. The holder rewrites the group's description every `heartbeatMs`;
 * a waiter takes over a lock whose description has not changed for `staleMs` by its own clock
 * (so clocks of different machines need not agree) — that is a run that crashed or was killed.
 * Takeover deletes the stale group by its id: if someone else already did, the delete answers 404
 * and the new lock (a new id) is untouched. Keys are taken in sorted order, so runs never deadlock.
 */
export class RunLocks {
  readonly #held: HeldLock[] = [];
  #beat = 0;
  #timer: NodeJS.Timeout | undefined;
  readonly #heartbeatMs: number;
  readonly #staleMs: number;
  readonly #pollMs: number;

  constructor(
    private readonly admin: AdminClient,
    private readonly holder: string,
    private readonly options: RunLockOptions = {},
  ) {
    this.#heartbeatMs = options.heartbeatMs ?? 2000;
    this.#staleMs = options.staleMs ?? 20_000;
    this.#pollMs = options.pollMs ?? 250;
  }

  /** Takes every key (in sorted order), waiting for other runs; resolves with how long it waited. */
  async acquire(keys: Iterable<string>): Promise<{ waitedMs: number }> {
    const started = Date.now();
    for (const key of [...new Set(keys)].sort()) await this.#take(key);
    this.#timer ??= setInterval(() => void this.#heartbeat(), this.#heartbeatMs);
    return { waitedMs: Date.now() - started };
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

  async #take(key: string): Promise<void> {
    const name = lockName(key);
    let seen: { id: string; description: string; since: number } | undefined;
    let told = false;
    for (;;) {
      try {
        const group = await this.admin.call<{ id: string }>('POST', '/groups', { name, description: this.#description() });
        this.#held.push({ key, groupId: group.id, name });
        return;
      } catch (err) {
        if (!(err instanceof AdminApiError && err.code === 'nameTaken')) throw err;
      }
      const groups = await this.admin.call<{ id: string; name: string; description?: string }[]>('GET', '/groups');
      const current = groups.find((g) => g.name === name);
      if (current) {
        const description = current.description ?? '';
        if (!seen || seen.id !== current.id || seen.description !== description) seen = { id: current.id, description, since: Date.now() };
        else if (Date.now() - seen.since >= this.#staleMs) {
          await this.admin.call('DELETE', `/groups/${current.id}`).catch((err: unknown) => {
            if (!(err instanceof AdminApiError && err.status === 404)) throw err;
          });
          continue;
        }
        if (!told) {
          told = true;
          this.options.onWait?.(`waiting for ${describeHolder(description)}, which uses ${key} on this server`);
        }
      }
      await new Promise((r) => setTimeout(r, this.#pollMs));
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
    return `held by ${this.holder} · heartbeat ${++this.#beat}`;
  }
}

/** The lock group's name for a key; a key too long for a group name is replaced by its hash. */
export function lockName(key: string): string {
  const full = `${PREFIX}${key}`;
  return full.length <= MAX_NAME ? full : `${PREFIX}sha256 ${createHash('sha256').update(key).digest('hex').slice(0, 32)}`;
}

function describeHolder(description: string): string {
  const m = /^held by (.*) · heartbeat \d+$/.exec(description);
  return m?.[1] ?? 'another run';
}
