import { randomBytes } from 'node:crypto';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { envelope } from '../../../certs/cms-enveloped.js';
import { signCms } from '../../../certs/cms-signed.js';
import { buildCsr } from '../../../certs/csr.js';
import { octetString, printableString, tlv, utf8String } from '../../../certs/der.js';
import { generateRsaKeyPair, type RsaKeyPair } from '../../../certs/keys.js';
import { OID } from '../../../certs/oids.js';
import { makeSelfSignedRequesterCert } from '../../../certs/scep-message.js';
import { startTestServer, type TestServer } from '../../helpers/server.js';

/**
 * A PKCSReq whose transactionID is not a PrintableString (RFC 8894 §3.2.1.1 types it so): the
 * server cannot echo it in a CertRep, so the message is refused as malformed (400), never a 500
 * from building the reply. Found by the fuzz suite (test/fuzz/scep.test.ts).
 */
let server: TestServer;
let keys: RsaKeyPair;
const subject = [{ shortName: 'CN', value: 'fuzz' }];

beforeAll(async () => {
  server = await startTestServer();
  keys = await generateRsaKeyPair(2048);
});
afterAll(() => server.stop());

function pkcsReqWithTransactionId(transactionId: Buffer): Buffer {
  const csrDer = buildCsr({ privateKey: keys.privateKey, publicKey: keys.publicKey, subject, challengePassword: 'not-a-challenge' });
  return signCms({
    content: envelope(csrDer, server.identity.ca.certDer),
    detached: false,
    signerCertDer: makeSelfSignedRequesterCert(keys, subject),
    signerKey: keys.privateKey,
    extraSignedAttributes: [
      { oid: OID.scepMessageType, values: [printableString('19')] },
      { oid: OID.scepTransactionId, values: [transactionId] },
      { oid: OID.scepSenderNonce, values: [octetString(randomBytes(16))] },
    ],
  });
}

describe('SCEP transactionID that a CertRep cannot carry', () => {
  it.each([
    ['a PrintableString tag holding characters outside PrintableString', tlv(0x13, Buffer.from('tx_1\u00ff', 'latin1'))],
    ['a UTF8String with characters outside PrintableString', utf8String('tx-é')],
  ])('%s → 400 badScepRequest, not a 500', async (_what, transactionId) => {
    const res = await request(server.url)
      .post('/scep?operation=PKIOperation')
      .set('Content-Type', 'application/x-pki-message')
      .send(pkcsReqWithTransactionId(transactionId))
      .expect(400);
    expect(res.text).toMatch(/^badScepRequest: .*transactionID/);
    await request(server.url).get('/healthz').expect(200);
  });

  it('a UTF8String transactionID of PrintableString characters is still answered with a CertRep', async () => {
    const res = await request(server.url).post('/scep?operation=PKIOperation').set('Content-Type', 'application/x-pki-message').send(pkcsReqWithTransactionId(utf8String('tx-1'))).expect(200);
    expect(res.type).toBe('application/x-pki-message');
  });
});
