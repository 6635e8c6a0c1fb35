import { accountIdentityFor } from '../../protocol/admin/account-identity.js';
import { profileReachesDevice } from '../../protocol/admin/platforms.js';
import { keyPairAliasFor } from '../../protocol/android/amapi/mdmlab-extension.js';
import { EMAIL_APP_PACKAGES, emailAppForProfile, type ManagedEmailApp } from '../../protocol/android/apps.js';
import { buildKnoxExchangeAccount, knoxExchangeAccountJson } from '../../protocol/android/knox/exchange-account.js';
import { buildGmailConfiguration } from '../../protocol/android/managed-config/gmail.js';
import { buildNineWorkConfiguration } from '../../protocol/android/managed-config/nine-work.js';
import type { ManagedConfiguration } from '../../protocol/android/managed-config/value-model.js';
import { pemToDer } from '../../certs/pem.js';
import type { Repositories } from '../store/port.js';
import type { CertificateProfileRecord, DeviceRecord, EmailProfileRecord } from '../store/records.js';
import type { KnoxHolds } from './knox-flips.js';
import type { PlannedApp, PlannedKnoxAccount, PlannedProfile, PolicyPlan } from './policy-plan.js';

/** What planning reads: only what decides the policy (inside the caller's transaction). */
export type PlanReader = Pick<Repositories, 'groups' | 'deployments' | 'emailProfiles' | 'users' | 'certificateProfiles' | 'managedApps'>;

const APP_NAMES: Readonly<Record<ManagedEmailApp, string>> = { gmail: 'Gmail', nineWork: 'Nine Work' };

