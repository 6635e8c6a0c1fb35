import type { ScenarioWorld } from './world.js';

const POLL_MS = 25;

/**
 * `settle`: wait until the server has nothing pending for any online device and every online
 * device is idle, twice in a row (a device may be between receiving a push and polling). An
 * offline device keeps what waits for it: that is the story being told, not a stuck run.
 */
export async function settle(world: ScenarioWorld, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let calm = 0;
  let last = '';
  while (Date.now() < deadline) {
    last = await whatIsBusy(world);
    calm = last ? 0 : calm + 1;
    if (calm >= 2) return;
    await new Promise((r) => setTimeout(r, POLL_MS));
  }
  throw new Error(`did not settle within ${timeoutMs} ms: ${last}`);
}

async function whatIsBusy(world: ScenarioWorld): Promise<string> {
  const busy: string[] = [];
  for (const [id, d] of world.devices) {
    if (!d.online) continue;
    if (!d.device.isIdle()) busy.push(`${id} is busy`);
    if (d.serverId && d.device.isEnrolled()) {
      const detail = await world.admin.device(d.serverId);
      if (detail.pendingCommands > 0) busy.push(`the server has ${detail.pendingCommands} command(s) pending for ${id}`);
    }
  }
  return busy.join('; ');
}
