import { applePlatformOf } from '../../protocol/apple/apple-platform.js';
import type { AuthenticateMessage, CheckInMessage } from '../../protocol/apple/checkin.js';
import { ProtocolError } from '../errors/protocol-error.js';
import type { DeviceRecord } from '../store/records.js';
import type { AppleContext } from './apple-context.js';
import type { DeviceIdentity } from './device-identity.js';
import { bindingClaim, boundDevice, type BindingClaim } from './enrollment-binding.js';
import { raiseEnrollmentConflict } from './enrollment-conflict.js';

/**
 * Check-in messages (Apple: mdm/checkin/authenticate.yaml, tokenupdate.yaml, checkout.yaml):
 * - Authenticate binds the UDID to the identity certificate and starts a fresh enrollment; the
 *   device is not enrolled yet. A UDID bound to another identity is not taken over
 *   (enrollment-binding.ts says when it may be), and only iPhone, iPad and iPod touch enroll.
 * - TokenUpdate stores the push token and PushMagic; the first one completes the enrollment,
 *   and the device is reconciled (its profiles queued) and woken. Its UnlockToken is dropped: the
 *   server never clears a passcode, and a kept one would let whoever reads the database do it.
 * - CheckOut (the user removed management) unenrolls it and releases its identity: nothing but a
 *   new Authenticate enrolls it again.
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

  private async authenticate(m: AuthenticateMessage, identity: DeviceIdentity): Promise<void> {
    const verdict = applePlatformOf(m);
    if (verdict.platform !== 'iOS') {
      const what = verdict.platform ? `a ${verdict.platform} device` : 'not an iPhone, iPad or iPod touch';
      throw new ProtocolError('unsupportedPlatform', `this is ${what} (${verdict.from}); this server manages iPhone, iPad and iPod touch only`);
    }
    const at = this.ctx.now().toISOString();
    const outcome = await this.ctx.store.transaction(async (tx): Promise<{ deviceId: string; claim: BindingClaim }> => {
      const apple = await tx.appleDevices.getByUdid(m.UDID);
      const existing = await tx.devices.getByHardwareId('ios', m.UDID);
      // One identity, one device, for good: neither the device it speaks for now nor any before.
      const holder = await tx.appleDevices.getByIdentity(identity.fingerprint);
      const tiedTo = (await tx.issuedCertificates.getByFingerprint(identity.fingerprint))?.deviceId;
      if ((holder && holder.udid !== m.UDID) || (tiedTo !== undefined && tiedTo !== existing?.id)) {
        throw new ProtocolError('identityMismatch', 'this certificate already enrolled another device');
      }
      const claim = bindingClaim(apple, existing, identity, at);
      if (claim === 'conflict') {
        await raiseEnrollmentConflict(this.ctx, tx, existing!, identity, at);
        return { deviceId: existing!.id, claim };
      }
      const device: DeviceRecord = {
        ...(existing ?? { id: this.ctx.newId('dev'), platform: 'ios', hardwareId: m.UDID, enrolledAt: at }),
        status: 'unenrolled',
        lastSeenAt: at,
      };
      // An allowance is for the next new identity, whatever lets it in: spent now.
      if (claim !== 'same') delete device.reenrollmentAllowedUntil;
      if (identity.issued.userId) device.userId = identity.issued.userId;
      if (m.DeviceName) device.name = m.DeviceName;
      if (m.ProductName ?? m.Model) device.model = (m.ProductName ?? m.Model)!;
      if (m.OSVersion) device.osVersion = m.OSVersion;
      if (m.SerialNumber) device.serialNumber = m.SerialNumber;
      if (existing) {
        // A new enrollment replaces the old one: the old one's profiles are recorded as gone
        // (its history stays), and the first TokenUpdate reconciles the device afresh.
        await this.ctx.outcomes.endManagement(tx, device.id, at);
        await tx.devices.update(device);
      } else {
        await tx.devices.insert(device);
      }
      await tx.issuedCertificates.bindDevice(identity.fingerprint, device.id);
      await tx.appleDevices.upsert({
        deviceId: device.id,
        udid: m.UDID,
        identityFingerprint: identity.fingerprint,
        topic: m.Topic,
        tokenUpdateCount: 0,
        authenticatedAt: at,
      });
      return { deviceId: device.id, claim };
    });
    const log = this.ctx.log.child({ deviceId: outcome.deviceId, udid: m.UDID });
    if (outcome.claim === 'conflict') {
      // The claimant is told nothing of whom the device belongs to.
      log.warn({ claimantSerial: identity.issued.serial }, 'Authenticate refused: the UDID is bound to another identity');
      throw new ProtocolError('enrollmentConflict', `device ${m.UDID} is enrolled with another identity; its administrator must allow its re-enrollment`);
    }
    log.info({ claim: outcome.claim }, 'Authenticate');
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
      // Push only after the first TokenUpdate (Apple: the server may send push notifications once
      // it has the token): now the device can be told to fetch its profiles. A later TokenUpdate
      // with a new token (the push service gave the device another one, e.g. after a server
      // restart refused a token it had not issued) wakes it too when work waits: wake-ups sent to
      // the old token were lost with it.
      const tokenChanged = apple.pushToken !== undefined && apple.pushToken !== m.Token.toString('hex');
      const toWake = first
        ? (await this.ctx.reconciler.reconcile(tx, [device.id], at)).toWake
        : tokenChanged && (await tx.commands.next(device.id, { skipNotNow: false }))
          ? [next]
          : [];
      return { toWake, deviceId: device.id, first };
    });
    this.ctx.log.info({ deviceId, first }, 'TokenUpdate');
    await this.ctx.reconciler.wake(toWake);
  }

  private async checkOut(udid: string, identity: DeviceIdentity): Promise<void> {
    const at = this.ctx.now().toISOString();
    const deviceId = await this.ctx.store.transaction(async (tx) => {
      const { apple, device } = await boundDevice(tx, udid, identity);
      await this.ctx.outcomes.deviceLeftManagement(tx, device, at);
      const { pushToken: _t, pushMagic: _m, ...rest } = apple;
      await tx.appleDevices.upsert({ ...rest, checkedOutAt: at });
      return device.id;
    });
    this.ctx.log.info({ deviceId, udid }, 'CheckOut');
  }
}
