import type { Router } from 'express';
import type { RouteSpec } from '../http/admin/route.js';
import { appleAdminRoutes } from '../http/admin/routes/apple.js';
import { mdmEndpoint, type NodeHandler } from '../http/apple/mdm-endpoint.js';
import { mdmRouter } from '../http/apple/mdm-router.js';
import { scepRouter } from '../http/apple/scep-router.js';
import { AppleChannel } from './apple-channel.js';
import { APPLE_PATHS, type AppleContext } from './apple-context.js';
import { CheckInService } from './checkin-service.js';
import { CommandService } from './command-service.js';
import { DeviceIdentityVerifier } from './device-identity.js';
import { EnrollmentProfileService } from './enrollment-profile-service.js';
import { EnrollmentTokenService } from './enrollment-tokens.js';
import { ScepService } from './scep-service.js';

export interface AppleModule {
  channel: AppleChannel;
  mounts: { path: string; router: Router }[];
  /** PUT paths served by plain node:http handlers ahead of express (the check-in hot path). */
  fastPaths: Map<string, NodeHandler>;
  adminRoutes: RouteSpec[];
}

/** Wires the Apple platform: its services, its HTTP endpoints, its admin routes and its channel. */
export function createAppleModule(ctx: AppleContext): AppleModule {
  const tokens = new EnrollmentTokenService(ctx);
  const channel = new AppleChannel(ctx);
  ctx.reconciler.register(channel);
  const endpoint = mdmEndpoint({
    identity: new DeviceIdentityVerifier(ctx),
    checkIns: new CheckInService(ctx),
    commands: new CommandService(ctx),
    log: ctx.log,
  });
  const mdm = mdmRouter({ enrollment: new EnrollmentProfileService(ctx, tokens), endpoint, log: ctx.log });
  return {
    channel,
    mounts: [
      { path: '/mdm', router: mdm },
      { path: '/scep', router: scepRouter(new ScepService(ctx), ctx.log) },
    ],
    fastPaths: new Map([
      [APPLE_PATHS.checkIn, endpoint],
      [APPLE_PATHS.connect, endpoint],
    ]),
    adminRoutes: appleAdminRoutes(ctx, tokens, channel),
  };
}
