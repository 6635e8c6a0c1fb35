import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import v8 from 'node:v8';
import vm from 'node:vm';
import { pino } from 'pino';
import WebSocket from 'ws';
import { DEFAULT_CONFIG } from '../../server/config.js';
import { startServer } from '../../server/server.js';

/**
 * npm run bench push-holds — what 20,000 push POSTs leave in the server's memory
 * (README, "Benchmarks"; before the fix held notifications lived in an unbounded Map, 141 → 292 MB for 20,000
 * requests). Rounds: made-up tokens without the provider token (what anyone can send), made-up
 * tokens with it, and tokens the gateway issued (what it is there to hold, up to its cap). Each
 * round reports the JavaScript heap still in use after a full garbage collection (what the server
 * keeps; the load runs in the same process and is garbage by then), the process's resident memory,
 * and what the gateway holds.
 */
const { values: v } = parseArgs({ options: { count: { type: 'string' }, issued: { type: 'string' } } });
const COUNT = Number(v.count ?? 20_000);
const ISSUED = Number(v.issued ?? 20_000);
const TOKEN = 'bench-token';
const CONCURRENCY = 64;
const say = (s: string) => process.stderr.write(`${s}\n`);

// A full collection on demand, without asking for node --expose-gc on the command line.
v8.setFlagsFromString('--expose-gc');
const gc = vm.runInNewContext('gc') as () => void;
const mb = (n: number) => Math.round(n / 1048576);
const memory = () => {
  gc();
  const m = process.memoryUsage();
  return { heap: mb(m.heapUsed), rss: mb(m.rss) };
};

async function pushAll(base: string, tokens: () => string, auth: boolean, count: number): Promise<Map<number, number>> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: CONCURRENCY });
  const statuses = new Map<number, number>();
  let next = 0;
  const one = () =>
    new Promise<void>((resolve, reject) => {
      const body = JSON.stringify({ mdm: randomUUID() });
      const req = http.request(
        `${base}/push/3/device/${tokens()}`,
        {
          method: 'POST',
          agent,
          headers: {
            'content-type': 'application/json',
            'content-length': Buffer.byteLength(body),
            'apns-topic': 'com.apple.mgmt.External.bench',
            'apns-expiration': '32503680000', // the year 3000
            ...(auth ? { authorization: `bearer ${TOKEN}` } : {}),
          },
        },
        (res) => {
          statuses.set(res.statusCode ?? 0, (statuses.get(res.statusCode ?? 0) ?? 0) + 1);
          res.resume();
          res.on('end', resolve);
        },
      );
      req.on('error', reject);
      req.end(body);
    });
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < count) {
        next++;
        await one();
      }
    }),
  );
  agent.destroy();
  return statuses;
}

/** Tokens the gateway issued: connect, take the token, leave (the device is offline now). */
async function issuedTokens(base: string, count: number): Promise<string[]> {
  const out: string[] = [];
  const url = `${base.replace('http', 'ws')}/push`;
  const one = () =>
    new Promise<void>((resolve, reject) => {
      const ws = new WebSocket(url);
      ws.on('open', () => ws.send(JSON.stringify({ type: 'connect' })));
      ws.on('message', (d) => {
        out.push((JSON.parse(d.toString()) as { token: string }).token);
        ws.close();
      });
      ws.on('close', () => resolve());
      ws.on('error', reject);
    });
  for (let i = 0; i < count; i += CONCURRENCY) await Promise.all(Array.from({ length: Math.min(CONCURRENCY, count - i) }, one));
  return out;
}

const dataDir = mkdtempSync(join(tmpdir(), 'mdmlab-bench-push-'));
const server = await startServer({ ...DEFAULT_CONFIG, port: 0, host: '127.0.0.1', dataDir, logLevel: 'silent', adminToken: TOKEN }, pino({ level: 'silent' }));
try {
  const base = server.url.replace('localhost', '127.0.0.1');
  const fmt = (m: Map<number, number>) => [...m].map(([s, n]) => `${n}× ${s}`).join(', ');
  const made = () => randomBytes(32).toString('hex');
  const round = async (what: string, tokens: () => string, auth: boolean, count: number) => {
    const before = memory();
    const started = Date.now();
    const statuses = await pushAll(base, tokens, auth, count);
    const seconds = (Date.now() - started) / 1000;
    const after = memory();
    say(`${what}: ${count} POSTs in ${seconds.toFixed(1)} s (${fmt(statuses)}); heap after GC ${before.heap} → ${after.heap} MB, RSS ${before.rss} → ${after.rss} MB; held ${server.push.stats().held}`);
  };
  await round('made-up tokens, no provider token', made, false, COUNT);
  await round('made-up tokens, provider token', made, true, COUNT);
  if (ISSUED > 0) {
    const tokens = await issuedTokens(base, ISSUED);
    let i = 0;
    await round(`${tokens.length} issued tokens, provider token`, () => tokens[i++ % tokens.length]!, true, tokens.length);
  }
} finally {
  await server.close();
  rmSync(dataDir, { recursive: true, force: true });
}
