import { spawnSync } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CertificateAuthority } from '../../../certs/authority.js';
import { openEnvelope } from '../../../certs/cms-enveloped.js';
import { buildCertsOnlySignedData, signCms } from '../../../certs/cms-signed.js';
import { anySigner, verifyCms } from '../../../certs/cms-verify.js';
import { octetString, printableString } from '../../../certs/der.js';
import { OID } from '../../../certs/oids.js';
import { privateKeyToPem } from '../../../certs/keys.js';
import { derToPem } from '../../../certs/pem.js';
import { readPkiMessage, verifyPkiMessage } from '../../../certs/scep-message.js';
import { buildConfigurationProfile } from '../../../protocol/apple/configuration-profile.js';
import { buildMdmPayload } from '../../../protocol/apple/payloads/mdm.js';
import { buildPkcs12Payload } from '../../../protocol/apple/payloads/pkcs12.js';
import { buildRootCertificatePayload } from '../../../protocol/apple/payloads/root-certificate.js';
import { buildScepPayload } from '../../../protocol/apple/payloads/scep.js';
import { decodePlist, encodePlist } from '../../../protocol/apple/plist-codec.js';
import type { PlistDict } from '../../../protocol/apple/plist-types.js';
import { buildCsr } from '../../../certs/csr.js';
import { generateRsaKeyPair } from '../../../certs/keys.js';
import { FORGE_CIPHER_OIDS, forgeEnvelope } from '../../helpers/forge-envelope.js';

/**
 * A small MDM server that is not mdmlab's, written for the tests the way NanoMDM and the micromdm
 * SCEP server work (micromdm/nanomdm docs/operations-guide.md, http/mdm/mdm.go; micromdm/scep
 * README.md): one `/mdm` URL for check-ins and commands told
 * apart by Content-Type, no CheckInURL, any SCEP-issued identity accepted by its CA, raw command
 * plists queued by the test, no push at all (an upgrade to `/push` is a 404 like any unknown path).
 * Its SCEP server answers the way micromdm/scep does (Go's pkcs7 package): the CertRep's envelope
 * is DES-CBC whatever the request used, unless told otherwise. Or the enrollment profile carries a
 * PKCS#12 identity made by `openssl pkcs12 -export`.
 *
 * Plain HTTP (the devices run in lab mode, allowHttp); certs/ and protocol/ build what it sends.
 */
export interface ForeignMdmServer {
  url: string;
  /** Where devices download the enrollment profile. */
  enrollUrl: string;
  /** The enrollment profile itself (as an operator would save it). */
  enrollmentProfile: Buffer;
  ca: CertificateAuthority;
  /** Check-in messages received, in order, with the certificate that signed each. */
  checkIns: { messageType: string; dict: PlistDict; signerCertDer: Buffer }[];
  /** Command reports received (Idle included), in order. */
  reports: PlistDict[];
  /** The SCEP replies' content ciphers, in order. */
  scepReplies: string[];
  /** Queues a command (`{CommandUUID, Command}`); the device gets it at its next poll. Returns the CommandUUID. */
  enqueue(command: PlistDict): string;
  /** Resolves with the first report answering `commandUuid`. */
  reportFor(commandUuid: string, timeoutMs?: number): Promise<PlistDict>;
  close(): Promise<void>;
}

export interface ForeignMdmOptions {
  /** Where the MDM identity comes from (default scep). */
  identity?: 'scep' | { pkcs12: { password: string; payloadPassword?: string } };
  /** The SCEP CertRep's content cipher (default des, as micromdm/scep). */
  scepCipher?: keyof typeof FORGE_CIPHER_OIDS;
  /** com.apple.mdm AccessRights (default 8191). */
  accessRights?: number;
}

const TOPIC = 'com.apple.mgmt.External.foreign-test';

