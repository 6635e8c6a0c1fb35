import { describe, expect, it } from 'vitest';
import { play, printed, stepAt, withServer } from './scenario-harness.js';

/** What an `expect` step compares and how a mismatch reads (docs/scenarios.md "Expectations"). */

const eve = `
users: [{ upn: eve@contoso.com }]
groups: [{ name: g, members: [eve@contoso.com] }]
devices:
  - id: eve-phone
    platform: ios
    user: eve@contoso.com
    mailAccounts: [{ email: eve@contoso.com, host: mail.contoso.com }]
`;

describe('expect', () => {
  it('alerts are the kinds the server shows: two blocked profiles on one device meet [duplicateAccount]', async () => {
    const yaml = `name: two blocked\n${eve}steps:
  - enroll: eve-phone
  - createEmailProfile: { ref: a, platform: ios, name: A, host: mail.contoso.com, accountName: A }
  - createEmailProfile: { ref: b, platform: ios, name: B, host: mail.contoso.com, accountName: B }
  - deploy: { profile: a, groups: [g] }
  - deploy: { profile: b, groups: [g] }
  - settle: {}
  - expect: { device: eve-phone, profiles: { a: blocked, b: blocked }, alerts: [duplicateAccount] }
  - expect: { alerts: [duplicateAccount], profileStatus: { a: { blocked: 1 }, b: { blocked: 1 } } }
  - expect: { device: eve-phone, alerts: [] }
`;
    await withServer(async (server) => {
      const alerts = async () => ((await server.api.get('/alerts')).body as { kind: string }[]).map((a) => a.kind);
      const r = await play(server, yaml);
      expect(await alerts()).toEqual(['duplicateAccount', 'duplicateAccount']);
      expect(stepAt(r, 'steps[6]').failures, printed(r)).toEqual([]);
      expect(stepAt(r, 'steps[7]').failures, printed(r)).toEqual([]);
      // Still a real comparison: an alert the file does not list fails, shown once per kind.
      expect(stepAt(r, 'steps[8]').failures).toEqual([{ what: 'alerts', expected: [], found: ['duplicateAccount'] }]);
    });
  });

  it('an account that differs from the expected one is one failure listing the differing fields', async () => {
    const yaml = `name: differing account\n${eve}steps:
  - enroll: eve-phone
  - createEmailProfile: { ref: a, platform: ios, name: A, host: mail.contoso.com, accountName: A, daysToSync: 7 }
  - deploy: { profile: a, groups: [g] }
  - settle: {}
  - expect:
      device: eve-phone
      mailAccounts:
        - { email: eve@contoso.com, host: mail.contoso.com, managed: true, profile: a, settings: { daysToSync: 7 } }
        - { email: eve@fabrikam.com, host: mail.fabrikam.com }
`;
    await withServer(async (server) => {
      const r = await play(server, yaml);
      expect(r.exitCode).toBe(1);
      const failures = stepAt(r, 'steps[4]').failures;
      expect(failures, printed(r)).toEqual([
        // The hand-made account stays (iOS blocked the profile): same address, other fields.
        {
          what: 'mailAccounts eve@contoso.com on mail.contoso.com',
          expected: { managed: true, profile: 'a', 'settings.daysToSync': 7 },
          found: { managed: false, profile: null, 'settings.daysToSync': null },
        },
        // Truly missing: no account with that address at all.
        { what: 'mailAccounts eve@fabrikam.com on mail.fabrikam.com', expected: { email: 'eve@fabrikam.com', host: 'mail.fabrikam.com' }, found: 'no such account' },
      ]);
    });
  });

  it('an account nobody expected is reported as extra', async () => {
    const yaml = `name: extra account\n${eve}steps:
  - expect: { device: eve-phone, mailAccounts: [] }
`;
    await withServer(async (server) => {
      const r = await play(server, yaml);
      expect(stepAt(r, 'steps[0]').failures).toEqual([
        { what: 'mailAccounts eve@contoso.com on mail.contoso.com', expected: 'not in the store', found: expect.objectContaining({ email: 'eve@contoso.com', managed: false }) as unknown },
      ]);
    });
  });
});
