import type { Store } from '../store/port.js';

/**
 * What the admin API shows of a Windows device under `windows` (`GET /devices/{id}`): its DM
 * DeviceID, enrollment type and context, what it reported (./DevInfo, LoginStatus), its push channel
 * and its last session. Never its credential, nonce or push token.
 */
export async function windowsDeviceFacts(store: Store, deviceId: string): Promise<Record<string, unknown> | undefined> {
  const w = await store.windowsDevices.getByDevice(deviceId);
  if (!w) return undefined;
  const session = await store.windowsSessions.get(deviceId);
  // [from windows-device] Which ActiveSync account node is which profile's: a device knows its accounts
  // only by node name ({GUID}), so the scenario runner learns the profile of each from here.
  const accounts = (await store.windowsAccounts.forDevice(deviceId)).map((a) => ({ profileId: a.profileId, accountGuid: `{${a.accountGuid}}`, platform: a.platform }));
  return {
    deviceId: w.dmDeviceId,
    enrollmentType: w.enrollmentType,
    certificateStore: w.enrollmentType === 'Device' ? 'My/System' : 'My/User',
    enrolledAt: w.enrolledAt,
    enrollmentContext: w.enrollmentContext,
    devInfo: w.devInfo,
    ...(w.loginStatus ? { loginStatus: w.loginStatus } : {}),
    accounts,
    push: {
      pfnSet: w.pfnSetAt !== undefined,
      ...(w.channelUri ? { channelUri: w.channelUri.replace(/[0-9a-f]{64}$/, '…') } : {}),
      ...(w.channelReadAt ? { channelReadAt: w.channelReadAt } : {}),
    },
    ...(session
      ? {
          lastSession: {
            sessionId: session.sessionId,
            startedAt: session.startedAt,
            lastMessageAt: session.updatedAt,
            messages: session.clientMsgId,
            ended: session.endedAt !== undefined,
          },
        }
      : {}),
    ...(w.leftAt ? { unenrolledAt: w.leftAt } : {}),
  };
}
