import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DAYS_TO_SYNC, SYNC_SCHEDULE_MINUTES } from '../../../../protocol/admin/email-profile-settings.js';
import { decodePolicy, encodePolicy } from '../../../../protocol/android/amapi/policy.js';
import {
  buildKnoxExchangeAccount,
  knoxExchangeAccountJson,
  readKnoxExchangeAccount,
  readKnoxExchangeAccounts,
} from '../../../../protocol/android/knox/exchange-account.js';
import { knoxAccountNonCompliance } from '../../../../protocol/android/managed-config/non-compliance.js';
import { IDENTITY, POLICY_NAME, profile } from '../fixtures.js';

describe('buildKnoxExchangeAccount', () => {
  it('fills ExchangeAccount\'s fields, acceptAllCertificates always false', () => {
    expect(knoxExchangeAccountJson(buildKnoxExchangeAccount('eml_1', profile('samsungKnox'), IDENTITY))).toEqual({
      id: 'eml_1',
      displayName: 'Corp mail',
      emailAddress: 'alice@contoso.com',
      easUser: 'alice@contoso.com',
      serverAddress: 'mail.contoso.com',
      protocolVersion: '2.5',
      useSSL: true,
      acceptAllCertificates: false,
      syncLookback: 3,
      syncInterval: -2,
      offPeak: -2,
      syncContacts: 1,
      syncCalendar: 1,
      syncTasks: true,
      syncNotes: true,
    });
  });

  it('splits DOMAIN\\user, and names the identity and S/MIME certificates by alias', () => {
    const settings = profile('samsungKnox', {
      authMethod: 'certificate',
      identityCertificateProfileId: 'crt_id',
      useSmime: true,
      signingCertificateProfileId: 'crt_sign',
      contentTypes: ['email', 'calendar'],
      syncSchedule: 'manual',
      daysToSync: 'unlimited',
    });
    expect(buildKnoxExchangeAccount('eml_2', settings, { email: 'alice@contoso.com', username: 'CONTOSO\\alice' })).toMatchObject({
      easUser: 'alice',
      easDomain: 'CONTOSO',
      certificateAlias: 'mdmlab-crt_id',
      smimeCertificateAlias: 'mdmlab-crt_sign',
      smimeCertificateMode: 3,
      requireSignedSMIMEMessages: true,
      syncContacts: 0,
      syncCalendar: 1,
      syncTasks: false,
      syncNotes: false,
      syncLookback: 6,
      offPeak: -1,
    });
  });

  it('travels in the policy\'s mdmlab section and comes back unchanged', () => {
    const account = knoxExchangeAccountJson(buildKnoxExchangeAccount('eml_1', profile('samsungKnox'), IDENTITY));
    const decoded = decodePolicy(encodePolicy({ name: POLICY_NAME, version: '3', mdmlab: { knoxExchangeAccounts: [account] } }));
    expect(decoded.ok && decoded.value.mdmlab?.knoxExchangeAccounts).toEqual([account]);
  });
});

