import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { FleetRun } from '../../agents/fleet/fleet-runner.js';
import { KeyPool } from '../../agents/identity/key-pool.js';
import type { IosDevice } from '../../agents/ios/ios-device.js';
import { signCms } from '../../certs/cms-signed.js';
import { buildCsr } from '../../certs/csr.js';
import { buildPkcsReq, makeSelfSignedRequesterCert, scepTransactionId } from '../../certs/scep-message.js';
import { createSimulatedDevice } from '../device-factory.js';
import { describeSignedData, rsaKeyWithHugeExponent, withRepeatedSigner } from './abusive-cms.js';
import { startChild, type Child } from './child.js';

/**
 * npm run bench cms-abuse — what hostile CMS costs the server (issue 7, item 2): server CPU per
 * request (utime + stime of the server process, read from /proc, over sequential requests) for
 *   (a) an Mdm-Signature with 18 SignerInfos whose certificate has a 3072-bit public exponent,
 *   (b) a SCEP PKIOperation POST with 350 such SignerInfos (~199 KB),
 *   (c) the same abuse made to fit the SCEP body limit (40 signers),
 *   (d) one such signer in an otherwise well-formed PKCSReq,
 *   (e) a normal signed Idle check-in from an enrolled device (the hot path, for comparison).
 * The server runs in its own process; the figures are CPU time, not latency.
 */
const { values: v } = parseArgs({ options: { seconds: { type: 'string' } } });
const SECONDS = Number(v.seconds ?? 3);
const TOKEN = 'bench-token';
const say = (s: string) => process.stderr.write(`${s}\n`);

interface Case {
  name: string;
  method: 'PUT' | 'POST';
  path: string;
  headers: Record<string, string>;
  body: Buffer;
}

/** utime + stime of a process in ms (fields 14 and 15 of /proc/<pid>/stat, in clock ticks of 10 ms). */
function cpuMs(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

function send(agent: http.Agent, origin: string, c: Case): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = http.request(`${origin}${c.path}`, { method: c.method, agent, headers: { ...c.headers, 'content-length': c.body.length } }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', reject);
    req.end(c.body);
  });
}

async function measure(server: Child, origin: string, c: Case) {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  const statuses = new Map<number, number>();
  for (let i = 0; i < 3; i++) await send(agent, origin, c); // warm-up: caches, JIT
  const pid = server.process.pid!;
  const cpu0 = cpuMs(pid);
  const t0 = Date.now();
  let n = 0;
  while (Date.now() - t0 < SECONDS * 1000 || n < 5) {
    const status = await send(agent, origin, c);
    statuses.set(status, (statuses.get(status) ?? 0) + 1);
    n++;
  }
  const wall = Date.now() - t0;
  const cpu = cpuMs(pid) - cpu0;
  agent.destroy();
  const out = {
    case: c.name,
    bytes: c.body.length + (c.headers['mdm-signature']?.length ?? 0),
    requests: n,
    serverCpuMsPerRequest: Number((cpu / n).toFixed(3)),
    wallMsPerRequest: Number((wall / n).toFixed(3)),
    statuses: Object.fromEntries(statuses),
  };
  say(`    ${c.name}: ${out.serverCpuMsPerRequest} ms server CPU per request (${n} requests, ${out.wallMsPerRequest} ms wall each; ${out.bytes} bytes; statuses ${JSON.stringify(out.statuses)})`);
  return out;
}

const dataDir = mkdtempSync(join(tmpdir(), 'mdmlab-bench-cms-'));
const server = await startChild('scripts/cli.ts', ['serve', '--port', '0', '--host', '127.0.0.1', '--data', dataDir, '--log-level', 'info'], 'mdmlab listening', { MDMLAB_ADMIN_TOKEN: TOKEN });
const origin = String(server.hello.url).replace('localhost', '127.0.0.1');
try {
  say('enrolling one simulated iOS device for the normal signed Idle…');
  const pool = new KeyPool({ seed: 'bench' });
  await pool.ensure(2);
  const run = new FleetRun({
    serverUrl: origin,
    adminToken: TOKEN,
    platform: 'ios',
    count: 1,
    concurrency: 1,
    seed: 'bench-cms',
    createDevice: (id, seed) => createSimulatedDevice({ id, platform: 'ios', seed, serverUrl: origin, keyPool: pool, periodicCheckInMs: 0 }),
  });
  await run.start();
  const idle = (run.devices[0] as IosDevice).idleRequest();
  if (!idle) throw new Error('the bench device did not enroll');
  const idlePath = new URL(idle.url).pathname;

  say('making an RSA-3072 key with a 3064-bit public exponent…');
  const huge = rsaKeyWithHugeExponent(3072);
  const subject = [{ shortName: 'CN', value: 'abuse' }];
  const hugeCert = makeSelfSignedRequesterCert(huge, subject);
  const oneSigner = signCms({ content: idle.body, detached: true, signerCertDer: hugeCert, signerKey: huge.privateKey, signingTime: null });
  const mdmSignature = withRepeatedSigner(oneSigner, 18).toString('base64');

  const caCertDer = Buffer.from(await (await fetch(`${origin}/scep?operation=GetCACert`)).arrayBuffer());
  const pkcsReq = buildPkcsReq({
    csrDer: buildCsr({ privateKey: huge.privateKey, subject, challengePassword: 'no-such-challenge' }),
    signerCertDer: hugeCert,
    signerKey: huge.privateKey,
    recipientCaCertDer: caCertDer,
    transactionId: scepTransactionId(huge.publicKey),
    senderNonce: randomBytes(16),
  });
  const scep = (name: string, body: Buffer): Case => ({ name, method: 'POST', path: '/scep?operation=PKIOperation', headers: { 'content-type': 'application/x-pki-message' }, body });
  const cases: Case[] = [
    { name: `(a) Mdm-Signature, 18 signers (${describeSignedData(Buffer.from(mdmSignature, 'base64')).bytes} B DER)`, method: 'PUT', path: idlePath, headers: { ...idle.headers, 'mdm-signature': mdmSignature }, body: idle.body },
    scep('(b) SCEP POST, 350 signers', withRepeatedSigner(pkcsReq, 350)),
    scep('(c) SCEP POST, 40 signers', withRepeatedSigner(pkcsReq, 40)),
    scep('(d) SCEP POST, 1 signer with a 3064-bit exponent', pkcsReq),
    { name: '(e) signed Idle (normal)', method: 'PUT', path: idlePath, headers: idle.headers, body: idle.body },
  ];
  say(`server CPU per request, ${SECONDS} s of sequential requests per case:`);
  const results = [];
  for (const c of cases) results.push(await measure(server, origin, c));
  await run.stop();
  process.stdout.write(`${JSON.stringify({ machine: { cpus: (await import('node:os')).cpus().length, node: process.version }, results }, null, 2)}\n`);
} finally {
  await server.stop();
  rmSync(dataDir, { recursive: true, force: true });
}
process.exit(0);
