import { createHash, randomBytes, type KeyObject } from 'node:crypto';
import { parseCertificate } from '../../certs/certificate.js';
import { parseCertsOnly } from '../../certs/cms-signed.js';
import { buildCsr } from '../../certs/csr.js';
import type { SubjectAltNames } from '../../certs/extensions.js';
import type { NameAttributeInput } from '../../certs/name.js';
import { buildPkcsReq, makeSelfSignedRequesterCert, parseCertRep, scepTransactionId } from '../../certs/scep-message.js';
import type { ScepPayload } from '../../protocol/apple/payloads/scep.js';
import { isHttpError, type HttpClient, type HttpResponse } from '../transport/http.js';
import { SCEP_ERRORS, ScepFailure } from './scep-errors.js';

/**
 * The device side of SCEP (RFC 8894) as iOS runs it for a com.apple.security.scep payload
 * (Apple YAML mdm/profiles/com.apple.security.scep.yaml): GetCACaps (RFC 8894 §3.5.2), GetCACert
 * (§4.2), then PKIOperation (§4.3) with a PKCSReq: a CSR for the payload's Subject with the
 * payload's Challenge as challengePassword (RFC 2985 §5.4.1), signed by a temporary self-signed
 * certificate over the same key (§2.3), enveloped to the CA. The CertRep must be signed by the CA,
 * echo our transactionID and nonce. Its envelope may use single DES or 3DES: widely deployed SCEP
 * servers (micromdm/scep, on Go's pkcs7 package) answer with DES whatever the request used, and iOS
 * accepts it; the result says which cipher the CA used so the device can log a weak one. Failures
 * are ScepFailure carrying the MCSCEPErrorDomain item iOS would report.
 */

export interface ScepEnrollRequest {
  payload: ScepPayload;
  privateKey: KeyObject;
  publicKey: KeyObject;
  /** PEM of the CA(s) to trust for an https SCEP URL. */
  caPem?: string;
}

export interface ScepEnrollResult {
  certDer: Buffer;
  /** The CA certificate from GetCACert. */
  caCertDer: Buffer;
  subject: string;
  /** The content cipher of the CA's reply (`des-cbc`, `des-ede3-cbc`, `aes-…`). */
  contentCipher: string;
}

/** Apple's Subject short names (CN, O, OU, C, L, ST; dotted OIDs otherwise) plus E for emailAddress. */
function subjectOf(payload: ScepPayload): NameAttributeInput[] {
  const alias: Record<string, string> = { E: 'emailAddress', EMAIL: 'emailAddress' };
  return payload.subject.flat().map(([name, value]) => ({ shortName: alias[name] ?? name, value }));
}

function sanOf(payload: ScepPayload): SubjectAltNames | undefined {
  const s = payload.subjectAltName;
  if (!s) return undefined;
  const list = (v: string | string[] | undefined) => (v === undefined ? undefined : Array.isArray(v) ? v : [v]);
  const san: SubjectAltNames = {};
  const email = list(s.rfc822Name);
  const dns = list(s.dNSName);
  const uri = list(s.uniformResourceIdentifier);
  const upn = list(s.ntPrincipalName);
  if (email) san.email = email;
  if (dns) san.dns = dns;
  if (uri) san.uri = uri;
  if (upn) san.upn = upn;
  return Object.keys(san).length > 0 ? san : undefined;
}

function withOperation(url: string, operation: string, message?: string): string {
  const u = new URL(url);
  u.searchParams.set('operation', operation);
  if (message !== undefined) u.searchParams.set('message', message);
  return u.href;
}

async function call(http: HttpClient, request: Parameters<HttpClient['request']>[0], what: string): Promise<HttpResponse> {
  try {
    return await http.request(request);
  } catch (err) {
    if (isHttpError(err)) throw new ScepFailure(SCEP_ERRORS.networkError, `${what}: ${err.message}`, { cause: err });
    throw err;
  }
}

/** The CA (or RA) certificate to encrypt to: a single certificate, or the first non-self-signed one of a certs-only reply. */
function caFromGetCaCert(res: HttpResponse): { recipient: Buffer; all: Buffer[] } {
  const type = String(res.headers['content-type'] ?? '').toLowerCase();
  let all: Buffer[];
  try {
    all = type.includes('x-x509-ca-ra-cert') ? parseCertsOnly(res.body) : [res.body];
    const parsed = all.map(parseCertificate);
    const ra = parsed.find((c) => !c.issuer.der.equals(c.subject.der));
    return { recipient: (ra ?? parsed[0])!.der, all };
  } catch (err) {
    throw new ScepFailure(SCEP_ERRORS.invalidCaResponse, `GetCACert did not return a certificate: ${(err as Error).message}`, { cause: err });
  }
}

