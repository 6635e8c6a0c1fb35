/**
 * Object identifiers used by certs/. Sources: RFC 8017 App. C (PKCS#1), RFC 5754 (SHA-2 in CMS),
 * RFC 5652 §14 (CMS), RFC 2985 (PKCS#9 attributes), RFC 3565 (AES in CMS), RFC 5280 §4.2
 * (certificate extensions), RFC 4519 (name attributes), RFC 8894 §3.2.1 (SCEP attributes).
 */
export const OID = {
  // PKCS#1 / RFC 8017
  rsaEncryption: '1.2.840.113549.1.1.1',
  sha1WithRSAEncryption: '1.2.840.113549.1.1.5',
  // OIW sha1WithRSASignature: what Windows signs its enrollment requests with (certs/windows-csr.ts)
  sha1WithRSASignatureOiw: '1.3.14.3.2.29',
  rsassaPss: '1.2.840.113549.1.1.10',
  sha256WithRSAEncryption: '1.2.840.113549.1.1.11',
  sha384WithRSAEncryption: '1.2.840.113549.1.1.12',
  sha512WithRSAEncryption: '1.2.840.113549.1.1.13',
  sha224WithRSAEncryption: '1.2.840.113549.1.1.14',
  rsaesOaep: '1.2.840.113549.1.1.7',
  // ECDSA (RFC 5758 §3.2), accepted when verifying only
  ecPublicKey: '1.2.840.10045.2.1',
  ecdsaWithSha1: '1.2.840.10045.4.1',
  ecdsaWithSha224: '1.2.840.10045.4.3.1',
  ecdsaWithSha256: '1.2.840.10045.4.3.2',
  ecdsaWithSha384: '1.2.840.10045.4.3.3',
  ecdsaWithSha512: '1.2.840.10045.4.3.4',
  // Digests (RFC 3370 §2, RFC 5754 §2)
  md5: '1.2.840.113549.2.5',
  sha1: '1.3.14.3.2.26',
  sha224: '2.16.840.1.101.3.4.2.4',
  sha256: '2.16.840.1.101.3.4.2.1',
  sha384: '2.16.840.1.101.3.4.2.2',
  sha512: '2.16.840.1.101.3.4.2.3',
  // CMS content types (RFC 5652 §4-§6)
  data: '1.2.840.113549.1.7.1',
  signedData: '1.2.840.113549.1.7.2',
  envelopedData: '1.2.840.113549.1.7.3',
  // PKCS#9 attributes (RFC 2985 §5.4, RFC 5652 §11)
  emailAddress: '1.2.840.113549.1.9.1',
  unstructuredName: '1.2.840.113549.1.9.2',
  contentType: '1.2.840.113549.1.9.3',
  messageDigest: '1.2.840.113549.1.9.4',
  signingTime: '1.2.840.113549.1.9.5',
  challengePassword: '1.2.840.113549.1.9.7',
  extensionRequest: '1.2.840.113549.1.9.14',
  smimeCapabilities: '1.2.840.113549.1.9.15',
  // Content-encryption algorithms (RFC 3565 §4.1, RFC 3370 §5.1)
  aes128Cbc: '2.16.840.1.101.3.4.1.2',
  aes192Cbc: '2.16.840.1.101.3.4.1.22',
  aes256Cbc: '2.16.840.1.101.3.4.1.42',
  desEde3Cbc: '1.2.840.113549.3.7',
  desCbc: '1.3.14.3.2.7',
  rc2Cbc: '1.2.840.113549.3.2',
  // Certificate extensions (RFC 5280 §4.2.1)
  subjectKeyIdentifier: '2.5.29.14',
  keyUsage: '2.5.29.15',
  subjectAltName: '2.5.29.17',
  basicConstraints: '2.5.29.19',
  authorityKeyIdentifier: '2.5.29.35',
  extKeyUsage: '2.5.29.37',
  // Extended key usages (RFC 5280 §4.2.1.12)
  anyExtendedKeyUsage: '2.5.29.37.0',
  serverAuth: '1.3.6.1.5.5.7.3.1',
  clientAuth: '1.3.6.1.5.5.7.3.2',
  codeSigning: '1.3.6.1.5.5.7.3.3',
  emailProtection: '1.3.6.1.5.5.7.3.4',
  // Microsoft UPN otherName (used by Windows and EAS certificate authentication)
  userPrincipalName: '1.3.6.1.4.1.311.20.2.3',
  // SCEP authenticated attributes (RFC 8894 §3.2.1, arc of VeriSign)
  scepMessageType: '2.16.840.1.113733.1.9.2',
  scepPkiStatus: '2.16.840.1.113733.1.9.3',
  scepFailInfo: '2.16.840.1.113733.1.9.4',
  scepSenderNonce: '2.16.840.1.113733.1.9.5',
  scepRecipientNonce: '2.16.840.1.113733.1.9.6',
  scepTransactionId: '2.16.840.1.113733.1.9.7',
} as const;

/** Name attribute short names as OpenSSL prints them (RFC 4519, RFC 2985, RFC 4524). */
export const NAME_ATTRIBUTE_OIDS: Readonly<Record<string, string>> = {
  CN: '2.5.4.3',
  SN: '2.5.4.4', // surname
  serialNumber: '2.5.4.5',
  C: '2.5.4.6',
  L: '2.5.4.7',
  ST: '2.5.4.8',
  street: '2.5.4.9',
  O: '2.5.4.10',
  OU: '2.5.4.11',
  title: '2.5.4.12',
  GN: '2.5.4.42',
  initials: '2.5.4.43',
  dnQualifier: '2.5.4.46',
  pseudonym: '2.5.4.65',
  emailAddress: OID.emailAddress,
  unstructuredName: OID.unstructuredName,
  UID: '0.9.2342.19200300.100.1.1',
  DC: '0.9.2342.19200300.100.1.25',
};

const SHORT_NAME_BY_OID = new Map(Object.entries(NAME_ATTRIBUTE_OIDS).map(([k, v]) => [v, k]));

/** Short name of a name-attribute OID, if we know one. */
export function shortNameOf(oid: string): string | undefined {
  return SHORT_NAME_BY_OID.get(oid);
}
