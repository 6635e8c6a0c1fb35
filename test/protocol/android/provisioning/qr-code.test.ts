import { describe, expect, it } from 'vitest';
import { MDMLAB_DPC_ADMIN_COMPONENT } from '../../../../protocol/android/apps.js';
import {
  decodeProvisioningQr,
  encodeProvisioningQr,
  isProvisioningQrFor,
  MDMLAB_ADMIN_EXTRAS,
  PROVISIONING_EXTRAS,
  type ProvisioningQr,
} from '../../../../protocol/android/provisioning/qr-code.js';

const qr: ProvisioningQr = {
  adminComponentName: MDMLAB_DPC_ADMIN_COMPONENT,
  packageDownloadLocation: 'http://mdm.lab:8080/android/dpc.apk',
  signatureChecksum: 'I5YvS0O5hXY46mb01BlRjq4oJJGs2kuUcHvVkAPEXlg',
  leaveAllSystemAppsEnabled: true,
  enrollmentToken: 'HPPRXUJLGKQFVQRQAFQL',
  serverUrl: 'http://mdm.lab:8080',
};

const extras = (): Record<string, unknown> => JSON.parse(encodeProvisioningQr(qr)) as Record<string, unknown>;

function refusal(doc: unknown): { code: string; path: string; message: string } {
  const r = decodeProvisioningQr(typeof doc === 'string' ? doc : JSON.stringify(doc));
  if (r.ok) throw new Error('expected the payload to be refused');
  return { code: r.error.code, path: r.error.path, message: r.error.message };
}

