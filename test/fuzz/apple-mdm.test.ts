/**
 * Fuzz: Apple MDM check-in and connect (PUT /mdm/checkin, /mdm/connect). Inputs start from real
 * messages of a device enrolled the real way (enrollment profile, SCEP, Authenticate, TokenUpdate,
 * a queued InstallProfile), then mutate keys, types, nesting and bytes, or send a hostile document
 * (entities, binary plists, deep, wide, huge). Most are signed again with the device's identity so
 * they pass the Mdm-Signature and reach the decoder and the services; others carry a signature
 * that is wrong in one way (another device's, an untrusted or absurd key, many signers, extra
 * certificates, damaged DER, too long, missing). Besides the common properties: never a 401 (a
 * real device unenrolls on it), every refusal is one line of text, every 200 body a command plist.
 */
import { randomBytes } from 'node:crypto';
import fc from 'fast-check';
import { rsaKeyWithHugeExponent, withExtraCertificates, withRepeatedSigner } from '../../scripts/bench/abusive-cms.js';
import { signCms } from '../../certs/cms-signed.js';
import { generateRsaKeyPair } from '../../certs/keys.js';
import { makeSelfSignedRequesterCert } from '../../certs/scep-message.js';
import { parseCommand } from '../../protocol/apple/command.js';
import { CHECKIN, MDM, enrolledOverWire, sendReport, type WireIdentity } from '../helpers/apple-wire.js';
import { hostileDocuments, mutatedDict, plistDocument, type Dict } from './apple/plist-inputs.js';
import { mutatedDer } from './harness/der-mutation.js';
import { fuzzFamily, type Outcome } from './harness/family.js';
import { oneLineRefusal } from './harness/http-family.js';
import { carriage, carry, extraHeaders, incomplete, type Carriage } from './harness/http-variants.js';
import { exchange, requestBytes } from './harness/raw-http.js';
import { wireServer } from './harness/wire-server.js';

type Signer = 'device' | 'otherDevice' | 'untrusted' | 'hugeExponent' | 'stale' | 'none' | 'repeated' | 'extraCerts' | 'damaged' | 'garbage' | 'oversized' | 'twice';

interface AppleInput {
  path: string;
  method: string;
  contentType: string | undefined;
  body: Buffer;
  signer: Signer;
  signerCount: number;
  /** The device's signature with its DER damaged (the 'damaged' signer). */
  damaged: Buffer;
  carriage: Carriage;
  extra: [string, string][];
}

const CHECKIN_LIMIT = 64 * 1024;
const REPORT_LIMIT = 1024 * 1024;

