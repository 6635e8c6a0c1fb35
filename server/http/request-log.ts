import type { RequestHandler } from 'express';
import type { Logger } from 'pino';
import { redactUrl } from '../log-redaction.js';

/**
 * One line per request at debug level (a check-in storm at info would drown the log), and at
 * warn for server errors. Protocol handlers add device and command ids on their own lines. The
 * URL is logged without its secrets (query values, push tokens in paths: server/log-redaction.ts).
 */
export function requestLog(log: Logger): RequestHandler {
  return (req, res, next) => {
    const started = process.hrtime.bigint();
    res.on('finish', () => {
      const ms = Number(process.hrtime.bigint() - started) / 1e6;
      if (res.statusCode < 500 && !log.isLevelEnabled('debug')) return;
      const line = { method: req.method, url: redactUrl(req.originalUrl), status: res.statusCode, ms: Math.round(ms * 10) / 10 };
      if (res.statusCode >= 500) log.warn(line, 'request failed');
      else log.debug(line, 'request');
    });
    next();
  };
}
