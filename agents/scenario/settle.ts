import { setTimeout as sleep } from 'node:timers/promises';
import type { ScenarioWorld, WorldDevice } from './world.js';

const POLL_MS = 25;

export interface SettleOutcome {
  /** Offline devices the server still has commands for: held until they come back, not waited for. */
  held: string[];
}

/** The run stops: the world did not come to rest in time. Says which devices and commands were still pending. */
export class SettleTimeout extends Error {
  readonly code = 'settleTimeout';
  constructor(timeoutMs: number, busy: string[]) {
    super(`did not settle within ${timeoutMs} ms: ${busy.join('; ')}`);
    this.name = 'SettleTimeout';
  }
}

/**
 * `settle`: wait until the server has nothing pending for any online device of this run and every
 * online device of this run is idle, twice in a row (a device may be between receiving a push and
 * polling). Other runs' devices on a shared server are not looked at. An offline device cannot
 * answer: what waits for it is held (that is the story being told, not a stuck run) and reported.
 * On a server that is not mdmlab's (world.foreign) nothing can be asked of the server: the devices
 * being idle is all there is to wait for (a device without push learns of new commands only when
 * it checks in).
 * Rejects with the signal's reason as soon as `signal` aborts (the run was interrupted).
 */
export async function settle(world: ScenarioWorld, timeoutMs: number, signal?: AbortSignal): Promise<SettleOutcome> {
  const deadline = Date.now() + timeoutMs;
  let calm = 0;
  for (;;) {
    signal?.throwIfAborted();
    const busy = await whatIsBusy(world);
    calm = busy ? 0 : calm + 1;
    if (calm >= 2) return { held: world.foreign ? [] : await held(world) };
    // A calm first look past the deadline still gets its confirming second look.
    if (busy && Date.now() >= deadline) throw new SettleTimeout(timeoutMs, await describeBusy(world));
    await sleep(POLL_MS, undefined, signal ? { signal } : {});
  }
}

/** Cheap check for the polling loop: is anything of this run still moving? */
async function whatIsBusy(world: ScenarioWorld): Promise<boolean> {
  for (const d of world.devices.values()) {
    if (!d.online) continue;
    if (!d.device.isIdle()) return true;
    if (!world.foreign && d.serverId && d.device.isEnrolled() && (await world.admin.device(d.serverId)).pendingCommands > 0) return true;
  }
  return false;
}

/** The detailed picture when settling failed: each busy device and each command still pending. */
async function describeBusy(world: ScenarioWorld): Promise<string[]> {
  const busy: string[] = [];
  for (const [id, d] of world.devices) {
    if (!d.online) continue;
    if (!d.device.isIdle()) busy.push(`${id} is still busy`);
    if (!world.foreign && d.serverId && d.device.isEnrolled()) {
      const pending = await pendingCommands(world, d);
      if (pending) busy.push(`the server has ${pending} pending for ${id}`);
    }
  }
  return busy.length ? busy : ['the run was still busy when the time ran out'];
}

async function held(world: ScenarioWorld): Promise<string[]> {
  const out: string[] = [];
  for (const [id, d] of world.devices) {
    if (d.online || !d.serverId) continue;
    const pending = await pendingCommands(world, d);
    if (pending) out.push(`${id} (offline): ${pending}`);
  }
  return out;
}

/** `2 command(s) (InstallProfile corp sent, RemoveProfile p2 queued)`, or '' when none. */
async function pendingCommands(world: ScenarioWorld, d: WorldDevice): Promise<string> {
  const detail = await world.admin.device(d.serverId!);
  if (detail.status !== 'enrolled' || detail.pendingCommands === 0) return '';
  type Queued = { requestType: string; status: string; profileId?: string }[];
  // The queue alone (older servers) or the queue with the answered history: every platform's.
  const { queued } = await world.admin.call<{ queued: Queued }>('GET', `/devices/${d.serverId}/commands`);
  const which = ` (${queued.map((c) => [c.requestType, c.profileId ? (world.profileRef(c.profileId) ?? c.profileId) : undefined, c.status].filter(Boolean).join(' ')).join(', ')})`;
  return `${detail.pendingCommands} command(s)${which}`;
}
