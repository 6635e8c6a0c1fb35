/**
 * Fuzz: SCEP (RFC 8894) on /scep. GetCACaps and GetCACert with junk around them, and PKIOperation
 * by GET (base64 in the query) and POST (DER), starting from real PKCSReqs — with an enrollment
 * challenge, a wrong one, none, a key below the limits, many signers, many recipients — mutated as
 * DER (a node changed, lengths fixed up, so the change reaches the field's reader) or as bytes.
 * Besides the common properties: every 200 to a PKIOperation is a CertRep signed by our CA, and
 * only a SUCCESS one may have written anything (a FAILURE reply is a refusal: RFC 8894 §3.3.2).
 */
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import fc from 'fast-check';
import { anySigner } from '../../certs/cms-verify.js';
import { buildCsr } from '../../certs/csr.js';
import { generateRsaKeyPair, type RsaKeyPair } from '../../certs/keys.js';
import { buildPkcsReq, buildPkiMessage, makeSelfSignedRequesterCert, readPkiMessage, scepTransactionId, verifyPkiMessage } from '../../certs/scep-message.js';
import { withBogusRecipients, pkcsReqAround, withRepeatedSigner } from '../../scripts/bench/abusive-cms.js';
import { envelope } from '../../certs/cms-enveloped.js';
import { signCms } from '../../certs/cms-signed.js';
import { integer, octetString, printableString, tlv } from '../../certs/der.js';
import { OID } from '../../certs/oids.js';
import { createUserAndToken, fetchEnrollmentProfile } from '../helpers/apple-wire.js';
import { mutatedDer } from './harness/der-mutation.js';
import { fuzzFamily } from './harness/family.js';
import { httpFamily, oneLineRefusal, type FuzzRequest } from './harness/http-family.js';
import { carriage, extraHeaders } from './harness/http-variants.js';
import { hostileString, mutatedBytes, percentEncoded } from './harness/mutations.js';
import type { HttpAnswer } from './harness/raw-http.js';
import { wireServer } from './harness/wire-server.js';


const subject = [{ shortName: 'CN', value: 'fuzz' }];

function pkcsReq(keys: RsaKeyPair, caDer: Buffer, challenge: string | undefined, csrKeys: RsaKeyPair = keys): Buffer {
  const csrDer = buildCsr({ privateKey: csrKeys.privateKey, publicKey: csrKeys.publicKey, subject, ...(challenge !== undefined ? { challengePassword: challenge } : {}) });
  return buildPkcsReq({
    csrDer,
    signerCertDer: makeSelfSignedRequesterCert(keys, subject),
    signerKey: keys.privateKey,
    recipientCaCertDer: caDer,
    transactionId: scepTransactionId(keys.publicKey),
    senderNonce: randomBytes(16),
  });
}

/** Base64 in a query string, the ways clients write it (RFC 8894 §4.1: "message" is base64, then URL-escaped). */
const queryBase64 = (der: Buffer) =>
  fc.constantFrom(
    percentEncoded(der.toString('base64')),
    der.toString('base64'),
    der.toString('base64url'),
    percentEncoded(der.toString('base64').replace(/(.{64})/g, '$1\n')),
    percentEncoded(der.toString('base64')).slice(0, -3),
  );

