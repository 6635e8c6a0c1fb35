import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateRsaKeyPair, type RsaKeyPair } from '../../../certs/keys.js';
import { encodeDeviceReport } from '../../../protocol/android/amapi/device.js';
import { GMAIL_PACKAGE } from '../../../protocol/android/apps.js';
import { ANDROID_CHANNEL_PATHS } from '../../../protocol/android/channel.js';
import {
  androidToken,
  deviceFacts,
  fetchPolicy,
  rawRequest,
  register,
  registerDevice,
  registrationBody,
  reportOn,
  sendReport,
  storeSnapshot,
  type AndroidDevice,
  type RawResponse,
} from '../../helpers/android-wire.js';
import { startTestServer, type TestServer } from '../../helpers/server.js';

/**
 * The Android endpoints under mutated input, seeded and bounded (MDMLAB_FUZZ_RUNS, MDMLAB_FUZZ_SEED;
 * a failure prints the seed and path to replay): whatever a client sends, the answer is a 2xx or a
 * refusal in the channel's error form — never a 5xx, a stack or a file path — a refusal stores
 * nothing, and the server keeps serving. Documents are mutated after they are valid and then signed,
 * so the mutations reach the decoder and the services instead of stopping at the signature.
 */
const RUNS = Number(process.env.MDMLAB_FUZZ_RUNS ?? 40);
const SEED = process.env.MDMLAB_FUZZ_SEED !== undefined ? Number(process.env.MDMLAB_FUZZ_SEED) : 0x4a1d;

let server: TestServer;
let device: AndroidDevice;
let keys: RsaKeyPair;
let reusableToken: string;
let version: string;
beforeAll(async () => {
  server = await startTestServer();
  keys = await generateRsaKeyPair(2048);
  reusableToken = (await androidToken(server, 'fuzz@contoso.com', 'androidForWork', { reusable: true })).token;
  device = await registerDevice(server, 'fuzz@contoso.com', 'androidForWork', { keys });
  const userId = (await server.api.get('/users?upn=fuzz%40contoso.com').expect(200)).body[0].id;
  const groupId = (await server.api.post('/groups', { name: 'fuzz' }).expect(201)).body.id;
  await server.api.post(`/groups/${groupId}/members`, { users: [userId] }).expect(200);
  const p = (await server.api.post('/email-profiles', { platform: 'afwGmail', name: 'fuzz', host: 'mail.contoso.com', accountName: 'Corp' }).expect(201)).body;
  await server.api.put(`/email-profiles/${p.id}/deployment`, { groupIds: [groupId] }).expect(200);
  version = (await fetchPolicy(device)).policy!.version;
});
afterAll(() => server.stop());

