import { PROFILE_CONTENT_TYPE } from '../../protocol/apple/configuration-profile.js';
import { isEmptyChange } from '../core/mail-store.js';
import { removeManaged } from '../core/platform-rules.js';
import { isHttpError } from '../transport/http.js';
import type { DeviceCertificate, DeviceIdentity, EnrolledIdentity, Enrollment } from './device-state.js';
import type { EnrollmentProfilePlan } from './enrollment-profile.js';
import { IosDeviceError } from './errors.js';
import { pkcs12Identity, Pkcs12Failure, scepIdentity } from './identity-payloads.js';
import { summarizeProfile } from './installed-profile.js';
import { rootCertificate } from './profile-installer.js';
import { signingIdentity, type IosRuntime } from './runtime.js';
import { ScepFailure } from './scep-errors.js';

/**
 * Installing and removing the enrollment profile (Apple MDM Protocol Reference, "MDM Check-in
 * Protocol"; fleetdm/fleet pkg/mdm/mdmtest/apple.go follows the same order: install profile → SCEP
 * (RFC 8894) → Authenticate → TokenUpdate → push → Idle; "CheckOut" when removed). The push service
 * and the first poll are the device's (ios-device.ts, device-push.ts); this file does the parts
 * that only talk HTTP.
 */

/** GET the enrollment profile the way Safari hands it to the device (Content-Type application/x-apple-aspen-config). */
export async function downloadEnrollmentProfile(rt: IosRuntime, enrollUrl: string): Promise<Buffer> {
  let res;
  try {
    res = await rt.http.request({ method: 'GET', url: enrollUrl, headers: { accept: PROFILE_CONTENT_TYPE }, caPem: rt.trust.pem() });
  } catch (err) {
    if (isHttpError(err)) throw new IosDeviceError('network', `enrollment profile from ${enrollUrl}: ${err.message}`, { cause: err });
    throw err;
  }
  if (res.status !== 200) {
    const reason = res.body.toString('utf8').trim().slice(0, 300);
    throw new IosDeviceError('enrollmentProfileRefused', `GET ${enrollUrl} answered ${res.status}: ${reason}`, { status: res.status });
  }
  return res.body;
}

export interface EnrollmentOptions {
  /** The push gateway the device keeps a connection to; absent: none (the device polls). */
  pushUrl?: string | undefined;
}

/**
 * Installs a read enrollment profile: its identity (SCEP, or the PKCS#12 in the profile), then
 * Authenticate; on success the MDM profile is installed and the enrollment stored.
 */
export async function installEnrollmentProfile(rt: IosRuntime, plan: EnrollmentProfilePlan, opts: EnrollmentOptions = {}): Promise<EnrolledIdentity> {
  const { profile, mdm } = plan;
  const identityCert = await enrollmentIdentity(rt, plan);
  const identity: DeviceIdentity = { keyPem: identityCert.keyPem!, certDer: identityCert.certDer };
  const enrollment: Enrollment = {
    profileIdentifier: profile.identifier,
    serverUrl: mdm.serverUrl,
    checkInUrl: mdm.checkInUrl ?? mdm.serverUrl,
    topic: mdm.topic,
    accessRights: mdm.accessRights,
    checkOutWhenRemoved: mdm.checkOutWhenRemoved,
    signMessage: mdm.signMessage,
    identityCertificateUuid: mdm.identityCertificateUuid,
    ...(opts.pushUrl ? { pushUrl: opts.pushUrl } : {}),
    enrolledAt: rt.now(),
  };
  const signing = signingIdentity(identity);
  const hw = rt.hardware;
  await rt.mdm.checkIn(enrollment, signing, {
    MessageType: 'Authenticate',
    Topic: enrollment.topic,
    UDID: hw.udid,
    OSVersion: hw.osVersion,
    BuildVersion: hw.buildVersion,
    ProductName: hw.productName,
    SerialNumber: hw.serialNumber,
  });

  const certificates: DeviceCertificate[] = [...plan.roots.map((r) => rootCertificate(profile.identifier, r.payload, r.certDer)), identityCert];
  rt.state.putProfile(summarizeProfile(profile, { managed: false, signerCertDer: plan.signerCertDer, installedAt: rt.now() }), certificates);
  rt.state.setIdentity(identity);
  rt.state.setEnrollment(enrollment);
  rt.trust.invalidate();
  return { enrollment, identity, signing };
}

