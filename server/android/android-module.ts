import { createHash } from 'node:crypto';
import { MDMLAB_DPC_ADMIN_COMPONENT } from '../../protocol/android/apps.js';
import { encodeProvisioningQr } from '../../protocol/android/provisioning/qr-code.js';
import { androidEndpoints } from '../http/android/android-endpoints.js';
import { androidFallbackRouter } from '../http/android/android-router.js';
import { managedAppRoutes } from '../http/admin/routes/managed-apps.js';
import type { PlatformContext, PlatformModule } from '../platform/platform-module.js';
import type { EnrollmentTokenRecord } from '../store/records.js';
import { AndroidChannel } from './android-channel.js';
import { androidNames, loadOrCreateEnterpriseId, type AndroidContext } from './android-context.js';
import { AndroidDeploymentReview } from './deployment-review.js';
import { androidDeviceFacts } from './device-facts.js';
import { DeviceAuthenticator } from './device-auth.js';
import { KeyPairIssuer } from './key-pairs.js';
import { LastSeen } from './last-seen.js';
import { ManagedAppService } from './managed-apps.js';
import { PolicyRenderer } from './policy-renderer.js';
import { RegistrationService } from './registration-service.js';
import { ReportService } from './report-service.js';

/**
 * Wires the Android channel (Samsung Knox Standard and Android for Work): a policy in the Android
 * Management API's shapes that each device pulls, served by mdmlab itself, status reports in AMAPI's
 * Device shape, an FCM-like wake on the push gateway, managed apps, and the Knox rules.
 */
export async function createAndroidModule(platform: PlatformContext): Promise<PlatformModule> {
  const ctx: AndroidContext = { ...platform, enterpriseId: await loadOrCreateEnterpriseId(platform.store) };
  const channel = new AndroidChannel(ctx);
  const review = new AndroidDeploymentReview(ctx);
  const apps = new ManagedAppService(ctx, review);
  const endpoints = androidEndpoints({
    auth: new DeviceAuthenticator(ctx),
    registration: new RegistrationService(ctx),
    reports: new ReportService(ctx, channel),
    renderer: new PolicyRenderer(ctx, new KeyPairIssuer(ctx)),
    lastSeen: new LastSeen(ctx),
    device: (id) => ctx.store.devices.get(id),
    log: ctx.log,
  });
  return {
    name: 'android',
    platforms: channel.platforms,
    channel,
    mounts: [{ path: '/android', router: androidFallbackRouter(ctx.log) }],
    fastPaths: endpoints,
    adminRoutes: managedAppRoutes(apps),
    reviewDeployment: review.review,
    enrollmentInfo: (token) => ({ qrCode: provisioningQr(ctx, token) }),
    deviceFacts: (deviceId) => androidDeviceFacts(ctx, deviceId, androidNames(ctx, deviceId)),
  };
}

/**
 * AMAPI's EnrollmentToken.qrCode: the provisioning extras a device scans (protocol/android/
 * provisioning/qr-code.ts) with the enrollment token and this server's URL for mdmlab's DPC. The
 * DPC is mdmlab's own and its package is not served: the download location names where a lab would
 * host it, and the signature checksum is that of the lab CA, which signs it.
 */
function provisioningQr(ctx: AndroidContext, token: EnrollmentTokenRecord): string {
  const base = ctx.baseUrl();
  return encodeProvisioningQr({
    adminComponentName: MDMLAB_DPC_ADMIN_COMPONENT,
    packageDownloadLocation: `${base}/android/dpc.apk`,
    signatureChecksum: createHash('sha256').update(ctx.ca.certDer).digest('base64url'),
    // A Knox device keeps its system apps: Samsung Email is the one Knox hands accounts to.
    ...(token.platform === 'samsungKnox' ? { leaveAllSystemAppsEnabled: true } : {}),
    enrollmentToken: token.token,
    serverUrl: base,
  });
}

