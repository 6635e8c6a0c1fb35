import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { accountIdentityFor } from '../../../../protocol/admin/account-identity.js';
import { DAYS_TO_SYNC, SYNC_SCHEDULE_MINUTES } from '../../../../protocol/admin/email-profile-settings.js';
import { decodeDeviceReport, encodeDeviceReport } from '../../../../protocol/android/amapi/device.js';
import { GMAIL_PACKAGE } from '../../../../protocol/android/apps.js';
import {
  buildGmailConfiguration,
  GMAIL_ACCOUNT_DEFINING_KEYS,
  GMAIL_KEY_TABLE,
  GMAIL_KEYS,
  readGmailConfiguration,
} from '../../../../protocol/android/managed-config/gmail.js';
import { managedConfigurationNonCompliance } from '../../../../protocol/android/managed-config/non-compliance.js';
import { NINE_WORK_KEY_TABLE } from '../../../../protocol/android/managed-config/nine-work.js';
import { jsonTypeOfSpec } from '../../../../protocol/android/managed-config/value-model.js';
import { KNOX_ACCOUNT_FIELDS } from '../../../../protocol/android/knox/exchange-account.js';
import { attr, childElements } from '../../../../protocol/xml/xml-element.js';
import { parseXml } from '../../../../protocol/xml/xml-parse.js';
import { IDENTITY, profile } from '../fixtures.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const ANDROID_NS = 'http://schemas.android.com/apk/res/android';

describe('buildGmailConfiguration', () => {
  it('gives Gmail its keys: address and user from the identity, host, SSL, never trust-all, no password', () => {
    expect(buildGmailConfiguration(profile('afwGmail'), IDENTITY)).toEqual({
      email_address: 'alice@contoso.com',
      exchange_host: 'mail.contoso.com',
      exchange_username: 'alice@contoso.com',
      exchange_ssl_required: true,
      exchange_trust_all_certificates: false,
      default_sync_window: 3,
      default_sync_schedule: 'push',
    });
  });

  it('names the identity certificate by its keystore alias, and maps windows and schedules', () => {
    const settings = profile('afwGmail', {
      authMethod: 'certificate',
      identityCertificateProfileId: 'crt_9',
      daysToSync: 'unlimited',
      syncSchedule: 30,
      useSsl: false,
      host: 'mail.contoso.com:8443',
    });
    const user = { upn: 'alice@contoso.com', primarySmtp: 'alice.smith@contoso.com', username: 'CONTOSO\\alice' };
    const config = buildGmailConfiguration(settings, accountIdentityFor(settings, user));
    expect(config).toMatchObject({
      email_address: 'alice.smith@contoso.com',
      exchange_host: 'mail.contoso.com:8443',
      exchange_ssl_required: false,
      exchange_login_certificate_alias: 'mdmlab-crt_9',
      default_sync_window: 0,
      default_sync_schedule: '30',
    });
    expect(config).not.toHaveProperty(GMAIL_KEYS.password);
  });

  it('emits each key with the JSON type of its restriction type (AMAPI: BOOL → boolean, INTEGER → number, STRING/CHOICE → string)', () => {
    const config = buildGmailConfiguration(profile('afwGmail', { authMethod: 'certificate', identityCertificateProfileId: 'c' }), IDENTITY);
    for (const [key, value] of Object.entries(config)) {
      const def = GMAIL_KEY_TABLE[key];
      expect(def, key).toBeDefined();
      const want = jsonTypeOfSpec(def!.spec);
      expect(want === 'integer' ? Number.isInteger(value) : typeof value, key).toBe(want === 'integer' ? true : want);
    }
  });

  it('uses only restriction types Android defines (app_restrictions.xml restrictionType)', () => {
    const xml = parseXml(readFileSync(path.resolve(here, '../../../../..', 'shared/specs/android/bayton-managedconfig-app_restrictions.xml')), {
      maxBytes: 100_000,
      maxDepth: 16,
      maxElements: 1000,
    });
    const types = new Set<string>();
    const walk = (el: typeof xml): void => {
      const t = attr(el, 'restrictionType', ANDROID_NS);
      if (t) types.add(t);
      childElements(el).forEach(walk);
    };
    walk(xml);
    expect(types.has('choice') && types.has('bundle_array')).toBe(true);
    for (const table of [GMAIL_KEY_TABLE, NINE_WORK_KEY_TABLE, KNOX_ACCOUNT_FIELDS]) {
      for (const [key, def] of Object.entries(table)) expect(types.has(def.spec.type), key).toBe(true);
    }
  });
});

