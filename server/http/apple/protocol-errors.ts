import type { ErrorRequestHandler, Response } from 'express';
import type { Logger } from 'pino';
import { isAppleProtocolError } from '../../../protocol/apple/errors.js';
import { PROTOCOL_ERRORS, type ProtocolErrorCode } from '../../errors/catalogue.js';
import { ProtocolError } from '../../errors/protocol-error.js';

export function sendProtocolError(res: Response, code: ProtocolErrorCode, message?: string): void {
  res.status(PROTOCOL_ERRORS[code].status).type('text/plain').send(`${code}: ${message ?? PROTOCOL_ERRORS[code].message}\n`);
}

/**
 * Device-facing endpoints answer errors in their own form: a status and a one-line reason, never
 * a stack. Codec errors (a plist that is not what Apple sends) are 400s naming what is wrong.
 */
export function protocolErrorHandler(log: Logger): ErrorRequestHandler {
  return (err: unknown, req, res, _next) => {
    if (res.headersSent) return;
    if (err instanceof ProtocolError) {
      log.warn({ code: err.code, url: req.originalUrl, reason: err.message }, 'device request refused');
      return sendProtocolError(res, err.code, err.message);
    }
    if (isAppleProtocolError(err)) {
      const code: ProtocolErrorCode = err.code === 'unknownMessageType' ? 'unknownMessageType' : err.code === 'tooLarge' ? 'bodyTooLarge' : 'malformedMessage';
      log.warn({ code, url: req.originalUrl, reason: err.message }, 'device request refused');
      return sendProtocolError(res, code, err.message);
    }
    const type = typeof err === 'object' && err !== null && 'type' in err ? (err as { type: unknown }).type : undefined;
    if (type === 'entity.too.large') return sendProtocolError(res, 'bodyTooLarge');
    if (type === 'request.aborted') return;
    log.error({ err, url: req.originalUrl }, 'device request failed');
    res.status(500).type('text/plain').send('internal error\n');
  };
}
