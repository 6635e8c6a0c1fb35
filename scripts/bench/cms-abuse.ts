import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { inProcessFleet } from '../../agents/fleet/in-process-fleet.js';
import { KeyPool } from '../../agents/identity/key-pool.js';
import type { IosDevice } from '../../agents/ios/ios-device.js';
import { envelope } from '../../certs/cms-enveloped.js';
import { signCms } from '../../certs/cms-signed.js';
import { generateRsaKeyPair } from '../../certs/keys.js';
import { buildCsr } from '../../certs/csr.js';
import { buildPkcsReq, makeSelfSignedRequesterCert, scepTransactionId } from '../../certs/scep-message.js';
import { createSimulatedDevice } from '../device-factory.js';
import { pkcsReqAround, rsaKeyWithHugeExponent, withBogusRecipients, withRepeatedSigner } from './abusive-cms.js';
import { startChild, type Child } from './child.js';

/**
 * npm run bench cms-abuse — what hostile CMS costs the server (README, "Benchmarks"): server CPU per
 * request (utime + stime of the server process, read from /proc, over sequential requests) for
 *   (a) an Mdm-Signature with 18 SignerInfos whose certificate (not ours) has a 3064-bit public
 *       exponent, (a2) the same with 8 signers, which fits the header limit, (a3) with one signer,
 *   (b) a SCEP PKIOperation POST with 350 such SignerInfos (~250 KB),
 *   (c) the same abuse made to fit the SCEP body limit (40 signers),
 *   (d) one such signer in an otherwise well-formed PKCSReq,
 *   (d2) a PKCSReq (ordinary signer) whose envelope names the CA 40 times with bogus keys,
 *   (e) a normal signed Idle check-in from an enrolled device (the hot path, for comparison).
 * The server runs in its own process; the figures are CPU time, not latency.
 */
const { values: v } = parseArgs({ options: { seconds: { type: 'string' }, only: { type: 'string' } } });
const SECONDS = Number(v.seconds ?? 3);
/** `--only a,e`: just those cases. */
const ONLY = v.only?.split(',').map((x) => `(${x.trim()})`);
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
  const run = inProcessFleet({
    serverUrl: origin,
    adminToken: TOKEN,
    platform: 'ios',
    count: 1,
    concurrency: 1,
    seed: 'bench-cms',
    createDevice: (id, seed) => createSimulatedDevice({ id, platform: 'ios', seed, serverUrl: origin, keyPool: pool, periodicCheckInMs: 0 }),
  });
  await run.start();
  await run.whenEnrollmentDone();
  const idle = (run.devices[0] as IosDevice).idleRequest();
  if (!idle) throw new Error('the bench device did not enroll');
  const idlePath = new URL(idle.url).pathname;

  say('making an RSA-3072 key with a 3064-bit public exponent…');
  const huge = rsaKeyWithHugeExponent(3072);
  const subject = [{ shortName: 'CN', value: 'abuse' }];
  const hugeCert = makeSelfSignedRequesterCert(huge, subject);
  const oneSigner = signCms({ content: idle.body, detached: true, signerCertDer: hugeCert, signerKey: huge.privateKey, signingTime: null });
  const mdm = (name: string, signature: Buffer): Case => ({
    name: `${name} (${signature.toString('base64').length} B header)`,
    method: 'PUT',
    path: idlePath,
    headers: { ...idle.headers, 'mdm-signature': signature.toString('base64') },
    body: idle.body,
  });

  const caCertDer = Buffer.from(await (await fetch(`${origin}/scep?operation=GetCACert`)).arrayBuffer());
  const pkcsReq = buildPkcsReq({
    csrDer: buildCsr({ privateKey: huge.privateKey, subject, challengePassword: 'no-such-challenge' }),
    signerCertDer: hugeCert,
    signerKey: huge.privateKey,
    recipientCaCertDer: caCertDer,
    transactionId: scepTransactionId(huge.publicKey),
    senderNonce: randomBytes(16),
  });
  const ordinary = await generateRsaKeyPair(2048);
  const manyRecipients = pkcsReqAround(
    withBogusRecipients(envelope(buildCsr({ privateKey: ordinary.privateKey, subject, challengePassword: 'no-such-challenge' }), caCertDer), 40),
    { certDer: makeSelfSignedRequesterCert(ordinary, subject), key: ordinary.privateKey },
    scepTransactionId(ordinary.publicKey),
  );
  const scep = (name: string, body: Buffer): Case => ({ name, method: 'POST', path: '/scep?operation=PKIOperation', headers: { 'content-type': 'application/x-pki-message' }, body });
  const cases: Case[] = [
    mdm('(a) Mdm-Signature, 18 signers', withRepeatedSigner(oneSigner, 18)),
    mdm('(a2) Mdm-Signature, 8 signers', withRepeatedSigner(oneSigner, 8)),
    mdm('(a3) Mdm-Signature, 1 signer', oneSigner),
    scep('(b) SCEP POST, 350 signers', withRepeatedSigner(pkcsReq, 350)),
    scep('(c) SCEP POST, 40 signers', withRepeatedSigner(pkcsReq, 40)),
    scep('(d) SCEP POST, 1 signer with a 3064-bit exponent', pkcsReq),
    scep('(d2) SCEP POST, envelope naming the CA 41 times', manyRecipients),
    { name: '(e) signed Idle (normal)', method: 'PUT', path: idlePath, headers: idle.headers, body: idle.body },
  ];
  say(`server CPU per request, ${SECONDS} s of sequential requests per case:`);
  const results = [];
  for (const c of cases) if (!ONLY || ONLY.some((o) => c.name.startsWith(o))) results.push(await measure(server, origin, c));
  await run.stop();
  process.stdout.write(`${JSON.stringify({ machine: { cpus: (await import('node:os')).cpus().length, node: process.version }, results }, null, 2)}\n`);
} finally {
  await server.stop();
  rmSync(dataDir, { recursive: true, force: true });
}
process.exit(0);
