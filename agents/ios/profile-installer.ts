import { isCertsError } from '../../certs/errors.js';
import { parseConfigurationProfile, type ConfigurationProfile } from '../../protocol/apple/configuration-profile.js';
import { easPayloadToAccountSettings } from '../../protocol/apple/email-profile.js';
import {
  APPLE_ERRORS,
  cannotParseChain,
  duplicateAccountChain,
  duplicateUuidChain,
  errorChainItem,
  installFailureChain,
  mismatchedSignersChain,
  noHostChain,
  noServicesEnabledChain,
  profileNotManagedChain,
  type ErrorChainItem,
} from '../../protocol/apple/errors-catalogue.js';
import type { ProfilePayload } from '../../protocol/apple/payloads/common.js';
import { decodeEasPayload, EAS_PAYLOAD_TYPE, type EasPayload } from '../../protocol/apple/payloads/eas-account.js';
import { decodePkcs12Payload, PKCS12_PAYLOAD_TYPE, type Pkcs12Payload } from '../../protocol/apple/payloads/pkcs12.js';
import { decodeRootCertificatePayload, ROOT_CERTIFICATE_PAYLOAD_TYPE } from '../../protocol/apple/payloads/root-certificate.js';
import { decodeScepPayload, SCEP_PAYLOAD_TYPE, type ScepPayload } from '../../protocol/apple/payloads/scep.js';
import { isAppleProfileError } from '../../protocol/apple/profile-error.js';
import { parseCertificate } from '../../certs/certificate.js';
import type { ManagedAccountRequest } from '../core/mail-account.js';
import { isEmptyChange } from '../core/mail-store.js';
import { removeManaged, rulesFor } from '../core/platform-rules.js';
import type { ManagedInstallResult, RuleContext } from '../core/rule-outcomes.js';
import type { DeviceCertificate, IosStateStore } from './device-state.js';
import { pkcs12FailureChain, Pkcs12Failure, pkcs12Identity } from './identity-payloads.js';
import { summarizeProfile } from './installed-profile.js';
import { ScepFailure, scepFailureChain } from './scep-errors.js';
import { unwrapProfile } from './signed-profile.js';

/**
 * InstallProfile as iOS applies it (Apple YAML mdm/commands/profile.install.yaml,
 * mdm/profiles/TopLevel.yaml, com.apple.eas.account.yaml; codes from Apple MDM Protocol Reference,
 * "Error Codes"), all or nothing:
 * 1. a signed profile must verify (else 4000 → MCProfileErrorDomain 1004);
 * 2. it must parse (4000 → the MCProfileErrorDomain cause);
 * 3. same identifier installed: it must be MDM's (12013) and have the same signer (4008);
 *    no payload UUID of another installed profile (4002);
 * 4. every payload is validated before anything runs: EAS Host (21003), at least one service
 *    (21009), certificate references to identity payloads (SCEP, PKCS#12) of the profile;
 * 5. the iOS duplicate rule of agents/core is checked (a user account with the same email and
 *    host blocks: 4001 → 21005) before any certificate is requested, so a blocked install spends
 *    no SCEP challenge (iOS would request, then roll back: the outcome on the device is the same);
 * 6. PKCS#12 payloads are opened with their Password (4001 → MCCertificateErrorDomain 9000 for a
 *    wrong one), then SCEP payloads get their certificates (4001 → MCSCEPErrorDomain);
 * 7. the account is installed or updated (same identifier = replacement), the profile recorded.
 */

export interface InstallContext {
  state: IosStateStore;
  rule: () => RuleContext;
  now: () => number;
  /** Runs a profile's SCEP payload; throws ScepFailure. */
  obtainCertificate: (profileIdentifier: string, payload: ProfilePayload, scep: ScepPayload) => Promise<DeviceCertificate>;
}

export type InstallOutcome =
  | { status: 'Acknowledged'; profileIdentifier: string; detail: string }
  | { status: 'Error'; profileIdentifier?: string; errorChain: ErrorChainItem[]; detail: string };

const IOS_RULE = rulesFor('ios');

const nameOf = (p: ProfilePayload): string => p.displayName ?? p.identifier;

