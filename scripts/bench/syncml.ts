import {
  decodeSyncML,
  encodeSyncML,
  md5CredentialHash,
  md5Digest,
  replyHeader,
  statusFor,
  SYNCML_VER_DTD,
  SYNCML_VER_PROTO,
  syncHdrStatus,
  verifyMd5Digest,
  type SyncMLMessage,
} from '../../protocol/windows/syncml/index.js';

/**
 * npm run bench syncml — the fixed codec cost of an idle OMA-DM session (README, "Benchmarks"; bench:windows):
 * decode a Windows 10 client's first message (Alert 1201, LoginStatus, the DevInfo Replace, an MD5
 * Cred), check the credential, and encode the status-only reply that ends the session.
 */
/**
 * Median of five rounds, in CPU time of this process (user + system) rather than wall time: on a
 * shared machine wall time counts other processes' turns, CPU time counts ours.
 */
function perCallMicros(f: () => unknown, iterations: number): number {
  for (let i = 0; i < Math.min(2000, iterations); i++) f();
  const samples: number[] = [];
  for (let round = 0; round < 5; round++) {
    const t0 = process.cpuUsage();
    for (let i = 0; i < iterations; i++) f();
    const d = process.cpuUsage(t0);
    samples.push((d.user + d.system) / iterations);
  }
  return samples.sort((a, b) => a - b)[2]!;
}

const deviceId = 'B5B954E81FBCB94EB79BD08BE625F4EE';
const server = 'https://mdm.contoso.test/ManagementServer/MDM.svc';
const nonce = Buffer.from('0123456789abcdef');
const hash = md5CredentialHash(deviceId, 'device-secret');
const devInfo = [
  ['DevId', deviceId],
  ['Man', 'Microsoft Corporation'],
  ['Mod', 'Surface Laptop 4'],
  ['DmV', '1.3'],
  ['Lang', 'en-US'],
];
const client: SyncMLMessage = {
  header: {
    verDtd: SYNCML_VER_DTD,
    verProto: SYNCML_VER_PROTO,
    sessionId: '1A',
    msgId: '1',
    target: { locUri: server },
    source: { locUri: deviceId, locName: deviceId },
    cred: { meta: { format: 'b64', type: 'syncml:auth-md5' }, data: md5Digest(deviceId, 'device-secret', nonce) },
  },
  commands: [
    { kind: 'Alert', cmdId: '2', code: 1201, items: [] },
    { kind: 'Alert', cmdId: '3', code: 1224, items: [{ meta: { type: 'com.microsoft/MDM/LoginStatus' }, data: 'user' }] },
    { kind: 'Replace', cmdId: '4', items: devInfo.map(([n, v]) => ({ source: `./DevInfo/${n}`, data: v })) },
  ],
  final: true,
};
const request = Buffer.from(encodeSyncML(client));

function session(): string {
  const msg = decodeSyncML(request);
  if (!verifyMd5Digest(msg.header.cred!.data, hash, nonce)) throw new Error('credential refused');
  return encodeSyncML({
    header: replyHeader(msg.header, msg.header.msgId),
    commands: [syncHdrStatus(msg.header, '1', 200), ...msg.commands.map((c, i) => statusFor(c, msg.header.msgId, String(i + 2), 200))],
    final: true,
  });
}

const reply = session();
const decode = perCallMicros(() => decodeSyncML(request), 20000);
const verify = perCallMicros(() => verifyMd5Digest(client.header.cred!.data, hash, nonce), 50000);
const whole = perCallMicros(session, 20000);
process.stdout.write(
  `client message ${request.length} B, reply ${Buffer.byteLength(reply)} B: decode ${decode.toFixed(1)} µs, MD5 check ${verify.toFixed(1)} µs, ` +
    `decode + check + encode reply ${whole.toFixed(1)} µs (${Math.round(1e6 / whole)}/s per core; CPU time)\n`,
);
