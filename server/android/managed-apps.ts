import type { ObjectSchema } from '../../protocol/admin/schema.js';
import { EMAIL_APP_PACKAGES, type ManagedEmailApp } from '../../protocol/android/apps.js';
import { parseBody } from '../domain/validate.js';
import { MdmlabError, notFound } from '../errors/mdmlab-error.js';
import type { Repositories } from '../store/port.js';
import type { AndroidContext } from './android-context.js';
import { APP_NAMES, type AndroidDeploymentReview } from './deployment-review.js';
import type { DeploymentWarning } from '../domain/deployments.js';

export const MANAGED_APPS = ['gmail', 'nineWork'] as const satisfies readonly ManagedEmailApp[];

export const ManagedAppDeploymentBody: ObjectSchema = {
  type: 'object',
  required: ['groupIds'],
  properties: {
    groupIds: { type: 'array', items: { type: 'string', minLength: 1, maxLength: 64 }, uniqueItems: true, maxItems: 1000, description: 'Exactly the groups the app is installed for; [] withdraws it' },
  },
};

export interface ManagedAppView {
  app: ManagedEmailApp;
  name: string;
  packageName: string;
  /** Groups whose Android for Work devices get the app FORCE_INSTALLED in their work profile. */
  groupIds: string[];
  warnings?: DeploymentWarning[];
}

/**
 * The mail apps an Android for Work profile configures (Gmail, Nine Work) as managed apps: deployed
 * to groups, they are FORCE_INSTALLED in the work profile of those groups' Android for Work devices
 * (AMAPI ApplicationPolicy.installType), which is the product's guidance: "deploy the Gmail or Nine
 * Work app as well as the profile". A change reconciles exactly the devices of the old and new
 * groups (their policies change), re-judges the appNotDeployed alerts of the profiles configuring
 * the app, and wakes the devices.
 */
export class ManagedAppService {
  constructor(
    private readonly ctx: AndroidContext,
    private readonly review: AndroidDeploymentReview,
  ) {}

  async list(): Promise<ManagedAppView[]> {
    return Promise.all(MANAGED_APPS.map((app) => this.view(this.ctx.store, app)));
  }

  async get(app: string): Promise<ManagedAppView> {
    return this.view(this.ctx.store, known(app));
  }

  async deploy(appName: string, body: unknown): Promise<ManagedAppView> {
    const app = known(appName);
    const { groupIds } = parseBody<{ groupIds: string[] }>(ManagedAppDeploymentBody, body);
    const at = this.ctx.now().toISOString();
    const { view, toWake } = await this.ctx.store.transaction(async (tx) => {
      for (const [i, groupId] of groupIds.entries()) {
        if (!(await tx.groups.get(groupId))) throw new MdmlabError('unknownMember', `group ${groupId} does not exist`, `groupIds[${i}]`);
      }
      const before = await tx.managedApps.groupsOf(app);
      await tx.managedApps.set(app, groupIds);
      const warnings: DeploymentWarning[] = [];
      for (const profile of await tx.emailProfiles.list()) {
        if (profile.definition.platform !== (app === 'gmail' ? 'afwGmail' : 'afwNineWork')) continue;
        const deployedTo = await tx.deployments.groupsOf(profile.id);
        const w = deployedTo.length > 0 || (await tx.alerts.list({ profileId: profile.id, kind: 'appNotDeployed', active: true })).length > 0 ? await this.review.appCoverage(tx, profile, deployedTo, at) : undefined;
        if (w) warnings.push(w);
      }
      const devices = await tx.groups.devicesInGroups([...before, ...groupIds]);
      const { toWake } = await this.ctx.reconciler.reconcile(tx, devices, at);
      const view = await this.view(tx, app);
      return { view: warnings.length > 0 ? { ...view, warnings } : view, toWake };
    });
    await this.ctx.reconciler.wake(toWake);
    this.ctx.log.info({ app, groupIds: view.groupIds, woken: toWake.length }, 'managed app deployment changed');
    return view;
  }

  private async view(repos: Pick<Repositories, 'managedApps'>, app: ManagedEmailApp): Promise<ManagedAppView> {
    return { app, name: APP_NAMES[app], packageName: EMAIL_APP_PACKAGES[app], groupIds: await repos.managedApps.groupsOf(app) };
  }
}

function known(app: string): ManagedEmailApp {
  if (!(MANAGED_APPS as readonly string[]).includes(app)) throw notFound('managed app', `${app} (known: ${MANAGED_APPS.join(', ')})`);
  return app as ManagedEmailApp;
}
