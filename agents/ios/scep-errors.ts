import type { FailInfo } from '../../certs/scep-message.js';
import { errorChainItem, installFailureChain, type AppleErrorCode, type ErrorChainItem } from '../../protocol/apple/errors-catalogue.js';

/**
 * MCSCEPErrorDomain, which protocol/apple's catalogue does not carry (yet): codes from Apple's
 * archived MDM Protocol Reference, "Error Codes" appendix: 22002 invalid CA response, 22005 network
 * error, 22013 invalid PKIOperation response. Decompiled iPadOS builds raise 22005 for HTTP
 * failures of the SCEP exchange (MCSCEPErrorDomain code:22005 in the public dumps).
 */
export const MC_SCEP_ERROR_DOMAIN = 'MCSCEPErrorDomain';

export const SCEP_ERRORS = {
  invalidCaResponse: { domain: MC_SCEP_ERROR_DOMAIN, code: 22002, description: 'Invalid CA response' },
  networkError: { domain: MC_SCEP_ERROR_DOMAIN, code: 22005, description: 'Network error' },
  invalidPkiOperationResponse: { domain: MC_SCEP_ERROR_DOMAIN, code: 22013, description: 'Invalid PKIOperation response' },
} as const satisfies Record<string, AppleErrorCode>;

/** A SCEP enrollment that did not give a certificate; `apple` is what iOS reports for it. */
export class ScepFailure extends Error {
  readonly apple: AppleErrorCode;
  readonly failInfo: FailInfo | undefined;

  constructor(apple: AppleErrorCode, message: string, options: { cause?: unknown; failInfo?: FailInfo | undefined } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'ScepFailure';
    this.apple = apple;
    this.failInfo = options.failInfo;
  }

  toErrorChainItem(): ErrorChainItem {
    return errorChainItem(this.apple, this.message);
  }
}

/**
 * The SCEP payload failed, so the profile did not install: 4001 around the SCEP error (payload
 * handlers wrap their failure in 4001: decompiled iPadOS 18.0 MCLoggingPayloadHandler.m).
 */
export function scepFailureChain(payloadName: string, failure: ScepFailure): ErrorChainItem[] {
  return installFailureChain(payloadName, failure.toErrorChainItem());
}
