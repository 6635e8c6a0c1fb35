import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GMAIL_PACKAGE, NINE_WORK_PACKAGE } from '../../../protocol/android/apps.js';
import { fetchPolicy, pushListener, registerDevice, reportOn, sendReport } from '../../helpers/android-wire.js';
import { startTestServer, type TestServer } from '../../helpers/server.js';

/**
 * Managed apps: Gmail and Nine Work deployed to groups, FORCE_INSTALLED in the work profile of their
 * Android for Work devices — "deploy the Gmail or Nine Work app as well as the profile". A profile
 * that reaches users the app does not is deployed with an appNotDeployed warning and alert; its
 * devices wait for the app (waitingForApp) until it is there.
 */
let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server.stop());

let n = 0;
const group = async (userIds: string[]) => {
  const id = (await server.api.post('/groups', { name: `apps ${++n}` }).expect(201)).body.id as string;
  if (userIds.length) await server.api.post(`/groups/${id}/members`, { users: userIds }).expect(200);
  return id;
};
const user = async (upn: string) => (await server.api.post('/users', { upn }).expect(201)).body.id as string;

describe('the managed apps routes', () => {
  it('list Gmail and Nine Work with their packages and deployments, documented in openapi.json', async () => {
    expect((await server.api.get('/managed-apps').expect(200)).body).toEqual([
      { app: 'gmail', name: 'Gmail', packageName: GMAIL_PACKAGE, groupIds: [] },
      { app: 'nineWork', name: 'Nine Work', packageName: NINE_WORK_PACKAGE, groupIds: [] },
    ]);
    expect((await server.api.get('/managed-apps/nineWork').expect(200)).body.packageName).toBe(NINE_WORK_PACKAGE);
    const doc = (await request(server.url).get('/api/v1/openapi.json').expect(200)).body;
    expect(Object.keys(doc.paths)).toEqual(expect.arrayContaining(['/managed-apps', '/managed-apps/{app}', '/managed-apps/{app}/deployment']));
    expect(doc.paths['/managed-apps/{app}/deployment'].put.requestBody.content['application/json'].schema.required).toEqual(['groupIds']);
  });

  it('refuse an unknown app (404), an unknown group or field (400), and change nothing', async () => {
    expect((await server.api.get('/managed-apps/outlook').expect(404)).body.error.code).toBe('notFound');
    expect((await server.api.put('/managed-apps/outlook/deployment', { groupIds: [] }).expect(404)).body.error.code).toBe('notFound');
    expect((await server.api.put('/managed-apps/gmail/deployment', { groupIds: ['grp_nope'] }).expect(400)).body.error).toMatchObject({ code: 'unknownMember', field: 'groupIds[0]' });
    expect((await server.api.put('/managed-apps/gmail/deployment', { groupIds: [], installType: 'BLOCKED' }).expect(400)).body.error.code).toBe('unknownField');
    expect((await server.api.get('/managed-apps/gmail').expect(200)).body.groupIds).toEqual([]);
  });
});

describe('a Gmail profile and the Gmail app', () => {
  it('warns and alerts when the profile reaches users without the app; the device waits for it; deploying the app resolves both', async () => {
    const una = await user('una@contoso.com');
    const g = await group([una]);
    const d = await registerDevice(server, 'una@contoso.com', 'androidForWork');
    const push = await pushListener(server);
    const v1 = (await fetchPolicy(d)).policy!;
    await sendReport(d, reportOn(d, v1.version, { extra: { mdmlab: { pushToken: push.token } } }));

    const p = (await server.api.post('/email-profiles', { platform: 'afwGmail', name: 'Corp Gmail', host: 'mail.contoso.com', accountName: 'Corp' }).expect(201)).body;
    const deployed = (await server.api.put(`/email-profiles/${p.id}/deployment`, { groupIds: [g] }).expect(200)).body;
    expect(deployed.warnings).toEqual([expect.objectContaining({ code: 'appNotDeployed', profileIds: [p.id], message: expect.stringContaining('deploy the Gmail or Nine Work app as well as the profile') })]);
    const alerts = (await server.api.get(`/alerts?profileId=${p.id}&kind=appNotDeployed`).expect(200)).body;
    expect(alerts).toHaveLength(1);
    expect(alerts[0].message).toContain('una@contoso.com');
    expect(alerts[0].details.guidance).toEqual(['Deploy the Gmail or Nine Work app as well as the profile.']);
    await push.next();

    const v2 = (await fetchPolicy(d)).policy!;
    expect(v2.applications).toEqual([expect.objectContaining({ packageName: GMAIL_PACKAGE, installType: 'AVAILABLE' })]);
    await sendReport(d, reportOn(d, v2.version, { details: [{ settingName: 'applications', nonComplianceReason: 'APP_NOT_INSTALLED', packageName: GMAIL_PACKAGE, fieldPath: 'applications[0]' }] }));
    expect((await server.api.get(`/devices/${d.deviceId}`).expect(200)).body).toMatchObject({ compliance: 'compliant', profiles: [{ state: 'waitingForApp' }] });

    // The app to the same users, through another group: covered by member, not by group name.
    const everyone = await group([una]);
    const app = (await server.api.put('/managed-apps/gmail/deployment', { groupIds: [everyone] }).expect(200)).body;
    expect(app).toEqual({ app: 'gmail', name: 'Gmail', packageName: GMAIL_PACKAGE, groupIds: [everyone] });
    expect((await server.api.get(`/alerts?profileId=${p.id}&kind=appNotDeployed`).expect(200)).body).toEqual([]);
    await push.next();
    const v3 = (await fetchPolicy(d)).policy!;
    expect(v3.applications).toEqual([expect.objectContaining({ packageName: GMAIL_PACKAGE, installType: 'FORCE_INSTALLED', managedConfiguration: v2.applications![0]!.managedConfiguration })]);
    await sendReport(d, reportOn(d, v3.version, { apps: [{ packageName: GMAIL_PACKAGE, states: [{ state: 'created' }] }] }));
    expect((await server.api.get(`/devices/${d.deviceId}`).expect(200)).body).toMatchObject({ profiles: [{ state: 'installed' }], pendingCommands: 0 });

    // Withdrawing the app raises the alert again, and the app deployment answer says so.
    const withdrawn = (await server.api.put('/managed-apps/gmail/deployment', { groupIds: [] }).expect(200)).body;
    expect(withdrawn.warnings).toEqual([expect.objectContaining({ code: 'appNotDeployed', profileIds: [p.id] })]);
    expect((await server.api.get(`/alerts?profileId=${p.id}&kind=appNotDeployed`).expect(200)).body).toHaveLength(1);
    await server.api.delete(`/email-profiles/${p.id}`).expect(204);
    expect((await server.api.get(`/alerts?profileId=${p.id}&kind=appNotDeployed`).expect(200)).body).toEqual([]);
    await push.close();
  });

  it('installs a deployed app on Android for Work devices only, without a configuration when no profile configures it', async () => {
    const vic = await user('vic@contoso.com');
    const g = await group([vic]);
    await server.api.put('/managed-apps/nineWork/deployment', { groupIds: [g] }).expect(200);
    const afw = await registerDevice(server, 'vic@contoso.com', 'androidForWork');
    const knox = await registerDevice(server, 'vic@contoso.com', 'samsungKnox');
    expect((await fetchPolicy(afw)).policy!.applications).toEqual([{ packageName: NINE_WORK_PACKAGE, installType: 'FORCE_INSTALLED' }]);
    expect((await fetchPolicy(knox)).policy!.applications).toBeUndefined();
  });
});
