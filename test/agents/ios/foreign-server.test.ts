import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { parseCertificate } from '../../../certs/certificate.js';
import { isIosDeviceError } from '../../../agents/ios/errors.js';
import { IosDevice, type IosDeviceOptions } from '../../../agents/ios/ios-device.js';
import { HttpClient } from '../../../agents/transport/http.js';
import { captureLog } from '../../helpers/log-capture.js';
import { startForeignMdmServer, type ForeignMdmServer } from './foreign-mdm-server.js';

/**
 * The simulated iOS device against an MDM server that is not mdmlab's (foreign-mdm-server.ts:
 * NanoMDM's layout, micromdm/scep's DES replies, no push gateway): enrollment without push, SCEP
 * replies encrypted with DES or 3DES, PKCS#12 identities.
 */

const http = new HttpClient({ timeoutMs: 10_000 });
const servers: ForeignMdmServer[] = [];
const devices: IosDevice[] = [];
afterEach(async () => {
  await Promise.allSettled(devices.splice(0).map((d) => d.stop()));
  await Promise.allSettled(servers.splice(0).map((s) => s.close()));
});
afterAll(() => http.destroy());

async function server(opts: Parameters<typeof startForeignMdmServer>[0] = {}): Promise<ForeignMdmServer> {
  const s = await startForeignMdmServer(opts);
  servers.push(s);
  return s;
}

async function device(options: IosDeviceOptions = {}): Promise<IosDevice> {
  const d = await IosDevice.create({ http, allowHttp: true, periodicCheckInMs: 0, seed: `foreign-${devices.length}-${Date.now()}`, ...options });
  devices.push(d);
  return d;
}

const messageTypes = (s: ForeignMdmServer) => s.checkIns.map((c) => c.messageType);

describe('enrolling with a server that has no push gateway', () => {
  // AES SCEP replies here: these tests are about push alone.
  it('enrolls without push: a made-up 32-byte token in TokenUpdate, the reason in its log, then polls', async () => {
    const s = await server({ scepCipher: 'aes256' });
    const log = captureLog('info');
    const d = await device({ logger: log.log });
    await d.enroll(s.enrollUrl);

    expect(d.isEnrolled()).toBe(true);
    expect(messageTypes(s)).toEqual(['Authenticate', 'TokenUpdate']);
    const tokenUpdate = s.checkIns[1]!.dict;
    expect(Buffer.isBuffer(tokenUpdate.Token) && tokenUpdate.Token.length).toBe(32);
    expect((tokenUpdate.Token as Buffer).toString('hex').toUpperCase()).toBe(d.pushToken);
    expect(typeof tokenUpdate.PushMagic).toBe('string');
    // The /push upgrade was answered by the server's 404 page: no gateway, so no push.
    const warning = log.lines().find((l) => String(l.msg).startsWith('enrolling without push'));
    expect(String(warning?.reason)).toMatch(/no push gateway at ws:\/\/127\.0\.0\.1:\d+\/push \(it answered HTTP 404/);
    // It polled once after enrolling, as after any enrollment.
    expect(s.reports.map((r) => r.Status)).toEqual(['Idle']);
  });

  it('learns of a queued command when its user checks in, and on its check-in timer', async () => {
    const s = await server({ scepCipher: 'aes256' });
    const d = await device({ periodicCheckInMs: 300, push: 'none' });
    await d.enroll(s.enrollUrl);

    const first = s.enqueue({ Command: { RequestType: 'ProfileList' } });
    await d.checkIn();
    expect((await s.reportFor(first)).Status).toBe('Acknowledged');

    // Nobody pushes and nobody checks in: the timer does (300 ms ±10 %).
    const second = s.enqueue({ Command: { RequestType: 'ProfileList' } });
    expect((await s.reportFor(second, 5000)).Status).toBe('Acknowledged');
  });

  it('enrolls from the enrollment profile itself (a file an operator saved)', async () => {
    const s = await server({ scepCipher: 'aes256' });
    const d = await device();
    await d.enroll({ enrollmentProfile: s.enrollmentProfile });
    expect(messageTypes(s)).toEqual(['Authenticate', 'TokenUpdate']);
  });

  it('with an explicit push gateway that gives no token, fails before Authenticate: the server never hears of it', async () => {
    const s = await server({ scepCipher: 'aes256' });
    const d = await device({ push: { url: `${s.url.replace('http', 'ws')}/push` }, pushTokenTimeoutMs: 1000 });
    const err = await d.enroll(s.enrollUrl).catch((e: unknown) => e);
    expect(isIosDeviceError(err, 'pushUnavailable')).toBe(true);
    expect(s.checkIns).toEqual([]);
    expect(s.scepReplies).toEqual([]); // not even a SCEP challenge was spent
    expect(d.isEnrolled()).toBe(false);
  });
});

describe('SCEP replies in weak ciphers', () => {
  for (const cipher of ['des', 'des3'] as const) {
    it(`accepts a CertRep encrypted with ${cipher === 'des' ? 'DES-CBC (1.3.14.3.2.7)' : '3DES-CBC (1.2.840.113549.3.7)'} and logs the weak cipher`, async () => {
      const s = await server({ scepCipher: cipher });
      const log = captureLog('info');
      const d = await device({ logger: log.log });
      await d.enroll(s.enrollUrl);

      expect(s.scepReplies).toEqual([cipher]);
      expect(messageTypes(s)).toEqual(['Authenticate', 'TokenUpdate']);
      // The identity the device signs with is the one the SCEP server issued.
      expect(parseCertificate(s.checkIns[0]!.signerCertDer).issuer.string).toContain('Foreign MDM CA');
      const weak = log.lines().find((l) => l.level === 40 && /weak cipher/.test(String(l.msg)));
      expect(weak).toMatchObject({ cipher: cipher === 'des' ? 'des-cbc' : 'des-ede3-cbc', scepUrl: `${s.url}/scep` });
    });
  }

  it('says nothing of an AES reply', async () => {
    const s = await server({ scepCipher: 'aes256' });
    const log = captureLog('info');
    const d = await device({ logger: log.log });
    await d.enroll(s.enrollUrl);
    expect(log.lines().some((l) => /weak cipher/.test(String(l.msg)))).toBe(false);
  });
});

describe('PKCS#12 identities', () => {
  it('enrolls with the com.apple.security.pkcs12 payload IdentityCertificateUUID names (openssl pkcs12 -export)', async () => {
    const s = await server({ identity: { pkcs12: { password: 'p12 secret' } } });
    const d = await device();
    await d.enroll(s.enrollUrl);

    expect(messageTypes(s)).toEqual(['Authenticate', 'TokenUpdate']);
    expect(parseCertificate(s.checkIns[0]!.signerCertDer).subject.string).toContain('foreign p12 device');
    expect(s.scepReplies).toEqual([]);
    expect(d.certificates().filter((c) => c.kind === 'identity').map((c) => c.payloadIdentifier)).toEqual(['com.example.foreign.identity']);
  });

  it('refuses the profile when its Password does not open the file (MCCertificateErrorDomain 9000), before Authenticate', async () => {
    const s = await server({ identity: { pkcs12: { password: 'right', payloadPassword: 'wrong' } } });
    const d = await device();
    const err = await d.enroll(s.enrollUrl).catch((e: unknown) => e);
    expect(isIosDeviceError(err, 'badEnrollmentProfile')).toBe(true);
    expect((err as Error).message).toMatch(/MCCertificateErrorDomain 9000/);
    expect(s.checkIns).toEqual([]);
    expect(d.isEnrolled()).toBe(false);
  });
});