export async function startForeignMdmServer(opts: ForeignMdmOptions = {}): Promise<ForeignMdmServer> {
  const ca = await CertificateAuthority.create({ commonName: 'Foreign MDM CA', organization: 'Foreign' });
  const checkIns: ForeignMdmServer['checkIns'] = [];
  const reports: PlistDict[] = [];
  const scepReplies: string[] = [];
  const queue: PlistDict[] = [];
  const waiters: { uuid: string; resolve: (d: PlistDict) => void }[] = [];
  const challenge = randomBytes(8).toString('hex');
  const cipher = opts.scepCipher ?? 'des';

  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      try {
        handle(req, Buffer.concat(chunks), res);
      } catch (err) {
        res.writeHead(400, { 'content-type': 'text/plain' }).end(`${(err as Error).message}\n`);
      }
    });
  });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const enrollmentProfile = Buffer.from(encodePlist(await enrollmentProfileFor(url, ca, challenge, opts)));

  function handle(req: http.IncomingMessage, body: Buffer, res: http.ServerResponse): void {
    const u = new URL(req.url ?? '/', url);
    if (req.method === 'GET' && u.pathname === '/enroll') {
      res.writeHead(200, { 'content-type': 'application/x-apple-aspen-config' }).end(enrollmentProfile);
    } else if (u.pathname === '/scep') {
      scep(u.searchParams.get('operation'), body, res);
    } else if (req.method === 'PUT' && u.pathname === '/mdm') {
      mdm(req, body, res);
    } else {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('404 page not found\n');
    }
  }

  function scep(operation: string | null, body: Buffer, res: http.ServerResponse): void {
    if (operation === 'GetCACaps') {
      res.writeHead(200, { 'content-type': 'text/plain' }).end('Renewal\nSHA-1\nSHA-256\nAES\nDES3\nSCEPStandard\nPOSTPKIOperation\n');
    } else if (operation === 'GetCACert') {
      res.writeHead(200, { 'content-type': 'application/x-x509-ca-cert' }).end(ca.certDer);
    } else if (operation === 'PKIOperation') {
      const request = verifyPkiMessage(readPkiMessage(body), anySigner);
      const csr = openEnvelope(request.envelopedData!, ca.privateKey, ca.certDer);
      const issued = ca.issueFromCsr(csr, { validityDays: 30 });
      const envelope = forgeEnvelope(buildCertsOnlySignedData([issued.certDer]), request.signerCertificate, FORGE_CIPHER_OIDS[cipher]);
      scepReplies.push(cipher);
      const reply = signCms({
        content: envelope,
        detached: false,
        signerCertDer: ca.certDer,
        signerKey: ca.privateKey,
        extraSignedAttributes: [
          { oid: OID.scepMessageType, values: [printableString('3')] },
          { oid: OID.scepPkiStatus, values: [printableString('0')] },
          { oid: OID.scepTransactionId, values: [printableString(request.transactionId)] },
          { oid: OID.scepSenderNonce, values: [octetString(randomBytes(16))] },
          { oid: OID.scepRecipientNonce, values: [octetString(request.senderNonce)] },
        ],
      });
      res.writeHead(200, { 'content-type': 'application/x-pki-message' }).end(reply);
    } else {
      res.writeHead(400, { 'content-type': 'text/plain' }).end('unknown operation\n');
    }
  }

  function mdm(req: http.IncomingMessage, body: Buffer, res: http.ServerResponse): void {
    const signature = String(req.headers['mdm-signature'] ?? '');
    const verified = verifyCms(Buffer.from(signature, 'base64'), { detachedContent: body, acceptSigner: anySigner });
    const dict = decodePlist(body);
    if (String(req.headers['content-type']).startsWith('application/x-apple-aspen-mdm-checkin')) {
      checkIns.push({ messageType: String(dict.MessageType), dict, signerCertDer: verified.signerCertificate });
      res.writeHead(200).end();
      return;
    }
    reports.push(dict);
    for (const w of [...waiters]) {
      if (w.uuid === dict.CommandUUID) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve(dict);
      }
    }
    const next = queue.shift();
    if (next) res.writeHead(200, { 'content-type': 'application/xml' }).end(encodePlist(next));
    else res.writeHead(200).end();
  }

  return {
    url,
    enrollUrl: `${url}/enroll`,
    enrollmentProfile,
    ca,
    checkIns,
    reports,
    scepReplies,
    enqueue(command) {
      const withUuid = { CommandUUID: randomUUID().toUpperCase(), ...command };
      queue.push(withUuid);
      return String(withUuid.CommandUUID);
    },
    reportFor(commandUuid, timeoutMs = 10_000) {
      const found = reports.find((r) => r.CommandUUID === commandUuid);
      if (found) return Promise.resolve(found);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no report for ${commandUuid} within ${timeoutMs} ms`)), timeoutMs);
        waiters.push({ uuid: commandUuid, resolve: (d) => (clearTimeout(timer), resolve(d)) });
      });
    },
    close: () => new Promise<void>((ok) => server.close(() => ok())),
  };
}

/** NanoMDM-style: ServerURL only, SignMessage, CheckOutWhenRemoved; the identity from SCEP or a PKCS#12 payload. */
async function enrollmentProfileFor(url: string, ca: CertificateAuthority, challenge: string, opts: ForeignMdmOptions): Promise<PlistDict> {
  const uuid = () => randomUUID().toUpperCase();
  const identityUuid = uuid();
  const identity =
    opts.identity && opts.identity !== 'scep'
      ? buildPkcs12Payload({
          identifier: 'com.example.foreign.identity',
          uuid: identityUuid,
          displayName: 'Device identity',
          content: await opensslPkcs12(ca, opts.identity.pkcs12.password),
          fileName: 'device.p12',
          ...(opts.identity.pkcs12.payloadPassword !== undefined ? { password: opts.identity.pkcs12.payloadPassword } : { password: opts.identity.pkcs12.password }),
        })
      : buildScepPayload({
          identifier: 'com.example.foreign.scep',
          uuid: identityUuid,
          displayName: 'Device identity',
          url: `${url}/scep`,
          challenge,
          subject: [[['O', 'Foreign']], [['CN', 'foreign device']]],
          keysize: 2048,
          keyUsage: 5,
        });
  return buildConfigurationProfile({
    identifier: 'com.example.foreign.enroll',
    uuid: uuid(),
    displayName: 'Foreign MDM enrollment',
    payloads: [
      buildRootCertificatePayload({ identifier: 'com.example.foreign.ca', uuid: uuid(), certificateDer: ca.certDer }),
      identity,
      buildMdmPayload({
        identifier: 'com.example.foreign.mdm',
        uuid: uuid(),
        identityCertificateUuid: identityUuid,
        topic: TOPIC,
        serverUrl: `${url}/mdm`,
        signMessage: true,
        accessRights: opts.accessRights ?? 8191,
        checkOutWhenRemoved: true,
        allowHttp: true,
      }),
    ],
  });
}

/** A device identity issued by `ca`, exported with `openssl pkcs12 -export` (OpenSSL 3's defaults). */
async function opensslPkcs12(ca: CertificateAuthority, password: string): Promise<Buffer> {
  const key = await generateRsaKeyPair(2048);
  const cert = ca.issueFromCsr(buildCsr({ privateKey: key.privateKey, subject: [{ shortName: 'CN', value: 'foreign p12 device' }] }), { validityDays: 30 });
  const dir = mkdtempSync(join(tmpdir(), 'mdmlab-p12-'));
  try {
    writeFileSync(join(dir, 'key.pem'), privateKeyToPem(key.privateKey));
    writeFileSync(join(dir, 'cert.pem'), derToPem(cert.certDer, 'CERTIFICATE'));
    writeFileSync(join(dir, 'ca.pem'), ca.certPem);
    const r = spawnSync('openssl', ['pkcs12', '-export', '-inkey', 'key.pem', '-in', 'cert.pem', '-certfile', 'ca.pem', '-out', 'device.p12', '-passout', `pass:${password}`], { cwd: dir });
    if (r.status !== 0) throw new Error(`openssl pkcs12 -export failed: ${r.stderr.toString()}`);
    return readFileSync(join(dir, 'device.p12'));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
