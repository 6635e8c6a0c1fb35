import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Reconciler, type PlatformChannel } from '../../../server/domain/reconciler.js';
import { wakeDevicesWithQueuedWork } from '../../../server/domain/startup-wake.js';
import type { Store } from '../../../server/store/port.js';
import type { DeviceRecord } from '../../../server/store/records.js';
import { createSqliteStore } from '../../../server/store/sqlite/sqlite-store.js';

/**
 * The start-up wake over a real store, with channels that record whom they were asked to wake
 * (the Apple channel and the gateway holding its wake-ups are exercised end to end in
 * test/server/push/startup-wake.test.ts and test/server/push/restart-convergence.test.ts).
 */
class RecordingChannel implements PlatformChannel {
  readonly batches: string[][] = [];
  constructor(readonly platforms: readonly ('ios' | 'windows10')[]) {}
  async install() {}
  async remove() {
    return 'forget' as const;
  }
  async wake(devices: readonly DeviceRecord[]) {
    this.batches.push(devices.map((d) => d.id));
  }
  async push() {
    return 'noToken' as const;
  }
  profileAction() {
    return undefined;
  }
}

const t = '2026-01-01T00:00:00.000Z';
const log = pino({ level: 'silent' });
let store: Store;
let ios: RecordingChannel;
let windows: RecordingChannel;
let reconciler: Reconciler;

async function device(id: string, opts: { platform?: 'ios' | 'windows10'; status?: 'enrolled' | 'unenrolled'; commands?: number } = {}): Promise<void> {
  await store.devices.insert({ id, platform: opts.platform ?? 'ios', hardwareId: `hw-${id}`, status: opts.status ?? 'enrolled', enrolledAt: t });
  for (let i = 0; i < (opts.commands ?? 1); i++) {
    await store.commands.enqueue({ uuid: `${id}-${i}`, deviceId: id, requestType: 'InstallProfile', body: '<plist/>', priority: 0, createdAt: t });
  }
}

beforeEach(() => {
  store = createSqliteStore(':memory:');
  ios = new RecordingChannel(['ios']);
  windows = new RecordingChannel(['windows10']);
  reconciler = new Reconciler();
  reconciler.register(ios);
  reconciler.register(windows);
});
afterEach(() => store.close());

describe('start-up wake of devices with queued work', () => {
  it('wakes each enrolled device with queued work once, through its platform channel, longest-waiting first', async () => {
    await device('d1');
    await device('quiet', { commands: 0 });
    await device('w1', { platform: 'windows10', commands: 2 });
    await device('gone', { status: 'unenrolled' });
    await device('d2', { commands: 3 });
    const wake = wakeDevicesWithQueuedWork({ store, reconciler, log, perSecond: 100 });
    expect(await wake.done).toBe(3);
    expect(ios.batches.flat()).toEqual(['d1', 'd2']);
    expect(windows.batches.flat()).toEqual(['w1']);
  });

  it('goes at the configured pace: batches of a tenth of the rate per second', async () => {
    for (let i = 0; i < 25; i++) await device(`d${String(i).padStart(2, '0')}`);
    const wake = wakeDevicesWithQueuedWork({ store, reconciler, log, perSecond: 100 });
    expect(await wake.done).toBe(25);
    expect(ios.batches.map((b) => b.length)).toEqual([10, 10, 5]);
  });

  it('stops between batches when the server closes', async () => {
    for (let i = 0; i < 30; i++) await device(`d${String(i).padStart(2, '0')}`);
    const wake = wakeDevicesWithQueuedWork({ store, reconciler, log, perSecond: 10 }); // one a tick of 100 ms
    while (ios.batches.length === 0) await new Promise((r) => setTimeout(r, 5));
    await wake.stop();
    const woken = await wake.done;
    expect(woken).toBeLessThan(30);
    expect(ios.batches.flat()).toHaveLength(woken);
  });

  it('does nothing when nothing is queued, and a failing store only logs', async () => {
    await device('quiet', { commands: 0 });
    expect(await wakeDevicesWithQueuedWork({ store, reconciler, log, perSecond: 100 }).done).toBe(0);
    await store.close();
    expect(await wakeDevicesWithQueuedWork({ store, reconciler, log, perSecond: 100 }).done).toBe(0);
    store = createSqliteStore(':memory:'); // for afterEach
  });
});