describe('the QR provisioning payload', () => {
  it('is Android\'s provisioning extras, with the token and server URL in the admin extras bundle', () => {
    expect(extras()).toEqual({
      'android.app.extra.PROVISIONING_DEVICE_ADMIN_COMPONENT_NAME': 'org.mdmlab.dpc/.AdminReceiver',
      'android.app.extra.PROVISIONING_DEVICE_ADMIN_PACKAGE_DOWNLOAD_LOCATION': 'http://mdm.lab:8080/android/dpc.apk',
      'android.app.extra.PROVISIONING_DEVICE_ADMIN_SIGNATURE_CHECKSUM': 'I5YvS0O5hXY46mb01BlRjq4oJJGs2kuUcHvVkAPEXlg',
      'android.app.extra.PROVISIONING_LEAVE_ALL_SYSTEM_APPS_ENABLED': true,
      'android.app.extra.PROVISIONING_ADMIN_EXTRAS_BUNDLE': {
        'org.mdmlab.dpc.EXTRA_ENROLLMENT_TOKEN': 'HPPRXUJLGKQFVQRQAFQL',
        'org.mdmlab.dpc.EXTRA_SERVER_URL': 'http://mdm.lab:8080',
      },
    });
    expect(decodeProvisioningQr(encodeProvisioningQr(qr))).toEqual({ ok: true, value: qr });
  });

  it('tolerates Android\'s other provisioning extras (Wi-Fi, locale) and ignores them', () => {
    const r = decodeProvisioningQr(JSON.stringify({ ...extras(), 'android.app.extra.PROVISIONING_WIFI_SSID': 'lab', 'android.app.extra.PROVISIONING_WIFI_HIDDEN': false }));
    expect(r).toEqual({ ok: true, value: qr });
  });

  it('tells a payload for this server from one for another', () => {
    const decoded = decodeProvisioningQr(encodeProvisioningQr(qr));
    if (!decoded.ok) throw decoded.error;
    expect(isProvisioningQrFor(decoded.value, 'http://mdm.lab:8080')).toBe(true);
    expect(isProvisioningQrFor(decoded.value, 'http://MDM.lab:8080/')).toBe(true);
    expect(isProvisioningQrFor(decoded.value, 'http://mdm.lab:8081')).toBe(false);
    expect(isProvisioningQrFor(decoded.value, 'https://mdm.lab:8080')).toBe(false);
    expect(isProvisioningQrFor(decoded.value, 'http://other.lab:8080')).toBe(false);
    expect(isProvisioningQrFor({ ...decoded.value, serverUrl: 'http://mdm.lab:8080/tenant' }, 'http://mdm.lab:8080')).toBe(false);
    expect(isProvisioningQrFor(decoded.value, 'not a url')).toBe(false);
  });

  it('refuses a payload made for another MDM (Android Device Policy\'s, Headwind\'s): our admin extras are missing', () => {
    const google = {
      [PROVISIONING_EXTRAS.adminComponentName]: 'com.google.android.apps.work.clouddpc/.receivers.CloudDeviceAdminReceiver',
      [PROVISIONING_EXTRAS.signatureChecksum]: 'I5YvS0O5hXY46mb01BlRjq4oJJGs2kuUcHvVkAPEXlg',
      [PROVISIONING_EXTRAS.packageDownloadLocation]: 'https://play.google.com/managed/downloadManagingApp?identifier=setup',
      [PROVISIONING_EXTRAS.adminExtrasBundle]: { 'com.google.android.apps.work.clouddpc.EXTRA_ENROLLMENT_TOKEN': 'ABCDEFGHIJ' },
    };
    const r = refusal(google);
    expect(r).toMatchObject({ code: 'missingField', path: `${PROVISIONING_EXTRAS.adminExtrasBundle}.${MDMLAB_ADMIN_EXTRAS.enrollmentToken}` });
    expect(r.message).toMatch(/not for an mdmlab server/);
  });

  it.each([
    ['not an object', '[1]', 'wrongType', ''],
    ['not JSON', 'QR:1234', 'malformedJson', ''],
    ['a key that is no provisioning extra', { 'com.example.key': 1 }, 'unknownField', 'com.example.key'],
    ['another extra holding an object', { 'android.app.extra.PROVISIONING_WIFI_SSID': {} }, 'wrongType', 'android.app.extra.PROVISIONING_WIFI_SSID'],
    ['no checksum', { [PROVISIONING_EXTRAS.signatureChecksum]: undefined }, 'missingField', PROVISIONING_EXTRAS.signatureChecksum],
    ['a checksum that is not SHA-256', { [PROVISIONING_EXTRAS.signatureChecksum]: 'abc' }, 'invalidValue', PROVISIONING_EXTRAS.signatureChecksum],
    ['a bad component name', { [PROVISIONING_EXTRAS.adminComponentName]: 'dpc' }, 'invalidValue', PROVISIONING_EXTRAS.adminComponentName],
    ['a download location that is no URL', { [PROVISIONING_EXTRAS.packageDownloadLocation]: 'file:///sdcard/dpc.apk' }, 'invalidValue', PROVISIONING_EXTRAS.packageDownloadLocation],
    ['a boolean as a string', { [PROVISIONING_EXTRAS.leaveAllSystemAppsEnabled]: 'true' }, 'wrongType', PROVISIONING_EXTRAS.leaveAllSystemAppsEnabled],
  ])('refuses %s', (_what, change, code, path) => {
    const doc = typeof change === 'string' ? change : JSON.stringify({ ...extras(), ...change });
    expect(refusal(doc)).toMatchObject({ code, path });
  });

  it('refuses bad admin extras', () => {
    const bundle = (b: Record<string, unknown>) => ({ ...extras(), [PROVISIONING_EXTRAS.adminExtrasBundle]: b });
    const ok = { [MDMLAB_ADMIN_EXTRAS.enrollmentToken]: qr.enrollmentToken, [MDMLAB_ADMIN_EXTRAS.serverUrl]: qr.serverUrl };
    expect(refusal(bundle({ ...ok, [MDMLAB_ADMIN_EXTRAS.serverUrl]: 'http://mdm.lab/?next=evil' })).code).toBe('invalidValue');
    expect(refusal(bundle({ ...ok, [MDMLAB_ADMIN_EXTRAS.serverUrl]: 'ftp://mdm.lab' })).code).toBe('invalidValue');
    expect(refusal(bundle({ ...ok, [MDMLAB_ADMIN_EXTRAS.enrollmentToken]: 'short' })).code).toBe('invalidValue');
    expect(refusal(bundle({ ...ok, [MDMLAB_ADMIN_EXTRAS.enrollmentToken]: 12345678 })).code).toBe('wrongType');
    expect(refusal(bundle({ ...ok, extra: 'x' })).code).toBe('unknownField');
    expect(refusal({ ...extras(), [PROVISIONING_EXTRAS.adminExtrasBundle]: 'token' }).code).toBe('wrongType');
    expect(refusal(JSON.stringify({ ...extras(), [PROVISIONING_EXTRAS.adminExtrasBundle]: undefined })).code).toBe('missingField');
  });

  it('bounds the payload', () => {
    expect(refusal(JSON.stringify({ ...extras(), 'android.app.extra.PROVISIONING_LOCALE': 'x'.repeat(5000) })).code).toBe('tooLarge');
    const many = Object.fromEntries(Array.from({ length: 40 }, (_, i) => [`android.app.extra.PROVISIONING_X${i}`, i]));
    expect(refusal({ ...extras(), ...many }).code).toBe('tooMany');
    expect(refusal('{"a":{"b":{"c":{}}}}').code).toBe('tooDeep');
  });
});
