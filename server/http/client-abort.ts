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
