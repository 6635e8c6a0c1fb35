import { createHash } from 'node:crypto';
import type { JsonObject } from '../../protocol/android/json.js';
import type { ManagedConfiguration } from '../../protocol/android/managed-config/value-model.js';

/**
 * What one version of a device's policy holds, as the channel plans it from the device's desired
 * profiles and apps: the applications (with the managed configuration of the one profile that
 * configures each), the Knox Exchange accounts, the CA certificates and the key pairs to install,
 * and for every desired profile where it went (which application, which Knox account) or why the
 * server withheld it. Stored with the version (AndroidDeviceRecord.plan), so that a report about
 * that version is read against exactly what the device was given; rendered into an AMAPI Policy
 * (policy-renderer.ts) when the device pulls it. Built in a fixed order, so equal plans serialize to
 * equal text and their fingerprints say whether anything changed.
 */

/** Why the server keeps a desired profile out of the policy (the profile is then `failed`). */
export type WithheldReason =
  /** Another profile configures the same app: an app takes one managed configuration. */
  | 'conflict'
  /** Two Knox accounts with one address kept replacing each other on the device. */
  | 'flapping'
  /** A samsungKnox profile with useSsl and no trustedRoot certificate profile for samsungKnox. */
  | 'trustedRootMissing'
  /** The server cannot build it for this device (no user, a value the client cannot take). */
  | 'cannotBuild';

export interface PlannedApp {
  packageName: string;
  /** FORCE_INSTALLED when the app is deployed to the device; AVAILABLE when only a profile configures it (the user installs it). */
  installType: 'FORCE_INSTALLED' | 'AVAILABLE';
  managedConfiguration?: ManagedConfiguration;
  /** The profile whose configuration this is. */
  profileId?: string;
}

export interface PlannedKnoxAccount {
  profileId: string;
  /** The ExchangeAccount object (protocol/android/knox/exchange-account.ts), its `id` the profile id. */
  account: JsonObject;
}

export interface PlannedCaCertificate {
  alias: string;
  /** DER, base64. */
  certificate: string;
  certificateProfileId: string;
}

export interface PlannedKeyPair {
  alias: string;
  certificateProfileId: string;
}

interface PlannedCommon {
  /** The profile version this plan carries. */
  version: number;
}

export type PlannedProfile =
  | (PlannedCommon & { kind: 'app'; packageName: string; index: number; email: string; useSsl: boolean })
  | (PlannedCommon & { kind: 'knox'; index: number; email: string; host: string; createdAt: string })
  | (PlannedCommon & { kind: 'withheld'; reason: WithheldReason; detail: string; rival?: string });

export interface PolicyPlan {
  applications: PlannedApp[];
  knoxAccounts: PlannedKnoxAccount[];
  caCertificates: PlannedCaCertificate[];
  keyPairs: PlannedKeyPair[];
  /** Every desired profile the policy is about, by id (sorted). */
  profiles: Record<string, PlannedProfile>;
}

export const emptyPlan = (): PolicyPlan => ({ applications: [], knoxAccounts: [], caCertificates: [], keyPairs: [], profiles: {} });

export function serializePlan(plan: PolicyPlan): { text: string; fingerprint: string } {
  const text = JSON.stringify(plan);
  return { text, fingerprint: createHash('sha256').update(text).digest('base64url') };
}

/** A stored plan (written by serializePlan); an unreadable one reads as empty, so the next plan replaces it. */
export function parsePlan(text: string): PolicyPlan {
  try {
    const v = JSON.parse(text) as Partial<PolicyPlan>;
    return { ...emptyPlan(), ...v };
  } catch {
    return emptyPlan();
  }
}
