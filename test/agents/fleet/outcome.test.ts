import { describe, expect, it } from 'vitest';
import type { MailAccount } from '../../../agents/core/mail-account.js';
import { classifyOutcome, type OutcomeInput } from '../../../agents/fleet/outcome.js';
import { reconcile } from '../../../agents/fleet/fleet-report.js';

const user: MailAccount = { id: 'u1', email: 'Alice@contoso.com', host: 'mail.contoso.com', settings: {}, managed: false, createdAt: 1 };
const managed: MailAccount = { id: 'm1', email: 'alice@contoso.com', host: 'mail.contoso.com', settings: {}, managed: true, managedBy: 'p1', createdAt: 2 };
const base: OutcomeInput = { accounts: [], email: 'alice@contoso.com', profileIdOf: (a) => a.managedBy, profileIds: new Set(['p1']) };

describe('a device outcome from neutral sources', () => {
  it.each<[string, Partial<OutcomeInput>, string]>([
    ['nothing yet', {}, 'pending'],
    ['the managed account is there', { accounts: [managed] }, 'installed'],
    ['it replaced the user account (Windows, KNOX)', { accounts: [{ ...managed, replacedUserAccount: true }] }, 'replaced'],
    ["another profile's managed account does not count", { accounts: [{ ...managed, managedBy: 'other' }] }, 'pending'],
    ['refused while the user holds the same address (iOS)', { accounts: [user], lastInstall: 'failure' }, 'blocked'],
    ['refused for another reason', { lastInstall: 'failure' }, 'failed'],
    ['the user removed the blocking account: the retry is on its way', { lastInstall: 'failure', reacted: true }, 'pending'],
    ['put off by the device (no work app, NotNow)', { lastInstall: 'deferred' }, 'waiting'],
    ['a foreign server: any managed account', { accounts: [{ ...managed, managedBy: 'com.example.mail' }], profileIds: undefined }, 'installed'],
  ])('%s', (_, input, outcome) => {
    expect(classifyOutcome({ ...base, ...input })).toBe(outcome);
  });

  it("takes the server's profile state when there is one", () => {
    expect(classifyOutcome({ ...base, serverState: 'waitingForApp' })).toBe('waiting');
    expect(classifyOutcome({ ...base, accounts: [{ ...managed, replacedUserAccount: true }], serverState: 'installed' })).toBe('replaced');
    expect(classifyOutcome({ ...base, accounts: [managed], serverState: 'pending' })).toBe('pending');
    expect(reconcile('replaced', 'installed')).toBe('replaced');
    expect(reconcile('installed', 'blocked')).toBe('blocked');
    expect(reconcile('blocked', undefined)).toBe('blocked');
    expect(reconcile('installed', 'removed')).toBe('pending');
  });
});
