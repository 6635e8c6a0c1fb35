import { accountIdentityFor } from '../../protocol/admin/account-identity.js';
import { emailAppForProfile, type ManagedEmailApp } from '../../protocol/android/apps.js';
import type { DeploymentWarning } from '../domain/deployments.js';
import { MdmlabError } from '../errors/mdmlab-error.js';
import type { Repositories } from '../store/port.js';
import type { EmailProfileRecord, UserRecord } from '../store/records.js';
import type { AndroidContext } from './android-context.js';

export const APP_NAMES: Readonly<Record<ManagedEmailApp, string>> = { gmail: 'Gmail', nineWork: 'Nine Work' };
/** Users named in a warning or alert; the rest are counted. */
const NAMED_USERS = 10;

/**
 * The Android rules about deploying an email profile, run whenever a profile's deployment changes
 * (domain/deployments.ts DeploymentReview), and for Android for Work also when an app's does:
 * - samsungKnox with useSsl needs the Exchange server's certificate on the device: deploying it
 *   while no trustedRoot certificate profile for samsungKnox exists is refused (409
 *   `trustedRootRequired`); the policy builder withholds such a profile too (policy-planner.ts).
 * - Two samsungKnox profiles whose generated address can collide, deployed to overlapping
 *   groups, replace each other on every Knox device of a shared user (Knox matches by address
 *   only): the deployment is accepted with an `overlappingKnoxProfiles` warning and alert.
 * - An afwGmail / afwNineWork profile reaching users or devices the app it configures is not
 *   deployed to: accepted with an `appNotDeployed` warning and alert saying "deploy the Gmail or
 *   Nine Work app as well as the profile"; those devices stay waitingForApp until the app is there.
 * Alerts are per profile (no device), one active per cause, resolved when the cause is gone.
 */
export class AndroidDeploymentReview {
  constructor(private readonly ctx: AndroidContext) {}

  readonly review = async (tx: Repositories, profile: EmailProfileRecord, groupIds: readonly string[], at: string): Promise<DeploymentWarning[]> => {
    switch (profile.definition.platform) {
      case 'samsungKnox':
        await this.requireTrustedRoot(tx, profile, groupIds);
        return this.knoxOverlaps(tx, profile, groupIds, at);
      case 'afwGmail':
      case 'afwNineWork': {
        const warning = await this.appCoverage(tx, profile, groupIds, at);
        return warning ? [warning] : [];
      }
      default:
        return [];
    }
  };

  private async requireTrustedRoot(tx: Repositories, profile: EmailProfileRecord, groupIds: readonly string[]): Promise<void> {
    if (groupIds.length === 0 || !profile.definition.useSsl) return;
    const roots = (await tx.certificateProfiles.list()).filter((c) => c.kind === 'trustedRoot' && c.platform === 'samsungKnox');
    if (roots.length > 0) return;
    throw new MdmlabError(
      'trustedRootRequired',
      `"${profile.definition.name}" uses SSL: Knox must trust the Exchange server's certificate, so create a trustedRoot certificate profile for samsungKnox with it first (or set useSsl to false)`,
    );
  }

  /** Every other deployed samsungKnox profile whose address can be the same for some user reached by both. */
  private async knoxOverlaps(tx: Repositories, profile: EmailProfileRecord, groupIds: readonly string[], at: string): Promise<DeploymentWarning[]> {
    const warnings: DeploymentWarning[] = [];
    const mine = await reach(tx, groupIds);
    const active = (await tx.alerts.list({ kind: 'overlappingKnoxProfiles', active: true })).filter((a) => a.profileId === profile.id || a.details.conflictsWith === profile.id);
    const stillTrue = new Set<string>();
    for (const other of await tx.emailProfiles.list()) {
      if (other.id === profile.id || other.definition.platform !== 'samsungKnox') continue;
      const theirGroups = await tx.deployments.groupsOf(other.id);
      if (groupIds.length === 0 || theirGroups.length === 0) continue;
      const shared = groupIds.filter((g) => theirGroups.includes(g));
      const theirs = await reach(tx, theirGroups);
      const users = [...mine.values()].filter((u) => theirs.has(u.id));
      const sameSource = profile.definition.emailSource === other.definition.emailSource;
      const colliding = users.filter((u) => accountIdentityFor(profile.definition, u).email.toLowerCase() === accountIdentityFor(other.definition, u).email.toLowerCase());
      if (colliding.length === 0 && !(sameSource && shared.length > 0)) continue;
      stillTrue.add(other.id);
      const hosts = profile.definition.host.toLowerCase() === other.definition.host.toLowerCase() ? `both on ${profile.definition.host}` : `on ${profile.definition.host} and ${other.definition.host}`;
      const who = colliding.length > 0 ? `${colliding.slice(0, NAMED_USERS).map((u) => u.upn).join(', ')}${colliding.length > NAMED_USERS ? ` and ${colliding.length - NAMED_USERS} more` : ''}` : 'every member of the shared groups';
      const message =
        `The samsungKnox email profiles "${profile.definition.name}" and "${other.definition.name}" give the same address to ${who}, ${hosts}: ` +
        `Knox matches an account by its address only, so on those users' Knox devices each replaces the other at every sync. Deploy only one of them to these users; ` +
        `a device that keeps switching between them ends with the newer profile failed and a conflictingProfiles alert.`;
      const warning: DeploymentWarning = { code: 'overlappingKnoxProfiles', message, profileIds: [profile.id, other.id], groupIds: shared };
      warnings.push(warning);
      if (active.some((a) => a.details.conflictsWith === other.id || (a.profileId === other.id && a.details.conflictsWith === profile.id))) continue;
      await tx.alerts.insert({
        id: this.ctx.newId('alr'),
        kind: 'overlappingKnoxProfiles',
        profileId: profile.id,
        message,
        details: { profileId: profile.id, profileName: profile.definition.name, conflictsWith: other.id, conflictsWithName: other.definition.name, hosts: [profile.definition.host, other.definition.host], users: colliding.slice(0, NAMED_USERS).map((u) => u.upn), sharedGroups: shared },
        createdAt: at,
      });
    }
    for (const a of active) {
      const otherId = a.profileId === profile.id ? (a.details.conflictsWith as string) : a.profileId!;
      if (!stillTrue.has(otherId)) await tx.alerts.resolve({ id: a.id }, at);
    }
    return warnings;
  }

