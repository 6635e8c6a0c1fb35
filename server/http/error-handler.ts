import type { ErrorRequestHandler, Response } from 'express';
import type { Logger } from 'pino';
import { ERRORS, type ErrorCode } from '../errors/catalogue.js';
import { MdmlabError } from '../errors/mdmlab-error.js';
import { redactUrl } from '../log-redaction.js';
import { answerIsMoot } from './client-abort.js';

export function sendError(res: Response, code: ErrorCode, message?: string, field?: string): void {
  res.status(ERRORS[code].status).json({ error: { code, message: message ?? ERRORS[code].message, ...(field ? { field } : {}) } });
}

/**
 * The one place admin-API errors become HTTP: catalogue errors keep their status; body-parser
 * failures become invalidJson/payloadTooLarge; anything else is logged and answered as a bare
 * internalError (no stack, no message from inside ever leaves the server).
 */
export function jsonErrorHandler(log: Logger): ErrorRequestHandler {
  return (err: unknown, req, res, _next) => {
    if (answerIsMoot(res, err, log, { method: req.method, url: redactUrl(req.originalUrl) })) return;
    if (err instanceof MdmlabError) return sendError(res, err.code, err.message, err.field);
    const type = typeof err === 'object' && err !== null && 'type' in err ? (err as { type: unknown }).type : undefined;
    if (type === 'entity.too.large') return sendError(res, 'payloadTooLarge');
    if (type === 'entity.parse.failed') return sendError(res, 'invalidJson', `the body is not valid JSON: ${(err as Error).message}`);
    if (type === 'encoding.unsupported' || type === 'charset.unsupported') return sendError(res, 'unsupportedMediaType', (err as Error).message);
    // Other client errors raised by express and its parsers (a path that is not valid percent-encoding,
    // a gzip body that does not inflate) carry a 4xx status and a message meant for the client.
    const status = clientErrorStatus(err);
    if (status === 413) return sendError(res, 'payloadTooLarge');
    if (status === 415) return sendError(res, 'unsupportedMediaType', (err as Error).message);
    if (status !== undefined) return sendError(res, 'badRequest', (err as Error).message);
    log.error({ err, method: req.method, url: redactUrl(req.originalUrl) }, 'unhandled error in admin API');
    sendError(res, 'internalError');
  };
}

function clientErrorStatus(err: unknown): number | undefined {
  if (typeof err !== 'object' || err === null) return undefined;
  const { status, statusCode, expose } = err as { status?: unknown; statusCode?: unknown; expose?: unknown };
  const value = typeof status === 'number' ? status : statusCode;
  if (typeof value !== 'number' || value < 400 || value > 499) return undefined;
  // http-errors marks 4xx as exposable; a 4xx without that flag is not ours to explain.
  if (expose === false) return undefined;
  return value;
}
