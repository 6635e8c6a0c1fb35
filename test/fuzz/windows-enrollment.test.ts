/**
 * Fuzz: Windows enrollment (MS-MDE2): POST /EnrollmentServer/Discovery.svc, Policy.svc (MS-XCEP)
 * and Enrollment.svc (MS-WSTEP), and the GET probe of Discovery.svc. Inputs start from real
 * messages built with the codecs for a user with a real token (the discovery, the GetPolicies
 * and the RequestSecurityToken with a real CSR a Windows client sends, with the token of a device
 * enrolled the real way, a reusable one, a wrong password, another device's identity) and break
 * them as bytes or as markup (DOCTYPE and entities, namespace prefixes, huge counts, deep nesting,
 * cuts, splices of one message into another, encodings), with content types and codings a client
 * may get wrong. Besides the common properties: every refusal is a SOAP 1.2 fault (MS-MDE2
 * §2.2.10) with an MS-MDE2 subcode, never the internal-error one (InternalServiceFault), and every
 * 200 to a POST is a SOAP envelope that is not a fault.
 */
import { randomUUID } from 'node:crypto';
import fc from 'fast-check';
import { buildWindowsCsr } from '../../certs/windows-csr.js';
import { generateRsaKeyPair } from '../../certs/keys.js';
import { encodeDiscoverRequest } from '../../protocol/windows/mde2/discovery.js';
import { ACTIONS, SOAP_CONTENT_TYPE } from '../../protocol/windows/mde2/namespaces.js';
import { encodeGetPoliciesRequest } from '../../protocol/windows/mde2/policies.js';
import { decodeSoapEnvelope } from '../../protocol/windows/mde2/soap-envelope.js';
import { ENROLLMENT_FAULT_SUBCODES, readSoapFault, type SoapFault } from '../../protocol/windows/mde2/soap-fault.js';
import { DISCOVERY, ENROLLMENT, enrollWindows, messageId, newDeviceId, POLICY, rstBody, usernameToken, windowsContext, windowsToken, type WindowsWireServer } from '../server/windows/windows-wire.js';
import { fuzzFamily } from './harness/family.js';
import { httpFamily, type FuzzRequest } from './harness/http-family.js';
import { carriage, extraHeaders, type Carriage } from './harness/http-variants.js';
import type { HttpAnswer } from './harness/raw-http.js';
import { wireServer } from './harness/wire-server.js';
import { breakXml, xmlBreak } from './windows/xml-inputs.js';

/** What a refusal may be answered with besides 500: a body too large (413), a wrong type or coding (415). */
const FAULT_STATUSES = new Set([413, 415, 500]);
const SUBCODES = new Set(Object.keys(ENROLLMENT_FAULT_SUBCODES));

/** Odd framings, codings and junk headers now and then: most inputs must reach the decoder (raw-http.test.ts fuzzes the HTTP layer). */
const mostlyPlain = <T>(odd: fc.Arbitrary<T>, plain: T): fc.Arbitrary<T> => fc.oneof({ arbitrary: fc.constant(plain), weight: 3 }, { arbitrary: odd, weight: 1 });

