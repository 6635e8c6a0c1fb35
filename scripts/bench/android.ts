import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { KeyPool, type PooledKey } from '../../agents/identity/key-pool.js';
import { buildCsr } from '../../certs/csr.js';
import { certificateKeyId, signRequest } from '../../certs/http-signature.js';
import { ANDROID_CHANNEL_PATHS } from '../../protocol/android/channel.js';
import { decodeRegistrationResponse, encodeRegistrationRequest } from '../../protocol/android/registration.js';
import { encodeDeviceReport } from '../../protocol/android/amapi/device.js';
import { startChild, type Child } from './child.js';
import { haveWrk, runLoad, type LoadRequest } from './load.js';

/**
 * npm run bench:android — issue 9's figures, part (1): policy syncs with nothing changed per second
 * (a signed GET /android/v1/policy carrying the current ETag, answered 304 Not Modified: RFC 9421
 * verification, the device's row read, the ETag compared) against the server, next to a bare
 * node:http server given the same requests in the same run, and the ratio. Server and bare server
 * each in their own process; load from wrk when installed. The devices (half Samsung Knox, half
 * Android for Work, each with an email profile deployed) register over the wire with cached keys.
 *
 * Part (2), 1,000 simulated Android devices enrolling and reporting a profile, needs the simulated
 * devices of agents/ (issue 9 part 2); `--only fleet` says so and exits.
 */
const { values: v } = parseArgs({ options: { devices: { type: 'string' }, seconds: { type: 'string' }, connections: { type: 'string' }, only: { type: 'string' } } });
const DEVICES = Number(v.devices ?? 50);
const SECONDS = Number(v.seconds ?? 10);
const CONNECTIONS = Number(v.connections ?? 64);
const ROUNDS = 3;
const TOKEN = 'bench-token';
const say = (s: string) => process.stderr.write(`${s}\n`);
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

if (v.only === 'fleet') {
  say('(2) needs the simulated Samsung Knox and Android for Work devices (agents/, issue 9 part 2), which do not exist yet.');
  process.exit(2);
}

interface Device {
  key: PooledKey;
  keyId: string;
  etag: string;
}

async function call(base: string, method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<{ status: number; headers: http.IncomingHttpHeaders; text: string }> {
  const payload = body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const req = http.request(`${base}${path}`, { method, headers: { ...(payload ? { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) } : {}), ...headers } }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (text += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, text }));
    });
    req.on('error', reject);
    req.end(payload);
  });
}

const admin = async (base: string, method: string, path: string, body?: unknown) => {
  const res = await call(base, method, `/api/v1${path}`, body, { authorization: `Bearer ${TOKEN}` });
  if (res.status >= 300) throw new Error(`${method} ${path}: ${res.status} ${res.text}`);
  return JSON.parse(res.text) as Record<string, unknown>;
};

function signedGet(base: string, d: Device): LoadRequest {
  const url = `${base}${ANDROID_CHANNEL_PATHS.policy}`;
  const headers: Record<string, string> = { 'if-none-match': d.etag };
  Object.assign(headers, signRequest({ method: 'GET', targetUri: url, headers }, { privateKey: d.key.privateKey, keyId: d.keyId, created: new Date(), nonce: randomBytes(16).toString('base64url') }));
  return { method: 'GET', url, headers, body: Buffer.alloc(0) };
}

/** `signedBase`: the server's own base URL, which signatures name (@target-uri); `base`: where requests go. */
async function enrolledDevices(base: string, signedBase: string, pool: KeyPool): Promise<Device[]> {
  const userId = (await admin(base, 'POST', '/users', { upn: 'bench@contoso.com' })).id as string;
  const groupId = (await admin(base, 'POST', '/groups', { name: 'bench' })).id as string;
  await admin(base, 'POST', `/groups/${groupId}/members`, { users: [userId] });
  for (const platform of ['afwGmail', 'samsungKnox']) {
    const p = await admin(base, 'POST', '/email-profiles', { platform, name: `bench ${platform}`, host: 'mail.contoso.com', accountName: 'Bench mail', useSsl: false });
    await admin(base, 'PUT', `/email-profiles/${p.id as string}/deployment`, { groupIds: [groupId] });
  }
  const devices: Device[] = [];
  for (const [i, key] of (await pool.take(DEVICES)).entries()) {
    const platform = i % 2 === 0 ? 'samsungKnox' : 'androidForWork';
    const token = (await admin(base, 'POST', '/enrollment-tokens', { userId, platform })).token as string;
    const facts = {
      managementMode: platform === 'samsungKnox' ? ('DEVICE_OWNER' as const) : ('PROFILE_OWNER' as const),
      hardwareInfo: { model: 'bench', serialNumber: `BENCH${String(i).padStart(5, '0')}` },
      ...(platform === 'samsungKnox' ? { mdmlab: { knoxVersion: '3.2.1' } } : {}),
    };
    const csr = buildCsr({ privateKey: key.privateKey, publicKey: key.publicKey, subject: [{ shortName: 'CN', value: 'bench' }] });
    const res = await call(base, 'POST', ANDROID_CHANNEL_PATHS.register, encodeRegistrationRequest({ enrollmentToken: token, certificateSigningRequest: csr.toString('base64'), device: facts }));
    const answer = decodeRegistrationResponse(res.text);
    if (res.status !== 201 || !answer.ok) throw new Error(`registration refused: ${res.status} ${res.text}`);
    const keyId = certificateKeyId(Buffer.from(answer.value.certificate, 'base64'));
    const d: Device = { key, keyId, etag: '' };
    // The first pull (200) gives the ETag; the report says the version is applied (nothing pending).
    const first = await call(base, 'GET', ANDROID_CHANNEL_PATHS.policy, undefined, signedGet(signedBase, d).headers);
    if (first.status !== 200) throw new Error(`first policy pull: ${first.status} ${first.text}`);
    d.etag = String(first.headers.etag);
    const version = (JSON.parse(first.text) as { version: string }).version;
    const report = encodeDeviceReport({ name: answer.value.deviceName, managementMode: facts.managementMode, appliedPolicyVersion: version });
    const url = `${signedBase}${ANDROID_CHANNEL_PATHS.report}`;
    const sig = signRequest({ method: 'POST', targetUri: url, headers: { 'content-type': 'application/json' }, body: Buffer.from(report) }, { privateKey: key.privateKey, keyId, created: new Date(), nonce: randomBytes(16).toString('base64url') });
    const reported = await call(base, 'POST', ANDROID_CHANNEL_PATHS.report, report, sig as unknown as Record<string, string>);
    if (reported.status !== 204) throw new Error(`report refused: ${reported.status} ${reported.text}`);
    devices.push(d);
  }
  return devices;
}

