/**
 * Errors of configuration profile parsing, in the form iOS reports them: an Apple domain + code
 * (errors-catalogue.ts) and a description, plus a string `code` callers can switch on.
 *
 * Which domain: the profile envelope and the common keys of each payload → MCProfileErrorDomain
 * (1000 malformed, 1001 version, 1002 missing field, 1003 bad type, 1007/1008 non-unique);
 * a payload's own keys → MCPayloadErrorDomain (2002/2003/2004); EAS account rules → MCEASErrorDomain.
 */

import { AppleProtocolError } from './errors.js';
import { APPLE_ERRORS, errorChainItem, type AppleErrorCode, type ErrorChainItem } from './errors-catalogue.js';

export type AppleProfileErrorCode =
  | 'malformedProfile'
  | 'unsupportedProfileVersion'
  | 'missingField'
  | 'badFieldType'
  | 'unsupportedFieldValue'
  | 'nonUniqueUuids'
  | 'nonUniqueIdentifiers'
  | 'cannotDecrypt'
  | 'invalidAccessRights'
  | 'noHostName'
  | 'noServicesEnabled';

export interface AppleErrorReport {
  domain: string;
  code: number;
  description: string;
}

export class AppleProfileError extends Error {
  readonly code: AppleProfileErrorCode;
  /** Domain, numeric code and description as the device puts them in an ErrorChain item. */
  readonly apple: AppleErrorReport;
  /** Dotted path of the offending field, e.g. `PayloadContent[1].PayloadUUID`. */
  readonly field: string | undefined;

  constructor(code: AppleProfileErrorCode, err: AppleErrorCode, description: string, options: { field?: string; cause?: unknown } = {}) {
    super(`${err.domain} ${err.code}: ${description}`, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'AppleProfileError';
    this.code = code;
    this.apple = { domain: err.domain, code: err.code, description };
    this.field = options.field;
  }

  toErrorChainItem(): ErrorChainItem {
    return errorChainItem({ domain: this.apple.domain, code: this.apple.code, description: this.apple.description });
  }
}

export function isAppleProfileError(err: unknown, code?: AppleProfileErrorCode): err is AppleProfileError {
  return err instanceof AppleProfileError && (code === undefined || err.code === code);
}

/** Which domain an AppleProtocolError from a DictReader is reported in. */
export type ProfileErrorScope = 'profile' | 'payload';

/**
 * Re-throw a reader error (missingKey / wrongType / invalidValue) in Apple's profile vocabulary;
 * anything else passes through.
 */
export function asProfileError(err: unknown, scope: ProfileErrorScope): unknown {
  if (!(err instanceof AppleProtocolError)) return err;
  const opts = { ...(err.key === undefined ? {} : { field: err.key }), cause: err };
  const profile = scope === 'profile';
  switch (err.code) {
    case 'missingKey':
      return new AppleProfileError('missingField', profile ? APPLE_ERRORS.profileMissingField : APPLE_ERRORS.payloadMissingField, err.message, opts);
    case 'wrongType':
      return new AppleProfileError('badFieldType', profile ? APPLE_ERRORS.profileBadFieldType : APPLE_ERRORS.payloadBadFieldType, err.message, opts);
    case 'invalidValue':
      return new AppleProfileError(
        'unsupportedFieldValue',
        profile ? APPLE_ERRORS.profileUnsupportedFieldValue : APPLE_ERRORS.payloadUnsupportedFieldValue,
        err.message,
        opts,
      );
    default:
      return new AppleProfileError('malformedProfile', profile ? APPLE_ERRORS.profileMalformed : APPLE_ERRORS.payloadMalformed, err.message, opts);
  }
}

/** Run `f`, translating reader errors into AppleProfileError of the given scope. */
export function withProfileErrors<T>(scope: ProfileErrorScope, f: () => T): T {
  try {
    return f();
  } catch (err) {
    throw asProfileError(err, scope);
  }
}
