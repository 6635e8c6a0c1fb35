import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../../../helpers/server.js';

/** Every class of bad admin-API input: a clear JSON error naming the field, nothing written, no stack. */
let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server.stop());

const counts = async () => ({
  users: (await server.api.get('/users')).body.length,
  groups: (await server.api.get('/groups')).body.length,
  profiles: (await server.api.get('/email-profiles')).body.length,
});

function expectErrorShape(body: unknown): void {
  expect(body).toEqual({ error: expect.objectContaining({ code: expect.any(String), message: expect.any(String) }) });
  expect(JSON.stringify(body)).not.toMatch(/at .*\.(ts|js):\d+/);
}

describe('bad input to the admin API', () => {
  it('malformed JSON → 400 invalidJson, nothing written', async () => {
    const before = await counts();
    const res = await request(server.url)
      .post('/api/v1/users')
      .set('Authorization', 'Bearer test-token')
      .set('Content-Type', 'application/json')
      .send('{"upn": "a@b.c",')
      .expect(400);
    expect(res.body.error.code).toBe('invalidJson');
    expectErrorShape(res.body);
    expect(await counts()).toEqual(before);
  });

  it('a JSON body that is not an object → 400', async () => {
    const res = await request(server.url).post('/api/v1/groups').set('Authorization', 'Bearer test-token').set('Content-Type', 'application/json').send('"sales"').expect(400);
    expectErrorShape(res.body);
  });

  it('wrong types → 400 validationFailed naming the field', async () => {
    const res = await server.api.post('/groups', { name: 42 }).expect(400);
    expect(res.body.error).toMatchObject({ code: 'validationFailed', field: 'name' });
    const res2 = await server.api.post('/groups/grp_x/members', { users: 'usr_1' }).expect(400);
    expect(res2.body.error).toMatchObject({ code: 'validationFailed', field: 'users' });
    const res3 = await server.api.post('/email-profiles', { platform: 'ios', name: 'n', host: 'h.example.com', accountName: 'a', daysToSync: '7' }).expect(400);
    expect(res3.body.error).toMatchObject({ code: 'validationFailed', field: 'daysToSync' });
  });

  it('unknown fields → 400 unknownField naming the field', async () => {
    const before = await counts();
    const res = await server.api.post('/users', { upn: 'x@contoso.com', password: 'p' }).expect(400);
    expect(res.body.error).toMatchObject({ code: 'unknownField', field: 'password' });
    expect(await counts()).toEqual(before);
  });

  it('a body over the limit → 413, nothing written', async () => {
    const before = await counts();
    const res = await server.api.post('/groups', { name: 'big', description: 'x'.repeat(300_000) }).expect(413);
    expect(res.body.error.code).toBe('payloadTooLarge');
    expect(await counts()).toEqual(before);
  });

  it('a body that is not JSON → 415', async () => {
    const res = await request(server.url).post('/api/v1/users').set('Authorization', 'Bearer test-token').set('Content-Type', 'text/plain').send('upn=a@b.c').expect(415);
    expect(res.body.error.code).toBe('unsupportedMediaType');
  });

  it('a path that is not valid percent-encoding → 400 badRequest, not a 500', async () => {
    for (const path of ['/api/v1/users/%ZZ', '/api/v1/email-profiles/%E0%A4%A/deployment']) {
      const res = await request(server.url).get(path).set('Authorization', 'Bearer test-token').expect(400);
      expect(res.body.error.code).toBe('badRequest');
      expectErrorShape(res.body);
    }
  });

  it('a gzip-encoded body that does not inflate → 400 badRequest, nothing written', async () => {
    const before = await counts();
    const res = await request(server.url)
      .post('/api/v1/users')
      .set('Authorization', 'Bearer test-token')
      .set('Content-Type', 'application/json')
      .set('Content-Encoding', 'gzip')
      .send('{"upn":"gz@contoso.com"}')
      .expect(400);
    expect(res.body.error.code).toBe('badRequest');
    expectErrorShape(res.body);
    expect(await counts()).toEqual(before);
  });

  describe('strings with characters XML cannot carry (they would end up in profiles and commands) → 400 validationFailed naming the field, nothing written', () => {
    // XML 1.0 §2.2 Char: no C0 control but tab, LF and CR; no U+FFFE/U+FFFF; no lone surrogate.
    const bad = { nul: 'a\u0000b', bell: 'ring\u0007', fffe: 'x\uFFFEy', ffff: '\uFFFF', lone: 'x\uD800y', trail: '\uDC00' };
    const snapshot = async () => ({
      ...(await counts()),
      certificates: (await server.api.get('/certificate-profiles')).body.length,
      userBodies: JSON.stringify((await server.api.get('/users')).body),
      groupBodies: JSON.stringify((await server.api.get('/groups')).body),
      profileBodies: JSON.stringify((await server.api.get('/email-profiles')).body),
    });
    let userId: string;
    let groupId: string;
    let profileId: string;
    beforeAll(async () => {
      userId = (await server.api.post('/users', { upn: 'xmlsafe@contoso.com' }).expect(201)).body.id;
      groupId = (await server.api.post('/groups', { name: 'xmlsafe' }).expect(201)).body.id;
      profileId = (await server.api.post('/email-profiles', { platform: 'ios', name: 'xmlsafe', host: 'mail.contoso.com', accountName: 'Corp' }).expect(201)).body.id;
    });

    it.each(Object.entries(bad))('%s', async (_name, text) => {
      const cases: [() => request.Test, string][] = [
        [() => server.api.post('/users', { upn: `u${text}@contoso.com` }), 'upn'],
        [() => server.api.post('/users', { upn: 'new-user@contoso.com', username: text }), 'username'],
        [() => server.api.patch(`/users/${userId}`, { primarySmtp: `p${text}@contoso.com` }), 'primarySmtp'],
        [() => server.api.post('/groups', { name: text }), 'name'],
        [() => server.api.patch(`/groups/${groupId}`, { description: `d ${text}` }), 'description'],
        [() => server.api.post(`/groups/${groupId}/members`, { users: [text] }), 'users[0]'],
        [() => server.api.post('/email-profiles', { platform: 'ios', name: `n${text}`, host: 'mail.contoso.com', accountName: 'Corp' }), 'name'],
        [() => server.api.post('/email-profiles', { platform: 'ios', name: 'fresh', host: 'mail.contoso.com', accountName: `Corp ${text}` }), 'accountName'],
        [() => server.api.patch(`/email-profiles/${profileId}`, { host: `mail${text}.contoso.com` }), 'host'],
        [() => server.api.post('/certificate-profiles', { name: 'c', kind: 'scep', platform: 'ios', subject: `CN=${text}` }), 'subject'],
        [() => server.api.post('/enrollment-tokens', { userId: `${userId}${text}` }), 'userId'],
      ];
      const before = await snapshot();
      for (const [send, field] of cases) {
        const res = await send().expect(400);
        expect(res.body.error, field).toMatchObject({ code: 'validationFailed', field });
        expect(res.body.error.message).toMatch(/character/);
        expectErrorShape(res.body);
      }
      expect(await snapshot()).toEqual(before);
    });

    it('tab, line feed, carriage return and any other Unicode character are fine', async () => {
      await server.api.patch(`/groups/${groupId}`, { description: 'line one\r\n\tline two — Grüße 🙂 \uFFFD' }).expect(200);
    });

    it('in a query parameter → 400 invalidQuery naming it', async () => {
      expect((await server.api.get('/users?upn=a%00b@contoso.com').expect(400)).body.error).toMatchObject({ code: 'invalidQuery', field: 'upn' });
    });
  });

  it('unknown ids → 404 notFound', async () => {
    for (const path of ['/users/usr_nope', '/groups/grp_nope', '/email-profiles/eml_nope', '/email-profiles/eml_nope/deployment', '/certificate-profiles/crt_nope', '/devices/dev_nope']) {
      const res = await server.api.get(path).expect(404);
      expect(res.body.error.code).toBe('notFound');
    }
    await server.api.patch('/email-profiles/eml_nope', { name: 'x' }).expect(404);
    await server.api.put('/email-profiles/eml_nope/deployment', { groupIds: [] }).expect(404);
    await server.api.delete('/email-profiles/eml_nope').expect(404);
  });

  it('deployment to an unknown group → 400 naming the item, nothing deployed', async () => {
    const p = (await server.api.post('/email-profiles', { platform: 'ios', name: 'dep', host: 'h.example.com', accountName: 'a' }).expect(201)).body;
    const g = (await server.api.post('/groups', { name: 'dep-group' }).expect(201)).body;
    const res = await server.api.put(`/email-profiles/${p.id}/deployment`, { groupIds: [g.id, 'grp_missing'] }).expect(400);
    expect(res.body.error).toMatchObject({ code: 'unknownMember', field: 'groupIds[1]' });
    expect((await server.api.get(`/email-profiles/${p.id}/deployment`).expect(200)).body).toEqual({ profileId: p.id, groupIds: [] });
    expect((await server.api.get(`/email-profiles/${p.id}`)).body.everDeployed).toBe(false);
    await server.api.put(`/email-profiles/${p.id}/deployment`, { groupIds: [g.id, g.id] }).expect(400);
  });

  it('unknown routes → 404 routeNotFound; a known path with a wrong method → 405 with Allow', async () => {
    expect((await server.api.get('/nothing-here').expect(404)).body.error.code).toBe('routeNotFound');
    const res = await server.api.put('/users', { upn: 'a@b.c' }).expect(405);
    expect(res.body.error.code).toBe('methodNotAllowed');
    expect(res.headers.allow).toBe('POST, GET');
  });

  it('unknown or malformed query parameters → 400 invalidQuery', async () => {
    expect((await server.api.get('/users?name=x').expect(400)).body.error).toMatchObject({ code: 'invalidQuery', field: 'name' });
    expect((await server.api.get('/devices?status=lost').expect(400)).body.error).toMatchObject({ code: 'invalidQuery', field: 'status' });
    expect((await server.api.get('/devices?platform=blackberry').expect(400)).body.error).toMatchObject({ code: 'invalidQuery', field: 'platform' });
    expect((await server.api.get('/alerts?kind=x').expect(400)).body.error.field).toBe('kind');
    expect((await server.api.get('/users?upn=a&upn=b').expect(400)).body.error.field).toBe('upn');
  });

  it('no or a wrong bearer token → 401, nothing written', async () => {
    await request(server.url).get('/api/v1/users').expect(401);
    const res = await request(server.url).post('/api/v1/users').set('Authorization', 'Bearer wrong').send({ upn: 'z@contoso.com' }).expect(401);
    expect(res.headers['www-authenticate']).toContain('Bearer');
    expect(res.body.error.code).toBe('unauthorized');
    expect((await server.api.get('/users?upn=z@contoso.com')).body).toEqual([]);
  });

  it('a path that only resembles a public route is not public: 401 without the token, 404 with it', async () => {
    // `/openapi.json` is the one public route; its dot once matched any character.
    for (const path of ['/openapiXjson', '/openapi-json', '/openapi.jsonx']) {
      const anonymous = await request(server.url).get(`/api/v1${path}`).expect(401);
      expect(anonymous.body.error.code).toBe('unauthorized');
      expect((await server.api.get(path).expect(404)).body.error.code).toBe('routeNotFound');
    }
    await request(server.url).get('/api/v1/openapi.json').expect(200);
  });
});

describe('internal failures', () => {
  it('answer 500 internalError with no stack trace or internal message, and the server keeps serving', async () => {
    const broken = await startTestServer();
    try {
      await broken.store.close();
      const res = await broken.api.get('/users').expect(500);
      expect(res.body).toEqual({ error: { code: 'internalError', message: 'the server failed to handle the request' } });
      await request(broken.url).get('/healthz').expect(200);
    } finally {
      await broken.stop();
    }
  });
});
