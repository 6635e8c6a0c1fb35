import type { DeviceReport } from '../../protocol/android/amapi/device.js';
import { AndroidChannelError } from '../errors/android-error.js';
import type { Repositories } from '../store/port.js';
import type { AndroidDeviceRecord, DeviceRecord } from '../store/records.js';
import { androidNames, isAndroidPlatform, type AndroidContext } from './android-context.js';
import type { AndroidChannel } from './android-channel.js';
import type { AuthenticatedDevice } from './device-auth.js';
import { countFlips, parseFlips, serializeFlips } from './knox-flips.js';
import { parsePlan } from './policy-plan.js';
import { replan } from './policy-versions.js';
import { readReport } from './report-outcomes.js';

/** Apps kept from a report for the admin API (a device may list hundreds; these are the ones that matter to mail). */
const REPORTED_APPS_KEPT = 50;

/**
 * Status reports (AMAPI Device, POST /android/v1/report): what the device says it applied. Checked
 * against the device that sent it before anything is stored — its own name, policy, serial number
 * and management mode, and an appliedPolicyVersion it was given (a version from the future is
 * refused) — then, in one transaction: its facts (push token, versions, apps), and when it reports
 * its current policy version, the profile states that follow (report-outcomes.ts) through
 * ProfileOutcomes, with Knox flapping counted (knox-flips.ts). A report with state or appliedState
 * DELETED is the device leaving management (Fleet reads AMAPI's the same way): its profiles are
 * recorded removed and its identity speaks for it no more.
 */
export class ReportService {
  constructor(
    private readonly ctx: AndroidContext,
    private readonly channel: AndroidChannel,
  ) {}

  async handle(auth: AuthenticatedDevice, report: DeviceReport): Promise<void> {
    const at = this.ctx.now().toISOString();
    const wake = await this.ctx.store.transaction(async (tx) => {
      const android = await tx.androidDevices.getByDevice(auth.deviceId);
      const device = await tx.devices.get(auth.deviceId);
      if (!android || !device || android.unregisteredAt || android.identityFingerprint !== auth.fingerprint || device.status !== 'enrolled') {
        throw new AndroidChannelError('deviceNotEnrolled');
      }
      this.checkIdentity(device, android, report);
      if (report.state === 'DELETED' || report.appliedState === 'DELETED') {
        await this.leave(tx, device, android, at);
        return false;
      }
      return this.record(tx, device, android, report, at);
    });
    if (wake) await this.channel.push(auth.deviceId);
  }

  /** The report is about this device and what it was given, or nothing of it is taken. */
  private checkIdentity(device: DeviceRecord, android: AndroidDeviceRecord, report: DeviceReport): void {
    const names = androidNames(this.ctx, device.id);
    if (report.name === undefined) throw new AndroidChannelError('missingField', 'name is required: the device name the registration gave', { field: 'name' });
    if (report.name !== names.deviceName) throw new AndroidChannelError('wrongDevice', `name ${report.name} is not the device that sent the report`, { field: 'name' });
    if (report.appliedPolicyName !== undefined && report.appliedPolicyName !== names.policyName) {
      throw new AndroidChannelError('wrongDevice', `appliedPolicyName ${report.appliedPolicyName} is not this device's policy`, { field: 'appliedPolicyName' });
    }
    const serial = report.hardwareInfo?.serialNumber;
    if (serial !== undefined && serial !== device.hardwareId) {
      throw new AndroidChannelError('wrongDevice', 'hardwareInfo.serialNumber is not the serial number this device registered with', { field: 'hardwareInfo.serialNumber' });
    }
    if (report.managementMode !== android.managementMode) {
      throw new AndroidChannelError('wrongManagementMode', `the device registered as ${android.managementMode}, not ${report.managementMode}`, { field: 'managementMode' });
    }
    if (report.appliedPolicyVersion !== undefined && BigInt(report.appliedPolicyVersion) > BigInt(android.policyVersion)) {
      throw new AndroidChannelError('futurePolicyVersion', `appliedPolicyVersion ${report.appliedPolicyVersion} is newer than the device's policy (version ${android.policyVersion})`, {
        field: 'appliedPolicyVersion',
      });
    }
  }

