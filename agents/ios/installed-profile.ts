import { profileListItemFor, type ConfigurationProfile } from '../../protocol/apple/configuration-profile.js';
import type { ProfileListItem } from '../../protocol/apple/profile-list.js';
import type { InstalledPayload, InstalledProfile } from './device-state.js';

/**
 * What the device keeps of a profile it installed, and how it lists it in a ProfileList answer
 * (Apple YAML mdm/commands/profile.list.yaml, responsekeys.ProfileList: IsManaged true for profiles
 * MDM installed, SignerCertificates the signer's DER, PayloadContent without the payload bodies).
 */
export function summarizeProfile(
  profile: ConfigurationProfile,
  opts: { managed: boolean; signerCertDer: Buffer | undefined; installedAt: number },
): InstalledProfile {
  const payloads = profile.payloads.map((p) => {
    const out: InstalledPayload = { type: p.type, version: p.version, identifier: p.identifier, uuid: p.uuid };
    if (p.displayName !== undefined) out.displayName = p.displayName;
    if (p.description !== undefined) out.description = p.description;
    if (p.organization !== undefined) out.organization = p.organization;
    return out;
  });
  const installed: InstalledProfile = {
    identifier: profile.identifier,
    uuid: profile.uuid,
    version: profile.version,
    removalDisallowed: profile.removalDisallowed,
    hasRemovalPasscode: profile.hasRemovalPasscode,
    payloads,
    managed: opts.managed,
    installedAt: opts.installedAt,
  };
  if (profile.displayName !== undefined) installed.displayName = profile.displayName;
  if (profile.description !== undefined) installed.description = profile.description;
  if (profile.organization !== undefined) installed.organization = profile.organization;
  if (opts.signerCertDer !== undefined) installed.signerCertDer = opts.signerCertDer;
  return installed;
}

/** The ProfileList entry of an installed profile: Apple's keys, built by the protocol codec. */
export function profileListItem(p: InstalledProfile): ProfileListItem {
  return profileListItemFor(p, { isManaged: p.managed, ...(p.signerCertDer ? { signerCertificates: [p.signerCertDer] } : {}) });
}
