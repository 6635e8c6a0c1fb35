import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isIosDeviceError } from '../../../agents/ios/errors.js';
import { IosDevice } from '../../../agents/ios/ios-device.js';
import { startTestServer, type TestServer } from '../../helpers/server.js';

/**
 * A server without TLS (the default of `mdmlab serve` and of the test helper) hands out an
 * enrollment profile with http:// ServerURL. Real iOS refuses it (com.apple.mdm.yaml: https);
 * the simulated device does too unless told it is in a lab (`allowHttp`).
 */
let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(async () => {
  await server.stop();
});

async function enrollUrl(upn: string): Promise<string> {
  const user = (await server.api.post('/users', { upn }).expect(201)).body as { id: string };
  return ((await server.api.post('/enrollment-tokens', { userId: user.id }).expect(201)).body as { enrollUrl: string }).enrollUrl;
}

describe('iOS device and a plain-http lab server', () => {
  it('refuses the http enrollment profile by default, as iOS does', async () => {
    const device = await IosDevice.create({ periodicCheckInMs: 0 });
    try {
      const err = await device.enroll(await enrollUrl('plain@contoso.com')).catch((e: unknown) => e);
      expect(isIosDeviceError(err, 'badEnrollmentProfile')).toBe(true);
      expect((err as Error).message).toMatch(/ServerURL must be an https URL/);
      expect(device.isEnrolled()).toBe(false);
    } finally {
      await device.stop();
    }
  });

  it('enrolls over http in lab mode, with push over ws://', async () => {
    const device = await IosDevice.create({ periodicCheckInMs: 0, allowHttp: true });
    try {
      await device.enroll(await enrollUrl('lab@contoso.com'));
      expect(device.isEnrolled()).toBe(true);
      expect(device.pushToken).toMatch(/^[0-9a-f]{64}$/);
      await device.checkIn();
      const list = (await server.api.get('/devices').expect(200)).body as { hardwareId: string; status: string }[];
      expect(list.find((d) => d.hardwareId === device.udid)?.status).toBe('enrolled');
    } finally {
      await device.stop();
    }
  });
});
