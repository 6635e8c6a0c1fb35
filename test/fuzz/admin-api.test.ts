/**
 * Fuzz: the admin JSON API, every route of openapi.json (so a route is fuzzed the day it is
 * documented). Inputs start from what the document says a route takes — its method, its path with
 * real ids, its query parameters, a body valid for its schema — then break one thing: a field, the
 * body's bytes, the path, the method, the query string, the token, the content type or coding.
 * Besides the common properties (test/fuzz/README.md), every error is in the API's own form: JSON
 * `{error: {code, message}}` with a code of the catalogue and its status.
 */
import fc from 'fast-check';
import { ERRORS, type ErrorCode } from '../../server/errors/catalogue.js';
import { enrolledOverWire } from '../helpers/apple-wire.js';
import { fuzzFamily, type Outcome } from './harness/family.js';
import { carriage, carry, extraHeaders, incomplete, type Carriage } from './harness/http-variants.js';
import { hostileBody, validValue, type JsonSchema, type StringFor } from './harness/json-schema-values.js';
import { hostileString, mutatedBytes, percentEncoded } from './harness/mutations.js';
import { exchange, requestBytes, type HttpAnswer } from './harness/raw-http.js';
import { wireServer } from './harness/wire-server.js';

interface Route {
  method: string;
  path: string;
  body?: JsonSchema;
  query: Record<string, JsonSchema>;
}

/** Ids the inputs name: `@@pool:usr:3@@` in a path, query or body is replaced when sent by the 3rd known user id. */
type Kind = 'usr' | 'grp' | 'crt' | 'eml' | 'dev';
const KINDS: readonly Kind[] = ['usr', 'grp', 'crt', 'eml', 'dev'];
const fromPool = (kind: Kind) => fc.nat({ max: 50 }).map((n) => `@@pool:${kind}:${n}@@`);

const KIND_OF_COLLECTION: Record<string, Kind> = { users: 'usr', groups: 'grp', 'certificate-profiles': 'crt', 'email-profiles': 'eml', devices: 'dev' };

/** A path parameter's value: a known id of the right kind mostly, otherwise anything. */
function parameter(route: Route, name: string): fc.Arbitrary<string> {
  const collection = name === 'memberId' ? (route.path.includes('/members/users/') ? 'users' : 'devices') : route.path.split('/')[1]!;
  const kind = KIND_OF_COLLECTION[collection] ?? 'usr';
  return fc.oneof(
    { arbitrary: fromPool(kind), weight: 6 },
    { arbitrary: fc.constantFrom(...KINDS).chain(fromPool), weight: 1 },
    { arbitrary: hostileString.map((s) => percentEncoded(s.slice(0, 3000))), weight: 2 },
    { arbitrary: fc.constantFrom('%ZZ', '%', '%E0%A4%A', '..', '.', '%2F', '%2e%2e', '%00', ';', 'usr_', `usr_${'0'.repeat(20)}`, '*', '%252F', 'a'.repeat(8000)), weight: 2 },
  );
}

const stringFor =
  (caPem: string): StringFor =>
  (name, schema) => {
    if (schema.format === 'user principal name' || schema.format === 'email address' || /^(upn|primarySmtp)$/.test(name)) {
      return fc.nat({ max: 400 }).map((n) => `fz${n}@contoso.com`);
    }
    if (schema.format === 'host name' || name === 'host') return fc.nat({ max: 50 }).map((n) => `mail${n}.contoso.com`);
    if (name === 'pem') return fc.constantFrom(caPem, caPem.slice(0, 200), caPem.replace('MII', 'MIJ'));
    if (name === 'subject') return fc.constantFrom('CN={{upn}},O=Contoso', 'CN={{deviceId}}', 'CN=x', 'O=,CN=');
    if (name === 'userId' || name === 'users') return fromPool('usr');
    if (name === 'devices' || name === 'deviceId') return fromPool('dev');
    if (name === 'groupIds') return fromPool('grp');
    if (name === 'profileId') return fromPool('eml');
    if (/CertificateProfileId$/.test(name)) return fromPool('crt');
    if (name === 'hardwareId') return fc.constantFrom('@@udid@@', '0000-0000', '');
    return undefined;
  };

const METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS'];

interface AdminInput {
  method: string;
  /** With `@@pool:…@@` placeholders, as the body: resolved when sent. */
  target: string;
  auth: string | undefined;
  contentType: string | undefined;
  body: Buffer | undefined;
  carriage: Carriage;
  extra: [string, string][];
}

