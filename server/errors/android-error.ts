import { ANDROID_ERRORS, type AndroidErrorCode } from './catalogue.js';

/**
 * A refusal on the Android channel: the HTTP edge answers ANDROID_ERRORS[code] in Google's JSON
 * error model (protocol/android/channel.ts), naming `field` when one value is at fault, with
 * `headers` when the refusal says what would be taken (Accept-Encoding, Retry-After).
 */
export class AndroidChannelError extends Error {
  readonly code: AndroidErrorCode;
  readonly field: string | undefined;
  readonly headers: Readonly<Record<string, string>>;

  constructor(code: AndroidErrorCode, message?: string, options: { field?: string; headers?: Record<string, string> } = {}) {
    super(message ?? ANDROID_ERRORS[code].message);
    this.name = 'AndroidChannelError';
    this.code = code;
    this.field = options.field;
    this.headers = options.headers ?? {};
  }
}
