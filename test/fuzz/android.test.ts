/**
 * Fuzz: the Android channel (POST /android/v1/register, GET /android/v1/policy, POST
 * /android/v1/report) in plain-HTTP mode, where a device proves itself with an RFC 9421 signature.
 * Inputs start from real documents built with the codecs: registrations with a real enrollment
 * token (a fresh serial number, the serial of a device another identity holds, a Knox token, a
 * made-up token) and reports of two devices registered the real way on their current policy
 * version: an Android for Work device with its Gmail profile's app state and non-compliance
 * details, and a Samsung Knox device whose two Exchange accounts keep replacing each other (the
 * flapping that withholds a profile and replans, server/android/knox-flips.ts). They are changed as JSON (values of the wrong type or
 * value, removed, unknown fields, `__proto__`, deep or huge documents, another device's name, an
 * appliedPolicyVersion from the future, a device that leaves management) and sometimes as bytes,
 * then signed again when they are sent so the changes reach the decoder and the services; or
 * their signature is broken (none, junk in Signature-Input, Signature or Content-Digest, a body
 * changed after signing, another key, another device's, a replay, out of its time window), with
 * junk If-None-Match, content types and codings a client may get wrong, other methods and paths.
 * Besides the common properties: every refusal is the channel's JSON error
 * `{error:{code,message,status,details}}` (AIP-193) with the catalogue's status and google.rpc.Code
 * for its reason, never the internal one; a 201 is a registration answer, a 200 a policy with its
 * ETag, a 204 and a 304 are empty; a device untouched by the batch still syncs and reports.
 */
import { randomBytes } from 'node:crypto';
import fc from 'fast-check';
import { signRequest } from '../../certs/http-signature.js';
import { generateRsaKeyPair } from '../../certs/keys.js';
import { encodeDeviceReport } from '../../protocol/android/amapi/device.js';
import { decodePolicy } from '../../protocol/android/amapi/policy.js';
import { GMAIL_PACKAGE, MDMLAB_DPC_PACKAGE } from '../../protocol/android/apps.js';
import { ANDROID_CHANNEL_PATHS, decodeChannelError } from '../../protocol/android/channel.js';
import { decodeRegistrationResponse } from '../../protocol/android/registration.js';
import { ANDROID_ERRORS } from '../../server/errors/catalogue.js';
import { androidToken, deviceFacts, fetchPolicy, registerDevice, registrationBody, reportOn, sendReport, type AndroidDevice, type AndroidPlatform, type AndroidWireServer } from '../helpers/android-wire.js';
import { changeJson, jsonChange, jsonText, type JsonChange } from './android/json-inputs.js';
import { fuzzFamily, type Outcome } from './harness/family.js';
import { carriage, carry, extraHeaders, incomplete, type Carriage } from './harness/http-variants.js';
import { applyMutations, byteMutations, type ByteMutations } from './harness/mutations.js';
import { exchange, requestBytes, type HttpAnswer } from './harness/raw-http.js';
import { wireServer } from './harness/wire-server.js';

type Who = 'afw' | 'knox';
type Endpoint = 'register' | 'report' | 'policy' | 'other';
type Registration = 'fresh' | 'conflict' | 'knox' | 'madeUp';
type Report = 'current' | 'plain' | 'older' | 'future' | 'stranger';
type Signing = 'good' | 'none' | 'junkInput' | 'junkSignature' | 'junkDigest' | 'tamper' | 'otherKey' | 'otherDevice' | 'replay' | 'old' | 'future' | 'twice' | 'noNonce';
type Match = 'none' | 'current' | 'weak' | 'star' | 'stale' | 'junk' | 'many';

