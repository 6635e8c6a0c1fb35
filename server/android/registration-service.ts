import { createHash } from 'node:crypto';
import { parseCsr, type ParsedCsr } from '../../certs/csr.js';
import { isCertsError } from '../../certs/errors.js';
import type { DeviceRegistrationRequest, DeviceRegistrationResponse } from '../../protocol/android/registration.js';
import { AndroidChannelError } from '../errors/android-error.js';
import type { Repositories } from '../store/port.js';
import type { AndroidDeviceRecord, DeviceRecord, EnrollmentTokenRecord } from '../store/records.js';
import { raiseAndroidEnrollmentConflict } from './android-alerts.js';
import { ANDROID_PLATFORMS, androidNames, type AndroidContext, type AndroidPlatform } from './android-context.js';
import { emptyPlan, serializePlan } from './policy-plan.js';

/** The least key a device identity may have (as the Apple enrollment profile asks of SCEP). */
export const DEVICE_KEY_BITS = 2048;
/** A device identity lasts a year (re-registration makes a new one). */
const IDENTITY_DAYS = 365;

/**
 * What each platform enrolls as (AMAPI Device.managementMode): a Knox Standard device is managed
 * whole by its device admin / device owner; Android for Work manages only the work profile.
 */
const MANAGEMENT_MODE: Readonly<Record<AndroidPlatform, 'DEVICE_OWNER' | 'PROFILE_OWNER'>> = { samsungKnox: 'DEVICE_OWNER', androidForWork: 'PROFILE_OWNER' };

/**
 * Registration (POST /android/v1/register): the enrollment token the device scanned, its facts in
 * the AMAPI Device shape and a PKCS#10 request; the answer names the device and its policy and
 * carries the device certificate from the lab CA. Cheap checks first: the request's own fields and
 * the CSR (shape, key limits, proof of possession) before the database is touched. Then one
 * transaction: the token judged (unknown, expired, used, or for iOS/Windows: refused), the claim
 * on the serial number judged — one identity, one device: a device another identity holds is
 * refused with an `enrollmentConflict` alert unless it left management or an administrator allowed
 * its re-enrollment — and only then the token spent, the certificate issued, the device recorded
 * and its policy planned. A refused registration spends nothing and stores nothing but that alert.
 */
export class RegistrationService {
  constructor(private readonly ctx: AndroidContext) {}

  async register(req: DeviceRegistrationRequest): Promise<DeviceRegistrationResponse> {
    const serial = req.device.hardwareInfo?.serialNumber;
    if (serial === undefined) {
      throw new AndroidChannelError('missingField', 'device.hardwareInfo.serialNumber is required: it names the device (a work profile gives its enterprise-specific id)', {
        field: 'device.hardwareInfo.serialNumber',
      });
    }
    const csr = this.checkedCsr(req.certificateSigningRequest);
    const at = this.ctx.now();
    const outcome = await this.ctx.store.transaction(async (tx) => {
      const token = await this.ctx.enrollmentTokens.check(tx, req.enrollmentToken, ANDROID_PLATFORMS);
      if (!token) throw new AndroidChannelError('enrollmentTokenInvalid');
      const platform = token.platform as AndroidPlatform;
      this.checkFacts(platform, req);
      const existing = await tx.devices.getByHardwareId(platform, serial);
      const previous = existing ? await tx.androidDevices.getByDevice(existing.id) : undefined;
      if (existing && !this.mayClaim(existing, previous, at.toISOString())) {
        await raiseAndroidEnrollmentConflict(this.ctx, tx, existing, token.userId, at.toISOString());
        return { conflict: existing.id } as const;
      }
      await this.ctx.enrollmentTokens.redeem(tx, req.enrollmentToken, ANDROID_PLATFORMS);
      return { response: await this.enroll(tx, token, platform, serial, req, csr, existing, previous) } as const;
    });
    if ('conflict' in outcome) {
      this.ctx.log.warn({ deviceId: outcome.conflict }, 'registration refused: the serial number belongs to a device another identity holds');
      throw new AndroidChannelError('enrollmentConflict');
    }
    return outcome.response;
  }

  private checkedCsr(base64: string): ParsedCsr {
    let csr: ParsedCsr;
    try {
      csr = parseCsr(Buffer.from(base64, 'base64'));
    } catch (err) {
      if (!isCertsError(err)) throw err;
      throw new AndroidChannelError('badCsr', `certificateSigningRequest is refused: ${err.message}`, { field: 'certificateSigningRequest' });
    }
    if (!csr.signatureValid) throw new AndroidChannelError('badCsr', 'the CSR signature does not verify (no proof of possession)', { field: 'certificateSigningRequest' });
    if (csr.key.modulusBits < DEVICE_KEY_BITS) {
      throw new AndroidChannelError('badCsr', `a ${csr.key.modulusBits}-bit key; a device identity needs at least ${DEVICE_KEY_BITS} bits`, { field: 'certificateSigningRequest' });
    }
    return csr;
  }

