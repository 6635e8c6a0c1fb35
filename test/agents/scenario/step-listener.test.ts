import { describe, expect, it } from 'vitest';
import { play, withServer } from './scenario-harness.js';

/**
 * The runner's step listener may return a promise: the run waits for it before the next step, so
 * a listener sees the devices as the step left them (the demo and `scenario run --report` read
 * every mail store there).
 */
const yaml = `
name: a listener that takes its time
users: [{ upn: ann@contoso.com }]
groups: [{ name: g, members: [ann@contoso.com] }]
devices: [{ id: ann-phone, platform: ios, user: ann@contoso.com, mailAccounts: [{ email: ann@contoso.com, host: mail.contoso.com }] }]
steps:
  - enroll: ann-phone
  - createEmailProfile: { ref: p, platform: ios, name: Corp, host: mail.contoso.com, accountName: Corp }
  - deploy: { profile: p, groups: [g] }
  - settle: {}
  - user: { device: ann-phone, removeAccount: { email: ann@contoso.com, host: mail.contoso.com } }
  - settle: {}
`;

describe('the scenario runner and its step listener', () => {
  it('waits for the promise a step listener returns before it plays the next step', async () => {
    await withServer(async (server) => {
      const seen: string[] = [];
      const result = await play(server, yaml, {
        onStep: async (step) => {
          seen.push(`begin ${step.path}`);
          // Several turns of the event loop: a runner that did not wait would start the next step meanwhile.
          for (let i = 0; i < 5; i++) await new Promise((r) => setImmediate(r));
          seen.push(`end ${step.path}`);
        },
      });
      expect(result.exitCode).toBe(0);
      const paths = ['setup', ...Array.from({ length: 6 }, (_, i) => `steps[${i}]`)];
      expect(seen).toEqual(paths.flatMap((p) => [`begin ${p}`, `end ${p}`]));
    });
  }, 120_000);
});
