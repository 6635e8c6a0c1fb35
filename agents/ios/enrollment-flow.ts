import { PROFILE_CONTENT_TYPE } from '../../protocol/apple/configuration-profile.js';
import { isEmptyChange } from '../core/mail-store.js';
import { removeManaged } from '../core/platform-rules.js';
import { isHttpError } from '../transport/http.js';
import type { DeviceCertificate, DeviceIdentity, EnrolledIdentity, Enrollment } from './device-state.js';
import { readEnrollmentProfile } from './enrollment-profile.js';
import { IosDeviceError } from './errors.js';
import { summarizeProfile } from './installed-profile.js';
import { rootCertificate } from './profile-installer.js';
import { signingIdentity, type IosRuntime } from './runtime.js';
import { enrollWithScep } from './scep-client.js';
import { ScepFailure } from './scep-errors.js';

/**
 * Installing and removing the enrollment profile (notes/apple.md §2.7 "Flow (manual)": install
 * profile → SCEP → Authenticate → TokenUpdate → push → Idle; §2.3 CheckOut when removed). The
 * push connection and the first poll are the device's (ios-device.ts); this file does the parts
 * that only talk HTTP.
 */

/** Download, verify, run the SCEP payload, Authenticate; on success the MDM profile is installed. */
/** The push gateway next to the MDM server: ws(s)://<host of ServerURL>/push, unless configured. */
export function pushUrlFor(serverUrl: string, configured?: string): string {
  if (configured) return configured;
  const u = new URL(serverUrl);
  return `${u.protocol === 'https:' ? 'wss:' : 'ws:'}//${u.host}/push`;
}

export interface EnrollmentOptions {
  /** Push gateway URL; default next to ServerURL. */
  pushUrl?: string | undefined;
  /** Lab mode: accept an MDM payload with http:// URLs. */
  allowHttp?: boolean | undefined;
}

export async function installEnrollmentProfile(rt: IosRuntime, enrollUrl: string, opts: EnrollmentOptions = {}): Promise<EnrolledIdentity> {
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
  const plan = readEnrollmentProfile(res.body, { allowHttp: opts.allowHttp === true });
  const { profile, mdm, scep } = plan;

  const key = await rt.takeKey(scep.keysize);
  let issued;
  try {
    // The root payloads install before the SCEP payload runs, so the lab CA already vouches for the SCEP URL.
    issued = await enrollWithScep(rt.http, { payload: scep, privateKey: key.privateKey, publicKey: key.publicKey, caPem: rt.trust.withExtra(plan.roots.map((r) => r.certDer)) });
  } catch (err) {
    if (err instanceof ScepFailure) {
      throw new IosDeviceError('scepFailed', `device identity (${scep.url}): ${err.apple.domain} ${err.apple.code}: ${err.message}`, { cause: err });
    }
    throw err;
  }
  const identity: DeviceIdentity = { keyPem: key.pem, certDer: issued.certDer };
  const enrollment: Enrollment = {
    profileIdentifier: profile.identifier,
    serverUrl: mdm.serverUrl,
    checkInUrl: mdm.checkInUrl ?? mdm.serverUrl,
    topic: mdm.topic,
    accessRights: mdm.accessRights,
    checkOutWhenRemoved: mdm.checkOutWhenRemoved,
    signMessage: mdm.signMessage,
    identityCertificateUuid: mdm.identityCertificateUuid,
    pushUrl: pushUrlFor(mdm.serverUrl, opts.pushUrl),
    enrolledAt: rt.now(),
  };
  const signing = { privateKey: key.privateKey, certDer: issued.certDer };
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

  const certificates: DeviceCertificate[] = [
    ...plan.roots.map((r) => rootCertificate(profile.identifier, r.payload, r.certDer)),
    {
      profileIdentifier: profile.identifier,
      payloadIdentifier: plan.scepPayload.identifier,
      payloadUuid: plan.scepPayload.uuid,
      kind: 'identity',
      certDer: issued.certDer,
      keyPem: key.pem,
      subject: issued.subject,
    },
  ];
  rt.state.putProfile(summarizeProfile(profile, { managed: false, signerCertDer: plan.signerCertDer, installedAt: rt.now() }), certificates);
  rt.state.setIdentity(identity);
  rt.state.setEnrollment(enrollment);
  rt.trust.invalidate();
  return { enrollment, identity, signing };
}

/** TokenUpdate: the push token and the PushMagic the server must echo in its pushes (notes §2.3). */
export async function sendTokenUpdate(rt: IosRuntime, e: EnrolledIdentity, token: string, pushMagic: string): Promise<void> {
  await rt.mdm.checkIn(e.enrollment, e.signing, {
    MessageType: 'TokenUpdate',
    Topic: e.enrollment.topic,
    UDID: rt.hardware.udid,
    Token: Buffer.from(token, 'hex'),
    PushMagic: pushMagic,
  });
}

/** Undoes an enrollment that did not complete (TokenUpdate or the push token failed). */
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
