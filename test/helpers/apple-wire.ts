import { randomBytes, type KeyObject } from 'node:crypto';
import request from 'supertest';
import { signCms } from '../../certs/cms-signed.js';
import { anySigner, verifyCms } from '../../certs/cms-verify.js';
import { buildCsr } from '../../certs/csr.js';
import { generateRsaKeyPair, type RsaKeyPair } from '../../certs/keys.js';
import { buildPkcsReq, makeSelfSignedRequesterCert, parseCertRep, scepTransactionId } from '../../certs/scep-message.js';
import { encodeCheckIn } from '../../protocol/apple/checkin.js';
import { parseCommand, type MdmCommand } from '../../protocol/apple/command.js';
import { encodeReport, type CommandReport } from '../../protocol/apple/command-report.js';
import { parseConfigurationProfile, payloadsOfType } from '../../protocol/apple/configuration-profile.js';
import { decodeMdmPayload, type MdmPayload } from '../../protocol/apple/payloads/mdm.js';
import { decodeScepPayload, type ScepPayload } from '../../protocol/apple/payloads/scep.js';
import type { TestServer } from './server.js';

/**
 * Wire-level helpers for server tests that must send what a well-behaved device would not
 * (unsigned, tampered, someone else's certificate). Device behaviour itself is tested with the
 * simulated iOS device in test/agents/ios.
 */

/** What the helpers need of a server: its admin API and its CA (a TestServer, or a server in another process). */
export type WireServer = Pick<TestServer, 'api'> & { identity: { ca: { certDer: Buffer } } };

export interface WireIdentity {
  udid: string;
  key: KeyObject;
  certDer: Buffer;
  mdm: MdmPayload;
}

export async function createUserAndToken(server: WireServer, upn: string, body: Record<string, unknown> = {}): Promise<{ userId: string; enrollUrl: string; token: string }> {
  const existing = (await server.api.get(`/users?upn=${encodeURIComponent(upn)}`)).body as { id: string }[];
  const userId = existing[0]?.id ?? (await server.api.post('/users', { upn }).expect(201)).body.id;
  const t = (await server.api.post('/enrollment-tokens', { userId, ...body }).expect(201)).body;
  return { userId, enrollUrl: t.enrollUrl, token: t.token };
}

export async function fetchEnrollmentProfile(enrollUrl: string): Promise<{ scep: ScepPayload; mdm: MdmPayload; signed: Buffer }> {
  const res = await request(enrollUrl).get('').buffer(true).parse(binary).expect(200);
  const signed = res.body as Buffer;
  const profile = parseConfigurationProfile(verifyCms(signed, { acceptSigner: anySigner }).content);
  return {
    scep: decodeScepPayload(payloadsOfType(profile, 'com.apple.security.scep')[0]!),
    mdm: decodeMdmPayload(payloadsOfType(profile, 'com.apple.mdm')[0]!, { allowHttp: true }),
    signed,
  };
}

/** supertest parser that keeps the body as bytes (profiles, CertReps and command plists). */
export function binary(res: request.Response, cb: (err: Error | null, body: unknown) => void): void {
  const stream = res as unknown as NodeJS.ReadableStream;
  const chunks: Buffer[] = [];
  stream.on('data', (c: Buffer) => chunks.push(c));
  stream.on('end', () => cb(null, Buffer.concat(chunks)));
}

