import { createHash } from 'node:crypto';
import { readPkcs12 } from '../../certs/pkcs12.js';
import type { MdmlabPolicyExtension } from '../../protocol/android/amapi/mdmlab-extension.js';
import type { KeystoreEntry } from './android-state.js';

/** What installing the policy's certificates did. */
export interface KeystoreResult {
  entries: KeystoreEntry[];
  /** Key pairs whose PKCS#12 could not be opened (wrong password, not a PKCS#12): alias → why. */
  unreadable: Map<string, string>;
}

/**
 * The device keystore as the policy's certificates leave it (mdmlab-extension.ts): each CA
 * certificate installed under its alias (DevicePolicyManager.installCaCert; Knox
 * CertificateProvisioning.installCertificateToKeystore type "CERT"), each key pair opened from its
 * PKCS#12 with its password and installed under its alias (DevicePolicyManager.installKeyPair;
 * installCertificateToKeystore type "PKCS12"), what the policy no longer carries removed
 * (removeKeyPair). An entry the policy sends unchanged is kept without being opened again. A
 * PKCS#12 that does not open installs nothing: the accounts naming its alias then report the
 * certificate missing.
 */
export function installPolicyCertificates(held: readonly KeystoreEntry[], ext: MdmlabPolicyExtension | undefined): KeystoreResult {
  const byAlias = new Map(held.map((e) => [e.alias, e]));
  const entries: KeystoreEntry[] = [];
  const unreadable = new Map<string, string>();
  for (const ca of ext?.caCertificates ?? []) {
    entries.push({ alias: ca.alias, kind: 'caCertificate', certificate: ca.certificate, source: sha256(ca.certificate) });
  }
  for (const kp of ext?.keyPairs ?? []) {
    const source = sha256(`${kp.pkcs12}\n${kp.password}`);
    const previous = byAlias.get(kp.alias);
    if (previous?.kind === 'keyPair' && previous.source === source) {
      entries.push(previous);
      continue;
    }
    try {
      const contents = readPkcs12(Buffer.from(kp.pkcs12, 'base64'), kp.password);
      entries.push({ alias: kp.alias, kind: 'keyPair', certificate: contents.certDer.toString('base64'), source });
    } catch (err) {
      unreadable.set(kp.alias, err instanceof Error ? err.message : String(err));
    }
  }
  return { entries, unreadable };
}

export function hasKeyPair(entries: readonly KeystoreEntry[], alias: string): boolean {
  return entries.some((e) => e.kind === 'keyPair' && e.alias === alias);
}

export function hasCaCertificate(entries: readonly KeystoreEntry[]): boolean {
  return entries.some((e) => e.kind === 'caCertificate');
}

function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}