function checkFingerprint(payload: ScepPayload, caCerts: Buffer[]): void {
  const expected = payload.caFingerprint;
  if (!expected) return;
  const digest = expected.length === 20 ? 'sha1' : expected.length === 16 ? 'md5' : 'sha256';
  if (!caCerts.some((c) => createHash(digest).update(c).digest().equals(expected))) {
    throw new ScepFailure(SCEP_ERRORS.invalidCaResponse, 'no certificate from GetCACert matches the payload CAFingerprint');
  }
}

export async function enrollWithScep(http: HttpClient, req: ScepEnrollRequest): Promise<ScepEnrollResult> {
  const { payload, privateKey, publicKey } = req;
  const caPem = req.caPem;
  const capsRes = await call(http, { method: 'GET', url: withOperation(payload.url, 'GetCACaps'), caPem }, 'GetCACaps');
  const caps = new Set(capsRes.status === 200 ? capsRes.body.toString('utf8').split(/\r?\n/).map((c) => c.trim().toUpperCase()) : []);

  const caRes = await call(http, { method: 'GET', url: withOperation(payload.url, 'GetCACert'), caPem }, 'GetCACert');
  if (caRes.status !== 200 || caRes.body.length === 0) {
    throw new ScepFailure(SCEP_ERRORS.invalidCaResponse, `GetCACert answered ${caRes.status}`);
  }
  const { recipient, all } = caFromGetCaCert(caRes);
  checkFingerprint(payload, all);

  const subject = subjectOf(payload);
  const requesterCertDer = makeSelfSignedRequesterCert({ privateKey, publicKey }, subject);
  const san = sanOf(payload);
  const csrDer = buildCsr({
    privateKey,
    publicKey,
    subject,
    ...(payload.challenge !== undefined ? { challengePassword: payload.challenge } : {}),
    ...(san ? { extensions: { subjectAltName: san } } : {}),
  });
  const transactionId = scepTransactionId(publicKey);
  const senderNonce = randomBytes(16);
  const message = buildPkcsReq({
    csrDer,
    signerCertDer: requesterCertDer,
    signerKey: privateKey,
    recipientCaCertDer: recipient,
    transactionId,
    senderNonce,
    cipher: caps.has('AES') || caps.size === 0 ? 'aes-256-cbc' : 'des-ede3-cbc',
    digest: caps.has('SHA-256') || caps.size === 0 ? 'sha256' : 'sha1',
  });
  const opRes = caps.has('POSTPKIOPERATION')
    ? await call(http, { method: 'POST', url: withOperation(payload.url, 'PKIOperation'), headers: { 'content-type': 'application/x-pki-message' }, body: message, caPem }, 'PKIOperation')
    : await call(http, { method: 'GET', url: withOperation(payload.url, 'PKIOperation', message.toString('base64')), caPem }, 'PKIOperation');
  if (opRes.status !== 200) {
    throw new ScepFailure(SCEP_ERRORS.invalidPkiOperationResponse, `PKIOperation answered ${opRes.status}: ${opRes.body.toString('utf8').trim().slice(0, 300)}`);
  }
  let rep;
  try {
    rep = parseCertRep(opRes.body, privateKey, {
      requesterCertDer,
      trustedSigners: all,
      expectedTransactionId: transactionId,
      expectedRecipientNonce: senderNonce,
      acceptLegacyCiphers: true,
    });
  } catch (err) {
    throw new ScepFailure(SCEP_ERRORS.invalidPkiOperationResponse, `the CertRep does not verify: ${(err as Error).message}`, { cause: err });
  }
  if (rep.status !== 'success' || !rep.issuedCertDer) {
    const why = rep.status === 'pending' ? 'the request is pending (manual approval is not supported)' : `failInfo ${rep.failInfo ?? 'none'}`;
    throw new ScepFailure(SCEP_ERRORS.invalidPkiOperationResponse, `the SCEP server refused the request: ${why}`, { failInfo: rep.failInfo });
  }
  const issued = parseCertificate(rep.issuedCertDer);
  return { certDer: rep.issuedCertDer, caCertDer: recipient, subject: issued.subject.string, contentCipher: rep.contentCipher ?? 'unknown' };
}
