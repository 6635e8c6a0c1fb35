import { MdmlabError, notFound } from '../errors/mdmlab-error.js';
import { isoNow, type DomainContext } from './context.js';
import type { Reconciler } from './reconciler.js';
import { Deployment } from './schemas.js';
import { parseBody } from './validate.js';

export interface DeploymentView {
  profileId: string;
  groupIds: string[];
}

/**
 * Which groups a profile goes to. Setting it reconciles exactly the devices in the old and the
 * new groups, in the same transaction, then wakes those with new work.
 */
export class DeploymentService {
  constructor(private readonly ctx: DomainContext, private readonly reconciler: Reconciler) {}

  async get(profileId: string): Promise<DeploymentView> {
    if (!(await this.ctx.store.emailProfiles.get(profileId))) throw notFound('email profile', profileId);
    return { profileId, groupIds: await this.ctx.store.deployments.groupsOf(profileId) };
  }

  async set(profileId: string, body: unknown): Promise<DeploymentView> {
    const { groupIds } = parseBody<{ groupIds: string[] }>(Deployment, body);
    const at = isoNow(this.ctx);
    const toWake = await this.ctx.store.transaction(async (tx) => {
      const profile = await tx.emailProfiles.get(profileId);
      if (!profile) throw notFound('email profile', profileId);
      for (const [i, groupId] of groupIds.entries()) {
        if (!(await tx.groups.get(groupId))) throw new MdmlabError('unknownMember', `group ${groupId} does not exist`, `groupIds[${i}]`);
      }
      const before = await tx.deployments.groupsOf(profileId);
      await tx.deployments.set(profileId, groupIds);
      if (groupIds.length > 0 && !profile.everDeployed) await tx.emailProfiles.update({ ...profile, everDeployed: true });
      const devices = await tx.groups.devicesInGroups([...before, ...groupIds]);
      return (await this.reconciler.reconcile(tx, devices, at)).toWake;
    });
    await this.reconciler.wake(toWake);
    return { profileId, groupIds: [...new Set(groupIds)].sort() };
  }
}
