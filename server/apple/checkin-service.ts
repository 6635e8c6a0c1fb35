import type { CheckInMessage } from '../../protocol/apple/checkin.js';
import { ProtocolError } from '../errors/protocol-error.js';
import { removedState } from '../domain/reconciler.js';
import type { DeviceRecord } from '../store/records.js';
import type { AppleContext } from './apple-context.js';
import type { DeviceIdentity } from './device-identity.js';
import { boundDevice } from './enrollment-binding.js';

/**
 * Check-in messages (notes/apple.md §2.3; Apple: mdm/checkin/*.yaml):
 * - Authenticate binds the UDID to the identity certificate and starts a fresh enrollment
 *   (queue and profile states cleared, as NanoMDM does); the device is not enrolled yet.
 * - TokenUpdate stores the push token and PushMagic; the first one completes the enrollment,
 *   and the device is reconciled (its profiles queued) and woken. Its UnlockToken is dropped: the
 *   server never clears a passcode, and a kept one would let whoever reads the database do it.
 * - CheckOut (the user removed management) unenrolls it.
 */
export class CheckInService {
  constructor(private readonly ctx: AppleContext) {}

  async handle(message: CheckInMessage, identity: DeviceIdentity): Promise<void> {
    if (message.Topic !== this.ctx.topic) {
      throw new ProtocolError('malformedMessage', `Topic ${message.Topic} is not this server's topic`);
    }
    switch (message.MessageType) {
      case 'Authenticate':
        return this.authenticate(message, identity);
      case 'TokenUpdate':
        return this.tokenUpdate(message, identity);
      case 'CheckOut':
        return this.checkOut(message.UDID, identity);
    }
  }

  private async authenticate(m: Extract<CheckInMessage, { MessageType: 'Authenticate' }>, identity: DeviceIdentity): Promise<void> {
    const at = this.ctx.now().toISOString();
    const deviceId = await this.ctx.store.transaction(async (tx) => {
      const holder = await tx.appleDevices.getByIdentity(identity.fingerprint);
      if (holder && holder.udid !== m.UDID) {
        throw new ProtocolError('identityMismatch', `this certificate already belongs to device ${holder.udid}`);
      }
      const existing = await tx.devices.getByHardwareId('ios', m.UDID);
      const device: DeviceRecord = {
        ...(existing ?? { id: this.ctx.newId('dev'), platform: 'ios', hardwareId: m.UDID, enrolledAt: at }),
        status: 'unenrolled',
        lastSeenAt: at,
      };
      if (identity.issued.userId) device.userId = identity.issued.userId;
      if (m.DeviceName) device.name = m.DeviceName;
      if (m.ProductName ?? m.Model) device.model = (m.ProductName ?? m.Model)!;
      if (m.OSVersion) device.osVersion = m.OSVersion;
      if (m.SerialNumber) device.serialNumber = m.SerialNumber;
      if (existing) {
        await tx.devices.update(device);
        await tx.commands.deleteForDevice(device.id);
        for (const s of await tx.profileStates.forDevice(device.id)) await tx.profileStates.delete(device.id, s.profileId);
        await tx.alerts.resolve({ deviceId: device.id }, at);
      } else {
        await tx.devices.insert(device);
      }
      await tx.appleDevices.upsert({
        deviceId: device.id,
        udid: m.UDID,
        identityFingerprint: identity.fingerprint,
        topic: m.Topic,
        tokenUpdateCount: 0,
        authenticatedAt: at,
      });
      return device.id;
    });
    this.ctx.log.info({ deviceId, udid: m.UDID }, 'Authenticate');
  }

  private async tokenUpdate(m: Extract<CheckInMessage, { MessageType: 'TokenUpdate' }>, identity: DeviceIdentity): Promise<void> {
    const at = this.ctx.now().toISOString();
    const { toWake, deviceId, first } = await this.ctx.store.transaction(async (tx) => {
      const { apple, device } = await boundDevice(tx, m.UDID, identity);
      const first = apple.tokenUpdateCount === 0 || device.status !== 'enrolled';
      await tx.appleDevices.upsert({
        ...apple,
        pushToken: m.Token.toString('hex'),
        pushMagic: m.PushMagic,
        tokenUpdateCount: apple.tokenUpdateCount + 1,
      });
      const next: DeviceRecord = { ...device, status: 'enrolled', lastSeenAt: at };
      if (first) {
        next.enrolledAt = at;
        delete next.unenrolledAt;
      }
      await tx.devices.update(next);
      // Push only after the first TokenUpdate (notes §2.3): now the device can be told to fetch its profiles.
      const toWake = first ? (await this.ctx.reconciler.reconcile(tx, [device.id], at)).toWake : [];
      return { toWake, deviceId: device.id, first };
    });
    this.ctx.log.info({ deviceId, first }, 'TokenUpdate');
    await this.ctx.reconciler.wake(toWake);
  }

  private async checkOut(udid: string, identity: DeviceIdentity): Promise<void> {
    const at = this.ctx.now().toISOString();
    const deviceId = await this.ctx.store.transaction(async (tx) => {
      const { apple, device } = await boundDevice(tx, udid, identity);
      await tx.devices.update({ ...device, status: 'unenrolled', unenrolledAt: at, lastSeenAt: at });
      await tx.commands.deleteForDevice(device.id);
      // Removing the MDM profile took every managed profile off the device with it: what was
      // installed is now removed; what never arrived (pending, blocked, failed) is forgotten.
      for (const s of await tx.profileStates.forDevice(device.id)) {
        if (s.state === 'installed' || s.installedVersion !== undefined) await tx.profileStates.upsert(removedState(s, at));
        else if (s.state !== 'removed') await tx.profileStates.delete(device.id, s.profileId);
      }
      await tx.alerts.resolve({ deviceId: device.id }, at);
      const { pushToken: _t, pushMagic: _m, ...rest } = apple;
      await tx.appleDevices.upsert(rest);
      return device.id;
    });
    this.ctx.log.info({ deviceId, udid }, 'CheckOut');
  }
}
