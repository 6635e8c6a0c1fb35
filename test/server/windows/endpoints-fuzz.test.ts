import fc from 'fast-check';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeDiscoverRequest } from '../../../protocol/windows/mde2/discovery.js';
import { encodeGetPoliciesRequest } from '../../../protocol/windows/mde2/policies.js';
import { decodeSoapFault } from '../../../protocol/windows/mde2/soap-fault.js';
import { decodeSyncML } from '../../../protocol/windows/syncml/decode.js';
import { startTestServer, type TestServer } from '../../helpers/server.js';
import { DISCOVERY, enrollWindows, ENROLLMENT, MANAGEMENT, messageId, POLICY, soapPost, usernameToken, WireDmClient } from './windows-wire.js';

/**
 * Whatever bytes reach the Windows endpoints, the answer is the protocol's own: a SOAP fault with
 * an MS-MDE2 subcode (never the internal-error one) from the enrollment endpoints; a SyncML reply,
 * or a 4xx with a one-line reason, from the OMA-DM endpoint. Never a stack, and the server keeps
 * serving. Inputs are valid messages broken at random: bytes flipped, cut, spliced with markup.
 */
let server: TestServer;
let samples: { path: string; body: string }[];
let client: WireDmClient;
beforeAll(async () => {
  server = await startTestServer();
  client = new WireDmClient(server, await enrollWindows(server, 'fuzz@contoso.com'));
  samples = [
    { path: DISCOVERY, body: encodeDiscoverRequest({ messageId: messageId(), to: `${server.url}${DISCOVERY}`, request: { emailAddress: 'a@contoso.com', requestVersion: '4.0', authPolicies: ['OnPremise'] } }) },
    { path: POLICY, body: encodeGetPoliciesRequest({ messageId: messageId(), to: `${server.url}${POLICY}`, security: usernameToken('fuzz@contoso.com', 'not-a-token') }) },
    { path: ENROLLMENT, body: encodeGetPoliciesRequest({ messageId: messageId(), to: `${server.url}${POLICY}`, security: usernameToken('fuzz@contoso.com', 'not-a-token') }).replace('enrollmentpolicy/IPolicy/GetPolicies', 'enrollment/RST/wstep') },
  ];
});
afterAll(async () => {
  await server.stop();
});

const SNIPPETS = ['<', '>', '&', '&amp;', '<!DOCTYPE x>', '<![CDATA[x]]>', '<x:y/>', '</s:Body>', '<Final/>', '"', '\u0000', '\uFFFF', '\u00e9', ' xmlns="urn:x"', '<Status><CmdID>1</CmdID></Status>', '<CmdID>999999999999</CmdID>'];

/** A valid message broken in one of several ways. */
const mutation = fc.oneof(
  fc.record({ kind: fc.constant('flip' as const), at: fc.nat(), byte: fc.integer({ min: 0, max: 255 }) }),
  fc.record({ kind: fc.constant('cut' as const), at: fc.nat() }),
  fc.record({ kind: fc.constant('splice' as const), at: fc.nat(), text: fc.constantFrom(...SNIPPETS) }),
  fc.record({ kind: fc.constant('drop' as const), at: fc.nat(), length: fc.integer({ min: 1, max: 40 }) }),
);

type Mutation = { kind: 'flip' | 'cut' | 'splice' | 'drop'; at: number; byte?: number; text?: string; length?: number };

function mutate(body: string, m: Mutation): Buffer {
  const bytes = Buffer.from(body);
  const at = m.at % bytes.length;
  switch (m.kind) {
    case 'flip': {
      const copy = Buffer.from(bytes);
      copy[at] = m.byte!;
      return copy;
    }
    case 'cut':
      return bytes.subarray(0, at);
    case 'splice':
      return Buffer.concat([bytes.subarray(0, at), Buffer.from(m.text!), bytes.subarray(at)]);
    default:
      return Buffer.concat([bytes.subarray(0, at), bytes.subarray(at + m.length!)]);
  }
}

const NO_INTERNALS = /\.ts:\d|node_modules|\/work\/|at [A-Za-z]+ \(/;

describe('fuzzed enrollment messages', () => {
  it('are answered with an MS-MDE2 fault (or a response), never the internal-error fault', async () => {
    await fc.assert(
      fc.asyncProperty(fc.nat(), mutation, async (which, m) => {
        const sample = samples[which % samples.length]!;
        const res = await soapPost(server, sample.path, mutate(sample.body, m));
        expect(res.text).not.toMatch(NO_INTERNALS);
        if (res.status === 200) return;
        expect([413, 415, 500]).toContain(res.status);
        const { fault } = decodeSoapFault(res.text);
        expect(fault.subcode).not.toBe('InternalServiceFault');
      }),
      { numRuns: 150, seed: 20_261_202 },
    );
    await request(server.url).get('/healthz').expect(200);
    expect(((await server.api.get('/devices')).body as unknown[]).length).toBe(1);
  });
});

describe('fuzzed OMA-DM messages', () => {
  it('are answered with SyncML or a 4xx and a one-line reason, never a 500, also past the credential check', async () => {
    // Each run is a new session of the enrolled device with the current nonce (the digest does not
    // cover the body), so most broken messages get past authentication into the session's processing.
    let accepted = 0;
    await fc.assert(
      fc.asyncProperty(mutation, async (m) => {
        client.sessionId++;
        const body = client.build(
          [
            { kind: 'Alert', cmdId: '1', code: 1201, items: [] },
            { kind: 'Replace', cmdId: '2', items: [{ source: './DevInfo/Man', data: 'Contoso' }] },
            { kind: 'Status', cmdId: '3', msgRef: '1', cmdRef: '4', cmd: 'Atomic', code: 200, targetRefs: [], sourceRefs: [], items: [] },
          ],
          { sessionId: client.sessionHex, msgId: 1 },
        );
        const res = await request(server.url).post(MANAGEMENT).set('Content-Type', 'application/vnd.syncml.dm+xml').send(mutate(body, m));
        expect(res.status).not.toBeGreaterThanOrEqual(500);
        expect(res.text).not.toMatch(NO_INTERNALS);
        if (res.status !== 200) {
          expect(res.text).toMatch(/^[a-zA-Z]+: [^\n]*\n$/);
          return;
        }
        const reply = decodeSyncML(res.text);
        const hdr = reply.commands[0];
        if (hdr?.kind === 'Status' && hdr.code === 200) accepted++;
        if (hdr?.kind === 'Status' && hdr.chal?.nextNonce) client.nonce = Buffer.from(hdr.chal.nextNonce, 'base64');
      }),
      { numRuns: 200, seed: 20_261_202 },
    );
    expect(accepted).toBeGreaterThan(10); // the seed is fixed: the same inputs every run
    await request(server.url).get('/healthz').expect(200);
  });
});
