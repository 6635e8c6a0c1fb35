import type { ErrorRequestHandler, Response } from 'express';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import type { AppleProtocolError } from '../../../protocol/apple/errors.js';
import { PROTOCOL_ERRORS, type ProtocolErrorCode } from '../../errors/catalogue.js';
import { ProtocolError } from '../../errors/protocol-error.js';
import { redactUrl } from '../../log-redaction.js';
import { answerIsMoot, isClientAbort } from '../client-abort.js';

export function sendProtocolError(res: Response, code: ProtocolErrorCode, message?: string): void {
  res.status(PROTOCOL_ERRORS[code].status).type('text/plain').send(`${code}: ${oneLine(message ?? PROTOCOL_ERRORS[code].message)}\n`);
}

/**
 * A reason stays one line whatever it quotes: a reason may name what the client sent (an operation,
 * a Topic, a UDID), and line breaks or other controls in it are escaped rather than echoed.
 */
function oneLine(reason: string): string {
  return reason.replace(/[\u0000-\u001f\u007f\u2028\u2029]/g, (c) => ESCAPES[c] ?? `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}
const ESCAPES: Readonly<Record<string, string>> = { '\r': '\\r', '\n': '\\n', '\t': '\\t' };

/**
 * The refusal for a device message the codec could not decode: a 400 naming what is wrong. Only
 * the decoding of what a device sent may be blamed on the device; an AppleProtocolError from
 * anywhere else (the server encoding a command or a profile from its own data) is a failure of
 * ours and stays one (500, logged), so the endpoint converts at the decode call and nowhere else.
 */
export function undecodableMessage(err: AppleProtocolError): ProtocolError {
  const code: ProtocolErrorCode =
    err.code === 'unknownMessageType' ? 'unknownMessageType' : err.code === 'tooLarge' ? 'bodyTooLarge' : err.code === 'userChannel' ? 'userChannelNotSupported' : 'malformedMessage';
  return new ProtocolError(code, err.message);
}

/**
 * What a device-facing endpoint answers for an error: a status and a one-line reason in the
 * protocol's own form, never a stack. Undefined: not a refusal but a failure of ours (500, logged).
 */
export function protocolRefusal(err: unknown): { code: ProtocolErrorCode; status: number; text: string; headers: Readonly<Record<string, string>> } | undefined {
  let code: ProtocolErrorCode | undefined;
  let message: string | undefined;
  let headers: Readonly<Record<string, string>> = {};
  if (err instanceof ProtocolError) {
    code = err.code;
    message = err.message;
    headers = err.headers;
  } else if (typeof err === 'object' && err !== null && (err as { type?: unknown }).type === 'entity.too.large') {
    code = 'bodyTooLarge';
  }
  if (!code) return undefined;
  return { code, status: PROTOCOL_ERRORS[code].status, text: `${code}: ${oneLine(message ?? PROTOCOL_ERRORS[code].message)}\n`, headers };
}

/**
 * An error from reading a request body with express's parsers (body-parser over raw-body), as
 * the endpoint's refusal: over the limit (counted after decoding) → bodyTooLarge; a coding the
 * parser does not take → unsupportedContentEncoding naming `acceptEncoding` (RFC 9110 §15.5.16);
 * a body that does not decode with its coding → badContentEncoding; any other client error of
 * the parser → `malformed`. A client that went away, or a failure of ours, is returned as it is.
 */
export function bodyReadRefusal(err: unknown, req: IncomingMessage, opts: { acceptEncoding: string; malformed: ProtocolErrorCode }): unknown {
  if (typeof err !== 'object' || err === null || err instanceof ProtocolError) return err;
  const { type, status, expose, limit } = err as { type?: unknown; status?: unknown; expose?: unknown; limit?: unknown };
  if (type === 'request.aborted') return err;
  if (type === 'entity.too.large') return new ProtocolError('bodyTooLarge', typeof limit === 'number' ? `the body is limited to ${limit} bytes` : undefined);
  const coding = String(req.headers['content-encoding'] ?? 'identity').trim().toLowerCase();
  if (type === 'encoding.unsupported') {
    return new ProtocolError('unsupportedContentEncoding', `Content-Encoding ${coding} is not taken here`, { 'accept-encoding': opts.acceptEncoding });
  }
  if (typeof status !== 'number' || status < 400 || status > 499 || expose === false) return err;
  const reason = err instanceof Error ? err.message : 'unreadable';
  if (coding !== 'identity') return new ProtocolError('badContentEncoding', `the body does not decode as ${coding}: ${reason}`);
  return new ProtocolError(opts.malformed, `the body cannot be read: ${reason}`);
}

/** Answers an error on a plain node:http response (the MDM fast path). */
export function writeProtocolError(res: ServerResponse, err: unknown, log: Logger, rawUrl: string | undefined): void {
  const url = redactUrl(rawUrl);
  if (answerIsMoot(res, err, log, { url })) return;
  const refusal = protocolRefusal(err);
  if (refusal) {
    log.warn({ code: refusal.code, url, reason: refusal.text.trim() }, 'device request refused');
    res.writeHead(refusal.status, { ...refusal.headers, 'content-type': 'text/plain; charset=utf-8', 'content-length': Buffer.byteLength(refusal.text) });
    res.end(refusal.text);
    return;
  }
  log.error({ err, url }, 'device request failed');
  res.writeHead(500, { 'content-type': 'text/plain; charset=utf-8' });
  res.end('internal error\n');
}

/** The same, as express error middleware (SCEP, enrollment). */
export function protocolErrorHandler(log: Logger): ErrorRequestHandler {
  return (err: unknown, req, res, _next) => {
    if (res.headersSent && !isClientAbort(err)) return;
    writeProtocolError(res, err, log, req.originalUrl);
  };
}