async function policySyncThroughput(pool: KeyPool) {
  say(`(1) policy syncs with nothing changed: ${ROUNDS} interleaved rounds of ${SECONDS} s, ${CONNECTIONS} connections, ${DEVICES} devices, load from ${haveWrk() ? 'wrk' : 'node:http (install wrk for a client that is never the bottleneck)'}`);
  const dataDir = mkdtempSync(join(tmpdir(), 'mdmlab-bench-android-'));
  const bare = await startChild('scripts/bench/bare-server.ts', [], 'listening');
  let server: Child | undefined;
  try {
    server = await startChild('scripts/cli.ts', ['serve', '--port', '0', '--host', '127.0.0.1', '--data', dataDir, '--log-level', 'info'], 'mdmlab listening', { MDMLAB_ADMIN_TOKEN: TOKEN });
    const base = String(server.hello.url).replace('localhost', '127.0.0.1');
    // The server rebuilds @target-uri from its own base URL (http://localhost:port): sign for that one.
    const signedBase = String(server.hello.url);
    const devices = await enrolledDevices(base, signedBase, pool);
    const bareUrl = `http://127.0.0.1:${String(bare.hello.port)}`;
    const loadBefore = Number(os.loadavg()[0]!.toFixed(2));
    const bareRates: number[] = [];
    const mdmRates: number[] = [];
    let tool = 'node';
    let bytes = 0;
    for (let round = 0; round < ROUNDS; round++) {
      // Fresh signatures each round (they are good for 5 minutes); a read replays them harmlessly.
      const requests = devices.map((d) => {
        const r = signedGet(signedBase, d);
        return { ...r, url: r.url.replace(signedBase, base) };
      });
      for (const r of requests.slice(0, 3)) {
        const check = await call(base, 'GET', ANDROID_CHANNEL_PATHS.policy, undefined, r.headers);
        if (check.status !== 304) throw new Error(`expected 304 Not Modified, got ${check.status} ${check.text}`);
      }
      bytes = Math.round(requests.reduce((n, r) => n + Object.entries(r.headers).reduce((m, [k, x]) => m + k.length + x.length + 4, 0), 0) / requests.length);
      const b = await runLoad(requests.map((r) => ({ ...r, url: r.url.replace(base, bareUrl) })), SECONDS, CONNECTIONS);
      const m = await runLoad(requests, SECONDS, CONNECTIONS);
      if (m.non2xx > 0) throw new Error(`${m.non2xx} policy syncs were refused`);
      tool = m.tool;
      bareRates.push(Math.round(b.perSecond));
      mdmRates.push(Math.round(m.perSecond));
      say(`    round ${round + 1}: bare ${bareRates[round]}/s, mdmlab 304 policy sync ${mdmRates[round]}/s`);
    }
    const out = {
      tool,
      devices: DEVICES,
      headerBytes: bytes,
      bare: median(bareRates),
      policySync304: median(mdmRates),
      ratio: Number((median(mdmRates) / median(bareRates)).toFixed(3)),
      // Each round's two runs are 10 s apart: on a machine others share, the ratio within a round is the steadier figure.
      ratioOfRounds: Number(median(mdmRates.map((m, i) => m / bareRates[i]!)).toFixed(3)),
      bareRounds: bareRates,
      policySyncRounds: mdmRates,
      loadAverageBefore: loadBefore,
      serverPeakRssMb: server.peakRssMb(),
    };
    say(`    bare node:http, same GET (~${bytes} bytes of headers): ${out.bare}/s (median)`);
    say(`    mdmlab, signed GET /android/v1/policy → 304: ${out.policySync304}/s (median); ratio ${out.ratio.toFixed(2)} (median of the rounds' ratios ${out.ratioOfRounds.toFixed(2)}; load average ${loadBefore} before)`);
    return out;
  } finally {
    await server?.stop();
    await bare.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

const pool = new KeyPool({ seed: 'bench-android' });
say('key pool: making sure enough cached keys exist (filled once by worker threads, not timed)…');
await pool.ensure(DEVICES + 5);
const policySync = await policySyncThroughput(pool);
const report = { machine: { cpus: os.cpus().length, node: process.version }, policySync, fleet: 'part (2) needs the simulated Android devices (issue 9 part 2)' };
process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
process.exit(0);
