import type { AdminClient } from '../admin/admin-client.js';
import type { DevicePlatform } from '../../protocol/admin/platforms.js';
import type { AlertSummary } from '../report/report-model.js';
import type { DeviceRecord } from './share-stats.js';

/**
 * At the end of a run on an mdmlab server: what the server says of each of the run's devices (the
 * state of the profile the device's platform gets) and the alerts it raised for them, read through
 * the admin API with a bounded number of requests in flight.
 */

export interface ServerView {
  /** The state of the device's profile, by fleet device id; absent: the server does not list the device. */
  states: Map<string, string>;
  /** Devices that enrolled (by their own account) but that the server does not list as enrolled. */
  unlisted: string[];
  alerts: AlertSummary;
}

const MAX_ALERT_ITEMS = 50;

export async function readServerView(
  admin: AdminClient,
  records: readonly DeviceRecord[],
  profileOf: (platform: DevicePlatform) => string | undefined,
  concurrency = 16,
): Promise<ServerView> {
  const byHardwareId = new Map(records.filter((r) => r.enrolled && r.hardwareId).map((r) => [r.hardwareId!, r]));
  const listed = (await admin.devices('?status=enrolled')).filter((d) => byHardwareId.has(d.hardwareId));
  const serverIdToFleetId = new Map(listed.map((d) => [d.id, byHardwareId.get(d.hardwareId)!.id]));
  const listedIds = new Set(listed.map((d) => d.hardwareId));
  const unlisted = [...byHardwareId.values()].filter((r) => !listedIds.has(r.hardwareId!)).map((r) => r.id);
  const states = new Map<string, string>();
  let next = 0;
  const lane = async () => {
    while (next < listed.length) {
      const d = listed[next++]!;
      const record = byHardwareId.get(d.hardwareId)!;
      const profileId = profileOf(record.platform);
      if (!profileId) continue;
      const detail = await admin.device(d.id);
      states.set(record.id, detail.profiles.find((p) => p.profileId === profileId)?.state ?? 'pending');
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(concurrency, listed.length)) }, lane));

  const alerts = (await admin.alerts('?status=all')).filter((a) => a.deviceId !== undefined && serverIdToFleetId.has(a.deviceId));
  const byKind: Record<string, number> = {};
  for (const a of alerts) byKind[a.kind] = (byKind[a.kind] ?? 0) + 1;
  return {
    states,
    unlisted,
    alerts: {
      available: true,
      byKind,
      items: alerts.slice(0, MAX_ALERT_ITEMS).map((a) => ({ device: serverIdToFleetId.get(a.deviceId!)!, kind: a.kind, message: a.message })),
      truncated: Math.max(0, alerts.length - MAX_ALERT_ITEMS),
    },
  };
}
