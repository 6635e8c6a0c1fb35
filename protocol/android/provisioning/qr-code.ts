/**
 * The QR provisioning payload: the JSON of Android provisioning extras a device scans during setup
 * (developer.android.com DevicePolicyManager EXTRA_PROVISIONING_*; AMAPI's EnrollmentToken.qrCode is
 * this JSON for Android Device Policy). The admin extras bundle carries what mdmlab's DPC needs to
 * register: the enrollment token and the server's URL. All key names live here.
 *
 * A QR made for another server (or another MDM) is detectable: decoding gives its server URL, and
 * `isProvisioningQrFor` compares it with ours.
 */

import { AndroidProtocolError, toResult, type DecodeResult } from '../errors.js';
import {
  expectBoolean,
  expectString,
  FieldReader,
  isJsonObject,
  jsonPath,
  parseJsonDocument,
  wrongType,
  type JsonObject,
  type StringRule,
} from '../json.js';
import { ENROLLMENT_TOKEN_VALUE } from '../amapi/enrollment-token.js';

/** The provisioning extras mdmlab writes and reads (android.app.admin.DevicePolicyManager constants). */
export const PROVISIONING_EXTRAS = {
  adminComponentName: 'android.app.extra.PROVISIONING_DEVICE_ADMIN_COMPONENT_NAME',
  packageDownloadLocation: 'android.app.extra.PROVISIONING_DEVICE_ADMIN_PACKAGE_DOWNLOAD_LOCATION',
  /** URL-safe base64 SHA-256 of the DPC's APK. */
  packageChecksum: 'android.app.extra.PROVISIONING_DEVICE_ADMIN_PACKAGE_CHECKSUM',
  /** URL-safe base64 SHA-256 of the DPC's signing certificate. */
  signatureChecksum: 'android.app.extra.PROVISIONING_DEVICE_ADMIN_SIGNATURE_CHECKSUM',
  leaveAllSystemAppsEnabled: 'android.app.extra.PROVISIONING_LEAVE_ALL_SYSTEM_APPS_ENABLED',
  adminExtrasBundle: 'android.app.extra.PROVISIONING_ADMIN_EXTRAS_BUNDLE',
} as const;

/** Keys of the admin extras bundle, in the DPC's namespace (as clouddpc's `…EXTRA_ENROLLMENT_TOKEN`). */
export const MDMLAB_ADMIN_EXTRAS = {
  enrollmentToken: 'org.mdmlab.dpc.EXTRA_ENROLLMENT_TOKEN',
  serverUrl: 'org.mdmlab.dpc.EXTRA_SERVER_URL',
} as const;

/** Other provisioning extras (Wi-Fi, locale, …) may be present; Android reads them, mdmlab ignores them. */
const OTHER_PROVISIONING_EXTRA = /^android\.app\.extra\.PROVISIONING_[A-Z0-9_]{1,64}$/;

export interface ProvisioningQr {
  /** Flattened ComponentName of the DPC's admin receiver, e.g. `org.mdmlab.dpc/.AdminReceiver`. */
  adminComponentName: string;
  /** Where the device downloads the DPC. */
  packageDownloadLocation: string;
  packageChecksum?: string;
  signatureChecksum?: string;
  leaveAllSystemAppsEnabled?: boolean;
  enrollmentToken: string;
  /** The mdmlab server the DPC registers with. */
  serverUrl: string;
}

export const PROVISIONING_QR_LIMITS = { maxBytes: 4096, maxDepth: 3, extras: 32 } as const;

