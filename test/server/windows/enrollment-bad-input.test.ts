import { randomUUID } from 'node:crypto';
import request from 'supertest';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { generateRsaKeyPair, type RsaKeyPair } from '../../../certs/keys.js';
import { buildWindowsCsr } from '../../../certs/windows-csr.js';
import { encodeDiscoverRequest } from '../../../protocol/windows/mde2/discovery.js';
import { encodeEnrollmentRequest } from '../../../protocol/windows/mde2/enrollment-request.js';
import { ACTIONS, RESPONSE_ACTION, VALUE_TYPE } from '../../../protocol/windows/mde2/namespaces.js';
import { encodeGetPoliciesRequest } from '../../../protocol/windows/mde2/policies.js';
import { decodeSoapFault } from '../../../protocol/windows/mde2/soap-fault.js';
import { startTestServer, type TestServer } from '../../helpers/server.js';
import { DISCOVERY, ENROLLMENT, messageId, newDeviceId, POLICY, rstBody, soapPost, windowsContext, windowsToken } from './windows-wire.js';

/**
 * What a client must not be able to do to the enrollment endpoints: every refusal is a SOAP fault
 * with the MS-MDE2 subcode, stores nothing, and the server keeps serving.
 */
let server: TestServer;
let keys: RsaKeyPair;
beforeAll(async () => {
  server = await startTestServer();
  keys = await generateRsaKeyPair(2048);
});
afterAll(async () => {
  await server.stop();
});
afterEach(async () => {
  // Nothing a refused request sent was stored, and the server still serves.
  expect((await server.api.get('/devices').expect(200)).body).toEqual([]);
  await request(server.url).get('/healthz').expect(200);
});

const csrFor = (deviceId: string) => buildWindowsCsr({ privateKey: keys.privateKey, publicKey: keys.publicKey, requestGuid: randomUUID(), deviceId, digest: 'sha256' });
const discover = () => encodeDiscoverRequest({ messageId: messageId(), to: `${server.url}${DISCOVERY}`, request: { emailAddress: 'a@contoso.com', requestVersion: '4.0', authPolicies: ['OnPremise'] } });