interface AndroidInput {
  /** The fuzzed device the input is of: Android for Work with a Gmail profile, or Samsung Knox with two Exchange profiles whose accounts replace each other. */
  who: Who;
  endpoint: Endpoint;
  registration: Registration;
  report: Report;
  change: JsonChange;
  bytes: ByteMutations | undefined;
  signing: Signing;
  junk: string;
  match: Match;
  /** The path as sent: the endpoint's own, or changed (a query, a trailing slash, upper case, unknown). */
  path: 'own' | 'query' | 'slash' | 'upper' | 'unknown';
  method: string | undefined;
  contentType: string | undefined;
  carriage: Carriage;
  extra: [string, string][];
}

/** Reasons that say the input got past the headers and the signature, to the decoder or a service. */
const REACHED = new Set(['malformedJson', 'notUtf8', 'tooDeep', 'unknownField', 'missingField', 'wrongType', 'invalidValue', 'tooMany', 'tooLong', 'futurePolicyVersion', 'wrongManagementMode', 'badCsr', 'wrongDevice', 'enrollmentTokenInvalid', 'enrollmentConflict']);
const PATHS = { register: ANDROID_CHANNEL_PATHS.register, report: ANDROID_CHANNEL_PATHS.report, policy: ANDROID_CHANNEL_PATHS.policy, other: '/android/v1/devices' } as const;
const METHODS = { register: 'POST', report: 'POST', policy: 'GET', other: 'GET' } as const;

const mostlyPlain = <T>(odd: fc.Arbitrary<T>, plain: T, weight = 3): fc.Arbitrary<T> => fc.oneof({ arbitrary: fc.constant(plain), weight }, { arbitrary: odd, weight: 1 });
/** A header value a client can put on the wire (no CR or LF: raw-http.test.ts fuzzes framing). */
const headerText = (s: string): string => s.replace(/[\r\n]/g, '');