  /** Members the profile reaches that the app it configures does not: a device's user counts for it. */
  async appCoverage(tx: Repositories, profile: EmailProfileRecord, groupIds: readonly string[], at: string): Promise<DeploymentWarning | undefined> {
    const app = emailAppForProfile(profile.definition.platform)!;
    const appGroups = await tx.managedApps.groupsOf(app);
    const covered = await members(tx, appGroups);
    const reached = await members(tx, groupIds);
    const missing = [...reached.users].filter((u) => !covered.users.has(u));
    const missingDevices = [...reached.devices].filter(([id, userId]) => !covered.devices.has(id) && !(userId !== undefined && covered.users.has(userId)));
    const uncoveredGroups = groupIds.filter((g) => !appGroups.includes(g));
    const gap = groupIds.length > 0 && (missing.length > 0 || missingDevices.length > 0 || (reached.users.size === 0 && reached.devices.size === 0 && uncoveredGroups.length > 0));
    const active = await tx.alerts.list({ profileId: profile.id, kind: 'appNotDeployed', active: true });
    if (!gap) {
      if (active.length > 0) await tx.alerts.resolve({ profileId: profile.id, kind: 'appNotDeployed' }, at);
      return undefined;
    }
    const name = APP_NAMES[app];
    const upns = await Promise.all(missing.slice(0, NAMED_USERS).map(async (id) => (await tx.users.get(id))?.upn ?? id));
    const whom = missing.length + missingDevices.length > 0 ? `${[...upns, ...(missingDevices.length ? [`${missingDevices.length} device(s)`] : [])].join(', ')}${missing.length > NAMED_USERS ? ` and ${missing.length - NAMED_USERS} more users` : ''}` : `the groups ${uncoveredGroups.join(', ')}`;
    const message =
      `The email profile "${profile.definition.name}" configures ${name} in the work profile, but ${name} is not deployed to ${whom}: deploy the Gmail or Nine Work app ` +
      `as well as the profile (PUT /api/v1/managed-apps/${app}/deployment). Until the app is in the work profile those devices report the profile waitingForApp.`;
    if (!active.some((a) => a.message === message)) {
      if (active.length > 0) await tx.alerts.resolve({ profileId: profile.id, kind: 'appNotDeployed' }, at);
      await tx.alerts.insert({
        id: this.ctx.newId('alr'),
        kind: 'appNotDeployed',
        profileId: profile.id,
        message,
        details: { profileId: profile.id, profileName: profile.definition.name, app, users: upns, devices: missingDevices.map(([id]) => id).slice(0, NAMED_USERS), guidance: ['Deploy the Gmail or Nine Work app as well as the profile.'] },
        createdAt: at,
      });
    }
    return { code: 'appNotDeployed', message, profileIds: [profile.id], groupIds: uncoveredGroups };
  }
}

/** Users reached through the groups, directly or as the user of a device member. */
async function reach(tx: Repositories, groupIds: readonly string[]): Promise<Map<string, UserRecord>> {
  const { users, devices } = await members(tx, groupIds);
  const ids = new Set([...users, ...[...devices.values()].filter((u): u is string => u !== undefined)]);
  const out = new Map<string, UserRecord>();
  for (const id of ids) {
    const u = await tx.users.get(id);
    if (u) out.set(id, u);
  }
  return out;
}

/** User members, and device members with their user, of the groups. */
async function members(tx: Repositories, groupIds: readonly string[]): Promise<{ users: Set<string>; devices: Map<string, string | undefined> }> {
  const users = new Set<string>();
  const devices = new Map<string, string | undefined>();
  for (const g of new Set(groupIds)) {
    for (const m of await tx.groups.members(g)) {
      if (m.kind === 'user') users.add(m.id);
      else if (!devices.has(m.id)) devices.set(m.id, (await tx.devices.get(m.id))?.userId);
    }
  }
  return { users, devices };
}