describe('malformed messages', () => {
  it.each([
    ['truncated XML', (x: string) => x.slice(0, x.length / 2)],
    ['not XML at all', () => 'hello'],
    ['a SOAP envelope without a Header', (x: string) => x.replace(/<s:Header>.*<\/s:Header>/s, '')],
    ['another root element', () => '<Envelope xmlns="urn:nope"/>'],
    ['an empty body', () => ''],
  ])('%s: s:MessageFormat', async (_what, mangle) => {
    const res = await soapPost(server, ENROLLMENT, mangle(discover()));
    expect(res.status).toBe(500);
    expect(res.contentType).toBe('application/soap+xml; charset=utf-8');
    expect(res.fault).toMatchObject({ code: 'Receiver', subcode: 'MessageFormat' });
    expect(res.text).not.toMatch(/at .*\.ts|node_modules|\/work\//);
  });

  it.each([
    ['a DOCTYPE', '<!DOCTYPE x [<!ENTITY e "e">]>'],
    ['an external entity', '<!DOCTYPE x [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'],
  ])('%s is refused before parsing (no XXE, no entity expansion)', async (_what, dtd) => {
    const xml = discover().replace('<?xml version="1.0" encoding="utf-8"?>', '').replace(/^/, `<?xml version="1.0"?>${dtd}`);
    const res = await soapPost(server, DISCOVERY, xml);
    expect(res.status).toBe(500);
    expect(res.fault?.subcode).toBe('MessageFormat');
    expect(res.text).not.toContain('root:');
  });

  it('an unknown SOAP Action: s:MessageFormat answering with the endpoint\'s response Action', async () => {
    const res = await soapPost(server, POLICY, discover().replace(ACTIONS.discover, 'http://example.com/IEvil/Do'));
    expect(res.status).toBe(500);
    expect(res.fault?.subcode).toBe('MessageFormat');
    expect(res.fault?.reason).toContain('unknown SOAP Action');
    expect(decodeSoapFault(res.text).header.action).toBe(RESPONSE_ACTION.getPolicies);
  });

  it('a body over 64 KiB: 413 with a fault, before it is read whole', async () => {
    const res = await soapPost(server, ENROLLMENT, discover().replace('</s:Body>', `<!--${'x'.repeat(70_000)}--></s:Body>`));
    expect(res.status).toBe(413);
    expect(res.fault?.subcode).toBe('MessageFormat');
  });

  it.each([['text/xml'], ['application/json'], ['application/vnd.syncml.dm+xml']])('Content-Type %s: 415 with a fault', async (type) => {
    const res = await soapPost(server, DISCOVERY, discover(), type);
    expect(res.status).toBe(415);
    expect(res.fault?.subcode).toBe('MessageFormat');
  });

  it('a compressed body: 415', async () => {
    const res = await request(server.url).post(DISCOVERY).set('Content-Type', 'application/soap+xml').set('Content-Encoding', 'gzip').send(Buffer.from(discover()));
    expect(res.status).toBe(415);
  });

  it('a Discover offering only Federated authentication: the server does OnPremise only', async () => {
    const res = await soapPost(server, DISCOVERY, discover().replace('<AuthPolicy>OnPremise</AuthPolicy>', '<AuthPolicy>Federated</AuthPolicy>'));
    expect(res.status).toBe(500);
    expect(res.fault).toMatchObject({ subcode: 'Authentication', detail: { errorType: 'NotSupported' } });
  });
});

describe('credentials', () => {
  it('a GetPolicies without a WS-Security header: a:InvalidSecurity', async () => {
    const res = await soapPost(server, POLICY, encodeGetPoliciesRequest({ messageId: messageId(), to: `${server.url}${POLICY}` }));
    expect(res.status).toBe(500);
    expect(res.fault?.subcode).toBe('InvalidSecurity');
    expect(res.text).toContain('a:InvalidSecurity');
  });

  it('unknown, expired, iOS and other users\' tokens, and a hashed password: s:Authentication, nothing spent', async () => {
    const t = await windowsToken(server, 'cred@contoso.com');
    await windowsToken(server, 'cred2@contoso.com');
    const expired = await windowsToken(server, 'cred@contoso.com');
    await server.store.enrollmentTokens.insert({ ...(await server.store.enrollmentTokens.get(expired.token))!, token: 'expired-token-aaaaaaaaaa', expiresAt: '2020-01-01T00:00:00.000Z' });
    const ios = (await server.api.post('/enrollment-tokens', { userId: t.userId }).expect(201)).body.token as string;
    const deviceId = newDeviceId();
    const cases: [string, string][] = [
      ['cred@contoso.com', 'unknown-token'],
      ['cred@contoso.com', 'expired-token-aaaaaaaaaa'],
      ['cred@contoso.com', ios],
      ['cred2@contoso.com', t.token],
      ['cred@contoso.com', 'x'.repeat(10_000)],
    ];
    for (const [upn, password] of cases) {
      const res = await soapPost(server, ENROLLMENT, rstBody(server, { upn, password, csr: csrFor(deviceId), context: windowsContext('windows10', deviceId) }));
      expect(res.status).toBe(500);
      expect(res.fault?.subcode).toBe('Authentication');
    }
    const digest = encodeEnrollmentRequest({
      messageId: messageId(),
      to: `${server.url}${ENROLLMENT}`,
      security: { usernameToken: { username: 'cred@contoso.com', password: t.token, passwordType: 'http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-username-token-profile-1.0#PasswordDigest' } },
      csr: csrFor(deviceId),
      context: windowsContext('windows10', deviceId),
    });
    expect((await soapPost(server, ENROLLMENT, digest)).fault?.subcode).toBe('Authentication');
    expect((await server.store.enrollmentTokens.get(t.token))?.usedAt).toBeUndefined();
  });
});

describe('certificate requests', () => {
  it('a renewal (PKCS#7, RequestType Renew): s:CertificateRequest NotEligibleToRenew', async () => {
    const t = await windowsToken(server, 'renew@contoso.com');
    const deviceId = newDeviceId();
    const body = rstBody(server, { upn: 'renew@contoso.com', password: t.token, csr: csrFor(deviceId), context: windowsContext('windows10', deviceId) });
    for (const mangled of [body.replace(VALUE_TYPE.pkcs10, VALUE_TYPE.pkcs7), body.replace('/ws-trust/200512/Issue', '/ws-trust/200512/Renew')]) {
      const res = await soapPost(server, ENROLLMENT, mangled);
      expect(res.fault).toMatchObject({ subcode: 'CertificateRequest', detail: { errorType: 'NotEligibleToRenew' } });
    }
  });

  it('a token that is not base64, a request that is not a PKCS#10, a DeviceID no device has: refused before anything is spent', async () => {
    const t = await windowsToken(server, 'garbage@contoso.com');
    const deviceId = newDeviceId();
    const csr = csrFor(deviceId);
    const good = rstBody(server, { upn: 'garbage@contoso.com', password: t.token, csr, context: windowsContext('windows10', deviceId) });
    const b64 = csr.toString('base64');
    expect(good).toContain(b64);
    const cases: [string, string][] = [
      [good.replace(b64, '!!!not base64!!!'), 'MessageFormat'],
      [good.replace(b64, Buffer.from('not a certification request').toString('base64')), 'CertificateRequest'],
    ];
    for (const [body, subcode] of cases) {
      const res = await soapPost(server, ENROLLMENT, body);
      expect(res.fault?.subcode, res.fault?.reason).toBe(subcode);
    }
    const odd = 'bad!id';
    const res = await soapPost(server, ENROLLMENT, rstBody(server, { upn: 'garbage@contoso.com', password: t.token, csr: csrFor(odd.replace('!', '')), context: windowsContext('windows10', odd) }));
    expect(res.fault).toMatchObject({ subcode: 'MessageFormat', detail: { errorType: 'InvalidEnrollmentData' } });
    expect((await server.store.enrollmentTokens.get(t.token))?.usedAt).toBeUndefined();
  });
});
