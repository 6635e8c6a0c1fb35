import type { ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import { encodeChannelError } from '../../../protocol/android/channel.js';
import type { AndroidProtocolError } from '../../../protocol/android/errors.js';
import { AndroidChannelError } from '../../errors/android-error.js';
import { ANDROID_ERRORS, type AndroidErrorCode } from '../../errors/catalogue.js';
import { redactUrl } from '../../log-redaction.js';
import { answerIsMoot } from '../client-abort.js';

/**
 * The refusal for a document the codec could not decode: the device's fault, named by the codec's
 * error code and the JSON path at fault. Only the decoding of what a device sent is converted; an
 * AndroidProtocolError from anywhere else is a failure of ours (500).
 */
export function undecodableDocument(err: AndroidProtocolError): AndroidChannelError {
  const code: AndroidErrorCode = err.code === 'tooLarge' ? 'bodyTooLarge' : err.code;
  return new AndroidChannelError(code, err.message, err.path ? { field: err.path } : {});
}

/**
 * Answers an error on the Android channel in Google's JSON error model (protocol/android/channel.ts):
 * a refusal with its status, google.rpc.Code, reason and field; anything else is ours: logged, and
 * answered 500 INTERNAL without a word of what went wrong.
 */
export function writeChannelError(res: ServerResponse, err: unknown, log: Logger, rawUrl: string | undefined): void {
  const url = redactUrl(rawUrl);
  if (answerIsMoot(res, err, log, { url })) return;
  const refusal = err instanceof AndroidChannelError ? err : undefined;
  if (refusal) log.warn({ code: refusal.code, url, reason: refusal.message, field: refusal.field }, 'Android request refused');
  else log.error({ err, url }, 'Android request failed');
  const code: AndroidErrorCode = refusal?.code ?? 'internalError';
  const entry = ANDROID_ERRORS[code];
  const body = encodeChannelError({
    code: entry.status,
    status: entry.rpc,
    reason: code,
    message: refusal?.message ?? entry.message,
    ...(refusal?.field !== undefined ? { field: refusal.field } : {}),
  });
  res.writeHead(entry.status, { ...(refusal?.headers ?? {}), 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(body), 'cache-control': 'no-store' });
  res.end(body);
}
