import { randomBytes } from 'node:crypto';
import { accountIdentityFor } from '../../protocol/admin/account-identity.js';
import { buildEmailProfile, emailProfileUuids, type EmailProfileScep } from '../../protocol/apple/email-profile.js';
import { encodePlist } from '../../protocol/apple/plist-codec.js';
import type { Repositories } from '../store/port.js';
import type { DeviceRecord, EmailProfileRecord, ScepChallengeRecord } from '../store/records.js';
import { addMinutes, APPLE_PATHS, type AppleContext } from './apple-context.js';
import { signProfile } from './signing.js';
import { subjectFor } from './subject-template.js';

/** A device has this long to request the certificate a profile's SCEP payload asks for. */
const PROFILE_CHALLENGE_MINUTES = 7 * 24 * 60;

export interface DeviceEmailProfile {
  /** The CMS-signed configuration profile. */
  signed: Buffer;
  /** One-time SCEP challenges its payloads carry: stored together with the command that sends it. */
  challenges: ScepChallengeRecord[];
}

/**
 * The signed configuration profile one device receives for an iOS email profile: the EAS payload
 * with the user's address and user name, plus one SCEP payload per certificate the profile needs
 * (Exchange certificate authentication, S/MIME signing), each with its own one-time challenge.
 * Reads only (`reader` may be the store outside any transaction): signing is the costly part of
 * deploying, so it runs when a device fetches the command, never inside a transaction.
 */
export async function buildDeviceEmailProfile(
  ctx: AppleContext,
  reader: Pick<Repositories, 'users' | 'certificateProfiles'>,
  device: DeviceRecord,
  profile: EmailProfileRecord,
): Promise<DeviceEmailProfile> {
  const tx = reader;
  const challenges: ScepChallengeRecord[] = [];
  const def = profile.definition;
  const user = device.userId ? await tx.users.get(device.userId) : undefined;
  if (!user) throw new Error(`device ${device.id} has no user to address the profile to`);
  const identity = accountIdentityFor(def, user);
  const scepFor = async (certificateProfileId: string | undefined, keyUsage: number): Promise<EmailProfileScep | undefined> => {
    if (!certificateProfileId) return undefined;
    const cert = await tx.certificateProfiles.get(certificateProfileId);
    if (!cert?.scep) throw new Error(`certificate profile ${certificateProfileId} is not a SCEP profile`);
    const now = ctx.now();
    const challenge = randomBytes(24).toString('base64url');
    challenges.push({
      challenge,
      purpose: 'certificateProfile',
      userId: user.id,
      deviceId: device.id,
      certificateProfileId,
      createdAt: now.toISOString(),
      expiresAt: addMinutes(now, PROFILE_CHALLENGE_MINUTES),
    });
    return {
      url: `${ctx.baseUrl()}${APPLE_PATHS.scep}`,
      challenge,
      subject: subjectFor(cert.scep.subject, { upn: user.upn, email: identity.email, username: user.username, deviceId: device.id }),
      keysize: cert.scep.keySize,
      name: cert.name,
      keyUsage,
    };
  };
  const certificateAuth = def.authMethod === 'certificate';
  const smime = def.useSmime === true;
  const scepForAuth = certificateAuth ? await scepFor(def.identityCertificateProfileId, 5) : undefined;
  const scepForSigning = smime ? await scepFor(def.signingCertificateProfileId, 1) : undefined;
  const dict = buildEmailProfile({
    profileId: profile.id,
    version: profile.version,
    definition: def,
    user: identity,
    uuids: emailProfileUuids(profile.id, profile.version, { certificateAuth, smime }),
    ...(scepForAuth ? { scepForAuth } : {}),
    ...(scepForSigning ? { scepForSigning } : {}),
    organization: 'mdmlab',
  });
  return { signed: signProfile(ctx.ca, encodePlist(dict)), challenges };
}
