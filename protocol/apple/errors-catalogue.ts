/**
 * The Apple error domains and codes mdmlab uses, and the ErrorChains the simulated iOS device
 * returns in `Status=Error` reports.
 *
 * Codes and meanings: Apple's archived MDM Protocol Reference, "Error Codes" appendix (Apple warns
 * the values "may change"). 21009 EAS_NO_SERVICES_ENABLED is not in that table; it comes from
 * decompiled iPadOS 18.0 (ManagedConfiguration MCEASAccountPayload.m, MCNewEASAccountPayloadHandler.m
 * in EthanArbuckle/iPad_10.2_18.0_22A3354_Restore).
 *
 * Chains are ordered outermost (generic) first, specific last, as real devices send them
 * (lionheart/openradar-mirror#18452: 4001, 4001, MCProfileErrorDomain 1009). The LocalizedDescription
 * texts are ours: no public capture of a device's answer in these cases exists.
 */

/** One item of a report's ErrorChain (Apple MDM Protocol Reference, "MDM Result Payloads"). */
export interface ErrorChainItem {
  ErrorCode: number;
  ErrorDomain: string;
  LocalizedDescription: string;
  USEnglishDescription?: string;
}

export interface AppleErrorCode {
  readonly domain: string;
  readonly code: number;
  /** Apple's meaning from the archived table. */
  readonly description: string;
}

export const MC_PROFILE_ERROR_DOMAIN = 'MCProfileErrorDomain';
export const MC_PAYLOAD_ERROR_DOMAIN = 'MCPayloadErrorDomain';
export const MC_INSTALLATION_ERROR_DOMAIN = 'MCInstallationErrorDomain';
export const MC_MDM_ERROR_DOMAIN = 'MCMDMErrorDomain';
export const MC_EAS_ERROR_DOMAIN = 'MCEASErrorDomain';

const e = (domain: string, code: number, description: string): AppleErrorCode => ({ domain, code, description });

export const APPLE_ERRORS = {
  // MCProfileErrorDomain: the profile as a whole.
  profileMalformed: e(MC_PROFILE_ERROR_DOMAIN, 1000, 'Malformed profile'),
  profileUnsupportedVersion: e(MC_PROFILE_ERROR_DOMAIN, 1001, 'Unsupported profile version'),
  profileMissingField: e(MC_PROFILE_ERROR_DOMAIN, 1002, 'Missing required field'),
  profileBadFieldType: e(MC_PROFILE_ERROR_DOMAIN, 1003, 'Bad data type in field'),
  profileBadSignature: e(MC_PROFILE_ERROR_DOMAIN, 1004, 'Bad signature'),
  profileCannotDecrypt: e(MC_PROFILE_ERROR_DOMAIN, 1006, 'Cannot decrypt'),
  profileNonUniqueUuids: e(MC_PROFILE_ERROR_DOMAIN, 1007, 'Non-unique UUIDs'),
  profileNonUniqueIdentifiers: e(MC_PROFILE_ERROR_DOMAIN, 1008, 'Non-unique payload identifiers'),
  profileInstallationFailure: e(MC_PROFILE_ERROR_DOMAIN, 1009, 'Profile installation failure'),
  profileUnsupportedFieldValue: e(MC_PROFILE_ERROR_DOMAIN, 1010, 'Unsupported field value'),
  // MCPayloadErrorDomain: one payload's own keys.
  payloadMalformed: e(MC_PAYLOAD_ERROR_DOMAIN, 2000, 'Malformed payload'),
  payloadUnsupportedVersion: e(MC_PAYLOAD_ERROR_DOMAIN, 2001, 'Unsupported payload version'),
  payloadMissingField: e(MC_PAYLOAD_ERROR_DOMAIN, 2002, 'Missing required field'),
  payloadBadFieldType: e(MC_PAYLOAD_ERROR_DOMAIN, 2003, 'Bad data type in field'),
  payloadUnsupportedFieldValue: e(MC_PAYLOAD_ERROR_DOMAIN, 2004, 'Unsupported field value'),
  // MCInstallationErrorDomain: installing.
  installCannotParse: e(MC_INSTALLATION_ERROR_DOMAIN, 4000, 'Cannot parse profile'),
  installFailure: e(MC_INSTALLATION_ERROR_DOMAIN, 4001, 'Installation failure'),
  installDuplicateUuid: e(MC_INSTALLATION_ERROR_DOMAIN, 4002, 'Duplicate UUID'),
  installMismatchedCertificates: e(MC_INSTALLATION_ERROR_DOMAIN, 4008, 'Mismatched certificates'),
  // MCMDMErrorDomain: MDM commands.
  mdmInvalidAccessRights: e(MC_MDM_ERROR_DOMAIN, 12000, 'Invalid access rights'),
  mdmProfileNotManaged: e(MC_MDM_ERROR_DOMAIN, 12013, 'Profile not managed'),
  mdmInvalidRequestType: e(MC_MDM_ERROR_DOMAIN, 12021, 'Invalid request type'),
  mdmProfileNotInstalled: e(MC_MDM_ERROR_DOMAIN, 12075, 'Specified profile not installed'),
  // MCEASErrorDomain: Exchange ActiveSync accounts.
  easNoHostName: e(MC_EAS_ERROR_DOMAIN, 21003, 'No host name'),
  easCannotCreateAccount: e(MC_EAS_ERROR_DOMAIN, 21004, 'Cannot create account'),
  easAccountNotUnique: e(MC_EAS_ERROR_DOMAIN, 21005, 'Account not unique'),
  easNoServicesEnabled: e(MC_EAS_ERROR_DOMAIN, 21009, 'No services enabled (EAS_NO_SERVICES_ENABLED)'),
} as const satisfies Record<string, AppleErrorCode>;

