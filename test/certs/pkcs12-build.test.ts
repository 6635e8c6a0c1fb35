import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CertificateAuthority } from '../../certs/authority.js';
import { buildCsr } from '../../certs/csr.js';
import { isCertsError } from '../../certs/errors.js';
import { generateRsaKeyPair, privateKeyToPem, type RsaKeyPair } from '../../certs/keys.js';
import { buildPkcs12 } from '../../certs/pkcs12-build.js';
import { readPkcs12 } from '../../certs/pkcs12.js';

/** PKCS#12 stores (RFC 7292) as the server hands Android devices their client identities. */
let ca: CertificateAuthority;
let keys: RsaKeyPair;
let certDer: Buffer;
const dir = mkdtempSync(join(tmpdir(), 'mdmlab-p12-'));
beforeAll(async () => {
  ca = await CertificateAuthority.create({ commonName: 'p12 test CA' });
  keys = await generateRsaKeyPair(2048);
  certDer = ca.issueFromCsr(buildCsr({ privateKey: keys.privateKey, subject: [{ shortName: 'CN', value: 'alice' }] }), { validityDays: 30 }).certDer;
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('PKCS#12 stores the server builds', () => {
  it('round-trips the key, the certificate and its chain, and the friendly name', () => {
    const p12 = buildPkcs12({ privateKey: keys.privateKey, certificateDer: certDer, chainDer: [ca.certDer], password: 's3cret', friendlyName: 'mdmlab-crt_1' });
    const back = readPkcs12(p12, 's3cret');
    expect([back.certDer, ...back.chain].map((c) => c.toString('base64'))).toEqual([certDer.toString('base64'), ca.certDer.toString('base64')]);
    expect(privateKeyToPem(back.privateKey)).toBe(privateKeyToPem(keys.privateKey));
    expect(back.friendlyName).toBe('mdmlab-crt_1');
  });

  it('opens with OpenSSL, with the key in a 3DES shrouded key bag (RFC 7292 Appendix C) and a SHA-1 MAC', () => {
    const file = join(dir, 'a.p12');
    writeFileSync(file, buildPkcs12({ privateKey: keys.privateKey, certificateDer: certDer, password: 'pw' }));
    const run = spawnSync('openssl', ['pkcs12', '-in', file, '-passin', 'pass:pw', '-info', '-nokeys'], { encoding: 'utf8' });
    expect(run.status).toBe(0);
    expect(run.stdout).toContain('BEGIN CERTIFICATE');
    expect(run.stderr).toContain('Shrouded Keybag: pbeWithSHA1And3-KeyTripleDES-CBC');
    expect(run.stderr).toContain('MAC: sha1');
    expect(spawnSync('openssl', ['pkcs12', '-in', file, '-passin', 'pass:nope', '-nokeys'], { encoding: 'utf8' }).status).not.toBe(0);
  });

  it('refuses a wrong password (badPassword) and bytes that are not PKCS#12 (badDer)', () => {
    const p12 = buildPkcs12({ privateKey: keys.privateKey, certificateDer: certDer, password: 'right' });
    for (const [der, pw, code] of [[p12, 'wrong', 'badPassword'], [Buffer.from('not a pkcs12'), 'right', 'badDer']] as const) {
      let caught: unknown;
      try {
        readPkcs12(der, pw);
      } catch (err) {
        caught = err;
      }
      expect(isCertsError(caught, code)).toBe(true);
    }
  });
});