/** What every answer must be: a success, or a refusal in the channel's own form that gives nothing away. */
function wellFormed(res: RawResponse, successes: readonly number[]): void {
  if (successes.includes(res.status)) return;
  expect(res.status).toBeGreaterThanOrEqual(400);
  expect(res.status).toBeLessThan(500);
  expect(res.error, res.text.slice(0, 200)).toBeDefined();
  expect(res.text).not.toMatch(/\bat [^ ]+ \(|node_modules|\/work\/|\.ts:\d+|Error:/);
}

/** A JSON document with one path replaced, removed, or given an unknown sibling. */
const mutation = fc.record({
  pick: fc.nat(),
  op: fc.constantFrom('replace', 'delete', 'add', 'nest'),
  value: fc.jsonValue({ maxDepth: 3 }),
  key: fc.string({ minLength: 1, maxLength: 12 }),
});

function mutate(doc: unknown, m: { pick: number; op: string; value: unknown; key: string }): unknown {
  const paths: (string | number)[][] = [];
  const walk = (v: unknown, path: (string | number)[]) => {
    paths.push(path);
    if (Array.isArray(v)) v.forEach((x, i) => walk(x, [...path, i]));
    else if (v && typeof v === 'object') for (const [k, x] of Object.entries(v)) walk(x, [...path, k]);
  };
  walk(doc, []);
  const path = paths[m.pick % paths.length]!;
  const copy = structuredClone(doc) as Record<string | number, unknown>;
  if (path.length === 0) return m.op === 'nest' ? [copy] : m.value;
  let parent: Record<string | number, unknown> = copy;
  for (const p of path.slice(0, -1)) parent = parent[p] as Record<string | number, unknown>;
  const last = path[path.length - 1]!;
  if (m.op === 'replace') parent[last] = m.value;
  else if (m.op === 'delete') Array.isArray(parent) ? parent.splice(Number(last), 1) : delete parent[last];
  else if (m.op === 'nest') parent[last] = { nested: [parent[last]] };
  else if (!Array.isArray(parent)) parent[m.key] = m.value;
  return copy;
}


/** fast-check prints the seed and path of a failure; MDMLAB_FUZZ_SEED and MDMLAB_FUZZ_PATH replay it. */
const fuzzParams = { numRuns: RUNS, seed: SEED, ...(process.env.MDMLAB_FUZZ_PATH ? { path: process.env.MDMLAB_FUZZ_PATH } : {}) };

describe('fuzzing the Android endpoints', () => {
  it('registration: mutated documents and raw bytes never get a 5xx, and a refusal stores nothing', async () => {
    let serial = 0;
    const valid = () => JSON.parse(registrationBody(reusableToken, keys, deviceFacts('androidForWork', `FUZZ${String(++serial).padStart(4, '0')}`)));
    await fc.assert(
      fc.asyncProperty(fc.oneof(mutation.map((m) => JSON.stringify(mutate(valid(), m))), fc.uint8Array({ maxLength: 512 }).map((b) => Buffer.from(b))), async (body) => {
        const before = storeSnapshot(server, { except: ['alerts'] });
        const alerts = storeSnapshot(server);
        const res = await register(server, body);
        wellFormed(res, [201]);
        if (res.status === 201) return;
        expect(storeSnapshot(server, { except: ['alerts'] })).toBe(before);
        // A claim on a device another identity holds leaves its one alert (that is the point of it); nothing else does.
        if (res.error?.reason !== 'enrollmentConflict') expect(storeSnapshot(server)).toBe(alerts);
      }),
      fuzzParams,
    );
  });

  it('reports: mutated, properly signed documents get 204 or a refusal that stores nothing', async () => {
    const valid = JSON.parse(encodeDeviceReport(reportOn(device, version, { apps: [{ packageName: GMAIL_PACKAGE, states: [{ state: 'created' }] }], details: [{ settingName: 'applications', nonComplianceReason: 'PENDING', packageName: GMAIL_PACKAGE }] })));
    await fc.assert(
      fc.asyncProperty(mutation, async (m) => {
        const before = storeSnapshot(server);
        const res = await sendReport(device, JSON.stringify(mutate(valid, m)));
        wellFormed(res, [204]);
        if (res.status !== 204) expect(storeSnapshot(server)).toBe(before);
      }),
      fuzzParams,
    );
  });

  it('policy: junk signature, digest and cache headers never get a 5xx', async () => {
    const header = fc.oneof(fc.string({ maxLength: 200 }), fc.constantFrom('device=("@method" "@target-uri");created=1;keyid="x"', 'device=:AAAA:', 'sha-256=:x:', '*', 'W/"a", "b"'));
    await fc.assert(
      fc.asyncProperty(fc.record({ input: header, signature: header, digest: header, match: header }), async (h) => {
        const headers: Record<string, string> = {};
        // Node refuses to send header values with control characters: those never reach a server through it.
        for (const [name, value] of [['signature-input', h.input], ['signature', h.signature], ['content-digest', h.digest], ['if-none-match', h.match]] as const) {
          if (/^[\x20-\x7e]*$/.test(value)) headers[name] = value;
        }
        wellFormed(await rawRequest(`${server.url}${ANDROID_CHANNEL_PATHS.policy}`, { method: 'GET', headers }), [200, 304]);
      }),
      fuzzParams,
    );
  });

  it('keeps serving afterwards', async () => {
    expect((await rawRequest(`${server.url}/healthz`, { method: 'GET' })).status).toBe(200);
    expect((await fetchPolicy(device)).res.status).toBe(200);
  });
});