function fail(errorChain: ErrorChainItem[], profileIdentifier?: string): InstallOutcome {
  const detail = errorChain.map((e) => `${e.ErrorDomain} ${e.ErrorCode}: ${e.LocalizedDescription}`).join(' / ');
  return { status: 'Error', errorChain, detail, ...(profileIdentifier === undefined ? {} : { profileIdentifier }) };
}

/** An Error outcome carrying its chain, thrown inside the installer and caught at its edge. */
class Refusal extends Error {
  constructor(readonly chain: ErrorChainItem[]) {
    super('refused');
  }
}

interface Plan {
  profile: ConfigurationProfile;
  signerCertDer: Buffer | undefined;
  account?: { payload: ProfilePayload; eas: EasPayload };
  sceps: { payload: ProfilePayload; scep: ScepPayload }[];
  pkcs12s: { payload: ProfilePayload; pkcs12: Pkcs12Payload }[];
  roots: DeviceCertificate[];
}

export async function installProfile(bytes: Buffer, ctx: InstallContext): Promise<InstallOutcome> {
  let plan: Plan;
  try {
    plan = readProfile(bytes, ctx.state);
  } catch (err) {
    if (err instanceof Refusal) return fail(err.chain);
    throw err;
  }
  const { profile } = plan;
  try {
    const request = plan.account && accountRequest(profile.identifier, plan.account.eas);
    if (request && plan.account) {
      const dryRun = IOS_RULE.installManaged(await ctx.state.mail.list(), request, { newId: () => 'dry-run', now: ctx.now() });
      refuseIfBlocked(dryRun, plan.account);
    }
    const certificates: DeviceCertificate[] = [...plan.roots];
    for (const { payload, pkcs12 } of plan.pkcs12s) {
      try {
        certificates.push(pkcs12Identity(profile.identifier, payload, pkcs12));
      } catch (err) {
        if (err instanceof Pkcs12Failure) throw new Refusal(pkcs12FailureChain(nameOf(payload), err));
        throw err;
      }
    }
    for (const { payload, scep } of plan.sceps) {
      try {
        certificates.push(await ctx.obtainCertificate(profile.identifier, payload, scep));
      } catch (err) {
        if (err instanceof ScepFailure) throw new Refusal(scepFailureChain(nameOf(payload), err));
        throw err;
      }
    }
    const accounts = await ctx.state.mail.list();
    if (request && plan.account) {
      const result = IOS_RULE.installManaged(accounts, request, ctx.rule());
      refuseIfBlocked(result, plan.account);
      if (!isEmptyChange(result.change)) await ctx.state.mail.apply(result.change);
    } else {
      // A new version without an account takes the old version's account away.
      const { change } = removeManaged(accounts, profile.identifier);
      if (!isEmptyChange(change)) await ctx.state.mail.apply(change);
    }
    ctx.state.putProfile(summarizeProfile(profile, { managed: true, signerCertDer: plan.signerCertDer, installedAt: ctx.now() }), certificates);
    const what = plan.account ? ` with the account ${plan.account.eas.email} on ${plan.account.eas.host}` : '';
    return { status: 'Acknowledged', profileIdentifier: profile.identifier, detail: `installed ${profile.identifier}${what}` };
  } catch (err) {
    if (err instanceof Refusal) return fail(err.chain, profile.identifier);
    throw err;
  }
}

function accountRequest(profileIdentifier: string, eas: EasPayload): ManagedAccountRequest {
  return { profileId: profileIdentifier, email: eas.email, host: eas.host, username: eas.username, settings: easPayloadToAccountSettings(eas) };
}

function refuseIfBlocked(result: ManagedInstallResult, account: NonNullable<Plan['account']>): void {
  if (result.kind === 'blockedByUserAccount' || result.kind === 'blockedByOtherProfile') {
    throw new Refusal(duplicateAccountChain(account.eas.email, account.eas.host, nameOf(account.payload)));
  }
}

