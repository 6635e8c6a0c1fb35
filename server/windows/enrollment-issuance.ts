import { createHash, randomBytes } from 'node:crypto';
import type { EnrollmentRequest } from '../../protocol/windows/mde2/enrollment-request.js';
import { encodeEnrollmentResponse } from '../../protocol/windows/mde2/enrollment-response.js';
import type { ActivityId } from '../../protocol/windows/mde2/soap-envelope.js';
import type { WsSecurity } from '../../protocol/windows/mde2/ws-security.js';
import { md5CredentialHash } from '../../protocol/windows/syncml/auth-md5.js';
import { ProtocolError } from '../errors/protocol-error.js';
import type { Repositories } from '../store/port.js';
import type { DeviceRecord, WindowsDeviceRecord, WindowsFacts } from '../store/records.js';
import type { JudgedRequest } from './certificate-request.js';
import { checkEnrollmentCredentials, WINDOWS_PLATFORMS, type EnrollmentCredentials } from './enrollment-credentials.js';
import { EnrollmentFault } from './enrollment-fault.js';
import { raiseWindowsEnrollmentConflict, windowsClaim, type WindowsClaim } from './enrollment-binding.js';
import { enrollmentProvisioningDocument } from './provisioning.js';
import { ENROLLMENT_POLICY, type WindowsContext } from './windows-context.js';

const MINUTE = 60_000;
/** The RSTR's wsu:Timestamp spans five minutes, as Microsoft's sample does. */
const RESPONSE_VALIDITY_MS = 5 * MINUTE;
/** Context items kept as facts: what the device is (not MAC addresses, IMEIs and the like). */
const KEPT_CONTEXT = ['DeviceType', 'ApplicationVersion', 'OSEdition', 'OSVersion', 'DeviceName', 'EnrollmentType', 'HWDevID', 'Locale', 'RequestVersion'];
const MAX_FACT_LENGTH = 256;

export interface IssuanceInput {
  security: WsSecurity | undefined;
  request: EnrollmentRequest;
  judged: JudgedRequest;
  relatesTo: string | undefined;
  activityId: ActivityId;
  traceId: string;
}

type Outcome = { xml: string; deviceId: string; claim: WindowsClaim } | { conflict: DeviceRecord };

/**
 * The unit of work of a RequestSecurityToken: the credentials judged again and the token spent,
 * the DeviceID's binding judged, the certificate issued (CN = the DeviceID, clientAuth) and
 * recorded, the device and its DM credential stored, and the RSTR with its provisioning document
 * built. Any refusal leaves nothing spent; a refused claim on an enrolled device keeps only its
 * enrollmentConflict alert. The device counts as enrolled from its first OMA-DM session.
 */
export class EnrollmentIssuance {
  constructor(private readonly ctx: WindowsContext) {}

  async issue(input: IssuanceInput): Promise<string> {
    const now = this.ctx.now();
    const at = now.toISOString();
    const outcome = await this.ctx.store.transaction(async (tx): Promise<Outcome> => {
      const creds = await checkEnrollmentCredentials(tx, input.security, at);
      const deviceId = input.judged.deviceId;
      const windows = await tx.windowsDevices.getByDmDeviceId(deviceId);
      const existing = windows ? await tx.devices.get(windows.deviceId) : undefined;
      const claim = windowsClaim(windows, existing, creds.user.id, at);
      if (claim === 'conflict') {
        await raiseWindowsEnrollmentConflict(this.ctx, tx, existing!, creds.user.id, at);
        return { conflict: existing! };
      }
      try {
        await this.ctx.enrollmentTokens.redeem(tx, creds.token.token, WINDOWS_PLATFORMS);
      } catch (err) {
        if (err instanceof ProtocolError) throw new EnrollmentFault('credentialsRefused');
        throw err;
      }
      const device = await this.storeDevice(tx, existing, creds, input, at);
      const xml = await this.issueInto(tx, device, creds, input, now);
      return { xml, deviceId: device.id, claim };
    });
    if ('conflict' in outcome) {
      // The claimant is told nothing of whom the device belongs to.
      this.ctx.log.warn({ deviceId: outcome.conflict.id, traceId: input.traceId }, 'Windows enrollment refused: the DeviceID is bound to another enrollment');
      throw new EnrollmentFault('enrollmentConflict');
    }
    this.ctx.log.info({ deviceId: outcome.deviceId, claim: outcome.claim, traceId: input.traceId }, 'Windows enrollment issued');
    return outcome.xml;
  }

