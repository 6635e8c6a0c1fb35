import { randomBytes } from 'node:crypto';
import { brotliCompressSync, deflateSync, gzipSync } from 'node:zlib';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildCsr } from '../../../certs/csr.js';
import { generateRsaKeyPair } from '../../../certs/keys.js';
import { buildPkcsReq, makeSelfSignedRequesterCert, parseCertRep, scepTransactionId } from '../../../certs/scep-message.js';
import { encodeCheckIn } from '../../../protocol/apple/checkin.js';
import { encodeReport } from '../../../protocol/apple/command-report.js';
import { binary, CHECKIN, createUserAndToken, enrollIdentity, fetchEnrollmentProfile, MDM, signedPut, type WireIdentity } from '../../helpers/apple-wire.js';
import { startTestServer, type TestServer } from '../../helpers/server.js';

/**
 * Content-Encoding on every device-facing endpoint (RFC 9110 §8.4): a body that does not decode
 * with its coding is the client's error (400), a coding the endpoint does not take is 415 with
 * Accept-Encoding saying what it does take (RFC 9110 §15.5.16), each in the protocol's own form;
 * never a 500.
 */
let server: TestServer;
let alice: WireIdentity;
const garbage = Buffer.from('these bytes are not what the Content-Encoding says they are');
const codecs = { gzip: gzipSync, deflate: deflateSync, br: brotliCompressSync } as const;

beforeAll(async () => {
  server = await startTestServer();
  alice = await enrollIdentity(server, 'alice@contoso.com');
  const as = { key: alice.key, certDer: alice.certDer };
  await signedPut(alice.mdm.checkInUrl!, CHECKIN, encodeCheckIn({ MessageType: 'Authenticate', Topic: alice.mdm.topic, UDID: alice.udid }), as).expect(200);
  await signedPut(alice.mdm.checkInUrl!, CHECKIN, encodeCheckIn({ MessageType: 'TokenUpdate', Topic: alice.mdm.topic, UDID: alice.udid, Token: randomBytes(32), PushMagic: 'magic' }), as).expect(200);
});
afterAll(() => server.stop());

const scepPost = (body: Buffer, encoding: string) =>
  request(server.url).post('/scep?operation=PKIOperation').set('Content-Type', 'application/x-pki-message').set('Content-Encoding', encoding).send(body).buffer(true).parse(binary);

describe('/scep PKIOperation', () => {
  for (const coding of ['gzip', 'deflate', 'br']) {
    it(`a body that is not ${coding} is 400 badContentEncoding`, async () => {
      const res = await scepPost(garbage, coding).expect(400);
      expect(String(res.body)).toMatch(/^badContentEncoding: /);
    });
  }

  it('an unknown coding is 415 naming the codings it takes', async () => {
    const res = await scepPost(garbage, 'compress').expect(415);
    expect(String(res.body)).toMatch(/^unsupportedContentEncoding: /);
    expect(res.headers['accept-encoding']).toBe('gzip, deflate, br');
  });

  it('a request that decodes is served (gzip, deflate and br are taken)', async () => {
    const { scep } = await fetchEnrollmentProfile((await createUserAndToken(server, 'gzip@contoso.com')).enrollUrl);
    const keys = await generateRsaKeyPair(2048);
    const subject = [{ shortName: 'CN', value: 'gzip' }];
    const requester = makeSelfSignedRequesterCert(keys, subject);
    const der = buildPkcsReq({
      csrDer: buildCsr({ privateKey: keys.privateKey, subject, challengePassword: scep.challenge! }),
      signerCertDer: requester,
      signerKey: keys.privateKey,
      recipientCaCertDer: server.identity.ca.certDer,
      transactionId: scepTransactionId(keys.publicKey),
      senderNonce: randomBytes(16),
    });
    const res = await scepPost(gzipSync(der), 'gzip').expect(200);
    expect(parseCertRep(res.body as Buffer, keys.privateKey, { requesterCertDer: requester }).status).toBe('success');
  });

  it('the body limit holds for the decoded size (a small gzip of a large body is 413)', async () => {
    const bomb = gzipSync(Buffer.alloc(1024 * 1024));
    expect(bomb.length).toBeLessThan(4096);
    expect(String((await scepPost(bomb, 'gzip').expect(413)).body)).toMatch(/^bodyTooLarge: /);
  });
});

describe('/mdm/checkin and /mdm/connect take identity only (the signature is over the bytes sent)', () => {
  const as = () => ({ key: alice.key, certDer: alice.certDer });

  for (const coding of Object.keys(codecs) as (keyof typeof codecs)[]) {
    it(`a ${coding} body, signed as sent, is 415 and changes nothing`, async () => {
      const body = codecs[coding](Buffer.from(encodeCheckIn({ MessageType: 'TokenUpdate', Topic: alice.mdm.topic, UDID: alice.udid, Token: randomBytes(32), PushMagic: `m-${coding}` })));
      const res = await signedPut(alice.mdm.checkInUrl!, CHECKIN, body, as()).set('Content-Encoding', coding).expect(415);
      expect(res.text).toMatch(/^unsupportedContentEncoding: /);
      expect(res.headers['accept-encoding']).toBe('identity');
      expect((await server.store.appleDevices.getByUdid(alice.udid))?.pushMagic).toBe('magic');
    });
  }

  it('an unknown coding on a plain, validly signed body is 415 too: the message is not applied', async () => {
    const body = encodeCheckIn({ MessageType: 'TokenUpdate', Topic: alice.mdm.topic, UDID: alice.udid, Token: randomBytes(32), PushMagic: 'm-compress' });
    await signedPut(alice.mdm.checkInUrl!, CHECKIN, body, as()).set('Content-Encoding', 'compress').expect(415);
    expect((await server.store.appleDevices.getByUdid(alice.udid))?.pushMagic).toBe('magic');
    await signedPut(alice.mdm.serverUrl, MDM, encodeReport({ Status: 'Idle', UDID: alice.udid }), as()).set('Content-Encoding', 'x-anything').expect(415);
  });

  it('Content-Encoding: identity is the plain body', async () => {
    await signedPut(alice.mdm.serverUrl, MDM, encodeReport({ Status: 'Idle', UDID: alice.udid }), as()).set('Content-Encoding', 'identity').expect(200);
  });
});

describe('the enrollment GET', () => {
  it('ignores a request body and its coding (a GET body has no meaning, RFC 9110 §9.3.1)', async () => {
    const { enrollUrl } = await createUserAndToken(server, 'get@contoso.com');
    const url = new URL(enrollUrl);
    await request(server.url).get(`${url.pathname}${url.search}`).set('Content-Encoding', 'gzip').send(garbage).expect(200);
  });
});

describe('the push API (APNs-shaped)', () => {
  const push = (body: Buffer, encoding: string) =>
    request(server.url).post(`/push/3/device/${'ab'.repeat(32)}`).set('authorization', `bearer ${server.adminToken}`).set('apns-topic', alice.mdm.topic).set('Content-Type', 'application/json').set('Content-Encoding', encoding).send(body);

  it('a body that does not decode is 400 with a reason', async () => {
    for (const coding of Object.keys(codecs)) expect((await push(garbage, coding).expect(400)).body).toHaveProperty('reason');
  });

  it('an unknown coding is 415 with a reason', async () => {
    expect((await push(Buffer.from('{"mdm":"x"}'), 'compress').expect(415)).body).toEqual({ reason: 'UnsupportedContentEncoding' });
  });
});
