import { randomBytes } from 'node:crypto';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeCheckIn } from '../../protocol/apple/checkin.js';
import { CHECKIN, createUserAndToken, fetchEnrollmentProfile, scepRequest, signedPut } from '../helpers/apple-wire.js';
import { captureLog, type CapturedLog } from '../helpers/log-capture.js';
import { offlinePushToken } from '../helpers/push-token.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

/**
 * Secrets never reach the log (README "The server"): the server runs at debug level, the most it
 * ever says, with pino writing into memory, through a whole enrollment and a push; then the log
 * is searched for every secret that went over the wire.
 */
const ADMIN_TOKEN = 'admin-token-that-must-not-be-logged';
let server: TestServer;
let captured: CapturedLog;
const secrets: Record<string, string> = { adminToken: ADMIN_TOKEN };

beforeAll(async () => {
  captured = captureLog('debug');
  server = await startTestServer({ adminToken: ADMIN_TOKEN }, captured.log);

  // A reusable enrollment token (the kind a fleet or a kiosk shares), used twice.
  const { enrollUrl, token } = await createUserAndToken(server, 'logs@contoso.com', { reusable: true });
  secrets.enrollmentToken = token;
  await fetchEnrollmentProfile(enrollUrl);
  const { scep, mdm } = await fetchEnrollmentProfile(enrollUrl);
  secrets.scepChallenge = scep.challenge!;
  // A token that is not one: refused, and the refusal is logged with its URL.
  secrets.wrongToken = `not-a-token-${randomBytes(6).toString('hex')}`;
  await request(server.url).get(`/mdm/enroll?token=${secrets.wrongToken}`).expect(403);

  const issued = await scepRequest(scep.url, server.identity.ca.certDer, scep.challenge, [{ shortName: 'CN', value: 'logs' }]);
  const as = { key: issued.keys.privateKey, certDer: issued.certDer! };
  const udid = randomBytes(12).toString('hex').toUpperCase();
  const pushToken = Buffer.from(await offlinePushToken(server), 'hex');
  secrets.pushToken = pushToken.toString('hex');
  secrets.pushMagic = `magic-${randomBytes(8).toString('hex')}`;
  await signedPut(mdm.checkInUrl!, CHECKIN, encodeCheckIn({ MessageType: 'Authenticate', Topic: mdm.topic, UDID: udid }), as).expect(200);
  await signedPut(mdm.checkInUrl!, CHECKIN, encodeCheckIn({ MessageType: 'TokenUpdate', Topic: mdm.topic, UDID: udid, Token: pushToken, PushMagic: secrets.pushMagic }), as).expect(200);

  // The APNs-shaped push API carries the push token in its path and the PushMagic in its body.
  await request(server.url).post(`/push/3/device/${secrets.pushToken}`).set('authorization', `Bearer ${server.adminToken}`).set('apns-topic', mdm.topic).send({ mdm: secrets.pushMagic }).expect(200);
  // A client that puts a secret in a query string where none belongs.
  secrets.queryToken = `query-${randomBytes(6).toString('hex')}`;
  await server.api.get(`/users?token=${secrets.queryToken}`).expect(400);
  await request(server.url).get(`/scep?operation=PKIOperation&message=${encodeURIComponent(Buffer.from(secrets.scepChallenge).toString('base64'))}`);
});
afterAll(() => server.stop());

describe('the server log', () => {
  it('holds no enrollment token, SCEP challenge, admin token, push token or PushMagic, at debug level', () => {
    const text = captured.text();
    for (const [what, value] of Object.entries(secrets)) {
      expect(text.includes(value), `${what} ${value} is in the log`).toBe(false);
      expect(text.includes(encodeURIComponent(value)), `${what} (URL-encoded) is in the log`).toBe(false);
    }
    expect(text).not.toContain(Buffer.from(secrets.scepChallenge!).toString('base64'));
  });

  it('still says which requests were made: URLs keep their path and parameter names, values redacted', () => {
    const urls = captured.lines().map((l) => l.url);
    expect(urls).toContain('/mdm/enroll?token=[redacted]');
    expect(urls).toContain('/push/3/device/[redacted]');
    expect(urls).toContain('/api/v1/users?token=[redacted]');
    expect(urls).toContain('/scep?operation=PKIOperation&message=[redacted]');
    const refused = captured.lines().find((l) => l.msg === 'device request refused' && String(l.url).startsWith('/mdm/enroll'));
    expect(refused).toMatchObject({ url: '/mdm/enroll?token=[redacted]', code: 'enrollmentTokenInvalid' });
  });

  it('censors secret fields by name wherever the server logs them', () => {
    server.log.info({ token: 'x1', pushMagic: 'x2', pushToken: 'x3', challenge: 'x4', headers: { authorization: 'Bearer x5', 'mdm-signature': 'x6' }, deviceId: 'dev_1' }, 'a line with secrets in it');
    const line = captured.lines().find((l) => l.msg === 'a line with secrets in it');
    expect(line).toMatchObject({ token: '[redacted]', pushMagic: '[redacted]', pushToken: '[redacted]', challenge: '[redacted]', headers: { authorization: '[redacted]', 'mdm-signature': '[redacted]' }, deviceId: 'dev_1' });
  });
});
