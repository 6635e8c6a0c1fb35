/**
 * Fuzz: the HTTP layer itself, below every route: request lines (methods, targets of every form,
 * versions, line endings), headers (missing or repeated Host, floods up to and past Node's 16 KB,
 * folded, nameless, with controls), framing (Content-Length that lies, repeats or overflows;
 * Transfer-Encoding chunked done wrong; both at once), Expect and Upgrade, pipelined requests, and
 * a client that goes away half-way. What is behind the routes is the other families' business:
 * here the answer must come from the server's parser or its edges, never a 5xx or a trace.
 */
import fc from 'fast-check';
import { fuzzFamily, type Outcome } from './harness/family.js';
import { hostileString, mutatedBytes, percentEncoded } from './harness/mutations.js';
import { exchange } from './harness/raw-http.js';

const TARGETS = ['/healthz', '/ca.pem', '/api/v1/users', '/api/v1/openapi.json', '/mdm/enroll?token=x', '/mdm/checkin', '/mdm/connect', '/scep?operation=GetCACaps', '/push/3/device/00', '/push', '/', '/nothing'];

const method = fc.oneof(
  { arbitrary: fc.constantFrom('GET', 'POST', 'PUT', 'HEAD', 'DELETE', 'PATCH', 'OPTIONS'), weight: 8 },
  { arbitrary: fc.constantFrom('TRACE', 'CONNECT', 'PRI', 'get', 'G ET', '', 'FUZZ', 'M-SEARCH', 'PROPFIND', 'SOURCE', 'QUERY', 'X'.repeat(300)), weight: 2 },
);
const target = fc.oneof(
  { arbitrary: fc.constantFrom(...TARGETS), weight: 8 },
  {
    arbitrary: fc.oneof(
      fc.constantFrom('*', 'http://127.0.0.1/healthz', 'https://x/api/v1/users', '127.0.0.1:80', '//healthz', '/%', '/%00', '/..%2f..%2fetc%2fpasswd', '/healthz#x', '/a b', '/\u0001', '/healthz?\u00ff', ''),
      fc.tuple(fc.constantFrom(...TARGETS), fc.integer({ min: 1000, max: 20_000 })).map(([t, n]) => `${t}${t.includes('?') ? '&' : '?'}q=${'a'.repeat(n)}`),
      hostileString.map((s) => `/${percentEncoded(s.slice(0, 3000))}`),
    ),
    weight: 2,
  },
);
const version = fc.oneof({ arbitrary: fc.constant('HTTP/1.1'), weight: 8 }, { arbitrary: fc.constantFrom('HTTP/1.0', 'HTTP/0.9', 'HTTP/2.0', 'HTTP/1.2', 'HTTP/1', 'http/1.1', 'HTTP/1.1 x', ''), weight: 2 });

const header = fc.oneof(
  { arbitrary: fc.constantFrom('Accept: */*', 'User-Agent: fuzz', 'Connection: close', 'Connection: keep-alive', 'Expect: 100-continue', 'Upgrade: h2c', 'HTTP2-Settings: AAMAAABkAARAAAAAAAIAAAAA', 'Content-Type: application/json', 'Authorization: Bearer x'), weight: 10 },
  {
    arbitrary: fc.oneof(
      fc.constantFrom('Content-Length: 5', 'Content-Length: -1', 'Content-Length: 1e3', 'Content-Length:  5 ', 'Content-Length: 5,5', 'Content-Length: 5, 6', 'Content-Length: 99999999999999999999', 'Content-Length: 0x10', 'Content-Length:', 'Content-Length: 100000000'),
      fc.constantFrom('Transfer-Encoding: chunked', 'Transfer-Encoding: chunked, chunked', 'Transfer-Encoding: gzip, chunked', 'Transfer-Encoding: xchunked', 'Transfer-Encoding: chunked ', 'Transfer-Encoding: identity', 'Transfer-Encoding:\tchunked'),
      fc.constantFrom('Host: a', 'Host: ', 'Host: a:99999', 'Host: [::1', 'X-Folded: a\r\n b', ': nameless', 'No-Colon', 'Space : before', 'X-Nul: a\u0000b', 'X-Bare-CR: a\rb', 'X-Long: ' + 'x'.repeat(17_000), 'Content-Encoding: gzip'),
    ),
    weight: 3,
  },
);
const floods = fc.oneof(
  { arbitrary: fc.constant([] as string[]), weight: 6 },
  { arbitrary: fc.tuple(fc.integer({ min: 100, max: 2100 }), fc.integer({ min: 1, max: 12 })).map(([n, size]) => Array.from({ length: n }, (_, i) => `X-F${i}: ${'v'.repeat(size)}`)), weight: 1 },
);
const body = fc.oneof(
  { arbitrary: fc.constant(''), weight: 8 },
  { arbitrary: fc.constantFrom('hello', '{"upn":"x@y.z"}', '5\r\nhello\r\n0\r\n\r\n', 'ffffffffffffffff\r\nx\r\n0\r\n\r\n', 'z\r\nx\r\n', '5;ext=1\r\nhello\r\n0\r\nTrailer: x\r\n\r\n', '-1\r\n\r\n', '0\r\n\r\nGET /healthz HTTP/1.1\r\nHost: a\r\n\r\n'), weight: 3 },
  { arbitrary: fc.uint8Array({ maxLength: 300 }).map((b) => Buffer.from(b).toString('latin1')), weight: 1 },
);
const lineEnd = fc.oneof({ arbitrary: fc.constant('\r\n'), weight: 10 }, { arbitrary: fc.constantFrom('\n', '\r', '\r\r\n'), weight: 1 });

const request = fc.record({ method, target, version, hostless: fc.oneof({ arbitrary: fc.constant(false), weight: 8 }, { arbitrary: fc.constant(true), weight: 1 }), headers: fc.array(header, { maxLength: 4 }), floods, body, eol: lineEnd }).map((r) => {
  const headers = [...(r.hostless ? [] : ['Host: 127.0.0.1']), ...r.headers, ...r.floods];
  const line = r.version ? `${r.method} ${r.target} ${r.version}` : `${r.method} ${r.target}`;
  return Buffer.from(`${line}${r.eol}${headers.map((h) => `${h}${r.eol}`).join('')}${r.eol}${r.body}`, 'latin1');
});

interface RawInput {
  requests: Buffer[];
  /** Half-close right after writing (a client that sends and goes), or wait for the server first. */
  endAfterWrite: boolean;
}

fuzzFamily('raw HTTP', async (server) => ({
  runs: 200,
  inputs: fc.record({
    requests: fc.oneof({ arbitrary: request.map((r) => [r]), weight: 6 }, { arbitrary: fc.array(request, { minLength: 2, maxLength: 3 }), weight: 1 }, { arbitrary: request.chain((r) => mutatedBytes(r, ['\r\n', '\n', ':', ' ', '\u0000', 'HTTP/1.1', 'Content-Length: 3'])).map((r) => [r]), weight: 2 }),
    endAfterWrite: fc.oneof({ arbitrary: fc.constant(true), weight: 9 }, { arbitrary: fc.constant(false), weight: 1 }),
  }) as fc.Arbitrary<RawInput>,
  async send(input: RawInput): Promise<Outcome> {
    const ex = await exchange(server.port, Buffer.concat(input.requests), { endAfterWrite: input.endAfterWrite, quietMs: 250 });
    return { sent: ex.request, answers: ex.answers, received: ex.raw, timedOut: ex.timedOut };
  },
}));
