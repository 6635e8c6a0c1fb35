import { describe, expect, it } from 'vitest';
import { runCli } from '../../helpers/cli.js';

/** `mdmlab fleet` with the Android platforms: the simulated devices enroll through the Android channel against an embedded server. */
describe('mdmlab fleet with Android devices', () => {
  it.each(['samsungKnox', 'androidForWork'])('enrolls a fleet of %s devices', async (platform) => {
    const r = await runCli(['fleet', '--platform', platform, '--count', '3', '--profile', 'per-platform', '--until-converged', '--seed', `fleet-${platform}`, '--json']);
    expect(r.code, r.stderr).toBe(0);
    // Every device has the profile's account, and the devices' stores agree with the server's states.
    expect(JSON.parse(r.stdout)).toMatchObject({ devices: 3, enrolled: 3, enrollFailed: 0, outcomes: { installed: 3 }, disagreements: 0 });
  }, 90_000);
});
