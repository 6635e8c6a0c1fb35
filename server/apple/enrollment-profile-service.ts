import { randomBytes, randomUUID } from 'node:crypto';
import { buildEnrollmentProfile } from '../../protocol/apple/enrollment-profile.js';
import { encodePlist } from '../../protocol/apple/plist-codec.js';
import { ProtocolError } from '../errors/protocol-error.js';
import { addMinutes, APPLE_PATHS, type AppleContext } from './apple-context.js';
import { ENROLLMENT_KEY_BITS } from './scep-service.js';
import { signProfile } from './signing.js';

/** How long a device has between downloading the enrollment profile and its SCEP request. */
const ENROLLMENT_CHALLENGE_MINUTES = 60;

/**
 * The enrollment profile a device installs (Apple YAML mdm/profiles/com.apple.mdm.yaml and
 * com.apple.security.scep.yaml; Apple MDM Protocol Reference, "Structure of MDM Payloads"): the CA (com.apple.security.root),
 * a SCEP payload with a one-time challenge for the device identity, and com.apple.mdm pointing at
 * our check-in and command URLs with SignMessage, all signed by the CA.
 */
export class EnrollmentProfileService {
  constructor(private readonly ctx: AppleContext) {}

  /**
   * Whether profileFor would answer `token` with a profile, spending nothing: HEAD of the enrollment
   * URL (RFC 9110 §9.3.2), which link checkers and mail scanners send, must not use up a one-time token.
   */
  async check(token: string | undefined): Promise<void> {
    if (!token) throw new ProtocolError('enrollmentTokenInvalid', 'the enrollment URL needs ?token=');
    const record = await this.ctx.enrollmentTokens.check(this.ctx.store, token, ['ios']);
    if (!record) throw new ProtocolError('enrollmentTokenInvalid');
    if (!(await this.ctx.store.users.get(record.userId))) throw new ProtocolError('enrollmentTokenInvalid', 'the user of this enrollment token no longer exists');
  }

  async profileFor(token: string | undefined): Promise<Buffer> {
    if (!token) throw new ProtocolError('enrollmentTokenInvalid', 'the enrollment URL needs ?token=');
    const now = this.ctx.now();
    const { challenge, upn } = await this.ctx.store.transaction(async (tx) => {
      const record = await this.ctx.enrollmentTokens.redeem(tx, token, ['ios']);
      const user = await tx.users.get(record.userId);
      if (!user) throw new ProtocolError('enrollmentTokenInvalid', 'the user of this enrollment token no longer exists');
      const challenge = randomBytes(24).toString('base64url');
      await tx.scepChallenges.insert({
        challenge,
        purpose: 'enrollment',
        enrollmentToken: token,
        userId: user.id,
        createdAt: now.toISOString(),
        expiresAt: addMinutes(now, ENROLLMENT_CHALLENGE_MINUTES),
      });
      return { challenge, upn: user.upn };
    });
    const base = this.ctx.baseUrl();
    const dict = buildEnrollmentProfile({
      identifier: 'com.mdmlab.enroll',
      uuids: { profile: randomUUID().toUpperCase(), root: randomUUID().toUpperCase(), scep: randomUUID().toUpperCase(), mdm: randomUUID().toUpperCase() },
      displayName: 'mdmlab enrollment',
      organization: 'mdmlab',
      description: `Enrolls this device for ${upn}`,
      caCertDer: this.ctx.ca.certDer,
      scep: {
        url: `${base}${APPLE_PATHS.scep}`,
        challenge,
        subject: [[['O', 'mdmlab']], [['CN', `mdmlab device identity ${upn}`]]],
        keysize: ENROLLMENT_KEY_BITS,
        name: 'mdmlab CA',
        keyUsage: 5,
      },
      mdm: {
        serverUrl: `${base}${APPLE_PATHS.connect}`,
        checkInUrl: `${base}${APPLE_PATHS.checkIn}`,
        topic: this.ctx.topic,
        signMessage: true,
        accessRights: 8191,
        checkOutWhenRemoved: true,
        // Plain-HTTP lab servers: mdmlab's devices accept it when told to; real iOS needs --tls.
        allowHttp: base.startsWith('http://'),
      },
    });
    return signProfile(this.ctx.ca, encodePlist(dict));
  }
}