/** The identity IdentityCertificateUUID names: enrolled with SCEP, or read from the profile's PKCS#12. */
async function enrollmentIdentity(rt: IosRuntime, plan: EnrollmentProfilePlan): Promise<DeviceCertificate> {
  const { identity, profile } = plan;
  if (identity.kind === 'pkcs12') {
    try {
      return pkcs12Identity(profile.identifier, identity.payload, identity.pkcs12);
    } catch (err) {
      if (!(err instanceof Pkcs12Failure)) throw err;
      throw new IosDeviceError('badEnrollmentProfile', `enrollment profile: device identity: ${err.apple.domain} ${err.apple.code}: ${err.message}`, { cause: err });
    }
  }
  try {
    // The root payloads install before the SCEP payload runs, so the lab CA already vouches for the SCEP URL.
    return await scepIdentity(rt, profile.identifier, identity.payload, identity.scep, rt.trust.withExtra(plan.roots.map((r) => r.certDer)));
  } catch (err) {
    if (err instanceof ScepFailure) {
      throw new IosDeviceError('scepFailed', `device identity (${identity.scep.url}): ${err.apple.domain} ${err.apple.code}: ${err.message}`, { cause: err });
    }
    throw err;
  }
}

/**
 * TokenUpdate: the push token and the PushMagic the server must echo in its pushes (Apple MDM
 * Protocol Reference, "TokenUpdate Message"; Apple YAML mdm/checkin/tokenupdate.yaml).
 */
export async function sendTokenUpdate(rt: IosRuntime, e: EnrolledIdentity, token: string, pushMagic: string): Promise<void> {
  await rt.mdm.checkIn(e.enrollment, e.signing, {
    MessageType: 'TokenUpdate',
    Topic: e.enrollment.topic,
    UDID: rt.hardware.udid,
    Token: Buffer.from(token, 'hex'),
    PushMagic: pushMagic,
  });
}

/** Undoes an enrollment that did not complete (TokenUpdate failed after Authenticate). */
export function forgetEnrollment(rt: IosRuntime, e: EnrolledIdentity): void {
  rt.state.deleteProfile(e.enrollment.profileIdentifier);
  rt.state.setIdentity(undefined);
  rt.state.setEnrollment(undefined);
  rt.state.setPush({});
  rt.trust.invalidate();
}

/** The enrolled identity from the state (a restarted device), or undefined. */
export function loadEnrolledIdentity(rt: IosRuntime): EnrolledIdentity | undefined {
  const enrollment = rt.state.getEnrollment();
  const identity = rt.state.getIdentity();
  if (!enrollment || !identity) return undefined;
  return { enrollment, identity, signing: signingIdentity(identity) };
}

/**
 * The user removes the MDM profile: every profile MDM installed goes with it, and with them
 * their managed accounts (user accounts stay); then CheckOut when CheckOutWhenRemoved, best
 * effort and never retried (Apple: "check-out"). Returns the CheckOut failure, if any.
 */
export async function removeManagement(rt: IosRuntime, e: EnrolledIdentity, opts: { online: boolean }): Promise<Error | undefined> {
  for (const p of rt.state.listProfiles()) {
    if (!p.managed) continue;
    const { change } = removeManaged(await rt.state.mail.list(), p.identifier);
    if (!isEmptyChange(change)) await rt.state.mail.apply(change);
    rt.state.deleteProfile(p.identifier);
  }
  // Managed accounts whose profile is somehow gone leave with management too.
  const orphans = (await rt.state.mail.list()).filter((a) => a.managed);
  if (orphans.length > 0) await rt.state.mail.apply({ remove: orphans.map((a) => a.id), add: [] });
  rt.state.deleteProfile(e.enrollment.profileIdentifier);
  rt.trust.invalidate();

  let checkOutError: Error | undefined;
  if (e.enrollment.checkOutWhenRemoved && !opts.online) {
    checkOutError = new IosDeviceError('offline', 'CheckOut was not sent: the device is offline (it is never retried)');
  } else if (e.enrollment.checkOutWhenRemoved) {
    try {
      await rt.mdm.checkIn(e.enrollment, e.signing, { MessageType: 'CheckOut', Topic: e.enrollment.topic, UDID: rt.hardware.udid });
    } catch (err) {
      checkOutError = err as Error;
    }
  }
  rt.state.setIdentity(undefined);
  rt.state.setEnrollment(undefined);
  rt.state.setPush({});
  return checkOutError;
}
