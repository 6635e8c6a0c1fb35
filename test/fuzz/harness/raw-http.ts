import net from 'node:net';

/**
 * HTTP/1.1 at the byte level (RFC 9112), for inputs no HTTP client library would send: any method,
 * target, version, header or framing. A request is written on a fresh connection and everything
 * the server answers is read until it closes the connection (requests say `Connection: close`).
 * A request the server would wait on for ever (a Content-Length larger than the body) is ended
 * with a half-close, at once when the sender knows it is incomplete, else after a quiet spell: the
 * server then knows nothing more is coming. Not at once for every request: Node's server answers
 * a client's FIN by dropping requests still being handled (http.Server without httpAllowHalfOpen),
 * so a complete request handled asynchronously would lose its answer.
 */

export type HeaderList = ReadonlyArray<readonly [string, string]>;

export interface RequestSpec {
  method: string;
  target: string;
  headers?: HeaderList;
  body?: Buffer | string;
  /** Default HTTP/1.1. */
  version?: string;
  /** Adds Content-Length for the body (default true, unless a Transfer-Encoding or Content-Length header is given). */
  contentLength?: boolean;
  /** Adds `Host` (default true, unless given) and `Connection: close` (default true, unless a Connection header is given). */
  host?: boolean;
}

/** The bytes of one request: what is given, plus the framing headers a well-formed client would add. */
export function requestBytes(spec: RequestSpec, hostHeader: string): Buffer {
  const headers = [...(spec.headers ?? [])];
  const has = (name: string) => headers.some(([n]) => n.toLowerCase() === name);
  const body = spec.body === undefined ? Buffer.alloc(0) : Buffer.isBuffer(spec.body) ? spec.body : Buffer.from(spec.body, 'utf8');
  if (spec.host !== false && !has('host')) headers.unshift(['Host', hostHeader]);
  if (spec.host !== false && !has('connection')) headers.push(['Connection', 'close']);
  if (spec.contentLength !== false && !has('content-length') && !has('transfer-encoding') && (body.length > 0 || ['POST', 'PUT', 'PATCH'].includes(spec.method))) {
    headers.push(['Content-Length', String(body.length)]);
  }
  const head = `${spec.method} ${spec.target} ${spec.version ?? 'HTTP/1.1'}\r\n${headers.map(([n, v]) => `${n}: ${v}\r\n`).join('')}\r\n`;
  return Buffer.concat([Buffer.from(head, 'latin1'), body]);
}

export interface HttpAnswer {
  status: number;
  headers: Map<string, string[]>;
  body: Buffer;
}

export interface Exchange {
  request: Buffer;
  /** Every response read, in order (pipelined requests get several; 1xx interim ones included). */
  answers: HttpAnswer[];
  /** All the bytes the server sent. */
  raw: Buffer;
  /** The server neither answered completely nor closed the connection within the timeout. */
  timedOut: boolean;
  /** Bytes after the last complete response that do not parse as one. */
  trailing: Buffer;
}

/** Writes `request` on a new connection to 127.0.0.1:port and reads until the server closes it. */
export interface ExchangeOptions {
  /** Half-close right after writing: the request is known to be incomplete, or the FIN is the point. */
  endAfterWrite?: boolean;
  /** Half-close after this long without a byte from the server (default 2 s). */
  quietMs?: number;
  /** Give up (timedOut) after this long (default 15 s). */
  timeoutMs?: number;
}

export function exchange(port: number, request: Buffer | readonly Buffer[], opts: ExchangeOptions = {}): Promise<Exchange> {
  const parts = Buffer.isBuffer(request) ? [request] : [...request];
  const all = Buffer.concat(parts);
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let done = false;
    const socket = net.connect(port, '127.0.0.1');
    let quiet: NodeJS.Timeout | undefined;
    const rearm = () => {
      clearTimeout(quiet);
      quiet = setTimeout(() => socket.end(), opts.quietMs ?? 2000);
    };
    const finish = (timedOut: boolean) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      clearTimeout(quiet);
      socket.destroy();
      const raw = Buffer.concat(chunks);
      const { answers, trailing } = parseResponses(raw);
      resolve({ request: all, answers, raw, timedOut, trailing });
    };
    const timer = setTimeout(() => finish(true), opts.timeoutMs ?? 15_000);
    socket.on('data', (d: Buffer) => {
      chunks.push(d);
      if (quiet) rearm();
    });
    // A reset after the server refused (it may close before reading all we sent) is an answer too.
    socket.on('error', () => finish(false));
    socket.on('close', () => finish(false));
    socket.on('connect', () => {
      for (const p of parts) socket.write(p);
      if (opts.endAfterWrite) socket.end();
      else rearm();
    });
  });
}

/** Splits what a server sent into responses (RFC 9112 §6: Content-Length, chunked, or until close). */
export function parseResponses(raw: Buffer): { answers: HttpAnswer[]; trailing: Buffer } {
  const answers: HttpAnswer[] = [];
  let at = 0;
  while (at < raw.length) {
    const end = raw.indexOf('\r\n\r\n', at, 'latin1');
    if (end < 0) break;
    const lines = raw.subarray(at, end).toString('latin1').split('\r\n');
    const m = /^HTTP\/1\.[01] (\d{3})(?: .*)?$/.exec(lines[0] ?? '');
    if (!m) break;
    const status = Number(m[1]);
    const headers = new Map<string, string[]>();
    for (const line of lines.slice(1)) {
      const colon = line.indexOf(':');
      if (colon <= 0) continue;
      const name = line.slice(0, colon).trim().toLowerCase();
      headers.set(name, [...(headers.get(name) ?? []), line.slice(colon + 1).trim()]);
    }
    let next = end + 4;
    let body: Buffer = Buffer.alloc(0);
    const length = headers.get('content-length')?.[0];
    if (status < 200 || status === 204 || status === 304) {
      // no body (RFC 9112 §6.3)
    } else if (headers.get('transfer-encoding')?.some((v) => /chunked/i.test(v))) {
      const decoded = dechunk(raw, next);
      body = decoded.body;
      next = decoded.next;
    } else if (length !== undefined && /^\d+$/.test(length)) {
      // A HEAD answer declares a length it does not send: take what is there.
      body = raw.subarray(next, Math.min(raw.length, next + Number(length)));
      next += body.length;
    } else {
      body = raw.subarray(next);
      next = raw.length;
    }
    answers.push({ status, headers, body });
    at = next;
  }
  return { answers, trailing: raw.subarray(at) };
}

function dechunk(raw: Buffer, from: number): { body: Buffer; next: number } {
  const parts: Buffer[] = [];
  let at = from;
  for (;;) {
    const eol = raw.indexOf('\r\n', at, 'latin1');
    if (eol < 0) return { body: Buffer.concat([...parts, raw.subarray(at)]), next: raw.length };
    const size = parseInt(raw.subarray(at, eol).toString('latin1'), 16);
    if (!Number.isFinite(size)) return { body: Buffer.concat([...parts, raw.subarray(at)]), next: raw.length };
    at = eol + 2;
    if (size === 0) {
      const trailerEnd = raw.indexOf('\r\n', at, 'latin1');
      return { body: Buffer.concat(parts), next: trailerEnd < 0 ? raw.length : trailerEnd + 2 };
    }
    parts.push(raw.subarray(at, at + size));
    at += size + 2;
  }
}
