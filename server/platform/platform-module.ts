import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Router } from 'express';
import type { CertificateAuthority } from '../../certs/authority.js';
import type { DevicePlatform } from '../../protocol/admin/platforms.js';
import type { ObjectSchema } from '../../protocol/admin/schema.js';
import type { DomainContext } from '../domain/context.js';
import type { DeploymentReview } from '../domain/deployments.js';
import type { EnrollmentTokenService } from '../domain/enrollment-tokens.js';
import type { ProfileOutcomes } from '../domain/profile-outcomes.js';
import type { PlatformChannel, Reconciler } from '../domain/reconciler.js';
import type { RouteSpec } from '../http/admin/route.js';
import type { PushSender } from '../push/gateway.js';
import type { DeviceRecord, EnrollmentTokenRecord } from '../store/records.js';

/** A plain node:http handler, for the paths served ahead of express (device hot paths). */
export type NodeHandler = (req: IncomingMessage, res: ServerResponse) => void;

/** What every platform module is built from: the domain context plus the server's shared parts. */
export interface PlatformContext extends DomainContext {
  ca: CertificateAuthority;
  /** The URL devices reach the server at (known only after listen when the port is 0). */
  baseUrl: () => string;
  push: PushSender;
  reconciler: Reconciler;
  /** The one place device answers become profile states and alerts. */
  outcomes: ProfileOutcomes;
  /** Enrollment tokens of every platform; a module redeems the ones of its platforms. */
  enrollmentTokens: EnrollmentTokenService;
}

/** A command an administrator may queue by hand on the platform's devices (`POST /devices/{id}/commands`). */
export interface AdHocCommands {
  /** requestType values the platform accepts, for validation and openapi.json. */
  requestTypes: readonly string[];
  /** Extra body properties the commands take (documented in openapi.json). */
  properties?: ObjectSchema['properties'];
  /** Queues it (own transaction) and wakes the device; returns what the admin API answers. */
  queue(device: DeviceRecord, body: Record<string, unknown>): Promise<Record<string, unknown>>;
}

/**
 * One platform, whole: its channel (how profiles reach its devices), its device-facing HTTP
 * endpoints, its admin routes, and what it knows about its devices. The server is the sum of the
 * modules listed in server/platforms.ts; adding a platform adds a folder and one line there.
 */
export interface PlatformModule {
  /** Short name; also the key of the platform facts in `GET /devices/{id}` (`apple`, `windows`, …). */
  readonly name: string;
  readonly platforms: readonly DevicePlatform[];
  readonly channel: PlatformChannel;
  /** Express routers mounted at their paths (enrollment, SCEP, management endpoints). */
  readonly mounts: readonly { path: string; router: Router }[];
  /** `METHOD path` → handler, served before express (exact path, query string ignored). */
  readonly fastPaths?: ReadonlyMap<string, NodeHandler>;
  readonly adminRoutes?: readonly RouteSpec[];
  readonly adHocCommands?: AdHocCommands;
  /** What a device of the platform needs to enroll with this token (`enrollUrl`, a QR payload, …). */
  enrollmentInfo(token: EnrollmentTokenRecord): Record<string, unknown> | Promise<Record<string, unknown>>;
  /**
   * The platform's look at an email profile's deployment (`PUT …/deployment`, an edit of a deployed
   * profile, a deletion): refuse it, warn, raise or resolve alerts (domain/deployments.ts).
   */
  readonly reviewDeployment?: DeploymentReview;
  /** Platform facts about one device for the admin API, or undefined when it has none. */
  deviceFacts(deviceId: string): Promise<Record<string, unknown> | undefined>;
  /** Stops timers and sessions (on server close). */
  close?(): Promise<void> | void;
}

export type PlatformModuleFactory = (ctx: PlatformContext) => Promise<PlatformModule> | PlatformModule;
