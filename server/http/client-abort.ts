import type { ServerResponse } from 'node:http';
import type { Logger } from 'pino';

/**
 * A request the client gave up on (closed the connection before its body arrived): raw-body's
 * `request.aborted` under express, Node's `aborted` (ECONNRESET) on a plain IncomingMessage. Not a
 * failure of the server: logged at debug, answered with nothing (there is no one to answer).
 */
export function isClientAbort(err: unknown): boolean {
  if (typeof err !== 'object' || err === null) return false;
  const { type, code } = err as { type?: unknown; code?: unknown };
  return type === 'request.aborted' || code === 'ECONNRESET' || code === 'ECONNABORTED' || code === 'ERR_STREAM_PREMATURE_CLOSE';
}

/**
 * What every error answer checks first: a client that went away gets nothing (logged at debug,
 * the socket let go), and a response already started cannot become an error answer (it is cut, so
 * the client sees a broken message rather than a complete wrong one). True: write nothing more.
 */
export function answerIsMoot(res: ServerResponse, err: unknown, log: Logger, fields: Record<string, unknown>): boolean {
  if (isClientAbort(err)) {
    log.debug(fields, 'the client closed the connection before the request was complete');
    res.destroy();
    return true;
  }
  if (res.headersSent) {
    res.destroy();
    return true;
  }
  return false;
}
