import { createHash, X509Certificate } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ScepPayload } from '../../../protocol/apple/payloads/scep.js';
import { createUserAndToken, fetchEnrollmentProfile } from '../../helpers/apple-wire.js';
import { startTestServer, type TestServer } from '../../helpers/server.js';
import { opensslPath, runTool, scepclientPath, scepSubmitPath } from '../../helpers/tools.js';

/**
 * Our SCEP server (RFC 8894) against clients nobody here wrote: the micromdm/scep Go library as
 * Debian packages it (driven by .tools/bin/scepclient) and certmonger's scep-submit, with openssl
 * checking what they got. scripts/ci/install-tools.sh installs and builds them; when one is
 * missing these tests fail and say so.
 */

let server: TestServer;
let dir: string;
let caPem: string;
let n = 0;

beforeAll(async () => {
  server = await startTestServer();
  dir = mkdtempSync(join(tmpdir(), 'mdmlab-scep-interop-'));
  const res = await fetch(`${server.url}/ca.pem`);
  expect(res.status).toBe(200);
  caPem = join(dir, 'ca.pem');
  writeFileSync(caPem, await res.text());
});
afterAll(async () => {
  await server?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const file = (name: string) => join(dir, `${++n}-${name}`);

/** A user, an enrollment token, and the SCEP payload of the enrollment profile it serves. */
async function enrollment(upn: string): Promise<{ userId: string; scep: ScepPayload; challenge: string; cn: string; o: string }> {
  const { userId, enrollUrl } = await createUserAndToken(server, upn);
  const { scep } = await fetchEnrollmentProfile(enrollUrl);
  const rdn = (name: string) => scep.subject.flat().find(([k]) => k === name)?.[1];
  const cn = rdn('CN');
  const o = rdn('O');
  if (!scep.challenge || !cn || !o) throw new Error(`the SCEP payload lacks Challenge, CN or O: ${JSON.stringify(scep)}`);
  return { userId, scep, challenge: scep.challenge, cn, o };
}

/** Rows of issued_certificates, read beside the running server: "nothing new recorded" must be checkable. */
function issuedCount(): number {
  const db = new Database(join(server.dataDir, 'mdmlab.db'), { readonly: true, fileMustExist: true });
  try {
    return (db.prepare('SELECT count(*) AS n FROM issued_certificates').get() as { n: number }).n;
  } finally {
    db.close();
  }
}

async function recordOf(certPemPath: string) {
  const der = new X509Certificate(readFileSync(certPemPath)).raw;
  return server.store.issuedCertificates.getByFingerprint(createHash('sha256').update(der).digest('hex'));
}

async function opensslVerify(certPemPath: string): Promise<void> {
  const out = await runTool(opensslPath(), ['verify', '-CAfile', caPem, certPemPath]);
  expect(out.code, out.stderr).toBe(0);
  expect(out.stdout).toContain(': OK');
}

function subjectLines(certPemPath: string): string[] {
  return new X509Certificate(readFileSync(certPemPath)).subject.split('\n');
}

/** micromdm/scep: GetCACaps, GetCACert, then a PKCSReq signed with a self-signed certificate (RFC 8894 §2.3). */
function scepclient(e: { scep: ScepPayload; cn: string; o: string }, challenge: string, extra: string[] = []) {
  const key = file('key.pem');
  const cert = file('cert.pem');
  const run = runTool(scepclientPath(), [
    '-server-url', e.scep.url, '-challenge', challenge, '-private-key', key, '-certificate', cert,
    '-cn', e.cn, '-organization', e.o, ...extra,
  ]);
  return run.then((out) => ({ ...out, key, cert }));
}

describe('SCEP discovery over plain HTTP (RFC 8894 §3.5.1, §3.5.2, §4.2)', () => {
  it('GetCACaps lists POSTPKIOperation, SHA-256 and AES; GetCACert is the CA certificate in DER', async () => {
    const { scep } = await enrollment('caps@contoso.com');
    const caps = await fetch(`${scep.url}?operation=GetCACaps`);
    expect(caps.status).toBe(200);
    const lines = (await caps.text()).split(/\r?\n/);
    expect(lines).toEqual(expect.arrayContaining(['POSTPKIOperation', 'SHA-256', 'AES']));

    const ca = await fetch(`${scep.url}?operation=GetCACert`);
    expect(ca.status).toBe(200);
    expect(ca.headers.get('content-type')).toMatch(/^application\/x-x509-ca-cert/);
    const der = Buffer.from(await ca.arrayBuffer());
    expect(der.equals(server.identity.ca.certDer)).toBe(true);
    expect(der.equals(new X509Certificate(readFileSync(caPem)).raw)).toBe(true);
  });

  it("certmonger's scep-submit reads the same capabilities and CA certificate", async () => {
    const { scep } = await enrollment('cm-caps@contoso.com');
    const caps = await runTool(scepSubmitPath(), ['-u', scep.url, '-c']);
    expect(caps.code, caps.stderr).toBe(0);
    expect(caps.stdout.split('\n')).toEqual(expect.arrayContaining(['POSTPKIOperation', 'SHA-256', 'AES']));
    const ca = await runTool(scepSubmitPath(), ['-u', scep.url, '-C']);
    expect(ca.code, ca.stderr).toBe(0);
    expect(new X509Certificate(ca.stdout).raw.equals(server.identity.ca.certDer)).toBe(true);
  });
});

describe('micromdm/scep client (Debian golang-github-micromdm-scep-dev)', () => {
  it("enrolls with the enrollment profile's challenge and subject; openssl verifies it against /ca.pem; the server records it", async () => {
    const e = await enrollment('micromdm@contoso.com');
    const out = await scepclient(e, e.challenge);
    expect(out.code, out.stderr).toBe(0);
    expect(out.stderr).toContain('pkiStatus=SUCCESS');
    await opensslVerify(out.cert);
    expect(subjectLines(out.cert)).toEqual(expect.arrayContaining([`CN=${e.cn}`, `O=${e.o}`]));
    const record = await recordOf(out.cert);
    expect(record).toMatchObject({ purpose: 'enrollment', userId: e.userId, challenge: e.challenge });
    expect((await server.store.scepChallenges.get(e.challenge))?.spentAt).toBeDefined();
  });

  it('is refused with failInfo badRequest when the challenge is already spent, and nothing new is recorded', async () => {
    const e = await enrollment('replay@contoso.com');
    const first = await scepclient(e, e.challenge);
    expect(first.code, first.stderr).toBe(0);
    const spentAt = (await server.store.scepChallenges.get(e.challenge))?.spentAt;
    const before = issuedCount();

    const again = await scepclient(e, e.challenge);
    expect(again.code).not.toBe(0);
    expect(again.stderr).toMatch(/pkiStatus=FAILURE failInfo=badRequest \(2\)/);
    expect(existsSync(again.cert)).toBe(false);
    expect(issuedCount()).toBe(before);
    expect((await server.store.scepChallenges.get(e.challenge))?.spentAt).toBe(spentAt);
  });

  it('is refused with failInfo badRequest for a challenge the server never gave out', async () => {
    const e = await enrollment('unknown@contoso.com');
    const before = issuedCount();
    const out = await scepclient(e, 'not-a-challenge-this-server-made');
    expect(out.code).not.toBe(0);
    expect(out.stderr).toMatch(/failInfo=badRequest \(2\)/);
    expect(issuedCount()).toBe(before);
  });

  it("answers the library's default single-DES envelope with a CertRep failInfo badAlg and leaves the challenge unspent", async () => {
    // micromdm/scep's NewCSRRequest encrypts with go.mozilla.org/pkcs7's default, DES-CBC, unless
    // the caller picks a cipher from GetCACaps (upstream's scepclient never does). We refuse DES
    // (RFC 8894 §3.5.2 offers AES and DES3 only), but in SCEP's own terms, so the client can say why.
    const e = await enrollment('des@contoso.com');
    const before = issuedCount();
    const des = await scepclient(e, e.challenge, ['-cipher', 'des']);
    expect(des.code).not.toBe(0);
    expect(des.stderr).toMatch(/pkiStatus=FAILURE failInfo=badAlg \(0\)/);
    expect(issuedCount()).toBe(before);
    expect((await server.store.scepChallenges.get(e.challenge))?.spentAt).toBeUndefined();

    const aes = await scepclient(e, e.challenge, ['-cipher', 'aes256']);
    expect(aes.code, aes.stderr).toBe(0);
    await opensslVerify(aes.cert);
  });
});

describe("certmonger's scep-submit (a micromdm/scep-built PKCSReq, opened with openssl)", () => {
  /** The PKCSReq comes from the micromdm library; scep-submit -p posts it and checks the CertRep's signature. */
  async function submit(e: { scep: ScepPayload; cn: string; o: string }, challenge: string) {
    const key = file('key.pem');
    const req = file('pkcsreq.pem');
    const signer = file('signer.pem');
    const built = await runTool(scepclientPath(), [
      '-server-url', e.scep.url, '-challenge', challenge, '-private-key', key,
      '-cn', e.cn, '-organization', e.o, '-pkimessage-out', req, '-signer-out', signer,
    ]);
    expect(built.code, built.stderr).toBe(0);
    // -r: the certificate expected to sign responses (no RA here: the CA itself, RFC 8894 §2.2).
    const out = await runTool(scepSubmitPath(), ['-u', e.scep.url, '-r', caPem, '-I', caPem, '-p', req]);
    return { ...out, key, signer };
  }

  it('enrolls: exit 0, the pkcsPKIEnvelope decrypts to our certificate, which chains to /ca.pem and is recorded', async () => {
    const e = await enrollment('certmonger@contoso.com');
    const out = await submit(e, e.challenge);
    expect(out.code, out.stderr).toBe(0);
    expect(out.stdout).toMatch(/^-----BEGIN PKCS7-----/);
    const envelope = file('envelope.pem');
    writeFileSync(envelope, out.stdout);
    const certsOnly = file('certs.der');
    const opened = await runTool(opensslPath(), ['cms', '-decrypt', '-inform', 'PEM', '-in', envelope, '-inkey', out.key, '-recip', out.signer, '-binary', '-out', certsOnly]);
    expect(opened.code, opened.stderr).toBe(0);
    const cert = file('cert.pem');
    const printed = await runTool(opensslPath(), ['pkcs7', '-inform', 'DER', '-in', certsOnly, '-print_certs', '-out', cert]);
    expect(printed.code, printed.stderr).toBe(0);
    await opensslVerify(cert);
    expect(subjectLines(cert)).toEqual(expect.arrayContaining([`CN=${e.cn}`, `O=${e.o}`]));
    expect(await recordOf(cert)).toMatchObject({ purpose: 'enrollment', userId: e.userId });
  });

  it('a spent challenge gets no certificate and nothing new is recorded', async () => {
    const e = await enrollment('certmonger-replay@contoso.com');
    const first = await submit(e, e.challenge);
    expect(first.code, first.stderr).toBe(0);
    const before = issuedCount();
    const again = await submit(e, e.challenge);
    // 2 = "the CA rejected the request": certmonger could verify our FAILURE CertRep and read it.
    expect(again.code, again.stderr).toBe(2);
    expect(issuedCount()).toBe(before);
  });
});