fuzzFamily('SCEP', async (server) => {
  const wire = await wireServer(server);
  const caDer = wire.identity.ca.certDer;
  const keys = await generateRsaKeyPair(2048);
  const small = generateKeyPairSync('rsa', { modulusLength: 512 });
  const weak: RsaKeyPair = { privateKey: small.privateKey, publicKey: small.publicKey };
  // Challenges as a device gets them: from the enrollment profiles of two tokens.
  const challenges: string[] = [];
  for (const upn of ['fuzz-scep-1@contoso.com', 'fuzz-scep-2@contoso.com']) {
    challenges.push((await fetchEnrollmentProfile((await createUserAndToken(wire, upn)).enrollUrl)).scep.challenge!);
  }
  const valid = challenges.map((c) => pkcsReq(keys, caDer, c));
  const requester = { certDer: makeSelfSignedRequesterCert(keys, subject), key: keys.privateKey };
  const csrDer = buildCsr({ privateKey: keys.privateKey, publicKey: keys.publicKey, subject, challengePassword: challenges[0]! });
  const bases: Buffer[] = [
    ...valid,
    pkcsReq(keys, caDer, 'not-a-challenge'),
    pkcsReq(keys, caDer, undefined),
    pkcsReq(weak, caDer, challenges[1]),
    pkcsReq(keys, caDer, challenges[1], weak),
    withRepeatedSigner(valid[0]!, 30),
    pkcsReqAround(withBogusRecipients(envelope(csrDer, caDer), 20), requester, scepTransactionId(keys.publicKey)),
    buildPkiMessage({ messageType: 'GetCertInitial', content: Buffer.from('3000', 'hex'), recipientCertDer: caDer, signerCertDer: requester.certDer, signerKey: keys.privateKey, transactionId: 'x', senderNonce: randomBytes(16) }),
    buildPkiMessage({ messageType: 'PKCSReq', content: randomBytes(300), recipientCertDer: caDer, signerCertDer: requester.certDer, signerKey: keys.privateKey, transactionId: 'y', senderNonce: randomBytes(16), cipher: 'des-ede3-cbc' }),
  ];
  // Re-signed by the requester after the change, so it gets past the signature to what reads the
  // envelope, the CSR or the SCEP attributes (RFC 8894 §3.2.1).
  const signed = (envelopedData: Buffer, attrs: { type: Buffer; transactionId: Buffer; nonce: Buffer }) =>
    signCms({
      content: envelopedData,
      detached: false,
      signerCertDer: requester.certDer,
      signerKey: keys.privateKey,
      extraSignedAttributes: [
        { oid: OID.scepMessageType, values: [attrs.type] },
        { oid: OID.scepTransactionId, values: [attrs.transactionId] },
        { oid: OID.scepSenderNonce, values: [attrs.nonce] },
      ],
    });
  const standardAttrs = { type: printableString('19'), transactionId: printableString(scepTransactionId(keys.publicKey)), nonce: octetString(randomBytes(16)) };
  const csrs = [csrDer, buildCsr({ privateKey: keys.privateKey, publicKey: keys.publicKey, subject, challengePassword: challenges[1]! }), buildCsr({ privateKey: keys.privateKey, publicKey: keys.publicKey, subject, challengePassword: 'wrong' })];
  const anyString = (tag: number) => fc.oneof(fc.constantFrom('19', '17', '20', '21', '22', '3', '0', '', '19 ', '٩'), hostileString).map((v) => tlv(tag, Buffer.from(v, 'utf8')));
  const hostileAttrs = fc.record({
    type: fc.oneof(anyString(0x13), anyString(0x0c), fc.constant(octetString(Buffer.from('19')))),
    transactionId: fc.oneof(anyString(0x13), anyString(0x0c), fc.constant(integer(7))),
    nonce: fc.oneof(fc.uint8Array({ maxLength: 300 }).map((b) => octetString(Buffer.from(b))), anyString(0x13)),
  });
  const message = fc.oneof(
    { arbitrary: fc.constantFrom(...bases), weight: 1 },
    { arbitrary: fc.constantFrom(...bases).chain(mutatedDer), weight: 2 },
    { arbitrary: fc.constantFrom(...bases).chain((b) => mutatedBytes(b)), weight: 1 },
    { arbitrary: fc.constantFrom(...csrs).chain(mutatedDer).map((csr) => signed(envelope(csr, caDer), standardAttrs)), weight: 3 },
    { arbitrary: mutatedDer(envelope(csrDer, caDer)).map((env) => signed(env, standardAttrs)), weight: 2 },
    { arbitrary: hostileAttrs.map((attrs) => signed(envelope(csrs[2]!, caDer), attrs)), weight: 2 },
    { arbitrary: fc.oneof(fc.uint8Array({ maxLength: 200 }).map((b) => Buffer.from(b)), fc.integer({ min: 30_000, max: 40_000 }).map((n) => randomBytes(n))), weight: 1 },
  );
  const operation = fc.oneof(
    { arbitrary: fc.constantFrom('GetCACaps', 'GetCACert', 'PKIOperation'), weight: 6 },
    { arbitrary: fc.constantFrom('', 'getcacaps', 'GetNextCACert', 'PKIOperation&operation=GetCACaps', 'GetCACert%00', '%ZZ').map((o) => o), weight: 1 },
    { arbitrary: hostileString.map((s) => percentEncoded(s.slice(0, 2000))), weight: 1 },
  );
  const junkParams = fc.oneof(
    { arbitrary: fc.constant(''), weight: 6 },
    { arbitrary: fc.constantFrom('&message=', '&message', '&x=1', '&operation=PKIOperation', '&message[]=a', '&&&', `&message=${'A'.repeat(12_000)}`), weight: 2 },
  );
  const get = fc.oneof(
    fc.tuple(operation, junkParams).map(([op, junk]) => `operation=${op}${junk}`),
    fc.tuple(message.chain(queryBase64), junkParams).map(([m, junk]) => `operation=PKIOperation&message=${m}${junk}`),
  ).chain((q) => fc.oneof({ arbitrary: fc.constant(q), weight: 12 }, { arbitrary: fc.constantFrom('', 'message=AAAA', 'operation'), weight: 1 }));
  const requests: fc.Arbitrary<FuzzRequest> = fc.oneof(
    fc.record({ method: fc.constant('GET'), target: get.map((q) => `/scep?${q}`), headers: extraHeaders }),
    fc.record({
      method: fc.constant('POST'),
      target: fc.oneof({ arbitrary: fc.constant('operation=PKIOperation'), weight: 8 }, { arbitrary: fc.tuple(operation, junkParams).map(([op, junk]) => `operation=${op}${junk}`), weight: 1 }).map((q) => `/scep?${q}`),
      headers: fc.tuple(fc.constantFrom(undefined, 'application/x-pki-message', 'application/x-pki-message', 'application/octet-stream', 'text/plain', 'application/json'), extraHeaders).map(([type, extra]) => [...(type ? [['Content-Type', type] as [string, string]] : []), ...extra]),
      body: message,
      carriage,
    }),
  );

  return httpFamily(server, {
    runs: 200,
    requests,
    answerProblems: (a, request) => {
      if (a.status !== 200 || !/^application\/x-pki-message/.test(a.headers.get('content-type')?.[0] ?? '')) return oneLineRefusal(a, request);
      const status = certRepStatus(a, caDer);
      return status instanceof Error ? [`a 200 to PKIOperation that is not a CertRep signed by our CA: ${status.message}`] : [];
    },
    // Only a SUCCESS CertRep may have written (a certificate issued, its challenge spent).
    accepted: (answers) => answers.some((a) => a.status === 200 && certRepStatus(a, caDer) === 'success'),
  });
});

/** The pkiStatus of a CertRep (RFC 8894 §3.3.2), checking it is one and that our CA signed it. */
function certRepStatus(a: HttpAnswer, caDer: Buffer): string | Error {
  try {
    const msg = verifyPkiMessage(readPkiMessage(a.body), anySigner);
    if (msg.messageType !== 'CertRep') return new Error(`messageType ${msg.messageType}`);
    if (!msg.signerCertificate.equals(caDer)) return new Error('signed by another certificate');
    return msg.pkiStatus ?? new Error('no pkiStatus');
  } catch (err) {
    return err instanceof Error ? err : new Error(String(err));
  }
}
