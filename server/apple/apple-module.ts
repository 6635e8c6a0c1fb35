import type { PlatformContext, PlatformModule } from '../platform/platform-module.js';
import { appleAdHocCommands } from '../http/admin/routes/apple-commands.js';
import { mdmEndpoint } from '../http/apple/mdm-endpoint.js';
import { mdmRouter } from '../http/apple/mdm-router.js';
import { scepRouter } from '../http/apple/scep-router.js';
import { AppleChannel } from './apple-channel.js';
import { APPLE_PATHS, type AppleContext } from './apple-context.js';
import { CheckInService } from './checkin-service.js';
import { CommandService } from './command-service.js';
import { DeviceIdentityVerifier } from './device-identity.js';
import { EnrollmentProfileService } from './enrollment-profile-service.js';
import { ScepService } from './scep-service.js';
import { loadOrCreateTopic } from './topic.js';

/** Wires the Apple platform: its services, its HTTP endpoints, its admin routes and its channel. */
export async function createAppleModule(platform: PlatformContext): Promise<PlatformModule> {
  const ctx: AppleContext = { ...platform, topic: await loadOrCreateTopic(platform.store) };
  const channel = new AppleChannel(ctx);
  const endpoint = mdmEndpoint({
    identity: new DeviceIdentityVerifier(ctx),
    checkIns: new CheckInService(ctx),
    commands: new CommandService(ctx, channel),
    log: ctx.log,
  });
  const mdm = mdmRouter({ enrollment: new EnrollmentProfileService(ctx), endpoint, log: ctx.log });
  return {
    name: 'apple',
    platforms: channel.platforms,
    channel,
    mounts: [
      { path: '/mdm', router: mdm },
      { path: '/scep', router: scepRouter(new ScepService(ctx), ctx.log) },
    ],
    fastPaths: new Map([
      [`PUT ${APPLE_PATHS.checkIn}`, endpoint],
      [`PUT ${APPLE_PATHS.connect}`, endpoint],
    ]),
    adHocCommands: appleAdHocCommands(ctx, channel),
    enrollmentInfo: (token) => ({ enrollUrl: `${ctx.baseUrl()}${APPLE_PATHS.enroll}?token=${token.token}` }),
    deviceFacts: async (deviceId) => {
      const a = await ctx.store.appleDevices.getByDevice(deviceId);
      if (!a) return undefined;
      return {
        udid: a.udid,
        topic: a.topic,
        ...(a.pushToken ? { pushToken: a.pushToken } : {}),
        ...(a.profileList ? { installedProfiles: a.profileList } : {}),
      };
    },
  };
}
