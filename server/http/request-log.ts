import type { RequestHandler } from 'express';
import type { Logger } from 'pino';

/**
 * One line per request at debug level (a check-in storm at info would drown the log), and at
 * warn for server errors. Protocol handlers add device and command ids on their own lines.
 */
export function requestLog(log: Logger): RequestHandler {
  return (req, res, next) => {
    const started = process.hrtime.bigint();
    res.on('finish', () => {
      const ms = Number(process.hrtime.bigint() - started) / 1e6;
      const line = { method: req.method, url: req.originalUrl, status: res.statusCode, ms: Math.round(ms * 10) / 10 };
      if (res.statusCode >= 500) log.warn(line, 'request failed');
      else if (log.isLevelEnabled('debug')) log.debug(line, 'request');
    });
    next();
  };
}
