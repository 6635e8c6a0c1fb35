import { X509Certificate } from 'node:crypto';
import { chmodSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CertificateAuthority } from '../../certs/authority.js';

/**
 * The server's certificates, kept in the data folder so a restart reuses them (devices enrolled
 * against this CA must keep trusting the server): the root CA that issues device identities and
 * the TLS certificate of the server. Private keys are written 0600.
 */
export interface ServerIdentity {
  ca: CertificateAuthority;
  tls: { certPem: string; keyPem: string };
}

const FILES = { caCert: 'ca.pem', caKey: 'ca.key', tlsCert: 'server.pem', tlsKey: 'server.key' } as const;

function writePrivate(path: string, content: string): void {
  writeFileSync(path, content, { mode: 0o600 });
  chmodSync(path, 0o600);
}

export async function loadOrCreateIdentity(dataDir: string, hostnames: string[]): Promise<ServerIdentity> {
  const p = (f: keyof typeof FILES) => join(dataDir, FILES[f]);
  let ca: CertificateAuthority;
  if (existsSync(p('caCert')) && existsSync(p('caKey'))) {
    ca = CertificateAuthority.fromPem(readFileSync(p('caCert'), 'utf8'), readFileSync(p('caKey'), 'utf8'));
  } else {
    ca = await CertificateAuthority.create({ commonName: 'mdmlab root CA', organization: 'mdmlab', validityDays: 3650 });
    writePrivate(p('caKey'), ca.keyPem);
    writeFileSync(p('caCert'), ca.certPem);
  }
  const names = [...new Set(['localhost', ...hostnames])];
  const ips = names.filter(isIp);
  const dns = names.filter((n) => !isIp(n));
  if (!ips.includes('127.0.0.1')) ips.push('127.0.0.1');
  let tls: ServerIdentity['tls'] | undefined;
  if (existsSync(p('tlsCert')) && existsSync(p('tlsKey'))) {
    const certPem = readFileSync(p('tlsCert'), 'utf8');
    if (coversAll(certPem, dns, ips) && ca.verifyIssued(new X509Certificate(certPem).raw)) {
      tls = { certPem, keyPem: readFileSync(p('tlsKey'), 'utf8') };
    }
  }
  if (!tls) {
    // A new base URL host (or a new CA) needs a new TLS certificate; the CA itself never changes.
    const issued = await ca.issueServerCertificate({ hostnames: dns, ipAddresses: ips, validityDays: 825 });
    writePrivate(p('tlsKey'), issued.keyPem);
    writeFileSync(p('tlsCert'), issued.certPem);
    tls = { certPem: issued.certPem, keyPem: issued.keyPem };
  }
  return { ca, tls };
}

function isIp(name: string): boolean {
  return /^\d{1,3}(\.\d{1,3}){3}$/.test(name) || name.includes(':');
}

function coversAll(certPem: string, dns: string[], ips: string[]): boolean {
  const san = new X509Certificate(certPem).subjectAltName ?? '';
  const entries = new Set(san.split(',').map((s) => s.trim()));
  return dns.every((d) => entries.has(`DNS:${d}`)) && ips.every((ip) => entries.has(`IP Address:${ip}`));
}
