import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface LoadRequest {
  /** Default PUT (Apple check-ins). */
  method?: string;
  url: string;
  headers: Record<string, string>;
  body: Buffer;
}

export interface LoadResult {
  tool: 'wrk' | 'node';
  requests: number;
  seconds: number;
  perSecond: number;
  non2xx: number;
}

export function haveWrk(): boolean {
  return spawnSync('wrk', ['--version']).error === undefined;
}

/**
 * Replays `requests` in rotation against one origin for `seconds`, keep-alive, `connections` at
 * once. wrk (C, one thread) when it is installed, so the client is never the bottleneck of a
 * 25k/s server; otherwise a node:http loop in this process (then the ceiling is the client's).
 */
export async function runLoad(requests: LoadRequest[], seconds: number, connections: number): Promise<LoadResult> {
  if (haveWrk()) return runWrk(requests, seconds, connections);
  return runNode(requests, seconds, connections);
}

function runWrk(requests: LoadRequest[], seconds: number, connections: number): LoadResult {
  const dir = mkdtempSync(join(tmpdir(), 'mdmlab-wrk-'));
  try {
    // Requests are formatted in init(): before it runs wrk has no Host header for wrk.format, and
    // a request without Host is a 400 that closes the connection (which looks like a slow server).
    const lua = [
      'local specs = {}',
      ...requests.map((r) => {
        const u = new URL(r.url);
        const headers = Object.entries(r.headers).map(([k, v]) => `[ ${luaString(Buffer.from(k))} ] = ${luaString(Buffer.from(v))}`).join(',');
        return `specs[#specs+1] = { method = ${luaString(Buffer.from(r.method ?? 'PUT'))}, path = ${luaString(Buffer.from(u.pathname))}, headers = {${headers}}, body = ${luaString(r.body)} }`;
      }),
      'local reqs = {}',
      'local i = 0',
      'init = function(args) for _, s in ipairs(specs) do reqs[#reqs+1] = wrk.format(s.method, s.path, s.headers, s.body) end end',
      'request = function() i = i % #reqs + 1; return reqs[i] end',
      'done = function(summary, latency, requests)',
      '  io.write(string.format("RESULT %d %d %d\\n", summary.requests, summary.duration, (summary.errors.status or 0)))',
      'end',
    ].join('\n');
    writeFileSync(join(dir, 'script.lua'), lua);
    const origin = new URL(requests[0]!.url).origin;
    const out = spawnSync('wrk', ['-t1', `-c${connections}`, `-d${seconds}s`, '-s', join(dir, 'script.lua'), origin], { encoding: 'utf8' });
    const m = /RESULT (\d+) (\d+) (\d+)/.exec(out.stdout);
    if (!m) throw new Error(`wrk failed: ${out.stderr || out.stdout}`);
    const n = Number(m[1]);
    const secs = Number(m[2]) / 1e6;
    return { tool: 'wrk', requests: n, seconds: secs, perSecond: n / secs, non2xx: Number(m[3]) };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** A Lua long-bracket string: no escapes inside, so XML and base64 go in as they are. */
function luaString(b: Buffer): string {
  const text = b.toString('latin1');
  let level = '=';
  while (text.includes(`]${level}]`)) level += '=';
  // A long string drops a newline right after the opening bracket: start with one of our own.
  return `[${level}[\n${text}]${level}]`;
}

async function runNode(requests: LoadRequest[], seconds: number, connections: number): Promise<LoadResult> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: connections });
  const end = Date.now() + seconds * 1000;
  let n = 0;
  let non2xx = 0;
  let i = 0;
  const one = (r: LoadRequest) =>
    new Promise<void>((resolve, reject) => {
      const req = http.request(r.url, { method: r.method ?? 'PUT', agent, headers: { ...r.headers, 'content-length': r.body.length } }, (res) => {
        // As wrk counts them: a status of 400 or more is a failure (a 304 Not Modified is an answer).
        if ((res.statusCode ?? 0) >= 400) non2xx++;
        res.resume();
        res.on('end', resolve);
      });
      req.on('error', reject);
      req.end(r.body);
    });
  const started = Date.now();
  await Promise.all(
    Array.from({ length: connections }, async () => {
      while (Date.now() < end) {
        await one(requests[i++ % requests.length]!);
        n++;
      }
    }),
  );
  agent.destroy();
  const secs = (Date.now() - started) / 1000;
  return { tool: 'node', requests: n, seconds: secs, perSecond: n / secs, non2xx };
}