fuzzFamily('Windows enrollment', async (server) => {
  const wire = await wireServer(server);
  const ws: WindowsWireServer = { url: server.url, api: wire.api };
  // A device enrolled the real way (its token now spent), and a reusable token of another user.
  const enrolled = await enrollWindows(ws, 'fuzz-w1@contoso.com');
  const reusable = await windowsToken(ws, 'fuzz-w2@contoso.com', 'windows10', { reusable: true });
  const phone = await windowsToken(ws, 'fuzz-w3@contoso.com', 'windowsPhone81');
  const keys = await generateRsaKeyPair(2048);
  const csr = (deviceId: string) => buildWindowsCsr({ privateKey: keys.privateKey, publicKey: keys.publicKey, requestGuid: randomUUID().toUpperCase(), deviceId, digest: 'sha256' });
  const to = (path: string) => `${server.url}${path}`;

  const discover = (email: string, requestVersion: string) =>
    encodeDiscoverRequest({ messageId: messageId(), to: reusable.discoveryUrl, request: { emailAddress: email, requestVersion, deviceType: 'CIMClient_Windows', authPolicies: ['OnPremise', 'Federated'] } });
  const policies = (upn: string, password: string) => encodeGetPoliciesRequest({ messageId: messageId(), to: to(POLICY), security: usernameToken(upn, password) });
  const rst = (upn: string, password: string, deviceId: string, platform: 'windows10' | 'windowsPhone81' = 'windows10') =>
    rstBody(ws, { upn, password, csr: csr(deviceId), context: windowsContext(platform, deviceId) });
  const bases: Record<string, string[]> = {
    [DISCOVERY]: [discover(reusable.upn, '4.0'), discover(phone.upn, '2.0'), discover('nobody@fabrikam.com', '5.0')],
    [POLICY]: [policies(reusable.upn, reusable.token), policies(enrolled.token.upn, enrolled.token.token), policies(reusable.upn, 'not-the-token'), encodeGetPoliciesRequest({ messageId: messageId(), to: to(POLICY) })],
    [ENROLLMENT]: [
      rst(reusable.upn, reusable.token, newDeviceId()),
      rst(reusable.upn, reusable.token, enrolled.deviceId), // another user's device: a conflict
      rst(enrolled.token.upn, enrolled.token.token, newDeviceId()), // a spent token
      rst(phone.upn, phone.token, newDeviceId(), 'windowsPhone81'),
      rst(reusable.upn, 'not-the-token', newDeviceId()),
    ],
  };
  const all = Object.values(bases)
    .flat()
    .map((b) => Buffer.from(b));
  const vocabulary = ['<s:Envelope', '</s:Header>', '<s:Body>', '</a:To>', '&amp;', '&lt;', '<![CDATA[', ']]>', 'xmlns:s="urn:x"', 's:mustUnderstand="1"', '<wsse:Security>', 'xsi:nil="true"', '<ContextItem Name="DeviceID"><Value>', '<AuthPolicy>Certificate</AuthPolicy>', ACTIONS.discover, ACTIONS.getPolicies, ACTIONS.requestSecurityToken, '\u0000', '\uFFFE', '\u00e9'];

  const contentType = fc.oneof(
    { arbitrary: fc.constant<string | undefined>(SOAP_CONTENT_TYPE), weight: 14 },
    { arbitrary: fc.constantFrom(undefined, '', 'application/soap+xml', 'APPLICATION/SOAP+XML; charset=UTF-8', 'application/soap+xml; charset=utf-16', 'application/soap+xml; charset=x-junk', 'text/xml; charset=utf-8', 'application/xml', 'application/soap+xmlx', 'multipart/related; type="application/xop+xml"'), weight: 2 },
  );
  const path = fc.oneof(
    { arbitrary: fc.constantFrom(DISCOVERY, POLICY, ENROLLMENT), weight: 12 },
    { arbitrary: fc.constantFrom(DISCOVERY.toLowerCase(), POLICY.toUpperCase(), `${ENROLLMENT}?api-version=1.0`, `${POLICY}?x=%ZZ`, `${DISCOVERY}/`), weight: 1 },
  );
  const requests: fc.Arbitrary<FuzzRequest> = fc
    .record({
      path,
      probe: fc.oneof({ arbitrary: fc.constant(false), weight: 15 }, { arbitrary: fc.constant(true), weight: 1 }),
      which: fc.nat(),
      cross: fc.oneof({ arbitrary: fc.constant(false), weight: 8 }, { arbitrary: fc.constant(true), weight: 1 }),
      how: xmlBreak(vocabulary),
      contentType,
      carriage: mostlyPlain<Carriage>(carriage, { coding: 'none', framing: 'length' }),
      extra: mostlyPlain(extraHeaders, []),
    })
    .map(({ path: target, probe, which, cross, how, contentType: type, carriage: c, extra }): FuzzRequest => {
      if (probe) return { method: 'GET', target: DISCOVERY, headers: extra };
      // Mostly a message of the endpoint's own operation; sometimes another endpoint's.
      const own = bases[target.split('?')[0]!.replace(/\/$/, '').toLowerCase() === DISCOVERY.toLowerCase() ? DISCOVERY : target.toLowerCase().startsWith(POLICY.toLowerCase()) ? POLICY : ENROLLMENT]!;
      const base = cross ? all[which % all.length]! : Buffer.from(own[which % own.length]!);
      return { method: 'POST', target, headers: [...(type === undefined ? [] : [['Content-Type', type] as [string, string]]), ...extra], body: breakXml(base, how, all), carriage: c };
    });

  return httpFamily(server, {
    runs: 150,
    requests,
    answerProblems: (a, request) => (a.status < 200 || fromHttpLayer(a) ? [] : request.method === 'POST' ? soapProblems(a) : a.status === 200 ? [] : [`the GET probe of Discovery.svc answered ${a.status}`]),
    protocolFault: (a) => a.status === 500 && soapProblems(a).length === 0,
    // A refusal writes nothing, but one: an enrollment of a device bound to another identity is
    // refused with an enrollmentConflict alert for the administrator (server/windows/enrollment-binding.ts).
    accepted: (answers) => answers.some((a) => (a.status >= 200 && a.status < 400) || faultOf(a)?.subcode === 'Authorization'),
  });
});

/**
 * Interim answers (100 Continue to an Expect: RFC 9110 §15.2) are not judged either.
 * Node's HTTP layer answers some requests before any endpoint sees them, with an empty 4xx: a
 * request it cannot read (400: a control character in a header, RFC 9110 §5.5), an Expect it does
 * not meet (417, RFC 9110 §10.1.1), headers too large (431). Not MS-MDE2's answers.
 */
const fromHttpLayer = (a: HttpAnswer): boolean => a.status >= 400 && a.status < 500 && a.body.length === 0 && !a.headers.has('content-type');

function faultOf(a: HttpAnswer): SoapFault | undefined {
  try {
    return readSoapFault(decodeSoapEnvelope(a.body));
  } catch {
    return undefined;
  }
}

/** The answer to a POST: a SOAP 1.2 envelope, a fault with an MS-MDE2 subcode (not the internal one) unless it is a 200. */
function soapProblems(a: HttpAnswer): string[] {
  const type = a.headers.get('content-type')?.[0] ?? '';
  if (!type.startsWith('application/soap+xml')) return [`a ${a.status} that is not application/soap+xml (${type || 'no Content-Type'})`];
  let fault;
  try {
    fault = readSoapFault(decodeSoapEnvelope(a.body));
  } catch (err) {
    return [`a ${a.status} whose body is not a SOAP envelope: ${(err as Error).message}`];
  }
  if (a.status === 200) return fault ? ['a 200 that holds a SOAP fault'] : [];
  if (!FAULT_STATUSES.has(a.status)) return [`a refusal with HTTP ${a.status}`];
  if (!fault) return [`a ${a.status} without a SOAP fault`];
  if (fault.subcode === undefined || !SUBCODES.has(fault.subcode)) return [`a fault whose subcode is not an MS-MDE2 one: ${fault.subcode}`];
  if (fault.subcode === 'InternalServiceFault') return ['the internal-error fault (InternalServiceFault)'];
  return [];
}