/** Steps 1–4: everything that can be decided from the bytes and the installed profiles. */
function readProfile(bytes: Buffer, state: IosStateStore): Plan {
  let content: Buffer;
  let signerCertDer: Buffer | undefined;
  try {
    ({ content, signerCertDer } = unwrapProfile(bytes));
  } catch (err) {
    const why = isCertsError(err) ? err.message : String(err);
    throw new Refusal(cannotParseChain(errorChainItem(APPLE_ERRORS.profileBadSignature, `The profile signature does not verify: ${why}`)));
  }
  let profile: ConfigurationProfile;
  try {
    profile = parseConfigurationProfile(content);
  } catch (err) {
    if (isAppleProfileError(err)) throw new Refusal(cannotParseChain(err.toErrorChainItem()));
    throw err;
  }
  checkReplacement(profile, signerCertDer, state);

  const plan: Plan = { profile, signerCertDer, sceps: [], pkcs12s: [], roots: [] };
  const identities = new Set<string>();
  for (const payload of profile.payloads) {
    try {
      if (payload.type === EAS_PAYLOAD_TYPE) {
        if (plan.account) {
          throw new Refusal(installFailureChain(nameOf(payload), errorChainItem(APPLE_ERRORS.easCannotCreateAccount, 'The simulated device installs one Exchange account per profile.')));
        }
        plan.account = { payload, eas: decodeEasPayload(payload) };
      } else if (payload.type === SCEP_PAYLOAD_TYPE) {
        plan.sceps.push({ payload, scep: decodeScepPayload(payload) });
        identities.add(payload.uuid.toUpperCase());
      } else if (payload.type === PKCS12_PAYLOAD_TYPE) {
        plan.pkcs12s.push({ payload, pkcs12: decodePkcs12Payload(payload) });
        identities.add(payload.uuid.toUpperCase());
      } else if (payload.type === ROOT_CERTIFICATE_PAYLOAD_TYPE) {
        const certDer = decodeRootCertificatePayload(payload).certificateDer;
        plan.roots.push(rootCertificate(profile.identifier, payload, certDer));
      }
      // Other payload types are recorded with the profile and otherwise not simulated.
    } catch (err) {
      if (err instanceof Refusal) throw err;
      if (!isAppleProfileError(err)) throw err;
      if (err.code === 'noHostName') throw new Refusal(noHostChain(nameOf(payload)));
      if (err.code === 'noServicesEnabled') throw new Refusal(noServicesEnabledChain(nameOf(payload)));
      throw new Refusal(installFailureChain(nameOf(payload), err.toErrorChainItem()));
    }
  }
  if (plan.account) {
    const { eas, payload } = plan.account;
    for (const [key, uuid] of [['PayloadCertificateUUID', eas.certificateUuid], ['SMIMESigningCertificateUUID', eas.smimeSigningUuid]] as const) {
      if (uuid !== undefined && !identities.has(uuid.toUpperCase())) {
        throw new Refusal(installFailureChain(nameOf(payload), errorChainItem(APPLE_ERRORS.easCannotCreateAccount, `${key} ${uuid} names no identity payload of the profile.`)));
      }
    }
  }
  return plan;
}

function checkReplacement(profile: ConfigurationProfile, signer: Buffer | undefined, state: IosStateStore): void {
  const existing = state.getProfile(profile.identifier);
  if (existing && !existing.managed) throw new Refusal(profileNotManagedChain(profile.identifier));
  if (existing?.signerCertDer && !(signer && signer.equals(existing.signerCertDer))) {
    throw new Refusal(mismatchedSignersChain(profile.identifier));
  }
  const ours = new Set([profile.uuid, ...profile.payloads.map((p) => p.uuid)].map((u) => u.toUpperCase()));
  for (const other of state.listProfiles()) {
    if (other.identifier === profile.identifier) continue;
    const clash = [other.uuid, ...other.payloads.map((p) => p.uuid)].find((u) => ours.has(u.toUpperCase()));
    if (clash) throw new Refusal(duplicateUuidChain(clash));
  }
}

export function rootCertificate(profileIdentifier: string, payload: ProfilePayload, certDer: Buffer): DeviceCertificate {
  let subject = '';
  try {
    subject = parseCertificate(certDer).subject.string;
  } catch {
    // a root payload that is not a certificate is kept as given (iOS would refuse it; not needed here)
  }
  return { profileIdentifier, payloadIdentifier: payload.identifier, payloadUuid: payload.uuid, kind: 'root', certDer, subject };
}
