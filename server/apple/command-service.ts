import { accountIdentityFor } from '../../protocol/admin/account-identity.js';
import type { CommandReport } from '../../protocol/apple/command-report.js';
import { ProtocolError } from '../errors/protocol-error.js';
import type { Repositories } from '../store/port.js';
import type { CommandRecord, DeviceRecord, ProfileStateRecord } from '../store/records.js';
import type { AppleContext } from './apple-context.js';
import { historyEntry } from './command-history.js';
import type { DeviceIdentity } from './device-identity.js';
import { boundDevice } from './enrollment-binding.js';
import { installProfileOutcome, removeProfileOutcome, type ProfileOutcome } from './report-outcome.js';

/** lastSeenAt to the minute is plenty; writing it on every Idle made each check-in a write. */
const LAST_SEEN_RESOLUTION_MS = 60_000;
const lastSeenStale = (device: DeviceRecord, at: string): boolean =>
  !device.lastSeenAt || Date.parse(at) - Date.parse(device.lastSeenAt) >= LAST_SEEN_RESOLUTION_MS;
const hasBlocked = (states: readonly ProfileStateRecord[]): boolean => states.some((s) => s.state === 'blocked');

/**
 * The command loop (notes/apple.md §2.4): a device reports Idle or the result of the last command
 * and gets the next one, or an empty answer when nothing waits. Results update profile states and
 * alerts; the answered command leaves the queue for the device's command history. An Idle
 * check-in also retries profiles the device blocked before, which is how a user's "remove the
 * manual account, then check in" ends with the managed profile installed.
 */
export class CommandService {
  constructor(private readonly ctx: AppleContext) {}

  /** Returns the next command body (an XML plist) or undefined for an empty 200. */
  async handle(report: CommandReport, identity: DeviceIdentity): Promise<string | undefined> {
    const at = this.ctx.now().toISOString();
    if (report.Status === 'Idle' && (await this.nothingForIdle(report, identity, at))) return undefined;
    const { body, toWake } = await this.ctx.store.transaction(async (tx) => {
      const { device } = await boundDevice(tx, report.UDID, identity);
      if (device.status !== 'enrolled') throw new ProtocolError('unknownDevice', `device ${report.UDID} is not enrolled`);
      let toWake: DeviceRecord[] = [];
      if (report.Status === 'Idle') {
        // Only a block can clear on the device's side (the user removed the clashing account);
        // a failure comes from the profile itself and is retried when a new version is made.
        if (hasBlocked(await tx.profileStates.forDevice(device.id))) {
          toWake = (await this.ctx.reconciler.reconcile(tx, [device.id], at, { retry: ['blocked'] })).toWake;
        }
      } else {
        await this.recordResult(tx, device, report, at);
      }
      const next = await tx.commands.next(device.id, { skipNotNow: report.Status === 'NotNow' });
      if (next) await tx.commands.markSent(next.uuid, at);
      if (lastSeenStale(device, at)) await tx.devices.update({ ...device, lastSeenAt: at });
      return { body: next?.body, toWake: toWake.filter((d) => d.id !== device.id) };
    });
    await this.ctx.reconciler.wake(toWake);
    return body;
  }

  /**
   * Most check-ins are an Idle with nothing waiting: answered from reads alone, without taking
   * the write lock. Anything to hand out, retry or record goes through the transaction below.
   */
  private async nothingForIdle(report: CommandReport, identity: DeviceIdentity, at: string): Promise<boolean> {
    const { store } = this.ctx;
    const { device } = await boundDevice(store, report.UDID, identity);
    if (device.status !== 'enrolled') throw new ProtocolError('unknownDevice', `device ${report.UDID} is not enrolled`);
    if (lastSeenStale(device, at)) return false;
    if (await store.commands.next(device.id, { skipNotNow: false })) return false;
    return !hasBlocked(await store.profileStates.forDevice(device.id));
  }

  private async recordResult(tx: Repositories, device: DeviceRecord, report: CommandReport, at: string): Promise<void> {
    const uuid = report.CommandUUID!;
    const command = await tx.commands.get(uuid);
    const log = this.ctx.log.child({ deviceId: device.id, commandUuid: uuid });
    if (!command || command.deviceId !== device.id) {
      log.warn({ status: report.Status }, 'result for a command this device does not have: ignored');
      return;
    }
    const status = report.Status;
    if (status === 'NotNow') {
      // The device keeps nothing; the command stays queued and goes out again later (notes §2.4).
      await tx.commands.markNotNow(uuid);
      log.info({ requestType: command.requestType }, 'NotNow');
      return;
    }
    if (status === 'Idle') return; // handle() never passes one: Idle carries no result
    // Same transaction: the command leaves the queue only with its answer recorded.
    await tx.commands.delete(uuid);
    await tx.commandHistory.append(historyEntry(command, { ...report, Status: status }, at));
    log.info({ requestType: command.requestType, status }, 'command answered');
    if (command.requestType === 'ProfileList' && report.Status === 'Acknowledged') {
      const apple = await tx.appleDevices.getByDevice(device.id);
      if (apple) {
        await tx.appleDevices.upsert({
          ...apple,
          profileList: (report.ProfileList ?? []).map((p) => ({
            identifier: p.PayloadIdentifier,
            uuid: p.PayloadUUID ?? '',
            ...(p.PayloadDisplayName ? { displayName: p.PayloadDisplayName } : {}),
            ...(p.IsManaged !== undefined ? { managed: p.IsManaged } : {}),
          })),
        });
      }
      return;
    }
    const outcome =
      command.requestType === 'InstallProfile' ? installProfileOutcome(report) : command.requestType === 'RemoveProfile' ? removeProfileOutcome(report) : undefined;
    if (outcome && command.profileId) await this.applyOutcome(tx, device, command, outcome, at);
  }

