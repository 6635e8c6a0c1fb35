/**
 * PKCS#12 (RFC 7292) key stores with node-forge: how the server hands an Android device a client
 * identity it made from a certificate profile (DevicePolicyManager.installKeyPair and Knox
 * CertificateProvisioning.installCertificateToKeystore take a PKCS#12 and its password), and how a
 * device opens one. The key is encrypted with pbeWithSHAAnd3-KeyTripleDES-CBC (RFC 7292 Appendix
 * C), which every Android keystore reads, and the store is MAC'd with SHA-1 (RFC 7292 §5.1), the
 * only integrity mode node-forge writes. Pure JavaScript: ~10 ms a store, never on a hot path.
 */
import { createPrivateKey, type KeyObject } from 'node:crypto';
import forge from 'node-forge';
import { CertsError } from './errors.js';
import { derToPem } from './pem.js';
import { privateKeyToPem } from './keys.js';

export interface Pkcs12Contents {
  privateKey: KeyObject;
  /** The key's certificate first, then the rest of the chain, DER. */
  certificates: Buffer[];
  friendlyName?: string;
}

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

/** Opens a PKCS#12 with its password; CertsError badPkcs12 when it is not one or the password is wrong. */
export function readPkcs12(der: Buffer, password: string): Pkcs12Contents {
  let p12: forge.pkcs12.Pkcs12Pfx;
  try {
    p12 = forge.pkcs12.pkcs12FromAsn1(forge.asn1.fromDer(der.toString('binary')), true, password);
  } catch (err) {
    throw new CertsError('badPkcs12', `not a PKCS#12 this password opens: ${(err as Error).message}`, { cause: err });
  }
  const keyBags = [
    ...(p12.getBags({ bagType: forge.pki.oids.pkcs8ShroudedKeyBag! })[forge.pki.oids.pkcs8ShroudedKeyBag!] ?? []),
    ...(p12.getBags({ bagType: forge.pki.oids.keyBag! })[forge.pki.oids.keyBag!] ?? []),
  ];
  const certBags = p12.getBags({ bagType: forge.pki.oids.certBag! })[forge.pki.oids.certBag!] ?? [];
  const keyBag = keyBags[0];
  if (!keyBag?.key) throw new CertsError('badPkcs12', 'the PKCS#12 holds no private key');
  const certificates = certBags.flatMap((b) => (b.cert ? [Buffer.from(forge.asn1.toDer(forge.pki.certificateToAsn1(b.cert)).getBytes(), 'binary')] : []));
  const friendly = keyBag.attributes?.friendlyName?.[0];
  return {
    privateKey: createPrivateKey(forge.pki.privateKeyToPem(keyBag.key)),
    certificates,
    ...(typeof friendly === 'string' ? { friendlyName: friendly } : {}),
  };
}