  /** Facts, then (for a report on the current version) profile states and flapping; true when the device has a new policy to fetch. */
  private async record(tx: Repositories, device: DeviceRecord, android: AndroidDeviceRecord, report: DeviceReport, at: string): Promise<boolean> {
    const applied = report.appliedPolicyVersion === undefined ? undefined : Number(report.appliedPolicyVersion);
    const next: AndroidDeviceRecord = {
      ...android,
      lastReportAt: at,
      ...(report.mdmlab?.pushToken !== undefined ? { pushToken: report.mdmlab.pushToken } : {}),
      ...(report.apiLevel !== undefined ? { apiLevel: report.apiLevel } : {}),
      ...(report.mdmlab?.knoxVersion !== undefined ? { knoxVersion: report.mdmlab.knoxVersion } : {}),
      ...(report.mdmlab?.knoxApiLevel !== undefined ? { knoxApiLevel: report.mdmlab.knoxApiLevel } : {}),
      ...(applied !== undefined && applied > (android.appliedPolicyVersion ?? -1) ? { appliedPolicyVersion: applied } : {}),
      ...(report.applicationReports
        ? {
            reportedApps: JSON.stringify(
              report.applicationReports.slice(0, REPORTED_APPS_KEPT).map((a) => ({ packageName: a.packageName, ...(a.state ? { state: a.state } : {}), ...(a.versionName ? { versionName: a.versionName } : {}) })),
            ),
          }
        : {}),
    };
    await tx.devices.update({
      ...device,
      lastSeenAt: at,
      ...(report.hardwareInfo?.model ? { model: report.hardwareInfo.model } : {}),
      ...(report.softwareInfo?.androidVersion ? { osVersion: report.softwareInfo.androidVersion } : {}),
    });
    if (applied !== android.policyVersion || !isAndroidPlatform(device.platform)) {
      // About an older version: facts only; the states wait for a report on what the device holds now.
      await tx.androidDevices.upsert(next);
      return false;
    }
    const plan = parsePlan(android.plan);
    const reading = readReport(plan, report, await tx.profileStates.forDevice(device.id), device.platform);
    for (const v of reading.verdicts) {
      const current = await tx.profileStates.get(device.id, v.profileId);
      const detail = 'detail' in v.outcome ? v.outcome.detail : undefined;
      if (current && current.state === v.outcome.state && current.detail === detail && (v.outcome.state !== 'installed' || current.installedVersion === v.profileVersion)) continue;
      await this.ctx.outcomes.record(tx, device, { profileId: v.profileId, profileVersion: v.profileVersion, action: v.action }, v.outcome, at);
    }
    const names = new Map((await tx.emailProfiles.list()).map((p) => [p.id, p.definition.name]));
    const flips = countFlips(parseFlips(android.knoxFlips), plan, reading.replacements, names);
    const flipText = serializeFlips(flips.state);
    const { knoxFlips: _old, ...rest } = next;
    const withFlips: AndroidDeviceRecord = { ...rest, ...(flipText ? { knoxFlips: flipText } : {}) };
    await tx.androidDevices.upsert(withFlips);
    if (flips.withhold.length === 0) return false;
    this.ctx.log.warn({ deviceId: device.id, withheld: flips.withhold.map((w) => w.profileId) }, 'Knox accounts with one address kept replacing each other: the newer profiles are withheld');
    // The new plan withholds them; replan records them failed with a conflictingProfiles alert, and the device is woken to drop them.
    return (await replan(this.ctx, tx, device, withFlips, at)).changed;
  }

  private async leave(tx: Repositories, device: DeviceRecord, android: AndroidDeviceRecord, at: string): Promise<void> {
    await this.ctx.outcomes.deviceLeftManagement(tx, device, at);
    const { pushToken: _t, knoxFlips: _f, ...rest } = android;
    await tx.androidDevices.upsert({ ...rest, unregisteredAt: at, lastReportAt: at });
    await tx.androidKeyPairs.deleteForDevice(device.id);
    this.ctx.log.info({ deviceId: device.id }, 'Android device left management');
  }
}