fuzzFamily('Android', async (server) => {
  const wire = await wireServer(server);
  const as: AndroidWireServer = { url: server.url, adminToken: server.adminToken };
  const keys = await generateRsaKeyPair(2048);
  const strangerKeys = await generateRsaKeyPair(2048);
  const upn = 'fuzz-a1@contoso.com';
  const reusable = (await androidToken(as, 'fuzz-a2@contoso.com', 'androidForWork', { reusable: true })).token;
  const knox = (await androidToken(as, 'fuzz-a3@contoso.com', 'samsungKnox', { reusable: true })).token;
  // The fuzzed device, with a Gmail profile deployed so its reports carry profile outcomes; a
  // stranger whose name and signature the batch uses on the device's requests; a bystander the
  // batch never names, to show after it that a device still syncs and reports.
  let device = await registerDevice(as, upn, 'androidForWork', { keys });
  const knoxUpn = 'fuzz-k1@contoso.com';
  const knoxDevice = await registerDevice(as, knoxUpn, 'samsungKnox', { keys });
  const stranger = await registerDevice(as, 'fuzz-a4@contoso.com', 'samsungKnox', { keys: strangerKeys });
  const bystander = await registerDevice(as, 'fuzz-a5@contoso.com', 'androidForWork', { keys: strangerKeys });
  const userId = (await wire.api.get(`/users?upn=${encodeURIComponent(upn)}`).expect(200)).body[0].id as string;
  const groupId = (await wire.api.post('/groups', { name: 'fuzz-android' }).expect(201)).body.id as string;
  await wire.api.post(`/groups/${groupId}/members`, { users: [userId] }).expect(200);
  const profile = (await wire.api.post('/email-profiles', { platform: 'afwGmail', name: 'fuzz', host: 'mail.contoso.com', accountName: 'Corp' }).expect(201)).body;
  await wire.api.put(`/email-profiles/${profile.id}/deployment`, { groupIds: [groupId] }).expect(200);
  const knoxGroup = (await wire.api.post('/groups', { name: 'fuzz-knox' }).expect(201)).body.id as string;
  await wire.api.post(`/groups/${knoxGroup}/members`, { users: [(await wire.api.get(`/users?upn=${encodeURIComponent(knoxUpn)}`).expect(200)).body[0].id] }).expect(200);
  const knoxProfiles: string[] = [];
  for (const host of ['mail-a.contoso.com', 'mail-b.contoso.com']) {
    const p = (await wire.api.post('/email-profiles', { platform: 'samsungKnox', name: host, host, accountName: 'Corp', useSsl: false }).expect(201)).body.id as string;
    await wire.api.put(`/email-profiles/${p}/deployment`, { groupIds: [knoxGroup] }).expect(200);
    knoxProfiles.push(p);
  }
  let version = Number((await fetchPolicy(device)).policy!.version);
  let serials = 0;
  /**
   * Why the device must register again before the next input: it left management, its identity
   * went to another registration, or it spent its signatures (the replay cache keeps 512 nonces a key: 429).
   */
  let again: 'left' | 'lost' | 'throttled' | undefined;
  /** The fuzzed devices; `device`, `version` and `again` are those of the one in use. */
  const slots: Record<Who, { upn: string; platform: AndroidPlatform; device: AndroidDevice; version: number; again: typeof again }> = {
    afw: { upn, platform: 'androidForWork', device, version, again },
    knox: { upn: knoxUpn, platform: 'samsungKnox', device: knoxDevice, version: Number((await fetchPolicy(knoxDevice)).policy!.version), again: undefined },
  };
  let inUse: Who = 'afw';
  const use = (who: Who) => {
    Object.assign(slots[inUse], { device, version, again });
    inUse = who;
    ({ device, version, again } = slots[who]);
  };
  /** The Knox device's account states: each report the other profile's account replaces the first's (same address), at a later time. */
  let knoxReports = 0;
  let lastSigned: { bytes: Buffer; method: string; input: AndroidInput } | undefined;
  let inputs = 0;
  let reached = 0;
  const reasons: Record<string, number> = {};

  const candidates = (field: string): readonly unknown[] => {
    switch (field) {
      case 'name':
      case 'device.name':
        return [stranger.deviceName, `${device.deviceName}x`, device.deviceName.toUpperCase(), 'enterprises/mdmlab/devices/', ''];
      case 'appliedPolicyName':
        return [stranger.policyName, `${device.policyName}/..`, ''];
      case 'hardwareInfo.serialNumber':
      case 'device.hardwareInfo.serialNumber':
        return [stranger.serial, device.serial.toLowerCase(), '', ' ', 'x'.repeat(300)];
      case 'appliedPolicyVersion':
        return [String(version + 1), String(version), String(version - 1), '9223372036854775807', '9223372036854775808', '99999999999999999999999', '-1', '1.5', '1e3', ' 1', '0x1', version + 1];
      case 'managementMode':
      case 'device.managementMode':
        return ['DEVICE_OWNER', 'PROFILE_OWNER', 'MANAGEMENT_MODE_UNSPECIFIED', 'device_owner'];
      case 'appliedState':
        return ['DELETED', 'ACTIVE', 'PROVISIONING', 'LOST'];
      case 'enrollmentToken':
        return [reusable.slice(0, -1), `${reusable} `, knox, ''];
      default:
        return [];
    }
  };
  /** Fields of a report; of a registration's `device` (but enrollmentToken). */
  const fields = ['name', 'appliedPolicyName', 'hardwareInfo.serialNumber', 'hardwareInfo.serialNumber', 'appliedPolicyVersion', 'appliedPolicyVersion', 'managementMode', 'appliedState', 'enrollmentToken'];
  const vocabulary = ['{', '}', '[', ']', '"', ',', ':', 'null', '1e400', '-0', '\\u0000', '\\ud800', '\u00e9', Buffer.from([0xff, 0xfe]), Buffer.from([0xef, 0xbb, 0xbf]), '"name":"x",', '"appliedPolicyVersion":"99",', '"__proto__":{},', '"state":"DELETED",', '{"a":'.repeat(40)];
  const junk = fc.oneof(
    fc.constantFrom('', ' ', 'device=()', 'device=("@method" "@target-uri");created=1;keyid="x"', 'device=:AAAA:', 'device=:!!:', 'sha-256=:x:', 'sha-512=:AAAA:', 'a=1, b=2', '"', '*', 'device=("@method");keyid=' + '9'.repeat(400), 'device=("content-digest" "@query");alg="hmac-sha256";nonce="a"'),
    fc.string({ unit: 'grapheme-ascii', maxLength: 200 }),
    fc.string({ unit: 'binary-ascii', maxLength: 60 }).map(headerText),
    fc.integer({ min: 1000, max: 20_000 }).map((n) => `device=:${'A'.repeat(n)}:`),
  );
  const inputsOf: fc.Arbitrary<AndroidInput> = fc.record({
    who: fc.constantFrom<Who>('afw', 'afw', 'knox'),
    endpoint: fc.oneof({ arbitrary: fc.constant<Endpoint>('report'), weight: 5 }, { arbitrary: fc.constant<Endpoint>('register'), weight: 4 }, { arbitrary: fc.constant<Endpoint>('policy'), weight: 2 }, { arbitrary: fc.constant<Endpoint>('other'), weight: 1 }),
    registration: fc.oneof({ arbitrary: fc.constant<Registration>('fresh'), weight: 4 }, { arbitrary: fc.constantFrom<Registration>('conflict', 'knox', 'madeUp'), weight: 3 }),
    report: fc.constantFrom<Report>('current', 'current', 'current', 'plain', 'older', 'future', 'stranger'),
    change: jsonChange(fields),
    bytes: mostlyPlain(byteMutations(vocabulary), undefined, 5),
    signing: fc.oneof({ arbitrary: fc.constant<Signing>('good'), weight: 16 }, { arbitrary: fc.constantFrom<Signing>('none', 'junkInput', 'junkSignature', 'junkDigest', 'tamper', 'otherKey', 'otherDevice', 'replay', 'old', 'future', 'twice', 'noNonce'), weight: 6 }),
    junk,
    match: fc.oneof({ arbitrary: fc.constant<Match>('none'), weight: 3 }, { arbitrary: fc.constantFrom<Match>('current', 'weak', 'star', 'stale', 'junk', 'many'), weight: 2 }),
    path: mostlyPlain(fc.constantFrom('query' as const, 'slash' as const, 'upper' as const, 'unknown' as const), 'own' as const, 20),
    method: mostlyPlain(fc.constantFrom('PUT', 'DELETE', 'PATCH', 'HEAD', 'OPTIONS', 'GET', 'POST'), undefined, 20),
    contentType: fc.oneof(
      { arbitrary: fc.constant<string | undefined>('application/json'), weight: 16 },
      { arbitrary: fc.constantFrom(undefined, '', 'application/json; charset=utf-8', 'APPLICATION/JSON', 'application/json; charset=utf-16', 'application/jsonx', 'application/merge-patch+json', 'text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x'), weight: 2 },
    ),
    carriage: mostlyPlain<Carriage>(carriage, { coding: 'none', framing: 'length' }, 6),
    extra: mostlyPlain(extraHeaders, [], 6),
  });

  /** The document of the input as its device would send it now, then changed. */
  const documentOf = (input: AndroidInput): Buffer | undefined => {
    if (input.endpoint === 'policy' || input.endpoint === 'other') return undefined;
    let doc: unknown;
    if (input.endpoint === 'register') {
      const serial = input.registration === 'conflict' ? device.serial : `FUZZ${String(++serials).padStart(5, '0')}`;
      const knoxFacts = input.registration === 'knox';
      const token = knoxFacts ? knox : input.registration === 'madeUp' ? randomBytes(16).toString('base64url') : reusable;
      doc = JSON.parse(registrationBody(token, keys, deviceFacts(knoxFacts ? 'samsungKnox' : 'androidForWork', serial)));
    } else {
      const n = ++knoxReports;
      const [winner, loser] = n % 2 ? knoxProfiles : [...knoxProfiles].reverse();
      const flip = [{ state: 'replaced' as const, accountId: winner!, message: `replaced the account of ${loser}` }, { state: 'removed' as const, accountId: loser! }];
      const parts =
        input.report === 'plain'
          ? {}
          : input.who === 'knox'
            ? { apps: [{ packageName: MDMLAB_DPC_PACKAGE, states: flip }] }
            : { apps: [{ packageName: GMAIL_PACKAGE, states: [{ state: 'created' as const }] }], details: [{ settingName: 'applications', nonComplianceReason: 'PENDING' as const, packageName: GMAIL_PACKAGE }] };
      const on = input.report === 'older' ? Math.max(0, version - 1) : input.report === 'future' ? version + 1 : version;
      // A report from the future (a version the device was never given), or about another device.
      doc = JSON.parse(encodeDeviceReport(reportOn(device, on, { ...parts, ...(input.report === 'stranger' ? { extra: { name: stranger.deviceName } } : {}) })));
    }
    const change = input.endpoint === 'register' && input.change.op === 'set' && input.change.field !== 'enrollmentToken' ? { ...input.change, field: `device.${input.change.field}` } : input.change;
    const text = Buffer.from(jsonText(changeJson(doc, change, candidates)), 'utf8');
    return input.bytes ? applyMutations(text, input.bytes) : text;
  };

  const targetOf = (input: AndroidInput): string => {
    const own: string = PATHS[input.endpoint];
    switch (input.path) {
      case 'own':
        return own;
      case 'query':
        return `${own}?alt=json&x=%ZZ`;
      case 'slash':
        return `${own}/`;
      case 'upper':
        return own.toUpperCase();
      case 'unknown':
        return `/android/v1/${randomBytes(3).toString('hex')}`;
    }
  };

  /** The signature fields of a request as the input's signer makes them (RFC 9421 §3.1), or broken. */
  const signatureOf = (input: AndroidInput, method: string, target: string, body: Buffer | undefined, headers: Record<string, string>): [string, string][] => {
    const signer: AndroidDevice = input.signing === 'otherDevice' ? stranger : device;
    const now = Date.now();
    const created = new Date(input.signing === 'old' ? now - 20 * 60_000 : input.signing === 'future' ? now + 10 * 60_000 : now);
    const fields = signRequest(
      { method, targetUri: `${server.url}${target}`, headers, ...(body && body.length > 0 ? { body } : {}) },
      {
        privateKey: input.signing === 'otherKey' ? (signer === stranger ? keys : strangerKeys).privateKey : signer.keys.privateKey,
        keyId: signer.keyId,
        created,
        ...(input.signing === 'noNonce' ? {} : { nonce: randomBytes(16).toString('base64url') }),
      },
    );
    const out: [string, string][] = Object.entries(fields).map(([n, v]) => [n, v as string]);
    const replace = (name: string) => {
      const i = out.findIndex(([n]) => n === name);
      if (i >= 0) out[i] = [name, headerText(input.junk)];
      else out.push([name, headerText(input.junk)]);
    };
    if (input.signing === 'none') return [];
    if (input.signing === 'junkInput') replace('signature-input');
    if (input.signing === 'junkSignature') replace('signature');
    if (input.signing === 'junkDigest') replace('content-digest');
    if (input.signing === 'twice') out.push(['signature-input', fields['signature-input']], ['signature', headerText(input.junk)]);
    return out;
  };

  const matchOf = (input: AndroidInput): [string, string][] => {
    const current = `"${device.deviceId}.${version}"`;
    switch (input.match) {
      case 'none':
        return [];
      case 'current':
        return [['If-None-Match', current]];
      case 'weak':
        return [['If-None-Match', `"a", W/${current}`]];
      case 'star':
        return [['If-None-Match', '*']];
      case 'stale':
        return [['If-None-Match', `"${device.deviceId}.${version - 1}"`]];
      case 'junk':
        return [['If-None-Match', headerText(input.junk)]];
      case 'many':
        // More tags than the server compares (etag.ts), the current one last.
        return [['If-None-Match', [...Array.from({ length: 40 }, (_, i) => `"${i}"`), `"${device.deviceId}.${version}"`].join(', ')]];
    }
  };

  /** What is wrong with one answer in the channel's terms; updates what the device knows (its policy version). */
  const judge = (a: HttpAnswer, input: AndroidInput, method: string): { problems: string[]; accepted: boolean; conflict?: boolean } => {
    if (a.status < 200 || fromHttpLayer(a)) return { problems: [], accepted: false };
    const type = a.headers.get('content-type')?.[0] ?? '';
    if (a.status >= 400) {
      if (method === 'HEAD') return { problems: [], accepted: false };
      if (!type.startsWith('application/json')) return { problems: [`a ${a.status} that is not application/json (${type || 'no Content-Type'})`], accepted: false };
      const e = decodeChannelError(a.body);
      if (!e.ok) return { problems: [`a ${a.status} that is not the channel's error: ${e.error.message}`], accepted: false };
      let raw: { error?: { details?: unknown } } = {};
      try {
        raw = JSON.parse(a.body.toString('utf8')) as typeof raw;
      } catch {
        /* decodeChannelError took it: it is JSON */
      }
      const problems: string[] = [];
      if (!Array.isArray(raw.error?.details)) problems.push('an error without details');
      const entry = (ANDROID_ERRORS as Record<string, { status: number; rpc: string }>)[e.value.reason];
      if (!entry) problems.push(`a reason not in the catalogue: ${e.value.reason}`);
      else if (entry.status !== a.status || entry.rpc !== e.value.status || e.value.code !== a.status) problems.push(`reason ${e.value.reason} answered ${a.status} ${e.value.status} (code ${e.value.code}), not ${entry.status} ${entry.rpc}`);
      if (e.value.reason === 'internalError') problems.push('the internal error');
      if (REACHED.has(e.value.reason)) reached++;
      reasons[e.value.reason] = (reasons[e.value.reason] ?? 0) + 1;
      if (input.endpoint !== 'register' && input.signing !== 'otherDevice') {
        if (e.value.reason === 'deviceNotEnrolled') again = 'left';
        if (e.value.reason === 'tooManyRequests') again ??= 'throttled';
        // Its serial number claimed by a registration of the batch after it left: its identity is no more.
        if (e.value.reason === 'unknownIdentity' && input.signing === 'good') again = 'lost';
      }
      return { problems, accepted: false, ...(e.value.reason === 'enrollmentConflict' ? { conflict: true } : {}) };
    }
    reached++;
    const expected = input.path === 'own' || input.path === 'query' ? (method === METHODS[input.endpoint] ? input.endpoint : undefined) : undefined;
    const problems: string[] = [];
    if (a.status === 201 && expected === 'register') {
      const r = decodeRegistrationResponse(a.body);
      if (!r.ok) problems.push(`a 201 that is not a registration answer: ${r.error.message}`);
    } else if (a.status === 204 && expected === 'report') {
      if (a.body.length > 0) problems.push('a 204 with a body');
    } else if (a.status === 200 && expected === 'policy') {
      const p = decodePolicy(a.body);
      if (!p.ok) problems.push(`a 200 that is not a policy: ${p.error.message}`);
      else {
        const signer = input.signing === 'otherDevice' ? stranger : device;
        if (a.headers.get('etag')?.[0] !== `"${signer.deviceId}.${p.value.version}"`) problems.push(`a policy whose ETag ${a.headers.get('etag')?.[0]} is not its version's`);
        else if (signer === device) version = Number(p.value.version);
      }
    } else if (a.status === 304 && expected === 'policy') {
      if (a.body.length > 0) problems.push('a 304 with a body');
    } else problems.push(`a ${a.status} to ${method} ${input.endpoint} (${input.path})`);
    return { problems, accepted: true };
  };

  return {
    runs: 400,
    inputs: inputsOf,
    async prepare(input: AndroidInput): Promise<void> {
      use(input.who);
      // A device that left management (a report with state DELETED) registers again, as the DPC
      // would; one that lost its identity or spent its signatures is replaced by another device of the same user.
      if (!again) return;
      const { upn: owner, platform } = slots[inUse];
      const fresh = () => registerDevice(as, owner, platform, { keys });
      // Its serial number may have gone to a registration of the batch since: then under a new one.
      device = again === 'left' ? await registerDevice(as, owner, platform, { keys, serial: device.serial }).catch(fresh) : await fresh();
      again = undefined;
      version = Number((await fetchPolicy(device)).policy!.version);
    },
    async send(input: AndroidInput): Promise<Outcome> {
      inputs++;
      let method = input.method ?? METHODS[input.endpoint];
      const target = targetOf(input);
      let request: Buffer;
      let judged = input;
      if (input.signing === 'replay' && lastSigned && input.endpoint !== 'register') {
        // The last signed report, byte for byte: judged as what it was.
        ({ bytes: request, method, input: judged } = lastSigned);
        use(judged.who);
      } else {
        const document = documentOf(input);
        const body = input.signing === 'tamper' && document && document.length > 0 ? Buffer.concat([document, Buffer.from(' ')]) : document;
        const headers: [string, string][] = [];
        if (document !== undefined && input.contentType !== undefined) headers.push(['Content-Type', input.contentType]);
        if (input.endpoint === 'policy') headers.push(...matchOf(input));
        if (input.endpoint !== 'register' || input.signing !== 'good') headers.push(...signatureOf(input, method, target, document, Object.fromEntries(headers.map(([n, v]) => [n.toLowerCase(), v]))));
        let sentBody = body;
        if (body !== undefined) {
          const carried = carry(body, input.carriage);
          headers.push(...(carried.headers as [string, string][]));
          sentBody = carried.body;
        }
        headers.push(...input.extra);
        request = requestBytes({ method, target, headers, ...(sentBody !== undefined ? { body: sentBody } : {}) }, `127.0.0.1:${server.port}`);
        if (input.endpoint === 'report' && input.signing === 'good') lastSigned = { bytes: request, method, input };
      }
      const ex = await exchange(server.port, request, { endAfterWrite: judged.endpoint !== 'policy' && judged.endpoint !== 'other' && incomplete(judged.carriage) });
      const problems: string[] = [];
      let accepted = false;
      let conflict = false;
      for (const a of ex.answers) {
        const j = judge(a, judged, method);
        problems.push(...j.problems);
        accepted ||= j.accepted;
        conflict ||= j.conflict === true;
      }
      // A claim on a device another identity holds is refused with an enrollmentConflict alert for the administrator (registration-service.ts), and nothing else.
      return { sent: ex.request, answers: ex.answers, received: ex.raw, timedOut: ex.timedOut, problems, accepted, ...(conflict ? { mayWrite: ['alerts'] } : {}) };
    },
    async stillServes(): Promise<string[]> {
      const problems: string[] = [];
      const { res, policy } = await fetchPolicy(bystander);
      if (res.status !== 200) problems.push(`a device the batch never changed is refused its policy: ${res.status} ${res.text.slice(0, 200)}`);
      else {
        const report = await sendReport(bystander, reportOn(bystander, policy!.version));
        if (report.status !== 204) problems.push(`a device the batch never changed has its report refused: ${report.status} ${report.text.slice(0, 200)}`);
      }
      // What the batch reached (the seed is fixed: the default run is the same inputs every time).
      if (inputs >= 100 && reached < inputs / 3) problems.push(`only ${reached} of ${inputs} inputs got past the headers and the signature: the batch hardly reaches the decoder and the services (refusals: ${JSON.stringify(reasons)})`);
      return problems;
    },
  };
});

/**
 * Node's HTTP layer answers some requests before any endpoint sees them, with an empty 4xx: a
 * request it cannot read (400), an Expect it does not meet (417), headers too large (431).
 */
const fromHttpLayer = (a: HttpAnswer): boolean => a.status >= 400 && a.status < 500 && a.body.length === 0 && !a.headers.has('content-type');
