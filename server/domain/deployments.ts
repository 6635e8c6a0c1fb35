import { MdmlabError, notFound } from '../errors/mdmlab-error.js';
import type { Repositories } from '../store/port.js';
import type { EmailProfileRecord } from '../store/records.js';
import { isoNow, type DomainContext } from './context.js';
import type { Reconciler } from './reconciler.js';
import { Deployment } from './schemas.js';
import { parseBody } from './validate.js';

export interface DeploymentView {
  profileId: string;
  groupIds: string[];
  /** What the administrator should know about a deployment that was accepted (absent when nothing). */
  warnings?: DeploymentWarning[];
}

/** Something about an accepted deployment that will not go as the administrator may expect. */
export interface DeploymentWarning {
  code: string;
  message: string;
  /** The profiles involved (the deployed one first). */
  profileIds?: string[];
  groupIds?: string[];
}

/**
 * A platform's look at a profile's deployment becoming exactly `groupIds` ([] when it is withdrawn
 * or the profile deleted), inside the transaction that changes it: it may refuse (throw an
 * MdmlabError: nothing changes), raise or resolve alerts, and return warnings for the answer.
 */
export type DeploymentReview = (tx: Repositories, profile: EmailProfileRecord, groupIds: readonly string[], at: string) => Promise<DeploymentWarning[]>;

/** Runs every platform's review; the warnings of all of them. */
export async function reviewDeployment(reviews: readonly DeploymentReview[], tx: Repositories, profile: EmailProfileRecord, groupIds: readonly string[], at: string): Promise<DeploymentWarning[]> {
  const warnings: DeploymentWarning[] = [];
  for (const review of reviews) warnings.push(...(await review(tx, profile, groupIds, at)));
  return warnings;
}

/**
 * Which groups a profile goes to. Setting it reconciles exactly the devices in the old and the
 * new groups, in the same transaction, then wakes those with new work.
 */
export class DeploymentService {
  constructor(
    private readonly ctx: DomainContext,
    private readonly reconciler: Reconciler,
    private readonly reviews: readonly DeploymentReview[] = [],
  ) {}

  async get(profileId: string): Promise<DeploymentView> {
    if (!(await this.ctx.store.emailProfiles.get(profileId))) throw notFound('email profile', profileId);
    return { profileId, groupIds: await this.ctx.store.deployments.groupsOf(profileId) };
  }

  async set(profileId: string, body: unknown): Promise<DeploymentView> {
    const { groupIds } = parseBody<{ groupIds: string[] }>(Deployment, body);
    const at = isoNow(this.ctx);
    const { toWake, warnings } = await this.ctx.store.transaction(async (tx) => {
      const profile = await tx.emailProfiles.get(profileId);
      if (!profile) throw notFound('email profile', profileId);
      for (const [i, groupId] of groupIds.entries()) {
        if (!(await tx.groups.get(groupId))) throw new MdmlabError('unknownMember', `group ${groupId} does not exist`, `groupIds[${i}]`);
      }
      const before = await tx.deployments.groupsOf(profileId);
      await tx.deployments.set(profileId, groupIds);
      if (groupIds.length > 0 && !profile.everDeployed) await tx.emailProfiles.update({ ...profile, everDeployed: true });
      const warnings = await reviewDeployment(this.reviews, tx, profile, [...new Set(groupIds)].sort(), at);
      const devices = await tx.groups.devicesInGroups([...before, ...groupIds]);
      return { toWake: (await this.reconciler.reconcile(tx, devices, at)).toWake, warnings };
    });
    await this.reconciler.wake(toWake);
    return { profileId, groupIds: [...new Set(groupIds)].sort(), ...(warnings.length > 0 ? { warnings } : {}) };
  }
}
