/**
 * mdmlab's extension of the AMAPI Policy: what a real EMM's device policy controller (DPC) gets
 * outside the Android Management API, carried under one vendor field, `mdmlab`, so it can never be
 * mistaken for a Google field (the discovery-conformance test skips exactly this key).
 *
 * - `knoxExchangeAccounts`: Exchange accounts for Samsung Knox Standard devices, one object per
 *   account with the field names of Samsung's `ExchangeAccount` (read and built in
 *   protocol/android/knox/exchange-account.ts). Kept as raw JSON objects here: the Knox agent
 *   validates each account itself and reports a bad one as INVALID_VALUE, as Knox's
 *   `addNewAccount` refuses one account (-1) without refusing the others.
 * - `caCertificates`: CA certificates to trust (the Exchange server's certificate for useSsl),
 *   modelled on DevicePolicyManager.installCaCert and Knox
 *   CertificateProvisioning.installCertificateToKeystore(type "CERT").
 * - `keyPairs`: client identities (certificate authentication, S/MIME signing) as PKCS#12 with
 *   its password, installed under an alias the accounts refer to; modelled on
 *   DevicePolicyManager.installKeyPair and installCertificateToKeystore(type "PKCS12"). The
 *   password is a secret: policies are never logged whole.
 */

import { AndroidProtocolError } from '../errors.js';
import { expectObject, FieldReader, jsonPath, type JsonObject, type JsonValue } from '../json.js';

/** The vendor field of Policy (and of the Device report) that holds mdmlab's extension. */
export const MDMLAB_EXTENSION_FIELD = 'mdmlab';

export interface CaCertificate {
  /** Name of the entry in the device's keystore. */
  alias: string;
  /** The certificate, DER, base64 (RFC 4648 §4). */
  certificate: string;
}

export interface KeyPair {
  /** The alias the accounts name (Gmail `exchange_login_certificate_alias`, Knox `certificateAlias` …). */
  alias: string;
  /** PKCS#12 (RFC 7292) holding the private key and its certificate chain, base64. */
  pkcs12: string;
  /** Password of the PKCS#12. */
  password: string;
}

export interface MdmlabPolicyExtension {
  knoxExchangeAccounts?: JsonObject[];
  caCertificates?: CaCertificate[];
  keyPairs?: KeyPair[];
}

export const MDMLAB_POLICY_EXTENSION_FIELDS = ['knoxExchangeAccounts', 'caCertificates', 'keyPairs'] as const;

export const EXTENSION_LIMITS = {
  knoxExchangeAccounts: 32,
  caCertificates: 32,
  keyPairs: 32,
  /** DER certificates: 16 KiB covers any sane chain member. */
  certificateBase64: 22_000,
  /** PKCS#12 with a chain of a few certificates. */
  pkcs12Base64: 88_000,
} as const;

/** Keystore aliases: letters, digits, `.`, `_`, `-` (safe in every keystore Android and Knox offer). */
export const KEYSTORE_ALIAS = { maxLength: 128, minLength: 1, pattern: /^[A-Za-z0-9._-]+$/, format: 'a keystore alias (letters, digits, . _ -)' };

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

export function base64Rule(maxLength: number) {
  return { maxLength, minLength: 4, pattern: BASE64, format: 'base64 (RFC 4648 §4, padded)' };
}

export function decodeMdmlabPolicyExtension(value: JsonValue, path: string): MdmlabPolicyExtension {
  const r = new FieldReader(value, path, MDMLAB_POLICY_EXTENSION_FIELDS);
  const out: MdmlabPolicyExtension = {};
  const accounts = r.optArray('knoxExchangeAccounts', EXTENSION_LIMITS.knoxExchangeAccounts, expectObject);
  if (accounts) out.knoxExchangeAccounts = accounts;
  const cas = r.optArray('caCertificates', EXTENSION_LIMITS.caCertificates, (v, p) => {
    const c = new FieldReader(v, p, ['alias', 'certificate']);
    return { alias: c.string('alias', KEYSTORE_ALIAS), certificate: c.string('certificate', base64Rule(EXTENSION_LIMITS.certificateBase64)) };
  });
  if (cas) out.caCertificates = uniqueAliases(cas, r.at('caCertificates'));
  const pairs = r.optArray('keyPairs', EXTENSION_LIMITS.keyPairs, (v, p) => {
    const k = new FieldReader(v, p, ['alias', 'pkcs12', 'password']);
    return {
      alias: k.string('alias', KEYSTORE_ALIAS),
      pkcs12: k.string('pkcs12', base64Rule(EXTENSION_LIMITS.pkcs12Base64)),
      password: k.string('password', { maxLength: 256 }),
    };
  });
  if (pairs) out.keyPairs = uniqueAliases(pairs, r.at('keyPairs'));
  return out;
}

function uniqueAliases<T extends { alias: string }>(items: T[], path: string): T[] {
  const seen = new Set<string>();
  items.forEach((item, i) => {
    if (seen.has(item.alias)) {
      throw new AndroidProtocolError('invalidValue', jsonPath(jsonPath(path, i), 'alias'), `alias ${item.alias} appears twice in ${path}`);
    }
    seen.add(item.alias);
  });
  return items;
}

export function mdmlabPolicyExtensionJson(ext: MdmlabPolicyExtension): JsonObject {
  const out: JsonObject = {};
  if (ext.knoxExchangeAccounts) out.knoxExchangeAccounts = ext.knoxExchangeAccounts;
  if (ext.caCertificates) out.caCertificates = ext.caCertificates.map((c) => ({ alias: c.alias, certificate: c.certificate }));
  if (ext.keyPairs) out.keyPairs = ext.keyPairs.map((k) => ({ alias: k.alias, pkcs12: k.pkcs12, password: k.password }));
  return out;
}

/**
 * The keystore alias under which the server installs the identity of a SCEP certificate profile
 * (one place, so the server's `keyPairs` and the accounts that name the alias always agree).
 */
export function keyPairAliasFor(certificateProfileId: string): string {
  const alias = `mdmlab-${certificateProfileId}`;
  if (!KEYSTORE_ALIAS.pattern.test(alias) || alias.length > KEYSTORE_ALIAS.maxLength) {
    throw new RangeError(`certificate profile id ${JSON.stringify(certificateProfileId)} cannot form a keystore alias`);
  }
  return alias;
}