function routeInput(route: Route, token: string, strings: StringFor): fc.Arbitrary<AdminInput> {
  const params = [...route.path.matchAll(/\{(\w+)\}/g)].map((m) => m[1]!);
  const path = fc.tuple(...params.map((p) => parameter(route, p))).map((values) => {
    let i = 0;
    return route.path.replace(/\{\w+\}/g, () => values[i++]!);
  });
  const pathVariant = fc.oneof(
    { arbitrary: path.map((p) => `/api/v1${p}`), weight: 10 },
    { arbitrary: fc.tuple(path, fc.constantFrom('/', '//', '/.', '/..', '%20', '/x', '.json', '?', '#f', ';x')).map(([p, s]) => `/api/v1${p}${s}`), weight: 1 },
    { arbitrary: fc.tuple(path, fc.constantFrom('/api/v1/', '/API/V1', '/api/v1/../api/v1', '/api//v1', '/api/v2', '', 'http://127.0.0.1/api/v1', '*')).map(([p, prefix]) => (prefix === '*' ? '*' : `${prefix}${p}`)), weight: 1 },
  );
  const queryParams = Object.entries(route.query);
  const validQuery = queryParams.length
    ? fc.subarray(queryParams).chain((chosen) => fc.tuple(...chosen.map(([name, schema]) => validValue(schema, name, strings).map((v) => [name, String(v)] as const))))
    : fc.constant([] as (readonly [string, string])[]);
  const query = fc.oneof(
    { arbitrary: validQuery.map((pairs) => pairs.map(([k, v]) => `${percentEncoded(k)}=${percentEncoded(v)}`).join('&')), weight: 6 },
    {
      arbitrary: fc.oneof(
        fc.constantFrom('upn=a&upn=b', 'x=1', 'status[]=enrolled', 'status[a]=b', 'upn', '&&&', '=', 'upn=%ZZ', 'status=enrolled&status=unenrolled', '__proto__=x', 'constructor[prototype]=x'),
        fc.tuple(fc.constantFrom(...(queryParams.length ? queryParams.map(([n]) => n) : ['q'])), hostileString).map(([k, v]) => `${k}=${percentEncoded(v.slice(0, 4000))}`),
      ),
      weight: 2,
    },
  );
  const target = fc.tuple(pathVariant, query).map(([p, q]) => (q && p !== '*' ? `${p}?${q}` : p));
  const method = fc.oneof({ arbitrary: fc.constant(route.method.toUpperCase()), weight: 8 }, { arbitrary: fc.constantFrom(...METHODS, 'get', 'TRACE', 'PROPFIND', 'FUZZ', 'CONNECT'), weight: 2 });
  const auth = fc.oneof(
    { arbitrary: fc.constant(`Bearer ${token}`), weight: 12 },
    { arbitrary: fc.constantFrom(undefined, '', 'Bearer', 'Bearer ', `bearer ${token}`, `Bearer  ${token}`, `Bearer ${token} x`, `Bearer ${token.slice(0, -1)}`, `Basic ${Buffer.from(`admin:${token}`).toString('base64')}`, `Bearer ${token}\u00e9`), weight: 2 },
  );
  const contentType = fc.oneof(
    { arbitrary: fc.constant('application/json'), weight: 10 },
    {
      arbitrary: fc.constantFrom(undefined, '', 'application/json; charset=utf-8', 'application/json; charset=utf-16', 'application/json; charset=latin1', 'application/json; charset=bogus', 'APPLICATION/JSON', 'application/merge-patch+json', 'text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', '*/*', 'application/json, text/plain', 'application/json;;;'),
      weight: 3,
    },
  );
  const valid = route.body ? validValue(route.body, '', strings) : fc.constant(undefined);
  const bodyValue = route.body ? fc.oneof({ arbitrary: valid, weight: 3 }, { arbitrary: hostileBody(route.body, valid), weight: 4 }) : fc.oneof({ arbitrary: fc.constant(undefined), weight: 8 }, { arbitrary: hostileBody({}, fc.constant({})), weight: 1 });
  const bodyBytes = bodyValue.chain((v) => {
    if (v === undefined) return fc.constant(undefined);
    const json = Buffer.from(JSON.stringify(v) ?? 'null');
    return fc.oneof(
      { arbitrary: fc.constant(json), weight: 6 },
      { arbitrary: mutatedBytes(json, ['{', '}', '[', ']', '"', ',', ':', '\\u0000', '\\ud800', '1e999', 'null', '"__proto__":{}', '\uFEFF', '\u2028']), weight: 3 },
      { arbitrary: fc.constantFrom(Buffer.from('\uFEFF' + json.toString()), Buffer.from(`\ufeff${json}`, 'utf16le'), Buffer.from(json.toString(), 'latin1'), Buffer.from('{"a":1,"a":2}'), Buffer.from(' '), Buffer.from('['), Buffer.from(`${'['.repeat(100_000)}${']'.repeat(100_000)}`)), weight: 1 },
    );
  });
  return fc.record({ method, target, auth, contentType, body: bodyBytes, carriage, extra: extraHeaders });
}