/** Older first: where two profiles want one thing, the one created first keeps it (stable whatever the deployment order). */
const byAge = (a: EmailProfileRecord, b: EmailProfileRecord): number => (a.createdAt < b.createdAt ? -1 : a.createdAt > b.createdAt ? 1 : a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

/**
 * The policy a device should hold now, from the whole desired set: deployments × the device's
 * groups, the applicable profiles (samsungKnox on Knox devices, afwGmail / afwNineWork on Android
 * for Work), the managed apps deployed to its groups, the trusted roots of its platform. Every
 * decision that is the server's is made here, once per version:
 * - one managed configuration per app (AMAPI takes one ApplicationPolicy per package): of two
 *   profiles configuring one app the older keeps it, the other is withheld (`conflict`);
 * - a Knox profile withheld after flapping (knox-flips.ts) stays out while its rival is deployed and
 *   it has not been edited;
 * - a samsungKnox profile with useSsl needs a trustedRoot certificate profile for samsungKnox (the
 *   Exchange server's certificate); without one it is withheld (`trustedRootMissing`). Every
 *   trustedRoot profile of the device's platform goes to a device with an account using SSL.
 */
export async function planPolicy(reader: PlanReader, device: DeviceRecord, holds: KnoxHolds): Promise<PolicyPlan> {
  const groups = new Set(await reader.groups.groupsOfDevice(device.id, device.userId));
  const wanted = [...new Set((await reader.deployments.all()).filter((d) => groups.has(d.groupId)).map((d) => d.profileId))];
  const profiles: EmailProfileRecord[] = [];
  for (const id of wanted) {
    const p = await reader.emailProfiles.get(id);
    if (p && profileReachesDevice(p.definition.platform, device.platform)) profiles.push(p);
  }
  profiles.sort(byAge);
  const user = device.userId ? await reader.users.get(device.userId) : undefined;
  const roots = (await reader.certificateProfiles.list()).filter((c) => c.kind === 'trustedRoot' && c.platform === device.platform && c.trustedRoot).sort((a, b) => (a.id < b.id ? -1 : 1));
  const deployedApps = device.platform === 'androidForWork' ? new Set((await reader.managedApps.all()).filter((d) => groups.has(d.groupId)).map((d) => d.app)) : new Set<ManagedEmailApp>();
  const knoxIds = new Set(profiles.filter((p) => p.definition.platform === 'samsungKnox').map((p) => p.id));

  const planned = new Map<string, PlannedProfile>();
  const configs = new Map<ManagedEmailApp, { profile: EmailProfileRecord; config: ManagedConfiguration }>();
  const accounts: (PlannedKnoxAccount & { profile: EmailProfileRecord; email: string })[] = [];
  const keyPairIds = new Set<string>();
  let usesSsl = false;
  for (const p of profiles) {
    const def = p.definition;
    const withhold = (reason: 'conflict' | 'flapping' | 'trustedRootMissing' | 'cannotBuild', detail: string, rival?: string) =>
      planned.set(p.id, { kind: 'withheld', version: p.version, reason, detail, ...(rival ? { rival } : {}) });
    if (!user) {
      withhold('cannotBuild', 'the device has no user to address the account to');
      continue;
    }
    const identity = accountIdentityFor(def, user);
    try {
      const app = emailAppForProfile(def.platform);
      if (app) {
        const holder = configs.get(app);
        if (holder) {
          withhold(
            'conflict',
            `the device already gets ${APP_NAMES[app]}'s managed configuration from the email profile "${holder.profile.definition.name}" (${holder.profile.id}); an app takes one managed configuration, so this profile is not applied. Deploy one ${APP_NAMES[app]} profile per device.`,
            holder.profile.id,
          );
          continue;
        }
        const config = app === 'gmail' ? buildGmailConfiguration(def, identity) : buildNineWorkConfiguration(def, identity);
        configs.set(app, { profile: p, config });
        planned.set(p.id, { kind: 'app', version: p.version, packageName: EMAIL_APP_PACKAGES[app], index: -1, email: identity.email, useSsl: def.useSsl });
        if (def.authMethod === 'certificate' && def.identityCertificateProfileId) keyPairIds.add(def.identityCertificateProfileId);
        usesSsl ||= def.useSsl;
        continue;
      }
      if (def.useSsl && roots.length === 0) {
        withhold(
          'trustedRootMissing',
          `useSsl needs the Exchange server's certificate on the device: create a trustedRoot certificate profile for samsungKnox with it (the profile is planned again then)`,
        );
        continue;
      }
      const hold = holds[p.id];
      if (hold && hold.version === p.version && knoxIds.has(hold.rival)) {
        withhold('flapping', hold.detail, hold.rival);
        continue;
      }
      const account = knoxExchangeAccountJson(buildKnoxExchangeAccount(p.id, def, identity));
      accounts.push({ profileId: p.id, account, profile: p, email: identity.email });
      if (def.authMethod === 'certificate' && def.identityCertificateProfileId) keyPairIds.add(def.identityCertificateProfileId);
      if (def.useSmime && def.signingCertificateProfileId) keyPairIds.add(def.signingCertificateProfileId);
      usesSsl ||= def.useSsl;
    } catch (err) {
      // The builders refuse only what the admin API's own checks let through by mistake.
      withhold('cannotBuild', `the server could not build this profile for the device: ${err instanceof Error ? err.message : String(err)}`);
    }
  }

  const applications = appList(deployedApps, configs);
  applications.forEach((a, index) => {
    if (!a.profileId) return;
    const p = planned.get(a.profileId);
    if (p?.kind === 'app') p.index = index;
  });
  accounts.sort((a, b) => (a.profileId < b.profileId ? -1 : 1));
  accounts.forEach((a, index) => planned.set(a.profileId, { kind: 'knox', version: a.profile.version, index, email: a.email, host: a.profile.definition.host, createdAt: a.profile.createdAt }));
  return {
    applications,
    knoxAccounts: accounts.map(({ profileId, account }) => ({ profileId, account })),
    caCertificates: usesSsl ? roots.map(caCertificateOf) : [],
    keyPairs: [...keyPairIds].sort().map((certificateProfileId) => ({ alias: keyPairAliasFor(certificateProfileId), certificateProfileId })),
    profiles: Object.fromEntries([...planned].sort(([a], [b]) => (a < b ? -1 : 1))),
  };
}

/** Deployed apps FORCE_INSTALLED; an app only a profile configures AVAILABLE (the user may install it, AMAPI's default). */
function appList(deployed: ReadonlySet<ManagedEmailApp>, configs: ReadonlyMap<ManagedEmailApp, { profile: EmailProfileRecord; config: ManagedConfiguration }>): PlannedApp[] {
  const apps = new Set<ManagedEmailApp>([...deployed, ...configs.keys()]);
  return [...apps]
    .map((app): PlannedApp => {
      const configured = configs.get(app);
      return {
        packageName: EMAIL_APP_PACKAGES[app],
        installType: deployed.has(app) ? 'FORCE_INSTALLED' : 'AVAILABLE',
        ...(configured ? { managedConfiguration: configured.config, profileId: configured.profile.id } : {}),
      };
    })
    .sort((a, b) => (a.packageName < b.packageName ? -1 : 1));
}

function caCertificateOf(c: CertificateProfileRecord): PolicyPlan['caCertificates'][number] {
  return { alias: keyPairAliasFor(c.id), certificate: pemToDer(c.trustedRoot!.pem, 'CERTIFICATE').toString('base64'), certificateProfileId: c.id };
}