fuzzFamily('Apple check-in and connect', async (server) => {
  const wire = await wireServer(server);
  // Two devices enrolled the real way, and a profile deployed to the first so it has a command waiting.
  const a = await enrolledOverWire(wire, 'fuzz-a@contoso.com');
  const b = await enrolledOverWire(wire, 'fuzz-b@contoso.com');
  const user = (await wire.api.get('/users?upn=fuzz-a%40contoso.com').expect(200)).body[0];
  const group = (await wire.api.post('/groups', { name: 'fuzz' }).expect(201)).body;
  await wire.api.post(`/groups/${group.id}/members`, { users: [user.id] }).expect(200);
  const profile = (await wire.api.post('/email-profiles', { platform: 'ios', name: 'fuzz mail', host: 'mail.contoso.com', accountName: 'Corp' }).expect(201)).body;
  await wire.api.put(`/email-profiles/${profile.id}/deployment`, { groupIds: [group.id] }).expect(200);
  const install = await sendReport(a, { Status: 'Idle' });
  const commandUuid = install?.CommandUUID ?? 'no-command';
  await wire.api.post(`/devices/${(await wire.api.get(`/devices?hardwareId=${a.udid}`).expect(200)).body[0].id}/commands`, { requestType: 'ProfileList' }).expect(201);

  // Signers a device should not be: a key of our own with a self-signed certificate, and one whose
  // public exponent is as large as its modulus (costly to verify unless refused first).
  const own = await generateRsaKeyPair(2048);
  const untrusted = { key: own.privateKey, certDer: makeSelfSignedRequesterCert(own, [{ shortName: 'CN', value: a.udid }]) };
  const huge = rsaKeyWithHugeExponent(2048);
  const hugeSigner = { key: huge.privateKey, certDer: makeSelfSignedRequesterCert(huge, [{ shortName: 'CN', value: 'huge exponent' }]) };

  const topic = a.mdm.topic;
  const checkIns: Dict[] = [
    { MessageType: 'Authenticate', Topic: topic, UDID: a.udid, OSVersion: '17.4', BuildVersion: '21E219', ProductName: 'iPhone14,2', SerialNumber: 'F17XK2ZZ0D52', IMEI: '35 000000 000000 0', MEID: '35000000000000' },
    { MessageType: 'TokenUpdate', Topic: topic, UDID: a.udid, Token: randomBytes(32), PushMagic: `pm-${a.udid}`, UnlockToken: randomBytes(64), AwaitingConfiguration: false },
    { MessageType: 'CheckOut', Topic: topic, UDID: a.udid },
  ];
  const reports: Dict[] = [
    { Status: 'Idle', UDID: a.udid },
    { Status: 'Acknowledged', UDID: a.udid, CommandUUID: commandUuid },
    { Status: 'Error', UDID: a.udid, CommandUUID: commandUuid, ErrorChain: [{ ErrorCode: 4001, ErrorDomain: 'MCInstallationErrorDomain', LocalizedDescription: 'The profile could not be installed.', USEnglishDescription: 'x' }] },
    { Status: 'NotNow', UDID: a.udid, CommandUUID: commandUuid },
    { Status: 'Acknowledged', UDID: a.udid, CommandUUID: commandUuid, ProfileList: [{ PayloadIdentifier: `com.mdmlab.email.${profile.id}`, PayloadUUID: 'A1B2', PayloadVersion: 1, PayloadDisplayName: 'Corp', IsManaged: true, PayloadContent: [{ PayloadType: 'com.apple.eas.account', PayloadIdentifier: 'x', PayloadUUID: 'y', PayloadVersion: 1 }] }] },
  ];
  const vocabulary = { udids: [a.udid, b.udid, a.udid.toLowerCase()], uuids: [commandUuid] };
  const body = (bases: Dict[], limit: number) =>
    fc.oneof(
      { arbitrary: fc.constantFrom(...bases).map(plistDocument), weight: 2 },
      { arbitrary: fc.constantFrom(...bases).chain((d) => mutatedDict(d, vocabulary)).map(plistDocument), weight: 5 },
      { arbitrary: fc.constantFrom(...bases).chain((d) => hostileDocuments(d, limit)), weight: 4 },
    );
  const contentType = (natural: string) =>
    fc.oneof(
      { arbitrary: fc.constant<string | undefined>(natural), weight: 12 },
      { arbitrary: fc.constantFrom(undefined, '', CHECKIN, MDM, `${natural}; charset=utf-16`, natural.toUpperCase(), `${natural}x`, 'application/xml', 'text/plain', 'application/x-apple-aspen-mdm-checkin, application/x-apple-aspen-mdm'), weight: 2 },
    );
  const message = fc.oneof(
    fc.record({ contentType: contentType(CHECKIN), body: body(checkIns, CHECKIN_LIMIT) }),
    fc.record({ contentType: contentType(MDM), body: body(reports, REPORT_LIMIT) }),
  );
  const signer = fc.oneof(
    { arbitrary: fc.constant<Signer>('device'), weight: 14 },
    { arbitrary: fc.constantFrom<Signer>('otherDevice', 'untrusted', 'hugeExponent', 'stale', 'none', 'repeated', 'extraCerts', 'damaged', 'garbage', 'oversized', 'twice'), weight: 6 },
  );
  const realSignature = signCms({ content: Buffer.from('x'), detached: true, signerCertDer: a.certDer, signerKey: a.key });
  const inputs: fc.Arbitrary<AppleInput> = fc.record({
    path: fc.oneof({ arbitrary: fc.constantFrom('/mdm/checkin', '/mdm/connect'), weight: 12 }, { arbitrary: fc.constantFrom('/mdm/checkin/', '/mdm/connect?x=1', '/MDM/Connect', '/mdm//checkin', '/mdm/checkin%00', 'http://127.0.0.1/mdm/connect', '/mdm/checkin;x'), weight: 1 }),
    method: fc.oneof({ arbitrary: fc.constant('PUT'), weight: 14 }, { arbitrary: fc.constantFrom('POST', 'GET', 'PATCH', 'HEAD', 'DELETE'), weight: 1 }),
    message,
    signer,
    signerCount: fc.integer({ min: 2, max: 40 }),
    damaged: mutatedDer(realSignature),
    carriage,
    extra: extraHeaders,
  }).map(({ message: m, ...rest }) => ({ ...rest, contentType: m.contentType, body: m.body }));

  const sign = (id: { key: WireIdentity['key']; certDer: Buffer }, content: Buffer) => signCms({ content, detached: true, signerCertDer: id.certDer, signerKey: id.key });
  const signatureFor = (input: AppleInput): string[] => {
    const device = () => sign(a, input.body);
    switch (input.signer) {
      case 'device':
        return [device().toString('base64')];
      case 'otherDevice':
        return [sign(b, input.body).toString('base64')];
      case 'untrusted':
        return [sign(untrusted, input.body).toString('base64')];
      case 'hugeExponent':
        return [sign(hugeSigner, input.body).toString('base64')];
      case 'stale':
        return [realSignature.toString('base64')];
      case 'none':
        return [];
      case 'repeated':
        return [withRepeatedSigner(device(), input.signerCount).toString('base64')];
      case 'extraCerts':
        return [withExtraCertificates(device(), Array.from({ length: input.signerCount % 8 }, () => b.certDer)).toString('base64')];
      case 'damaged':
        return [input.damaged.toString('base64')];
      case 'garbage':
        return [randomBytes(input.signerCount * 20).toString('base64').replace(/[+/]/g, '-')];
      case 'oversized':
        return [Buffer.alloc(6200 + input.signerCount * 10, 1).toString('base64')];
      case 'twice':
        return [device().toString('base64'), sign(b, input.body).toString('base64')];
    }
  };

  return {
    runs: 200,
    inputs,
    async send(input: AppleInput): Promise<Outcome> {
      const headers: (readonly [string, string])[] = [];
      if (input.contentType !== undefined) headers.push(['Content-Type', input.contentType]);
      for (const s of signatureFor(input)) headers.push(['Mdm-Signature', s]);
      const carried = carry(input.body, input.carriage);
      headers.push(...carried.headers, ...input.extra);
      const bytes = requestBytes({ method: input.method, target: input.path, headers, body: carried.body }, `127.0.0.1:${server.port}`);
      const ex = await exchange(server.port, bytes, { endAfterWrite: incomplete(input.carriage) });
      const problems: string[] = [];
      for (const answer of ex.answers) {
        if (answer.status === 401) problems.push('a 401 to an Apple device (a real device unenrolls on it)');
        problems.push(...oneLineRefusal(answer, input));
        if (answer.status === 200 && answer.body.length > 0 && input.method === 'PUT') {
          try {
            parseCommand(answer.body.toString('utf8'));
          } catch (err) {
            problems.push(`a 200 whose body is not a command plist: ${(err as Error).message}`);
          }
        }
      }
      return { sent: ex.request, answers: ex.answers, received: ex.raw, timedOut: ex.timedOut, problems };
    },
  };
});