  private checkFacts(platform: AndroidPlatform, req: DeviceRegistrationRequest): void {
    const want = MANAGEMENT_MODE[platform];
    if (req.device.managementMode !== want) {
      throw new AndroidChannelError('wrongManagementMode', `a ${platform} device enrolls as ${want}, not ${req.device.managementMode}`, { field: 'device.managementMode' });
    }
    if (platform === 'samsungKnox' && req.device.mdmlab?.knoxVersion === undefined) {
      throw new AndroidChannelError('missingField', 'device.mdmlab.knoxVersion is required: a Samsung Knox device says which Knox it runs', { field: 'device.mdmlab.knoxVersion' });
    }
  }

  /** A device another identity holds may be claimed once it left management, or while an administrator allows it. */
  private mayClaim(existing: DeviceRecord, previous: AndroidDeviceRecord | undefined, at: string): boolean {
    if (existing.status !== 'enrolled' || !previous || previous.unregisteredAt) return true;
    return existing.reenrollmentAllowedUntil !== undefined && existing.reenrollmentAllowedUntil > at;
  }

  private async enroll(
    tx: Repositories,
    token: EnrollmentTokenRecord,
    platform: AndroidPlatform,
    serial: string,
    req: DeviceRegistrationRequest,
    csr: ParsedCsr,
    existing: DeviceRecord | undefined,
    previous: AndroidDeviceRecord | undefined,
  ): Promise<DeviceRegistrationResponse> {
    const now = this.ctx.now();
    const at = now.toISOString();
    const facts = req.device;
    const base: DeviceRecord = existing ?? { id: this.ctx.newId('dev'), platform, hardwareId: serial, enrolledAt: at, status: 'enrolled' };
    const { unenrolledAt: _u, reenrollmentAllowedUntil: _r, ...kept } = base;
    const device: DeviceRecord = {
      ...kept,
      userId: token.userId,
      status: 'enrolled',
      enrolledAt: at,
      lastSeenAt: at,
      serialNumber: serial,
      ...(facts.hardwareInfo?.model ? { model: facts.hardwareInfo.model } : {}),
      ...(facts.softwareInfo?.androidVersion ? { osVersion: facts.softwareInfo.androidVersion } : {}),
    };
    if (existing) {
      // A new enrollment replaces the old one: what it installed is recorded gone, its key pairs go.
      await this.ctx.outcomes.endManagement(tx, device.id, at);
      await tx.androidKeyPairs.deleteForDevice(device.id);
      await tx.devices.update(device);
    } else {
      await tx.devices.insert(device);
    }
    const issued = this.ctx.ca.issueFromCsr(csr, {
      validityDays: IDENTITY_DAYS,
      subjectOverride: [
        { shortName: 'CN', value: device.id },
        { shortName: 'OU', value: platform },
        { shortName: 'O', value: 'mdmlab' },
      ],
      extendedKeyUsage: ['clientAuth'],
      keyUsage: ['digitalSignature', 'keyEncipherment'],
      now,
    });
    const fingerprint = createHash('sha256').update(issued.certDer).digest('hex');
    await tx.issuedCertificates.insert({
      serial: issued.serialHex,
      fingerprintSha256: fingerprint,
      subject: issued.subjectString,
      purpose: 'androidDevice',
      // What authorised it, without keeping the token (a reusable one is still good).
      challenge: `enrollmentToken:sha256:${createHash('sha256').update(token.token).digest('hex').slice(0, 16)}`,
      userId: token.userId,
      deviceId: device.id,
      issuedAt: at,
      notAfter: issued.notAfter.toISOString(),
    });
    const empty = serializePlan(emptyPlan());
    await tx.androidDevices.upsert({
      deviceId: device.id,
      identityFingerprint: fingerprint,
      certificate: issued.certDer.toString('base64'),
      certificateNotAfter: issued.notAfter.toISOString(),
      managementMode: facts.managementMode,
      ...(facts.apiLevel !== undefined ? { apiLevel: facts.apiLevel } : {}),
      ...(facts.mdmlab?.knoxVersion !== undefined ? { knoxVersion: facts.mdmlab.knoxVersion } : {}),
      ...(facts.mdmlab?.knoxApiLevel !== undefined ? { knoxApiLevel: facts.mdmlab.knoxApiLevel } : {}),
      ...(facts.mdmlab?.pushToken !== undefined ? { pushToken: facts.mdmlab.pushToken } : {}),
      // Versions keep growing across enrollments, so an ETag of the old enrollment never matches the new one.
      policyVersion: previous?.policyVersion ?? 0,
      policyChangedAt: at,
      plan: empty.text,
      // Not the empty plan's fingerprint: the first planning always makes a version, even an empty one.
      planFingerprint: '',
      registeredAt: at,
    });
    await this.ctx.reconciler.reconcile(tx, [device.id], at);
    this.ctx.log.info({ deviceId: device.id, platform, claim: existing ? 'again' : 'new' }, 'Android device registered');
    const names = androidNames(this.ctx, device.id);
    return { ...names, certificate: issued.certDer.toString('base64'), caCertificate: this.ctx.ca.certDer.toString('base64') };
  }
}
