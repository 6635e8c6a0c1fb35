import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createUserAndToken, fetchEnrollmentProfile } from '../../helpers/apple-wire.js';
import { startTestServer, type TestServer } from '../../helpers/server.js';

/**
 * HEAD of the enrollment URL (RFC 9110 §9.3.2: GET's answer without its content; §9.2.1: a safe
 * method) tells whether the token would get a profile and spends nothing: a link checker or a mail
 * scanner that HEADs the URL must not use up a user's one-time token. Found by the fuzz suite
 * (test/fuzz/enrollment.test.ts).
 */
let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server.stop());

const pathOf = (url: string) => new URL(url).pathname + new URL(url).search;

describe('HEAD /mdm/enroll', () => {
  it("answers as GET would, without content, and the one-time token still enrolls the user's device", async () => {
    const { enrollUrl } = await createUserAndToken(server, 'head@contoso.com');
    const head = await request(server.url).head(pathOf(enrollUrl)).expect(200);
    expect(head.headers['content-type']).toMatch(/^application\/x-apple-aspen-config/);
    const { scep } = await fetchEnrollmentProfile(enrollUrl);
    expect(scep.challenge).toBeTruthy();
    // Spent by the GET: now HEAD says so too.
    await request(server.url).head(pathOf(enrollUrl)).expect(403);
  });

  it('answers 403 for a token GET would refuse (unknown, or of a deleted user)', async () => {
    await request(server.url).head('/mdm/enroll?token=unknown').expect(403);
    await request(server.url).head('/mdm/enroll').expect(403);
    const gone = await createUserAndToken(server, 'gone@contoso.com');
    await server.api.delete(`/users/${gone.userId}`).expect(204);
    await request(server.url).head(pathOf(gone.enrollUrl)).expect(403);
  });
});