export async function scepRequest(
  scepUrl: string,
  caCertDer: Buffer,
  challenge: string | undefined,
  subject: { shortName: string; value: string }[],
  keys?: RsaKeyPair,
): Promise<{ keys: RsaKeyPair; status: string; failInfo?: string; certDer?: Buffer }> {
  const pair = keys ?? (await generateRsaKeyPair(2048));
  const csrDer = buildCsr({ privateKey: pair.privateKey, publicKey: pair.publicKey, subject, ...(challenge ? { challengePassword: challenge } : {}) });
  const requester = makeSelfSignedRequesterCert(pair, subject);
  const msg = buildPkcsReq({
    csrDer,
    signerCertDer: requester,
    signerKey: pair.privateKey,
    recipientCaCertDer: caCertDer,
    transactionId: scepTransactionId(pair.publicKey),
    senderNonce: randomBytes(16),
  });
  const url = new URL(scepUrl);
  const res = await request(url.origin).post(`${url.pathname}?operation=PKIOperation`).set('Content-Type', 'application/x-pki-message').send(msg).buffer(true).parse(binary).expect(200);
  const rep = parseCertRep(res.body as Buffer, pair.privateKey, { requesterCertDer: requester });
  return { keys: pair, status: rep.status, ...(rep.failInfo ? { failInfo: rep.failInfo } : {}), ...(rep.issuedCertDer ? { certDer: rep.issuedCertDer } : {}) };
}

const subjectOf = (scep: ScepPayload) => scep.subject.flatMap((rdn) => rdn.map(([shortName, value]) => ({ shortName, value })));

/** A device identity obtained the real way: enrollment profile → SCEP with its challenge. */
export async function enrollIdentity(server: WireServer, upn: string, keys?: RsaKeyPair): Promise<WireIdentity> {
  const { enrollUrl } = await createUserAndToken(server, upn);
  const { scep, mdm } = await fetchEnrollmentProfile(enrollUrl);
  const issued = await scepRequest(scep.url, server.identity.ca.certDer, scep.challenge, subjectOf(scep), keys);
  if (!issued.certDer) throw new Error(`SCEP refused: ${issued.failInfo}`);
  const udid = `${randomBytes(4).toString('hex').toUpperCase()}-${randomBytes(8).toString('hex').toUpperCase()}`;
  return { udid, key: issued.keys.privateKey, certDer: issued.certDer, mdm };
}

export const CHECKIN = 'application/x-apple-aspen-mdm-checkin';
export const MDM = 'application/x-apple-aspen-mdm';

/** PUT like a device: Mdm-Signature over the exact body unless `signer` is null. */
export function signedPut(url: string, contentType: string, body: string | Buffer, signer: { key: KeyObject; certDer: Buffer } | null, signedBody?: Buffer) {
  const bytes = Buffer.isBuffer(body) ? body : Buffer.from(body);
  const u = new URL(url);
  let req = request(u.origin).put(u.pathname).set('Content-Type', contentType);
  if (signer) {
    const sig = signCms({ content: signedBody ?? bytes, detached: true, signerCertDer: signer.certDer, signerKey: signer.key });
    req = req.set('Mdm-Signature', sig.toString('base64'));
  }
  return req.send(bytes).buffer(true);
}

/** An identity that has also done Authenticate and TokenUpdate: enrolled, with a push token and PushMagic `pm-UDID`. */
export async function enrolledOverWire(server: WireServer, upn: string, pushToken: Buffer = randomBytes(32)): Promise<WireIdentity> {
  const id = await enrollIdentity(server, upn);
  const as = { key: id.key, certDer: id.certDer };
  await signedPut(id.mdm.checkInUrl!, CHECKIN, encodeCheckIn({ MessageType: 'Authenticate', Topic: id.mdm.topic, UDID: id.udid }), as).expect(200);
  await signedPut(id.mdm.checkInUrl!, CHECKIN, encodeCheckIn({ MessageType: 'TokenUpdate', Topic: id.mdm.topic, UDID: id.udid, Token: pushToken, PushMagic: `pm-${id.udid}` }), as).expect(200);
  return id;
}

/** A signed report to ServerURL; the command the server answers with, or undefined for an empty 200. */
export async function sendReport(id: WireIdentity, r: Omit<CommandReport, 'UDID'>): Promise<MdmCommand | undefined> {
  const res = await signedPut(id.mdm.serverUrl, MDM, encodeReport({ ...r, UDID: id.udid }), { key: id.key, certDer: id.certDer }).expect(200);
  return res.text ? parseCommand(res.text).command : undefined;
}