const COMPONENT_NAME = {
  maxLength: 512,
  minLength: 3,
  pattern: /^[A-Za-z][A-Za-z0-9_]*(\.[A-Za-z][A-Za-z0-9_]*)+\/[A-Za-z0-9_.$]+$/,
  format: 'a component name such as org.mdmlab.dpc/.AdminReceiver',
};
/** SHA-256 in URL-safe base64 (RFC 4648 §5), with or without its one `=`. */
const CHECKSUM = { maxLength: 44, minLength: 43, pattern: /^[A-Za-z0-9_-]{43}=?$/, format: 'a URL-safe base64 SHA-256' };
const HTTP_URL = { maxLength: 2048, minLength: 8, pattern: /^https?:\/\/[^\s/?#]+(\/[^\s?#]*)?$/, format: 'an http(s) URL without query or fragment' };
const DOWNLOAD_URL = { maxLength: 2048, minLength: 8, pattern: /^https?:\/\/[^\s/?#]+[^\s#]*$/, format: 'an http(s) URL' };

export function encodeProvisioningQr(qr: ProvisioningQr): string {
  const out: JsonObject = {
    [PROVISIONING_EXTRAS.adminComponentName]: qr.adminComponentName,
    [PROVISIONING_EXTRAS.packageDownloadLocation]: qr.packageDownloadLocation,
  };
  if (qr.packageChecksum !== undefined) out[PROVISIONING_EXTRAS.packageChecksum] = qr.packageChecksum;
  if (qr.signatureChecksum !== undefined) out[PROVISIONING_EXTRAS.signatureChecksum] = qr.signatureChecksum;
  if (qr.leaveAllSystemAppsEnabled !== undefined) out[PROVISIONING_EXTRAS.leaveAllSystemAppsEnabled] = qr.leaveAllSystemAppsEnabled;
  out[PROVISIONING_EXTRAS.adminExtrasBundle] = {
    [MDMLAB_ADMIN_EXTRAS.enrollmentToken]: qr.enrollmentToken,
    [MDMLAB_ADMIN_EXTRAS.serverUrl]: qr.serverUrl,
  };
  return JSON.stringify(out);
}

export function decodeProvisioningQr(text: string | Uint8Array): DecodeResult<ProvisioningQr> {
  return toResult(() => {
    const doc = parseJsonDocument(text, { maxBytes: PROVISIONING_QR_LIMITS.maxBytes, maxDepth: PROVISIONING_QR_LIMITS.maxDepth });
    if (!isJsonObject(doc)) throw wrongType('', 'an object of provisioning extras', doc);
    const keys = Object.keys(doc);
    if (keys.length > PROVISIONING_QR_LIMITS.extras) {
      throw new AndroidProtocolError('tooMany', '', `the payload has ${keys.length} extras; at most ${PROVISIONING_QR_LIMITS.extras} are accepted`);
    }
    const ours: readonly string[] = Object.values(PROVISIONING_EXTRAS);
    for (const key of keys) {
      if (ours.includes(key)) continue;
      if (!OTHER_PROVISIONING_EXTRA.test(key)) throw new AndroidProtocolError('unknownField', key, `${key} is not a provisioning extra`);
      const v = doc[key];
      if (typeof v !== 'string' && typeof v !== 'boolean' && typeof v !== 'number') throw wrongType(key, 'a string, number or boolean', v);
    }
    const r = new FieldReader(doc, '', keys);
    const qr: ProvisioningQr = {
      adminComponentName: r.string(PROVISIONING_EXTRAS.adminComponentName, COMPONENT_NAME),
      packageDownloadLocation: r.string(PROVISIONING_EXTRAS.packageDownloadLocation, DOWNLOAD_URL),
      enrollmentToken: '',
      serverUrl: '',
    };
    const packageChecksum = r.optString(PROVISIONING_EXTRAS.packageChecksum, CHECKSUM);
    if (packageChecksum !== undefined) qr.packageChecksum = packageChecksum;
    const signatureChecksum = r.optString(PROVISIONING_EXTRAS.signatureChecksum, CHECKSUM);
    if (signatureChecksum !== undefined) qr.signatureChecksum = signatureChecksum;
    if (packageChecksum === undefined && signatureChecksum === undefined) {
      // Android refuses a download location without a checksum to check the download against.
      throw new AndroidProtocolError(
        'missingField',
        PROVISIONING_EXTRAS.signatureChecksum,
        `${PROVISIONING_EXTRAS.signatureChecksum} or ${PROVISIONING_EXTRAS.packageChecksum} is required with a download location`,
      );
    }
    if (r.has(PROVISIONING_EXTRAS.leaveAllSystemAppsEnabled)) {
      qr.leaveAllSystemAppsEnabled = expectBoolean(r.raw(PROVISIONING_EXTRAS.leaveAllSystemAppsEnabled), PROVISIONING_EXTRAS.leaveAllSystemAppsEnabled);
    }
    const bundlePath = PROVISIONING_EXTRAS.adminExtrasBundle;
    const bundleObject = r.object(bundlePath);
    // Our keys first: a bundle without them was made for another MDM, whatever else it holds.
    for (const key of Object.values(MDMLAB_ADMIN_EXTRAS)) {
      if (!Object.hasOwn(bundleObject, key)) {
        const path = jsonPath(bundlePath, key);
        throw new AndroidProtocolError('missingField', path, `${path} is required: the payload is not for an mdmlab server`);
      }
    }
    const bundle = new FieldReader(bundleObject, bundlePath, Object.values(MDMLAB_ADMIN_EXTRAS));
    qr.enrollmentToken = bundleString(bundle, MDMLAB_ADMIN_EXTRAS.enrollmentToken, ENROLLMENT_TOKEN_VALUE);
    qr.serverUrl = bundleString(bundle, MDMLAB_ADMIN_EXTRAS.serverUrl, HTTP_URL);
    return qr;
  });
}

function bundleString(bundle: FieldReader, key: string, rule: StringRule): string {
  return expectString(bundle.raw(key), jsonPath(bundle.path, key), rule);
}

/**
 * True when the payload names this server: same scheme, host and port, and the same path apart from
 * a trailing slash. A QR for another server, or the same host on another port, is not ours.
 */
export function isProvisioningQrFor(qr: ProvisioningQr, serverUrl: string): boolean {
  const a = normalizedServerUrl(qr.serverUrl);
  const b = normalizedServerUrl(serverUrl);
  return a !== undefined && a === b;
}

function normalizedServerUrl(url: string): string | undefined {
  try {
    const u = new URL(url);
    if ((u.protocol !== 'http:' && u.protocol !== 'https:') || u.search || u.hash || u.username || u.password) return undefined;
    return `${u.protocol}//${u.host}${u.pathname.replace(/\/+$/, '')}`;
  } catch {
    return undefined;
  }
}
