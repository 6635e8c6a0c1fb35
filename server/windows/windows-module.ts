import express from 'express';
import { managementEndpoint } from '../http/windows/management-endpoint.js';
import { windowsEnrollmentRouter } from '../http/windows/enrollment-router.js';
import type { PlatformContext, PlatformModule } from '../platform/platform-module.js';
import { EnrollmentService } from './enrollment-service.js';
import { SessionService } from './session/session-service.js';
import { WindowsChannel } from './windows-channel.js';
import { WINDOWS_PATHS, type WindowsContext } from './windows-context.js';
import { windowsDeviceFacts } from './windows-facts.js';

/**
 * Wires the Windows platform (Windows 10 and Windows Phone 8.1): MS-MDE2 enrollment under
 * /EnrollmentServer, OMA-DM sessions at /ManagementServer/MDM.svc (a fast path ahead of express),
 * the channel that turns profiles into ActiveSync CSP operations, and the device facts.
 */
export function createWindowsModule(platform: PlatformContext): PlatformModule {
  const ctx: WindowsContext = platform;
  const channel = new WindowsChannel(ctx);
  const management = managementEndpoint(new SessionService(ctx), ctx.log);
  // The same handler under express, for a client that writes the path in another case.
  const managementRouter = express.Router();
  managementRouter.post('/MDM.svc', (req, res) => management(req, res));
  return {
    name: 'windows',
    platforms: channel.platforms,
    channel,
    mounts: [
      { path: WINDOWS_PATHS.enrollmentServer, router: windowsEnrollmentRouter(new EnrollmentService(ctx), ctx.log) },
      { path: WINDOWS_PATHS.managementServer, router: managementRouter },
    ],
    fastPaths: new Map([[`POST ${WINDOWS_PATHS.management}`, management]]),
    enrollmentInfo: async (token) => ({
      discoveryUrl: `${ctx.baseUrl()}${WINDOWS_PATHS.discovery}`,
      upn: (await ctx.store.users.get(token.userId))?.upn,
    }),
    deviceFacts: (deviceId) => windowsDeviceFacts(ctx.store, deviceId),
  };
}
