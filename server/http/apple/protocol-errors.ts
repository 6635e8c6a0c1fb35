import type { ErrorRequestHandler, Response } from 'express';
import type { ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import { isAppleProtocolError } from '../../../protocol/apple/errors.js';
import { PROTOCOL_ERRORS, type ProtocolErrorCode } from '../../errors/catalogue.js';
import { ProtocolError } from '../../errors/protocol-error.js';
import { redactUrl } from '../../log-redaction.js';
import { isClientAbort } from '../client-abort.js';

export function sendProtocolError(res: Response, code: ProtocolErrorCode, message?: string): void {
  res.status(PROTOCOL_ERRORS[code].status).type('text/plain').send(`${code}: ${message ?? PROTOCOL_ERRORS[code].message}\n`);
}

/**
 * What a device-facing endpoint answers for an error: a status and a one-line reason in the
 * protocol's own form, never a stack. Codec errors (a plist that is not what Apple sends) are 400s
 * naming what is wrong. Undefined: not a refusal but a failure of ours (500, logged).
 */
export function protocolRefusal(err: unknown): { code: ProtocolErrorCode; status: number; text: string } | undefined {
  let code: ProtocolErrorCode | undefined;
  let message: string | undefined;
  if (err instanceof ProtocolError) {
    code = err.code;
    message = err.message;
  } else if (isAppleProtocolError(err)) {
    code = err.code === 'unknownMessageType' ? 'unknownMessageType' : err.code === 'tooLarge' ? 'bodyTooLarge' : 'malformedMessage';
    message = err.message;
  } else if (typeof err === 'object' && err !== null && (err as { type?: unknown }).type === 'entity.too.large') {
    code = 'bodyTooLarge';
  }
  if (!code) return undefined;
  return { code, status: PROTOCOL_ERRORS[code].status, text: `${code}: ${message ?? PROTOCOL_ERRORS[code].message}\n` };
}

/** Answers an error on a plain node:http response (the MDM fast path). */
export function writeProtocolError(res: ServerResponse, err: unknown, log: Logger, rawUrl: string | undefined): void {
  const url = redactUrl(rawUrl);
  if (isClientAbort(err)) {
    log.debug({ url }, 'the client closed the connection before the request was complete');
    res.destroy();
    return;
  }
  if (res.headersSent) {
    res.destroy();
    return;
  }
  const refusal = protocolRefusal(err);
  if (refusal) {
    log.warn({ code: refusal.code, url, reason: refusal.text.trim() }, 'device request refused');
    res.writeHead(refusal.status, { 'content-type': 'text/plain; charset=utf-8', 'content-length': Buffer.byteLength(refusal.text) });
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
