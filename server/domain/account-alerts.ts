import { accountIdentityFor, type DirectoryUser } from '../../protocol/admin/account-identity.js';
import type { DevicePlatform } from '../../protocol/admin/platforms.js';
import type { Repositories } from '../store/port.js';
import type { DeviceRecord } from '../store/records.js';
import type { DomainContext } from './context.js';

/** How each platform's user removes a hand-made account, for the alert's guidance. */
const REMOVE_ACCOUNT_HOW: Partial<Record<DevicePlatform, string>> = {
  ios: 'in Settings > Mail > Accounts; the profile installs at the next check-in',
};
const PLATFORM_NAME: Record<DevicePlatform, string> = {
  ios: 'iOS',
  windows10: 'Windows',
  windowsPhone81: 'Windows Phone',
  samsungKnox: 'Samsung KNOX',
  androidForWork: 'Android for Work',
};

/**
 * A profile the device refused because the account already exists there: one active alert per
 * device and profile, naming who, which account and what to do. The platform says "not unique"
 * whether the clashing account is the user's own or another profile's: when another profile on the
 * device already gives the same address on the same host, the administrator has two profiles in
 * conflict (conflictingProfiles), not a user to talk to (duplicateAccount).
 */
export async function raiseAccountAlert(ctx: DomainContext, tx: Repositories, device: DeviceRecord, profileId: string, detail: string, at: string): Promise<void> {
  const profile = await tx.emailProfiles.get(profileId);
  const user = device.userId ? await tx.users.get(device.userId) : undefined;
  const account = profile && user ? accountIdentityFor(profile.definition, user) : undefined;
  const host = profile?.definition.host;
  const who = user?.upn ?? 'its user';
  const deviceName = device.name ?? device.hardwareId;
  const platform = PLATFORM_NAME[device.platform];
  const rival = profile && user ? await rivalProfile(tx, device.id, profileId, host!, account!.email, user) : undefined;
  // It stands while the cause is the same; when the cause changed (the manual account is gone but
  // another profile now clashes, or the user's address changed) its guidance would be wrong, so it
  // is resolved and the right one raised.
  const kind = rival ? 'conflictingProfiles' : 'duplicateAccount';
  const active = await tx.alerts.list({ deviceId: device.id, profileId, active: true });
  if (active.some((a) => a.kind === kind && a.details.email === account?.email)) return;
  if (active.length > 0) await tx.alerts.resolve({ deviceId: device.id, profileId }, at);
  if (rival) {
    await tx.alerts.insert({
      id: ctx.newId('alr'),
      kind: 'conflictingProfiles',
      deviceId: device.id,
      profileId,
      message:
        `${deviceName} (${who}) already has ${account!.email} on ${host} from the email profile "${rival.name}", so ${platform} refuses ` +
        `"${profile!.definition.name}" as a duplicate account. Deploy only one profile per address and host to this device.`,
      details: { deviceId: device.id, user: user?.upn, email: account!.email, host, profileId, profileName: profile!.definition.name, conflictsWith: rival.id, deviceError: detail },
      createdAt: at,
    });
    return;
  }
  const how = REMOVE_ACCOUNT_HOW[device.platform] ?? 'on the device; the profile installs at the next sync';
  await tx.alerts.insert({
    id: ctx.newId('alr'),
    kind: 'duplicateAccount',
    deviceId: device.id,
    profileId,
    message:
      `${deviceName} (${who}) already has a manually created account ${account?.email ?? ''} on ${host ?? 'the same host'}, ` +
      `which blocks the email profile "${profile?.definition.name ?? profileId}". Ask the user to remove the manual account ` +
      `${how}. Enroll devices before users set up mail to avoid this.`,
    details: {
      deviceId: device.id,
      deviceName,
      udid: device.hardwareId,
      user: user?.upn,
      email: account?.email,
      host,
      profileId,
      profileName: profile?.definition.name,
      deviceError: detail,
      guidance: [
        'Remove the manually created account from the device; the managed profile installs at the next check-in.',
        'Enroll devices before users set up their mail, so the managed account arrives first.',
      ],
    },
    createdAt: at,
  });
}

/** Another installed profile on the device giving the same address on the same host. */
async function rivalProfile(tx: Repositories, deviceId: string, profileId: string, host: string, email: string, user: DirectoryUser): Promise<{ id: string; name: string } | undefined> {
  for (const s of await tx.profileStates.forDevice(deviceId)) {
    if (s.profileId === profileId || s.state !== 'installed') continue;
    const other = await tx.emailProfiles.get(s.profileId);
    if (!other || other.definition.host.toLowerCase() !== host.toLowerCase()) continue;
    if (accountIdentityFor(other.definition, user).email.toLowerCase() === email.toLowerCase()) return { id: other.id, name: other.definition.name };
  }
  return undefined;
}
