/**
 * Fuzz: enrollment, GET /mdm/enroll?token=… (the URL a user opens to get the enrollment profile).
 * Tokens are real ones (single-use, reusable, of a user since deleted), real ones slightly wrong,
 * or anything; query strings repeat, nest or drop the parameter; methods and paths vary. Besides
 * the common properties: a 200 is a profile signed by our CA with its SCEP and MDM payloads, a
 * refusal is one line of text. (A HEAD must not spend a one-time token: the harness holds every
 * safe method to changing nothing.)
 */
import fc from 'fast-check';
import { anySigner, verifyCms } from '../../certs/cms-verify.js';
import { parseConfigurationProfile, payloadsOfType, PROFILE_CONTENT_TYPE } from '../../protocol/apple/configuration-profile.js';
import { createUserAndToken } from '../helpers/apple-wire.js';
import { fuzzFamily } from './harness/family.js';
import { httpFamily, oneLineRefusal, type FuzzRequest } from './harness/http-family.js';
import { extraHeaders } from './harness/http-variants.js';
import { hostileString, percentEncoded } from './harness/mutations.js';
import type { HttpAnswer } from './harness/raw-http.js';
import { wireServer } from './harness/wire-server.js';

fuzzFamily('enrollment', async (server) => {
  const wire = await wireServer(server);
  const single = await Promise.all(['fuzz-e1@contoso.com', 'fuzz-e2@contoso.com', 'fuzz-e3@contoso.com'].map((upn) => createUserAndToken(wire, upn)));
  const reusable = await createUserAndToken(wire, 'fuzz-e4@contoso.com', { reusable: true });
  const orphan = await createUserAndToken(wire, 'fuzz-gone@contoso.com');
  await wire.api.delete(`/users/${orphan.userId}`).expect(204);
  const tokens = [...single.map((t) => t.token), reusable.token, orphan.token];

  const real = fc.constantFrom(...tokens);
  const nearlyReal = fc.tuple(real, fc.nat(), fc.constantFrom('flip', 'cut', 'grow', 'upper', 'space', 'encode')).map(([t, n, how]) => {
    const i = n % t.length;
    switch (how) {
      case 'flip':
        return t.slice(0, i) + (t[i] === 'A' ? 'B' : 'A') + t.slice(i + 1);
      case 'cut':
        return t.slice(0, i);
      case 'grow':
        return `${t}${t.slice(0, i + 1)}`;
      case 'upper':
        return t.toUpperCase();
      case 'space':
        return `+${t}%20`;
      default:
        return percentEncoded(t);
    }
  });
  const token = fc.oneof(
    { arbitrary: real, weight: 3 },
    { arbitrary: nearlyReal, weight: 3 },
    { arbitrary: hostileString.map((s) => percentEncoded(s.slice(0, 5000))), weight: 2 },
    { arbitrary: fc.constantFrom('', '%', '%ZZ', '%00', '+', 'null', 'undefined', '[object Object]', "' OR '1'='1", 'a'.repeat(15_000)), weight: 1 },
  );
  const query = fc.oneof(
    { arbitrary: token.map((t) => `token=${t}`), weight: 8 },
    {
      arbitrary: fc.oneof(
        fc.tuple(token, token).map(([x, y]) => `token=${x}&token=${y}`),
        token.map((t) => `token[]=${t}`),
        token.map((t) => `token[a]=${t}`),
        token.map((t) => `Token=${t}`),
        token.map((t) => `token=${t}&platform=ios&x=${t}`),
        token.map((t) => `token=${t}#fragment`),
        fc.constantFrom('', 'token', 'token=', '&&', '=', '?token=x'),
      ),
      weight: 3,
    },
  );
  const requests: fc.Arbitrary<FuzzRequest> = fc.record({
    method: fc.oneof({ arbitrary: fc.constant('GET'), weight: 10 }, { arbitrary: fc.constantFrom('HEAD', 'POST', 'PUT', 'DELETE', 'OPTIONS'), weight: 2 }),
    path: fc.oneof({ arbitrary: fc.constant('/mdm/enroll'), weight: 10 }, { arbitrary: fc.constantFrom('/mdm/enroll/', '/MDM/Enroll', '/mdm//enroll', '/mdm/enroll.mobileconfig', '/mdm/enroll%00', '/mdm/./enroll'), weight: 1 }),
    query,
    headers: extraHeaders,
  }).map(({ path, query: q, ...rest }) => ({ ...rest, target: q ? `${path}?${q}` : path }));

  return httpFamily(server, {
    runs: 150,
    requests,
    answerProblems: (a, request) => [...oneLineRefusal(a, request), ...(a.status === 200 && request.method === 'GET' ? profileProblems(a, wire.identity.ca.certDer) : [])],
  });
});

/** A 200 to the enrollment URL: a configuration profile signed by our CA, with the SCEP and MDM payloads. */
function profileProblems(a: HttpAnswer, caDer: Buffer): string[] {
  if (!(a.headers.get('content-type')?.[0] ?? '').startsWith(PROFILE_CONTENT_TYPE)) return [`a 200 that is not ${PROFILE_CONTENT_TYPE}`];
  try {
    const verified = verifyCms(a.body, { acceptSigner: anySigner });
    if (!verified.signerCertificate.equals(caDer)) return ['a profile signed by another certificate than our CA'];
    const profile = parseConfigurationProfile(verified.content);
    if (payloadsOfType(profile, 'com.apple.security.scep').length !== 1 || payloadsOfType(profile, 'com.apple.mdm').length !== 1) return ['a profile without exactly one SCEP and one MDM payload'];
    return [];
  } catch (err) {
    return [`a 200 whose body is not a signed profile: ${(err as Error).message}`];
  }
}