/** The admin API's own form of an error (server/errors/catalogue.ts), or a one-line text from outside it. */
function errorFormProblems(a: HttpAnswer, method: string): string[] {
  if (a.status < 400 || a.body.length === 0 || method === 'HEAD') return [];
  const type = a.headers.get('content-type')?.[0] ?? '';
  if (type.startsWith('application/json')) {
    let body: { error?: { code?: unknown; message?: unknown } };
    try {
      body = JSON.parse(a.body.toString('utf8')) as typeof body;
    } catch {
      return [`a ${a.status} whose JSON body does not parse`];
    }
    const code = body.error?.code;
    if (typeof code !== 'string' || !(code in ERRORS) || typeof body.error?.message !== 'string') return [`a ${a.status} not in the form {error: {code, message}}`];
    if (ERRORS[code as ErrorCode].status !== a.status) return [`error ${code} answered ${a.status}, the catalogue says ${ERRORS[code as ErrorCode].status}`];
    return [];
  }
  // Outside the API (a path the mounts do not know): one line of text.
  if (/^text\/plain/.test(type) && a.body.toString('latin1').trimEnd().split('\n').length === 1) return [];
  return [`a ${a.status} that is neither the API's JSON error nor one line of text (${type || 'no Content-Type'})`];
}

fuzzFamily('admin JSON API', async (server) => {
  const wire = await wireServer(server);
  const doc = (await (await fetch(`${server.url}/api/v1/openapi.json`)).json()) as { paths: Record<string, Record<string, { parameters?: { name: string; in: string; schema: JsonSchema }[]; requestBody?: { content: Record<string, { schema: JsonSchema }> } }>> };
  const routes: Route[] = Object.entries(doc.paths).flatMap(([path, methods]) =>
    Object.entries(methods).map(([method, op]) => ({
      method,
      path,
      ...(op.requestBody ? { body: op.requestBody.content['application/json']!.schema } : {}),
      query: Object.fromEntries((op.parameters ?? []).filter((p) => p.in === 'query').map((p) => [p.name, p.schema])),
    })),
  );

  // What an administrator would have made: every kind of resource, and an enrolled device.
  const device = await enrolledOverWire(wire, 'fuzz-device@contoso.com');
  const pools = new Map<Kind, string[]>(KINDS.map((k) => [k, []]));
  const remember = (value: unknown): void => {
    if (Array.isArray(value)) return value.forEach(remember);
    if (typeof value !== 'object' || value === null) return;
    for (const v of Object.values(value)) {
      if (typeof v === 'string') {
        const kind = v.slice(0, 3) as Kind;
        if (v[3] === '_' && pools.has(kind) && !pools.get(kind)!.includes(v)) pools.get(kind)!.push(v);
      } else remember(v);
    }
  };
  const group = (await wire.api.post('/groups', { name: 'fuzz' }).expect(201)).body;
  const crt = (await wire.api.post('/certificate-profiles', { name: 'fuzz scep', kind: 'scep', platform: 'ios', subject: 'CN={{upn}}' }).expect(201)).body;
  const eml = (await wire.api.post('/email-profiles', { platform: 'ios', name: 'fuzz mail', host: 'mail.contoso.com', accountName: 'Corp' }).expect(201)).body;
  await wire.api.put(`/email-profiles/${eml.id}/deployment`, { groupIds: [group.id] }).expect(200);
  for (const path of ['/users', '/groups', '/devices']) remember((await wire.api.get(path).expect(200)).body);
  remember([group, crt, eml]);

  const strings = stringFor(wire.caPem);
  const inputs: fc.Arbitrary<AdminInput> = fc.oneof(...routes.map((r) => routeInput(r, server.adminToken, strings)));
  const resolve = (text: string): string =>
    text.replace(/@@pool:(\w{3}):(\d+)@@/g, (_m, kind: Kind, n: string) => {
      const pool = pools.get(kind)!;
      return pool.length ? pool[Number(n) % pool.length]! : `${kind}_none`;
    }).replace(/@@udid@@/g, device.udid);

  return {
    runs: 300,
    inputs,
    async send(input: AdminInput): Promise<Outcome> {
      const headers: (readonly [string, string])[] = [];
      if (input.auth !== undefined) headers.push(['Authorization', input.auth]);
      let body: Buffer | undefined;
      if (input.body) {
        if (input.contentType !== undefined) headers.push(['Content-Type', input.contentType]);
        const carried = carry(Buffer.from(resolve(input.body.toString('latin1')), 'latin1'), input.carriage);
        headers.push(...carried.headers);
        body = carried.body;
      }
      headers.push(...input.extra);
      const bytes = requestBytes({ method: input.method, target: resolve(input.target), headers, ...(body ? { body } : {}) }, `127.0.0.1:${server.port}`);
      const ex = await exchange(server.port, bytes, { endAfterWrite: input.body !== undefined && incomplete(input.carriage) });
      const problems = ex.answers.flatMap((a) => errorFormProblems(a, input.method));
      for (const a of ex.answers) {
        if (a.status === 401 && !a.headers.has('www-authenticate')) problems.push('a 401 without WWW-Authenticate');
        if (a.status >= 200 && a.status < 300 && a.body.length > 0 && input.method !== 'HEAD') {
          try {
            remember(JSON.parse(a.body.toString('utf8')));
          } catch {
            problems.push(`a ${a.status} whose body is not JSON`);
          }
        }
      }
      return { sent: ex.request, answers: ex.answers, received: ex.raw, timedOut: ex.timedOut, problems };
    },
  };
});