  /** The device record: new, or the existing one starting afresh (its old management ended, its allowance spent). */
  private async storeDevice(tx: Repositories, existing: DeviceRecord | undefined, creds: EnrollmentCredentials, input: IssuanceInput, at: string): Promise<DeviceRecord> {
    const context = input.request.context;
    const device: DeviceRecord = {
      ...(existing ?? { id: this.ctx.newId('dev'), hardwareId: input.judged.deviceId, enrolledAt: at }),
      platform: creds.token.platform,
      userId: creds.user.id,
      status: 'unenrolled',
      lastSeenAt: at,
    };
    delete device.reenrollmentAllowedUntil;
    delete device.unenrolledAt;
    if (context.deviceName) device.name = context.deviceName.slice(0, MAX_FACT_LENGTH);
    if (context.osVersion) device.osVersion = context.osVersion.slice(0, MAX_FACT_LENGTH);
    if (existing) {
      // A new enrollment replaces the old one: its profiles are recorded as gone (history stays),
      // its accounts and unanswered SyncML forgotten; the first session reconciles it afresh.
      await this.ctx.outcomes.endManagement(tx, existing.id, at);
      await tx.windowsAccounts.deleteForDevice(existing.id);
      await tx.windowsSentCommands.deleteForDevice(existing.id);
      await tx.devices.update(device);
    } else {
      await tx.devices.insert(device);
    }
    return device;
  }

  private async issueInto(tx: Repositories, device: DeviceRecord, creds: EnrollmentCredentials, input: IssuanceInput, now: Date): Promise<string> {
    const at = now.toISOString();
    const deviceId = input.judged.deviceId;
    const enrollmentType = creds.token.platform === 'windowsPhone81' || input.request.context.enrollmentType?.toLowerCase() === 'device' ? 'Device' : 'Full';
    const issued = this.ctx.ca.issueFromCsr(input.judged.csr, {
      validityDays: ENROLLMENT_POLICY.validityDays,
      subjectOverride: [{ shortName: 'CN', value: deviceId }],
      extendedKeyUsage: ['clientAuth'],
      now,
    });
    const fingerprint = createHash('sha256').update(issued.certDer).digest('hex');
    await tx.issuedCertificates.insert({
      serial: issued.serialHex,
      fingerprintSha256: fingerprint,
      subject: issued.subjectString,
      purpose: 'enrollment',
      challenge: creds.token.token,
      userId: creds.user.id,
      deviceId: device.id,
      issuedAt: at,
      notAfter: issued.notAfter.toISOString(),
    });
    const secret = randomBytes(24).toString('base64url');
    const nonce = randomBytes(16);
    const previous = await tx.windowsDevices.getByDevice(device.id);
    const record: WindowsDeviceRecord = {
      deviceId: device.id,
      dmDeviceId: deviceId,
      enrollmentType,
      identityFingerprint: fingerprint,
      identityNotAfter: issued.notAfter.toISOString(),
      credentialHash: md5CredentialHash(deviceId, secret).toString('base64'),
      nonce: nonce.toString('base64'),
      enrollmentContext: contextFacts(input.request),
      enrolledAt: at,
      // What the device reported before stays a fact until it reports anew.
      devInfo: previous?.devInfo ?? {},
    };
    await tx.windowsDevices.upsert(record);
    const provisioningDocument = enrollmentProvisioningDocument({
      baseUrl: this.ctx.baseUrl(),
      caCertDer: this.ctx.ca.certDer,
      clientCertDer: issued.certDer,
      enrollmentType,
      platform: creds.token.platform,
      deviceId,
      upn: creds.user.upn,
      ...(device.name ? { deviceName: device.name } : {}),
      device: { secret, nonce },
      // The server never proves itself at the DM level (TLS does that): its APPSRV secret is random and not kept.
      server: { secret: randomBytes(24).toString('base64url'), nonce: randomBytes(16) },
    });
    return encodeEnrollmentResponse({
      ...(input.relatesTo !== undefined ? { relatesTo: input.relatesTo } : {}),
      activityId: input.activityId,
      created: at,
      expires: new Date(now.getTime() + RESPONSE_VALIDITY_MS).toISOString(),
      provisioningDocument,
    });
  }
}

function contextFacts(request: EnrollmentRequest): WindowsFacts {
  const facts: WindowsFacts = {};
  for (const { name, value } of request.contextItems) {
    const known = KEPT_CONTEXT.find((k) => k.toLowerCase() === name.toLowerCase());
    if (known && facts[known] === undefined) facts[known] = value.trim().slice(0, MAX_FACT_LENGTH);
  }
  return facts;
}
