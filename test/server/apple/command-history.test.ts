import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ErrorChainItem } from '../../../protocol/apple/errors-catalogue.js';
import { enrolledOverWire, sendReport, type WireIdentity } from '../../helpers/apple-wire.js';
import { startTestServer, type TestServer } from '../../helpers/server.js';

/**
 * The command history at the wire: answers the simulated iOS device never gives (an Error to
 * ProfileList, CommandFormatError), sent as signed reports, and read back from the admin API.
 * Device-driven cases (a blocked install, then installed) are in test/agents/ios/command-history.test.ts.
 */
let server: TestServer;
const dataDir = mkdtempSync(join(tmpdir(), 'mdmlab-history-'));
beforeAll(async () => {
  server = await startTestServer({ dataDir });
});
afterAll(async () => {
  await server.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

async function deviceIdOf(id: WireIdentity): Promise<string> {
  const list = (await server.api.get('/devices').expect(200)).body as { id: string; hardwareId: string }[];
  return list.find((d) => d.hardwareId === id.udid)!.id;
}

const commandsOf = async (deviceId: string) => (await server.api.get(`/devices/${deviceId}/commands`).expect(200)).body;

async function queueProfileList(deviceId: string): Promise<string> {
  return (await server.api.post(`/devices/${deviceId}/commands`, { requestType: 'ProfileList' }).expect(201)).body.uuid;
}

describe('GET /devices/{id}/commands', () => {
  it('an Error to ProfileList keeps the ErrorChain item by item, keys as the device sent them', async () => {
    const id = await enrolledOverWire(server, 'pam@contoso.com');
    const deviceId = await deviceIdOf(id);
    const uuid = await queueProfileList(deviceId);
    expect(await commandsOf(deviceId)).toEqual({
      queued: [{ uuid, requestType: 'ProfileList', status: 'queued', queuedAt: expect.any(String), notNowCount: 0 }],
      history: [],
    });

    const cmd = (await sendReport(id, { Status: 'Idle' }))!;
    expect(cmd).toMatchObject({ CommandUUID: uuid, Command: { RequestType: 'ProfileList' } });
    const inFlight = (await commandsOf(deviceId)).queued[0];
    expect(inFlight).toMatchObject({ uuid, status: 'sent', sentAt: expect.any(String) });

    // One item with USEnglishDescription, one without: both come back exactly so.
    const chain: ErrorChainItem[] = [
      { ErrorCode: 12021, ErrorDomain: 'MCMDMErrorDomain', LocalizedDescription: 'Befehl unbekannt', USEnglishDescription: 'Unknown command' },
      { ErrorCode: 1009, ErrorDomain: 'MCProfileErrorDomain', LocalizedDescription: 'Fehler' },
    ];
    expect(await sendReport(id, { Status: 'Error', CommandUUID: uuid, ErrorChain: chain })).toBeUndefined();
    const view = await commandsOf(deviceId);
    expect(view.queued).toEqual([]);
    expect(view.history).toEqual([
      { uuid, deviceId, requestType: 'ProfileList', status: 'Error', errorChain: chain, queuedAt: inFlight.queuedAt, sentAt: inFlight.sentAt, answeredAt: expect.any(String) },
    ]);
    expect(view.history[0].answeredAt >= inFlight.sentAt).toBe(true);
    // The ProfileList result is an error: the device's installed list stays unknown.
    expect((await server.api.get(`/devices/${deviceId}`).expect(200)).body.apple.installedProfiles).toBeUndefined();
  });

  it('NotNow is not an answer (the command stays queued); CommandFormatError is, newest first, without a chain', async () => {
    const id = await enrolledOverWire(server, 'quin@contoso.com');
    const deviceId = await deviceIdOf(id);
    const first = await queueProfileList(deviceId);
    await sendReport(id, { Status: 'Idle' });
    expect(await sendReport(id, { Status: 'NotNow', CommandUUID: first })).toBeUndefined();
    expect(await commandsOf(deviceId)).toEqual({
      queued: [expect.objectContaining({ uuid: first, status: 'notNow', notNowCount: 1 })],
      history: [],
    });

    await sendReport(id, { Status: 'Idle' });
    await sendReport(id, { Status: 'Acknowledged', CommandUUID: first, ProfileList: [] });
    const second = await queueProfileList(deviceId);
    await sendReport(id, { Status: 'Idle' });
    await sendReport(id, { Status: 'CommandFormatError', CommandUUID: second });
    // A result for a command the device does not have is ignored, and recorded nowhere.
    await sendReport(id, { Status: 'Acknowledged', CommandUUID: 'NOT-A-COMMAND' });

    const view = await commandsOf(deviceId);
    expect(view.queued).toEqual([]);
    expect(view.history.map((h: { uuid: string; status: string }) => `${h.uuid}:${h.status}`)).toEqual([`${second}:CommandFormatError`, `${first}:Acknowledged`]);
    expect(view.history[0]).not.toHaveProperty('errorChain');
    expect(view.history[1]).not.toHaveProperty('errorChain');
  });

  it('an InstallProfile answer carries the profile and version it was for', async () => {
    const id = await enrolledOverWire(server, 'rob@contoso.com');
    const deviceId = await deviceIdOf(id);
    const user = (await server.api.get('/users?upn=rob@contoso.com').expect(200)).body[0];
    const group = (await server.api.post('/groups', { name: 'rob' }).expect(201)).body;
    await server.api.post(`/groups/${group.id}/members`, { users: [user.id] }).expect(200);
    const profile = (await server.api.post('/email-profiles', { platform: 'ios', name: 'rob mail', host: 'mail.contoso.com', accountName: 'Corp' }).expect(201)).body;
    await server.api.put(`/email-profiles/${profile.id}/deployment`, { groupIds: [group.id] }).expect(200);
    const cmd = (await sendReport(id, { Status: 'Idle' }))!;
    await sendReport(id, { Status: 'Acknowledged', CommandUUID: cmd.CommandUUID });
    expect((await commandsOf(deviceId)).history).toEqual([
      expect.objectContaining({ uuid: cmd.CommandUUID, requestType: 'InstallProfile', status: 'Acknowledged', profileId: profile.id, profileVersion: 1 }),
    ]);
  });

  it('a command sent before a restart and answered after it lands in the history, next to older answers', async () => {
    const id = await enrolledOverWire(server, 'sal@contoso.com');
    const deviceId = await deviceIdOf(id);
    const before = await queueProfileList(deviceId);
    await sendReport(id, { Status: 'Idle' });
    await sendReport(id, { Status: 'Acknowledged', CommandUUID: before, ProfileList: [] });
    const across = await queueProfileList(deviceId);
    await sendReport(id, { Status: 'Idle' });
    const sentAt = (await commandsOf(deviceId)).queued[0].sentAt;

    await server.stop({ keepData: true });
    server = await startTestServer({ dataDir });
    id.mdm = { ...id.mdm, serverUrl: `${server.url}/mdm/connect`, checkInUrl: `${server.url}/mdm/checkin` };
    await sendReport(id, { Status: 'Error', CommandUUID: across, ErrorChain: [{ ErrorCode: 12021, ErrorDomain: 'MCMDMErrorDomain', LocalizedDescription: 'x' }] });

    const view = await commandsOf(deviceId);
    expect(view.queued).toEqual([]);
    expect(view.history).toEqual([
      expect.objectContaining({ uuid: across, status: 'Error', sentAt, errorChain: [{ ErrorCode: 12021, ErrorDomain: 'MCMDMErrorDomain', LocalizedDescription: 'x' }] }),
      expect.objectContaining({ uuid: before, status: 'Acknowledged' }),
    ]);
  });

  it('answers 404 notFound for a device that does not exist', async () => {
    const res = await server.api.get('/devices/dev_nope/commands').expect(404);
    expect(res.body.error.code).toBe('notFound');
  });
});
