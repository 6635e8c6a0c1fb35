import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deployProfile, eventually, settle, startIosWorld, type IosTestWorld } from './helpers.js';

/**
 * The server's command history (GET /devices/{id}/commands) as a simulated iOS device fills it:
 * what the device answered, in its own words, newest first.
 */
let world: IosTestWorld;
beforeAll(async () => {
  world = await startIosWorld();
});
afterAll(async () => {
  await world.close();
});

interface HistoryEntry {
  uuid: string;
  requestType: string;
  status: string;
  errorChain?: { ErrorDomain: string; ErrorCode: number; LocalizedDescription?: string; USEnglishDescription?: string }[];
  profileId?: string;
  profileVersion?: number;
  queuedAt: string;
  sentAt?: string;
  answeredAt: string;
}

describe('command history from a simulated iOS device', () => {
  it('a blocked install keeps the device\'s two-element ErrorChain; the install after the user removes the account is Acknowledged without one', async () => {
    const user = await world.newUser('tara@contoso.com');
    const device = await world.newDevice();
    await device.addAccount({ email: 'tara@contoso.com', host: 'mail.contoso.com' });
    await device.enroll(user.enrollUrl);
    const answered: string[] = [];
    device.on('commandHandled', (e) => {
      if (e.commandId) answered.push(`${e.commandId}:${e.status}`);
    });

    const profile = await deployProfile(world.admin, [user.groupId]);
    const blocked = await eventually(() => world.serverDevice(device.udid), (v) => v.profiles[0]?.state === 'blocked');
    await device.whenIdle(2000);
    const afterBlock = await world.admin.get<{ queued: unknown[]; history: HistoryEntry[] }>(`/devices/${blocked.id}/commands`);
    expect(afterBlock.queued).toEqual([]);
    expect(afterBlock.history).toHaveLength(1);
    const error = afterBlock.history[0]!;
    expect(`${error.uuid}:${error.status}`).toBe(answered[0]);
    expect(error).toMatchObject({ requestType: 'InstallProfile', status: 'Error', profileId: profile.id, profileVersion: 1 });
    expect(error.errorChain?.map((e) => `${e.ErrorDomain} ${e.ErrorCode}`)).toEqual(['MCInstallationErrorDomain 4001', 'MCEASErrorDomain 21005']);
    expect(error.errorChain?.[1]?.LocalizedDescription).toMatch(/tara@contoso\.com/);
    expect(error.queuedAt <= error.sentAt! && error.sentAt! <= error.answeredAt).toBe(true);

    await device.removeAccount({ email: 'tara@contoso.com', host: 'mail.contoso.com' });
    const view = await settle(world, device);
    expect(view.profiles[0]?.state).toBe('installed');
    const { queued, history } = await world.admin.get<{ queued: unknown[]; history: HistoryEntry[] }>(`/devices/${view.id}/commands`);
    expect(queued).toEqual([]);
    expect(history.map((h) => `${h.uuid}:${h.status}`)).toEqual([...answered].reverse());
    expect(history[0]).toMatchObject({ requestType: 'InstallProfile', status: 'Acknowledged', profileId: profile.id, profileVersion: 1 });
    expect(history[0]).not.toHaveProperty('errorChain');
    expect(history[1]).toEqual(error);
  });
});
