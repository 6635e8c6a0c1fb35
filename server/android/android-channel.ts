import { ANDROID_PUSH_TOPIC, POLICY_CHANGED_PUSH } from '../../protocol/android/channel.js';
import type { PlatformChannel, PushResult } from '../domain/reconciler.js';
import type { Repositories } from '../store/port.js';
import type { DeviceRecord, ProfileStateRecord } from '../store/records.js';
import { ANDROID_PLATFORMS, type AndroidContext } from './android-context.js';
import { parsePlan } from './policy-plan.js';
import { replan } from './policy-versions.js';

/**
 * The Android channel as the reconciler sees it. Devices pull one document, their policy, instead
 * of taking queued commands: install and remove queue nothing; once the reconciler has written a
 * device's profile states, afterReconcile plans the policy again from the whole desired set and,
 * when it changed, gives it the next version (policy-versions.ts) and the device is woken (a push
 * saying "policy changed", protocol/android/channel.ts). A removal waits for a report on a version
 * without the profile (awaitConfirmation); a profile that never reached the device is forgotten.
 * Until the device reports applying its current version, that version is pending work (one unit
 * in pendingCommands), so a settle waits for it and the start-up wake wakes the device.
 */
export class AndroidChannel implements PlatformChannel {
  readonly platforms = ANDROID_PLATFORMS;

  constructor(private readonly ctx: AndroidContext) {}

  async install(): Promise<void> {
    // Nothing to queue: afterReconcile rebuilds the policy from everything the device should hold.
  }

  async remove(tx: Repositories, device: DeviceRecord, state: ProfileStateRecord): Promise<'awaitConfirmation' | 'removed' | 'forget'> {
    // Installed, or waiting in the work profile for its app: the device holds it.
    if (state.installedVersion !== undefined || state.state === 'installed' || state.state === 'waitingForApp') return 'awaitConfirmation';
    if (state.state === 'failed' || state.state === 'blocked') return 'forget';
    // Pending: in a policy version the device may have pulled already?
    const android = await tx.androidDevices.getByDevice(device.id);
    const planned = android ? parsePlan(android.plan).profiles[state.profileId] : undefined;
    return planned && planned.kind !== 'withheld' ? 'awaitConfirmation' : 'forget';
  }

  async afterReconcile(tx: Repositories, device: DeviceRecord, at: string): Promise<boolean> {
    const android = await tx.androidDevices.getByDevice(device.id);
    if (!android || android.unregisteredAt) return false;
    return (await replan(this.ctx, tx, device, android, at)).changed;
  }

  profileAction(): undefined {
    return undefined;
  }

  async wake(devices: readonly DeviceRecord[]): Promise<void> {
    for (const device of devices) await this.push(device.id);
  }

  /** The FCM-like wake-up on the push gateway: 'noToken' until the device reported the token it listens on. */
  async push(deviceId: string): Promise<PushResult> {
    const android = await this.ctx.store.androidDevices.getByDevice(deviceId);
    if (!android?.pushToken || android.unregisteredAt) return 'noToken';
    return this.ctx.push.send(android.pushToken, ANDROID_PUSH_TOPIC, { ...POLICY_CHANGED_PUSH });
  }

  async pendingWork(deviceId: string): Promise<number> {
    const android = await this.ctx.store.androidDevices.getByDevice(deviceId);
    if (!android || android.unregisteredAt) return 0;
    return android.appliedPolicyVersion === undefined || android.appliedPolicyVersion < android.policyVersion ? 1 : 0;
  }

  devicesWithPendingWork(): Promise<string[]> {
    return this.ctx.store.androidDevices.withPolicyPending();
  }
}
