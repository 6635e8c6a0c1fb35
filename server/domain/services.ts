import { AlertService } from './alerts.js';
import { CertificateProfileService } from './certificate-profiles.js';
import type { DomainContext } from './context.js';
import { DeploymentService, type DeploymentReview } from './deployments.js';
import { DeviceService, type DeviceFactsSource } from './devices.js';
import { EmailProfileService } from './email-profiles.js';
import { GroupService } from './groups.js';
import { Reconciler } from './reconciler.js';
import { StatusService } from './status.js';
import { UserService } from './users.js';

/** The domain services of the admin side, wired over one context and one reconciler. */
export interface AdminServices {
  users: UserService;
  groups: GroupService;
  certificateProfiles: CertificateProfileService;
  emailProfiles: EmailProfileService;
  deployments: DeploymentService;
  devices: DeviceService;
  status: StatusService;
  alerts: AlertService;
}

export function createAdminServices(ctx: DomainContext, reconciler: Reconciler, deviceFacts?: DeviceFactsSource, deploymentReviews: readonly DeploymentReview[] = []): AdminServices {
  return {
    users: new UserService(ctx, reconciler),
    groups: new GroupService(ctx, reconciler),
    certificateProfiles: new CertificateProfileService(ctx, reconciler),
    emailProfiles: new EmailProfileService(ctx, reconciler, deploymentReviews),
    deployments: new DeploymentService(ctx, reconciler, deploymentReviews),
    devices: new DeviceService(ctx, deviceFacts, reconciler),
    status: new StatusService(ctx, reconciler),
    alerts: new AlertService(ctx),
  };
}