  private async applyOutcome(tx: Repositories, device: DeviceRecord, command: CommandRecord, outcome: ProfileOutcome, at: string): Promise<void> {
    const profileId = command.profileId!;
    const current = await tx.profileStates.get(device.id, profileId);
    // A result about an older version than the one now on its way changes nothing.
    if (!current || (command.profileVersion !== undefined && command.profileVersion < current.profileVersion)) return;
    if (command.requestType === 'RemoveProfile' && outcome.state === 'removed') {
      const deployedAgain = (await tx.commands.forDevice(device.id)).some((c) => c.profileId === profileId && c.requestType === 'InstallProfile');
      if (deployedAgain) return;
    }
    // What the device holds afterwards: the installed version, nothing once removed, and after a
    // refused install or removal whatever it held before (iOS keeps the earlier copy).
    const installedVersion =
      outcome.state === 'installed' ? (command.profileVersion ?? current.profileVersion) : outcome.state === 'removed' ? undefined : current.installedVersion;
    await tx.profileStates.upsert({
      deviceId: device.id,
      profileId,
      state: outcome.state,
      ...('detail' in outcome ? { detail: outcome.detail } : {}),
      profileVersion: current.profileVersion,
      ...(installedVersion !== undefined ? { installedVersion } : {}),
      updatedAt: at,
    });
    if (outcome.state === 'installed' || outcome.state === 'removed') {
      await tx.alerts.resolve({ deviceId: device.id, profileId }, at);
    } else if (outcome.state === 'blocked') {
      await this.raiseDuplicateAccount(tx, device, profileId, outcome.detail, at);
    }
  }

  /**
   * One active alert per device and profile, naming who, which account and what to do. iOS says
   * "not unique" whether the clashing account is the user's own or another profile's: when another
   * profile on the device already gives the same address on the same host, the administrator has
   * two profiles in conflict (conflictingProfiles), not a user to talk to (duplicateAccount).
   */
  private async raiseDuplicateAccount(tx: Repositories, device: DeviceRecord, profileId: string, detail: string, at: string): Promise<void> {
    const profile = await tx.emailProfiles.get(profileId);
    const user = device.userId ? await tx.users.get(device.userId) : undefined;
    const account = profile && user ? accountIdentityFor(profile.definition, user) : undefined;
    const host = profile?.definition.host;
    const who = user?.upn ?? 'its user';
    const deviceName = device.name ?? device.hardwareId;
    const rival = profile && user ? await this.rivalProfile(tx, device.id, profileId, host!, account!.email, user) : undefined;
    // One active alert per device and profile. It stands while the cause is the same; when the cause
    // changed (the manual account is gone but another profile now clashes, or the user's address
    // changed) its guidance would be wrong, so it is resolved and the right one raised.
    const kind = rival ? 'conflictingProfiles' : 'duplicateAccount';
    const active = await tx.alerts.list({ deviceId: device.id, profileId, active: true });
    if (active.some((a) => a.kind === kind && a.details.email === account?.email)) return;
    if (active.length > 0) await tx.alerts.resolve({ deviceId: device.id, profileId }, at);
    if (rival) {
      await tx.alerts.insert({
        id: this.ctx.newId('alr'),
        kind: 'conflictingProfiles',
        deviceId: device.id,
        profileId,
        message:
          `${deviceName} (${who}) already has ${account!.email} on ${host} from the email profile "${rival.name}", so iOS refuses ` +
          `"${profile!.definition.name}" as a duplicate account. Deploy only one profile per address and host to this device.`,
        details: { deviceId: device.id, user: user?.upn, email: account!.email, host, profileId, profileName: profile!.definition.name, conflictsWith: rival.id, deviceError: detail },
        createdAt: at,
      });
      return;
    }
    await tx.alerts.insert({
      id: this.ctx.newId('alr'),
      kind: 'duplicateAccount',
      deviceId: device.id,
      profileId,
      message:
        `${deviceName} (${who}) already has a manually created account ${account?.email ?? ''} on ${host ?? 'the same host'}, ` +
        `which blocks the email profile "${profile?.definition.name ?? profileId}". Ask the user to remove the manual account ` +
        'in Settings > Mail > Accounts; the profile installs at the next check-in. Enroll devices before users set up mail to avoid this.',
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

  private async rivalProfile(
    tx: Repositories,
    deviceId: string,
    profileId: string,
    host: string,
    email: string,
    user: Parameters<typeof accountIdentityFor>[1],
  ): Promise<{ id: string; name: string } | undefined> {
    for (const s of await tx.profileStates.forDevice(deviceId)) {
      if (s.profileId === profileId || s.state !== 'installed') continue;
      const other = await tx.emailProfiles.get(s.profileId);
      if (!other || other.definition.host.toLowerCase() !== host.toLowerCase()) continue;
      if (accountIdentityFor(other.definition, user).email.toLowerCase() === email.toLowerCase()) return { id: other.id, name: other.definition.name };
    }
    return undefined;
  }
}