export type AppleErrorName = keyof typeof APPLE_ERRORS;

/** Find the catalogue entry for a domain + code (for reading reports). */
export function lookupAppleError(domain: string, code: number): AppleErrorCode | undefined {
  return Object.values(APPLE_ERRORS).find((x) => x.domain === domain && x.code === code);
}

/** One chain item; the description defaults to Apple's meaning of the code. */
export function errorChainItem(err: AppleErrorCode, description: string = err.description): ErrorChainItem {
  return { ErrorCode: err.code, ErrorDomain: err.domain, LocalizedDescription: description, USEnglishDescription: description };
}

/** Outer 4001 "could not be installed" around the payload's own error (iOS payload handlers wrap their failure in 4001: decompiled iPadOS 18.0 MCLoggingPayloadHandler.m). */
export function installFailureChain(payloadName: string, inner: ErrorChainItem): ErrorChainItem[] {
  return [errorChainItem(APPLE_ERRORS.installFailure, `The payload “${payloadName}” could not be installed.`), inner];
}

/**
 * iOS refuses a managed EAS account when an account with the same address and host already exists
 * (docs/email-profiles.md, iOS row; Intune's email-profile troubleshooting page, MicrosoftDocs/memdocs
 * intune/configuration/troubleshoot-email-profiles-in-microsoft-intune.md; iOS's
 * account identity `eas|EmailAddress|Host|UserName`, decompiled iPadOS 18.0
 * MCNewEASAccountPayloadHandler.m): 4001 → 21005.
 */
export function duplicateAccountChain(email: string, host: string, payloadName = 'Exchange ActiveSync'): ErrorChainItem[] {
  return installFailureChain(
    payloadName,
    errorChainItem(APPLE_ERRORS.easAccountNotUnique, `An account for ${email} on ${host} already exists on this device; the account is not unique.`),
  );
}

/** All of EnableMail/Contacts/Calendars/Reminders/Notes false (Apple YAML com.apple.eas.account.yaml: at least one must be true): 4001 → 21009. */
export function noServicesEnabledChain(payloadName = 'Exchange ActiveSync'): ErrorChainItem[] {
  return installFailureChain(
    payloadName,
    errorChainItem(APPLE_ERRORS.easNoServicesEnabled, 'At least one of Mail, Contacts, Calendars, Reminders and Notes must be enabled.'),
  );
}

/** EAS payload without Host: 4001 → 21003. */
export function noHostChain(payloadName = 'Exchange ActiveSync'): ErrorChainItem[] {
  return installFailureChain(payloadName, errorChainItem(APPLE_ERRORS.easNoHostName, 'The Exchange account has no host name.'));
}

/** A profile that cannot be read: 4000 "cannot parse" wrapping the MCProfileErrorDomain cause (Apple MDM Protocol Reference, "Error Codes"; bitstadium/HockeyKit#185). */
export function cannotParseChain(inner: ErrorChainItem): ErrorChainItem[] {
  return [errorChainItem(APPLE_ERRORS.installCannotParse, 'The profile could not be parsed.'), inner];
}

/** Same identifier installed by someone else (user vs MDM): 12013 (Apple MDM Protocol Reference, "Error Codes"). */
export function profileNotManagedChain(identifier: string): ErrorChainItem[] {
  return [errorChainItem(APPLE_ERRORS.mdmProfileNotManaged, `The profile “${identifier}” is not managed by MDM.`)];
}

/** RemoveProfile of an identifier that is not installed: 12075. */
export function profileNotInstalledChain(identifier: string): ErrorChainItem[] {
  return [errorChainItem(APPLE_ERRORS.mdmProfileNotInstalled, `The profile “${identifier}” is not installed.`)];
}

/** Replacement signed by another signer: 4008. */
export function mismatchedSignersChain(identifier: string): ErrorChainItem[] {
  return [errorChainItem(APPLE_ERRORS.installMismatchedCertificates, `The replacement for “${identifier}” is not signed by the same signer.`)];
}

/** A payload UUID already installed by another profile: 4002. */
export function duplicateUuidChain(uuid: string): ErrorChainItem[] {
  return [errorChainItem(APPLE_ERRORS.installDuplicateUuid, `A profile with UUID ${uuid} is already installed.`)];
}

/** A RequestType the device does not know: 12021 (as jessepeterson/mdmb internal/device/commands.go answers). */
export function unknownCommandChain(requestType: string): ErrorChainItem[] {
  return [errorChainItem(APPLE_ERRORS.mdmInvalidRequestType, `Unknown command: ${requestType}`)];
}
