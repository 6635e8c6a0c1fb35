import { createPrivateKey, createPublicKey, X509Certificate } from 'node:crypto';
import { chmodSync, existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CertificateAuthority } from '../../certs/authority.js';
import { DataFolderError } from '../errors/data-folder-error.js';

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

export function identityFile(dataDir: string, f: keyof typeof FILES): string {
  return join(dataDir, FILES[f]);
}

function writePrivate(path: string, content: string): void {
  writeFileSync(path, content, { mode: 0o600 });
  chmodSync(path, 0o600);
}

/** Folders written before keys were kept private; a key file of another owner is left as it is. */
function keepPrivate(path: string): void {
  try {
    if ((statSync(path).mode & 0o777) !== 0o600) chmodSync(path, 0o600);
  } catch {
    /* not ours to change */
  }
}

/**
 * Whether the folder holds the CA. Exactly one of its two files means a damaged folder: making a
 * new CA there (as the server once did) would leave every enrolled device trusting a CA whose key
 * is gone, refused from then on, so the server refuses to start instead.
 */
export function caFilesPresent(dataDir: string): boolean {
  const cert = identityFile(dataDir, 'caCert');
  const key = identityFile(dataDir, 'caKey');
  const [hasCert, hasKey] = [existsSync(cert), existsSync(key)];
  if (hasCert && !hasKey) {
    throw new DataFolderError(key, `${key} is missing next to ${cert}: the devices enrolled here trust only that CA, and its key is needed to serve them; restore ca.key from a backup, or remove the data folder to start afresh (every device must then enroll again)`);
  }
  if (hasKey && !hasCert) {
    throw new DataFolderError(cert, `${cert} is missing next to ${key}: restore ca.pem from a backup (GET /ca.pem of a running copy, or a device's trust store, has it too), or remove the data folder to start afresh (every device must then enroll again)`);
  }
  return hasCert;
}

/** Loads the CA of the folder, or creates one when the folder has none (a first start). */
export async function loadOrCreateIdentity(dataDir: string, hostnames: string[]): Promise<ServerIdentity> {
  const p = (f: keyof typeof FILES) => identityFile(dataDir, f);
  let ca: CertificateAuthority;
  if (caFilesPresent(dataDir)) {
    keepPrivate(p('caKey'));
    try {
      ca = CertificateAuthority.fromPem(readFileSync(p('caCert'), 'utf8'), readFileSync(p('caKey'), 'utf8'));
    } catch (err) {
      throw new DataFolderError(
        p('caCert'),
        `${p('caCert')} and ${p('caKey')} are not a usable CA (${(err as Error).message}): restore both from the same backup, or remove the data folder to start afresh (every device must then enroll again)`,
        { cause: err },
      );
    }
  } else {
    ca = await CertificateAuthority.create({ commonName: 'mdmlab root CA', organization: 'mdmlab', validityDays: 3650 });
    writePrivate(p('caKey'), ca.keyPem);
    writeFileSync(p('caCert'), ca.certPem);
  }
  const names = [...new Set(['localhost', ...hostnames])];
  const ips = names.filter(isIp);
  const dns = names.filter((n) => !isIp(n));
  if (!ips.includes('127.0.0.1')) ips.push('127.0.0.1');
  let tls = existingTls(p('tlsCert'), p('tlsKey'), ca, dns, ips);
  if (!tls) {
    // A new base URL host (or a new CA, or a damaged file) needs a new TLS certificate: unlike the
    // CA it is derived, so it is issued again rather than refused.
    const issued = await ca.issueServerCertificate({ hostnames: dns, ipAddresses: ips, validityDays: 825 });
    writePrivate(p('tlsKey'), issued.keyPem);
    writeFileSync(p('tlsCert'), issued.certPem);
    tls = { certPem: issued.certPem, keyPem: issued.keyPem };
  } else {
    keepPrivate(p('tlsKey'));
  }
  return { ca, tls };
}

/** The TLS certificate and key of the folder when they are readable, belong together, come from the CA and cover every name. */
function existingTls(certFile: string, keyFile: string, ca: CertificateAuthority, dns: string[], ips: string[]): ServerIdentity['tls'] | undefined {
  if (!existsSync(certFile) || !existsSync(keyFile)) return undefined;
  try {
    const certPem = readFileSync(certFile, 'utf8');
    const keyPem = readFileSync(keyFile, 'utf8');
    const cert = new X509Certificate(certPem);
    const keyMatches = createPublicKey(createPrivateKey(keyPem)).export({ type: 'spki', format: 'der' }).equals(cert.publicKey.export({ type: 'spki', format: 'der' }));
    if (keyMatches && coversAll(cert, dns, ips) && ca.verifyIssued(cert.raw)) return { certPem, keyPem };
  } catch {
    /* unreadable: issued again */
  }
  return undefined;
}

function isIp(name: string): boolean {
  return /^\d{1,3}(\.\d{1,3}){3}$/.test(name) || name.includes(':');
}

function coversAll(cert: X509Certificate, dns: string[], ips: string[]): boolean {
  const san = cert.subjectAltName ?? '';
  const entries = new Set(san.split(',').map((s) => s.trim()));
  return dns.every((d) => entries.has(`DNS:${d}`)) && ips.every((ip) => entries.has(`IP Address:${ip}`));
}