describe('readKnoxExchangeAccount (the Knox agent)', () => {
  const schedules = ['asMessagesArrive', 'manual', ...(SYNC_SCHEDULE_MINUTES.samsungKnox ?? [])] as const;
  it.each(DAYS_TO_SYNC.samsungKnox.flatMap((d) => schedules.map((s) => [d, s] as const)))('reads back what the server built (days %s, schedule %s)', (daysToSync, syncSchedule) => {
    const settings = profile('samsungKnox', { daysToSync, syncSchedule, authMethod: 'certificate', identityCertificateProfileId: 'c1', useSmime: true, signingCertificateProfileId: 'c2' });
    const r = readKnoxExchangeAccount(JSON.parse(JSON.stringify(knoxExchangeAccountJson(buildKnoxExchangeAccount('eml_1', settings, IDENTITY)))));
    expect(r.problems).toEqual([]);
    expect(r.id).toBe('eml_1');
    expect(r.account).toEqual({
      email: IDENTITY.email,
      host: 'mail.contoso.com',
      username: IDENTITY.username,
      accountName: 'Corp mail',
      useSsl: true,
      trustAllCertificates: false,
      daysToSync,
      syncSchedule,
      contentTypes: ['email', 'contacts', 'calendar', 'tasks', 'notes'],
      authMethod: 'certificate',
      identityCertificateAlias: 'mdmlab-c1',
      useSmime: true,
      smimeSigningCertificateAlias: 'mdmlab-c2',
    });
  });

  it('applies ExchangeAccount\'s defaults to absent fields: SSL on and, as Knox does, every certificate accepted', () => {
    const r = readKnoxExchangeAccount({ id: 'a', emailAddress: 'a@contoso.com', easUser: 'a', serverAddress: 'mail.contoso.com', protocolVersion: '14.1' });
    expect(r.problems).toEqual([]);
    expect(r.account).toMatchObject({ useSsl: true, trustAllCertificates: true, daysToSync: 1, syncSchedule: 'asMessagesArrive', authMethod: 'password' });
  });

  it('refuses the account (Knox returns -1) when what addNewAccount validates is missing or bad', () => {
    const good = knoxExchangeAccountJson(buildKnoxExchangeAccount('eml_1', profile('samsungKnox'), IDENTITY));
    for (const key of ['emailAddress', 'easUser', 'serverAddress', 'protocolVersion', 'id']) {
      const { [key]: _gone, ...rest } = good;
      const r = readKnoxExchangeAccount(rest);
      expect(r.account, key).toBeUndefined();
      expect(r.problems.map((p) => [p.key, p.reason]), key).toEqual([[key, 'missing']]);
    }
    expect(readKnoxExchangeAccount({ ...good, emailAddress: 'not-an-address' }).account).toBeUndefined();
    expect(readKnoxExchangeAccount({ ...good, protocolVersion: 'latest' }).problems[0]).toMatchObject({ key: 'protocolVersion', reason: 'invalidValue' });
  });

  it('keeps the account with defaults when another field is unusable, listing the problem', () => {
    const good = knoxExchangeAccountJson(buildKnoxExchangeAccount('eml_1', profile('samsungKnox'), IDENTITY));
    const r = readKnoxExchangeAccount({ ...good, syncLookback: 7, offPeak: 45, syncContacts: true, useSSL: 'true', mailboxSize: 5 });
    expect(r.account).toMatchObject({ daysToSync: 1, syncSchedule: 'asMessagesArrive', useSsl: true });
    expect(r.problems.map((p) => [p.key, p.reason])).toEqual([
      ['useSSL', 'wrongType'],
      ['syncLookback', 'invalidValue'],
      ['offPeak', 'invalidValue'],
      ['syncContacts', 'wrongType'],
      ['mailboxSize', 'unknownKey'],
    ]);
    expect(knoxAccountNonCompliance(r.problems, 0)[0]).toEqual({
      settingName: 'mdmlab',
      nonComplianceReason: 'INVALID_VALUE',
      fieldPath: 'mdmlab.knoxExchangeAccounts[0].useSSL',
      currentValue: 'true',
    });
  });

  it('does not sign with S/MIME unless signing is required and a signing certificate is named', () => {
    const base = { id: 'a', emailAddress: 'a@contoso.com', easUser: 'a', serverAddress: 'mail.contoso.com', protocolVersion: '2.5' };
    expect(readKnoxExchangeAccount({ ...base, smimeCertificateAlias: 's' }).account?.useSmime).toBeUndefined();
    expect(readKnoxExchangeAccount({ ...base, requireSignedSMIMEMessages: true }).account?.useSmime).toBeUndefined();
    expect(readKnoxExchangeAccount({ ...base, requireSignedSMIMEMessages: true, smimeCertificateAlias: 's', smimeCertificateMode: 2 }).account?.useSmime).toBeUndefined();
    expect(readKnoxExchangeAccount({ ...base, requireSignedSMIMEMessages: true, smimeCertificateAlias: 's' }).account?.useSmime).toBe(true);
  });

  it('refuses a second account with an id already used', () => {
    const a = knoxExchangeAccountJson(buildKnoxExchangeAccount('eml_1', profile('samsungKnox'), IDENTITY));
    const readings = readKnoxExchangeAccounts([a, { ...a, serverAddress: 'other.contoso.com' }, 'x']);
    expect(readings[0]?.account).toBeDefined();
    expect(readings[1]?.account).toBeUndefined();
    expect(readings[1]?.problems).toEqual([expect.objectContaining({ key: 'id', reason: 'invalidValue' })]);
    expect(readings[2]?.problems[0]?.reason).toBe('notAnObject');
  });

  it('never throws on any JSON', () => {
    fc.assert(
      fc.property(fc.jsonValue({ maxDepth: 6 }), (value) => {
        expect(Array.isArray(readKnoxExchangeAccount(value).problems)).toBe(true);
      }),
      { numRuns: 300 },
    );
  });
});
