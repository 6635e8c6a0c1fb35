/**
 * Writing a PKCS#12 key store (RFC 7292): how the server hands an Android device a client identity
 * it made from a certificate profile (DevicePolicyManager.installKeyPair and Knox
 * CertificateProvisioning.installCertificateToKeystore take a PKCS#12 and its password). The key is
 * encrypted with pbeWithSHAAnd3-KeyTripleDES-CBC (RFC 7292 Appendix C), which every Android keystore
 * reads, and the store is MAC'd with SHA-1 (RFC 7292 §5.1), the only integrity mode node-forge
 * writes. Pure JavaScript: ~10 ms a store, never on a hot path. Reading one is certs/pkcs12.ts.
 */
import type { KeyObject } from 'node:crypto';
import forge from 'node-forge';
import { privateKeyToPem } from './keys.js';
import { derToPem } from './pem.js';

/** Iterations of the PKCS#12 key derivation (RFC 7292 Appendix B): node-forge's default, OpenSSL's too. */
const ITERATIONS = 2048;

export function buildPkcs12(input: { privateKey: KeyObject; certificateDer: Buffer; chainDer?: readonly Buffer[]; password: string; friendlyName?: string }): Buffer {
  const key = forge.pki.privateKeyFromPem(privateKeyToPem(input.privateKey));
  const chain = [input.certificateDer, ...(input.chainDer ?? [])].map((der) => forge.pki.certificateFromPem(derToPem(der, 'CERTIFICATE')));
  const asn1 = forge.pkcs12.toPkcs12Asn1(key, chain, input.password, {
    algorithm: '3des',
    count: ITERATIONS,
    ...(input.friendlyName !== undefined ? { friendlyName: input.friendlyName } : {}),
  });
  return Buffer.from(forge.asn1.toDer(asn1).getBytes(), 'binary');
}
