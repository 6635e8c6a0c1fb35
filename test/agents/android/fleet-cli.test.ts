import { describe, expect, it } from 'vitest';
import { runCli } from '../../helpers/cli.js';

/** `mdmlab fleet` with the Android platforms: the simulated devices enroll through the Android channel against an embedded server. */
describe('mdmlab fleet with Android devices', () => {
  it.each(['samsungKnox', 'androidForWork'])('enrolls a fleet of %s devices', async (platform) => {
    const r = await runCli(['fleet', '--platform', platform, '--count', '3', '--duration', '3s', '--seed', `fleet-${platform}`, '--json']);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ reason: 'duration reached', devices: 3, enrolled: 3, enrollFailed: 0, backgroundErrors: 0 });
  }, 90_000);
});
