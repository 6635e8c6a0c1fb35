import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeCheckIn } from '../../../../protocol/apple/checkin.js';
import { CHECKIN, enrollIdentity, signedPut, type WireIdentity } from '../../../helpers/apple-wire.js';
import { startTestServer, type TestServer } from '../../../helpers/server.js';

/**
 * A device-protocol refusal is a status and ONE line of text (server/errors/catalogue.ts,
 * PROTOCOL_ERRORS), also when its reason quotes what the client sent: line breaks and other
 * control characters a client put in a query parameter or a plist string are escaped, not
 * echoed. Found by the fuzz suite (test/fuzz/scep.test.ts: `operation=%0D%0A`).
 */
let server: TestServer;
let device: WireIdentity;
beforeAll(async () => {
  server = await startTestServer();
  device = await enrollIdentity(server, 'one-line@contoso.com');
});
afterAll(() => server.stop());

function expectOneLine(text: string): void {
  expect(text.endsWith('\n')).toBe(true);
  expect(text.slice(0, -1)).not.toMatch(/[\u0000-\u001f\u007f\u2028\u2029]/);
}

describe('refusals that quote the client', () => {
  it('SCEP: an operation with CR LF and NUL in it', async () => {
    const res = await request(server.url).get('/scep?operation=Get%0D%0AX-Injected:%201%00').expect(400);
    expect(res.text).toMatch(/^unknownScepOperation: /);
    expect(res.text).toContain('\\r\\nX-Injected: 1\\u0000');
    expectOneLine(res.text);
  });

  it('a check-in whose Topic has line breaks', async () => {
    const body = encodeCheckIn({ MessageType: 'Authenticate', Topic: 'com.apple.mgmt.External.x\nsecond line\r\nthird', UDID: device.udid });
    const res = await signedPut(device.mdm.checkInUrl!, CHECKIN, body, { key: device.key, certDer: device.certDer }).expect(400);
    expect(res.text).toMatch(/^malformedMessage: Topic /);
    expectOneLine(res.text);
  });
});
