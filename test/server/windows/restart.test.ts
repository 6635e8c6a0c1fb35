import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { ContainerCommand, SyncMLMessage } from '../../../protocol/windows/syncml/types.js';
import { startTestServer, type TestServer } from '../../helpers/server.js';
import { deployProfile, deviceOf, enrollWindows, hdrStatus, serverCommands, WireDmClient } from './windows-wire.js';

/**
 * The session lives in the store, not in the process: a restart in the middle of a session loses
 * nothing. The device goes on with the next message as if nothing happened, or starts a new
 * session, and what was sent but never answered goes out again.
 */
const dataDir = mkdtempSync(join(tmpdir(), 'mdmlab-win-restart-'));
let server: TestServer;
afterAll(async () => {
  await server?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

const atomicOf = (reply: SyncMLMessage): ContainerCommand => serverCommands(reply).find((c): c is ContainerCommand => c.kind === 'Atomic')!;

async function restart(): Promise<void> {
  await server.stop({ keepData: true });
  server = await startTestServer({ dataDir });
}

describe('a restart mid-session', () => {
  it('the device continues its session with the next MsgID on the new process: its answers are matched and recorded', async () => {
    server = await startTestServer({ dataDir });
    const client = new WireDmClient(server, await enrollWindows(server, 'continue@contoso.com'));
    const { profileId } = await deployProfile(server, 'continue@contoso.com', 'windows10', 'w10 continue');
    const sent = await client.open(1200);
    expect(atomicOf(sent)).toBeDefined();
    await restart();
    const fresh = new WireDmClient(server, client.device);
    Object.assign(fresh, { sessionId: client.sessionId, msgId: client.msgId, nonce: client.nonce });
    const reply = await fresh.next(fresh.answer(sent));
    expect(hdrStatus(reply).code).toBe(200);
    expect(reply.header.msgId).toBe('2');
    expect((await deviceOf(server, client.device.deviceId)).profiles.find((p: { profileId: string }) => p.profileId === profileId)).toMatchObject({ state: 'installed' });
  });

  it('a device that starts a new session after the restart gets the unanswered operation again, for the same account', async () => {
    const client = new WireDmClient(server, await enrollWindows(server, 'resend@contoso.com'));
    const { profileId } = await deployProfile(server, 'resend@contoso.com', 'windows10', 'w10 resend');
    const sent = await client.open(1200);
    const guid = /%7B([0-9A-F-]{36})%7D/.exec(JSON.stringify(atomicOf(sent)))![1];
    await restart();
    const fresh = new WireDmClient(server, client.device);
    Object.assign(fresh, { sessionId: client.sessionId, nonce: client.nonce });
    const again = await fresh.open(1201);
    const resent = atomicOf(again);
    expect(resent).toBeDefined();
    expect(JSON.stringify(resent)).toContain(`%7B${guid}%7D`);
    await fresh.next(fresh.answer(again));
    const device = await deviceOf(server, client.device.deviceId);
    expect(device.profiles.find((p: { profileId: string }) => p.profileId === profileId)).toMatchObject({ state: 'installed' });
    expect((await server.api.get(`/devices/${device.id}/commands`)).body.history).toHaveLength(1);
  });
});
