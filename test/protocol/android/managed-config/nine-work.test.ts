import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CONTENT_TYPES, DAYS_TO_SYNC } from '../../../../protocol/admin/email-profile-settings.js';
import { NINE_WORK_PACKAGE } from '../../../../protocol/android/apps.js';
import { managedConfigurationNonCompliance } from '../../../../protocol/android/managed-config/non-compliance.js';
import {
  buildNineWorkConfiguration,
  NINE_WORK_KEY_TABLE,
  NINE_WORK_KEYS,
  readNineWorkConfiguration,
} from '../../../../protocol/android/managed-config/nine-work.js';
import { IDENTITY, profile } from '../fixtures.js';

describe('buildNineWorkConfiguration', () => {
  it('writes Nine\'s documented keys and mdmlab\'s named ones, port only when the host has one', () => {
    expect(buildNineWorkConfiguration(profile('afwNineWork'), IDENTITY)).toEqual({
      AppServicePublisher: 'mdmlab',
      AppServiceHost: 'mail.contoso.com',
      UserEmail: 'alice@contoso.com',
      UserName: 'alice@contoso.com',
      UserDisplayName: 'Corp mail',
      AppServiceUseSSL: true,
      SyncWindow: 3,
      SyncSchedule: 'push',
      SyncEmail: true,
      SyncContacts: true,
      SyncCalendar: true,
      SyncTasks: true,
    });
    const withPort = buildNineWorkConfiguration(
      profile('afwNineWork', { host: 'mail.contoso.com:8443', authMethod: 'certificate', identityCertificateProfileId: 'crt_2', contentTypes: ['email', 'calendar'] }),
      IDENTITY,
    );
    expect(withPort).toMatchObject({
      AppServiceHost: 'mail.contoso.com',
      AppServicePort: 8443,
      AppUseLoginCertificate: true,
      AppLoginCertificateAlias: 'mdmlab-crt_2',
      SyncEmail: true,
      SyncContacts: false,
      SyncCalendar: true,
      SyncTasks: false,
    });
  });

  it('marks every key no public source names as unverified, and only those', () => {
    const verified = Object.entries(NINE_WORK_KEY_TABLE).filter(([, d]) => d.verified).map(([k]) => k);
    expect(verified.sort()).toEqual(['AppServiceHost', 'AppServicePort', 'AppServicePublisher', 'AppUseLoginCertificate', 'UserEmail', 'UserName']);
  });
});

describe('readNineWorkConfiguration (the device side)', () => {
  it.each(DAYS_TO_SYNC.afwNineWork.map((d) => [d]))('reads back what the server built (days %s)', (daysToSync) => {
    const types = CONTENT_TYPES.afwNineWork ?? [];
    for (const contentTypes of [types, types.slice(1), []]) {
      const settings = profile('afwNineWork', { daysToSync, contentTypes, syncSchedule: 60, host: 'mail.contoso.com:444', useSsl: false });
      const r = readNineWorkConfiguration(JSON.parse(JSON.stringify(buildNineWorkConfiguration(settings, IDENTITY))));
      expect(r.problems).toEqual([]);
      expect(r.account).toEqual({
        email: IDENTITY.email,
        host: 'mail.contoso.com:444',
        username: IDENTITY.username,
        accountName: 'Corp mail',
        useSsl: false,
        trustAllCertificates: false,
        daysToSync,
        syncSchedule: 60,
        contentTypes,
        authMethod: 'password',
      });
    }
  });

  it('reads booleans sent as "True"/"False" strings, as 9folders documents, and a domain into the user name', () => {
    const r = readNineWorkConfiguration({
      AppServicePublisher: 'Airwatch',
      AppServiceHost: 'mail.contoso.com',
      UserEmail: 'a@contoso.com',
      UserName: 'alice',
      UserDomain: 'CONTOSO',
      AppUseLoginCertificate: 'True',
      AppLoginCertificateAlias: 'corp-id',
      AppServiceUseSSL: 'FALSE',
    });
    expect(r.problems).toEqual([]);
    expect(r.account).toMatchObject({ username: 'CONTOSO\\alice', authMethod: 'certificate', identityCertificateAlias: 'corp-id', useSsl: false });
  });

  it('reports problems as INVALID_VALUE and keeps going', () => {
    const config = { ...buildNineWorkConfiguration(profile('afwNineWork'), IDENTITY), AppServicePort: '443', AppUseLoginCertificate: 'yes', SyncTasks: 1 };
    const r = readNineWorkConfiguration(config);
    expect(r.account).toBeDefined();
    expect(r.problems.map((p) => [p.key, p.reason])).toEqual([
      ['AppServicePort', 'wrongType'],
      ['AppUseLoginCertificate', 'wrongType'],
      ['SyncTasks', 'wrongType'],
    ]);
    expect(managedConfigurationNonCompliance(r.problems, { packageName: NINE_WORK_PACKAGE, applicationIndex: 1 }).map((d) => d.fieldPath)).toEqual([
      'applications[1].managedConfiguration.AppServicePort',
      'applications[1].managedConfiguration.AppUseLoginCertificate',
      'applications[1].managedConfiguration.SyncTasks',
    ]);
  });

  it('needs the publisher, host, email and user; a certificate without an alias is a problem', () => {
    const good = buildNineWorkConfiguration(profile('afwNineWork'), IDENTITY);
    for (const key of [NINE_WORK_KEYS.publisher, NINE_WORK_KEYS.host, NINE_WORK_KEYS.userEmail, NINE_WORK_KEYS.userName]) {
      const { [key]: _gone, ...rest } = good;
      const r = readNineWorkConfiguration(rest);
      expect(r.account, key).toBeUndefined();
      expect(r.problems, key).toEqual([{ key, reason: 'missing', message: `${key} is required` }]);
    }
    expect(readNineWorkConfiguration({ ...good, AppServiceHost: 'mail.contoso.com:443' }).problems[0]).toMatchObject({ key: 'AppServiceHost', reason: 'invalidValue' });
    const noAlias = readNineWorkConfiguration({ ...good, AppUseLoginCertificate: true });
    expect(noAlias.problems).toEqual([expect.objectContaining({ key: 'AppLoginCertificateAlias', reason: 'missing' })]);
    expect(noAlias.account?.authMethod).toBe('certificate');
    expect(noAlias.account?.identityCertificateAlias).toBeUndefined();
  });

  it('never throws on any JSON', () => {
    fc.assert(
      fc.property(fc.jsonValue({ maxDepth: 6 }), (value) => {
        const r = readNineWorkConfiguration(value);
        expect(Array.isArray(r.problems)).toBe(true);
      }),
      { numRuns: 300 },
    );
  });
});