describe('readGmailConfiguration (the device side)', () => {
  const schedules = ['asMessagesArrive', 'manual', ...(SYNC_SCHEDULE_MINUTES.afwGmail ?? [])] as const;
  it.each(DAYS_TO_SYNC.afwGmail.flatMap((days) => schedules.map((s) => [days, s] as const)))(
    'reads back what the server built (days %s, schedule %s)',
    (daysToSync, syncSchedule) => {
      for (const auth of [{}, { authMethod: 'certificate', identityCertificateProfileId: 'crt_1' }]) {
        const settings = profile('afwGmail', { daysToSync, syncSchedule, ...auth });
        const reading = readGmailConfiguration(JSON.parse(JSON.stringify(buildGmailConfiguration(settings, IDENTITY))));
        expect(reading.problems).toEqual([]);
        expect(reading.account).toEqual({
          email: IDENTITY.email,
          host: 'mail.contoso.com',
          username: IDENTITY.username,
          useSsl: true,
          trustAllCertificates: false,
          daysToSync,
          syncSchedule,
          authMethod: settings.authMethod,
          ...(settings.authMethod === 'certificate' ? { identityCertificateAlias: 'mdmlab-crt_1' } : {}),
        });
      }
    },
  );

  it('applies Gmail\'s defaults: SSL on, trust-all off, an empty alias is no alias', () => {
    const r = readGmailConfiguration({ email_address: 'a@b.example', exchange_host: 'h.example', exchange_username: 'a', exchange_login_certificate_alias: '' });
    expect(r.problems).toEqual([]);
    expect(r.account).toEqual({ email: 'a@b.example', host: 'h.example', username: 'a', useSsl: true, trustAllCertificates: false, authMethod: 'password' });
  });

  it('turns a value of the wrong type into a problem, keeps the default, and never throws', () => {
    const config = { ...buildGmailConfiguration(profile('afwGmail'), IDENTITY), exchange_ssl_required: 'false', default_sync_window: '3' };
    const r = readGmailConfiguration(config);
    expect(r.account?.useSsl).toBe(true);
    expect(r.account?.daysToSync).toBeUndefined();
    expect(r.problems).toEqual([
      { key: 'exchange_ssl_required', reason: 'wrongType', message: 'exchange_ssl_required must be a boolean, found a string', currentValue: 'false' },
      { key: 'default_sync_window', reason: 'wrongType', message: 'default_sync_window must be an integer, found a string', currentValue: '3' },
    ]);
    expect(managedConfigurationNonCompliance(r.problems, { packageName: GMAIL_PACKAGE, applicationIndex: 2 })).toEqual([
      {
        settingName: 'applications',
        nonComplianceReason: 'INVALID_VALUE',
        packageName: GMAIL_PACKAGE,
        fieldPath: 'applications[2].managedConfiguration.exchange_ssl_required',
        currentValue: 'false',
      },
      {
        settingName: 'applications',
        nonComplianceReason: 'INVALID_VALUE',
        packageName: GMAIL_PACKAGE,
        fieldPath: 'applications[2].managedConfiguration.default_sync_window',
        currentValue: '3',
      },
    ]);
  });

  it('activates no account when a required key is missing, empty or unusable', () => {
    const good = buildGmailConfiguration(profile('afwGmail'), IDENTITY);
    const cases: [Record<string, unknown>, string, string][] = [
      [{ ...good, email_address: undefined }, 'email_address', 'missing'],
      [{ ...good, exchange_username: '' }, 'exchange_username', 'missing'],
      [{ ...good, exchange_host: 'https://mail.contoso.com' }, 'exchange_host', 'invalidValue'],
      [{ ...good, exchange_host: 'mail.contoso.com:99999' }, 'exchange_host', 'invalidValue'],
      [{ ...good, email_address: 'alice' }, 'email_address', 'invalidValue'],
      [{ ...good, email_address: 'a@b.example, c@d.example' }, 'email_address', 'invalidValue'],
      [{ ...good, exchange_username: 42 }, 'exchange_username', 'wrongType'],
      [{ ...good, exchange_host: 'x'.repeat(300) }, 'exchange_host', 'invalidValue'],
    ];
    for (const [config, key, reason] of cases) {
      const r = readGmailConfiguration(JSON.parse(JSON.stringify(config)));
      expect(r.account, key).toBeUndefined();
      expect(r.problems.map((p) => [p.key, p.reason]), key).toEqual([[key, reason]]);
    }
  });

  it('reports keys Gmail does not know, choices outside the list, and a configuration that is not an object', () => {
    const r = readGmailConfiguration({ ...buildGmailConfiguration(profile('afwGmail'), IDENTITY), exchange_hostname: 'x', default_sync_schedule: '45' });
    expect(r.account).toBeDefined();
    expect(r.problems.map((p) => [p.key, p.reason])).toEqual([
      ['default_sync_schedule', 'invalidValue'],
      ['exchange_hostname', 'unknownKey'],
    ]);
    for (const bad of [null, 'config', [], 7]) {
      expect(readGmailConfiguration(bad)).toEqual({ problems: [expect.objectContaining({ key: '', reason: 'notAnObject' })] });
    }
    expect(managedConfigurationNonCompliance(readGmailConfiguration([]).problems, { packageName: GMAIL_PACKAGE, applicationIndex: 0 })[0]?.fieldPath).toBe(
      'applications[0].managedConfiguration',
    );
  });

  it('lists the account-defining keys among Gmail\'s keys', () => {
    for (const key of GMAIL_ACCOUNT_DEFINING_KEYS) expect(Object.hasOwn(GMAIL_KEY_TABLE, key), key).toBe(true);
  });

  it('never throws on any JSON, and what it reports always fits in a valid device report', () => {
    const keys = Object.keys(GMAIL_KEY_TABLE);
    const config = fc.dictionary(fc.oneof(fc.constantFrom(...keys), fc.string({ maxLength: 2000 })), fc.jsonValue({ maxDepth: 40 }), { maxKeys: 80 });
    fc.assert(
      fc.property(fc.oneof(config, fc.jsonValue()), (value) => {
        const reading = readGmailConfiguration(value);
        const details = managedConfigurationNonCompliance(reading.problems, { packageName: GMAIL_PACKAGE, applicationIndex: 0 });
        const report = decodeDeviceReport(encodeDeviceReport({ managementMode: 'PROFILE_OWNER', nonComplianceDetails: details }));
        expect(report.ok).toBe(true);
      }),
      { numRuns: 300 },
    );
  });
});
