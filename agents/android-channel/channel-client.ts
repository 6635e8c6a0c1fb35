import { randomBytes, type KeyObject } from 'node:crypto';
import https from 'node:https';
import type { OutgoingHttpHeaders } from 'node:http';
import { signRequest } from '../../certs/http-signature.js';
import { derToPem } from '../../certs/pem.js';
import { encodeDeviceReport, type DeviceReport } from '../../protocol/android/amapi/device.js';
import { decodePolicy, type Policy } from '../../protocol/android/amapi/policy.js';
import { ANDROID_CHANNEL_PATHS, decodeChannelError } from '../../protocol/android/channel.js';
import { decodeRegistrationResponse, encodeRegistrationRequest, type DeviceRegistrationRequest, type DeviceRegistrationResponse } from '../../protocol/android/registration.js';
import { isHttpError, type HttpClient, type HttpResponse } from '../transport/http.js';
import { AndroidDeviceError } from './android-errors.js';

/** What every request after registration is proven with. */
export interface ChannelCredentials {
  serverUrl: string;
  privateKey: KeyObject;
  keyPem: string;
  certificateDer: Buffer;
  keyId: string;
  caPem: string;
}

export type PolicyAnswer = { kind: 'notModified' } | { kind: 'policy'; policy: Policy; etag: string; body: string };

const JSON_TYPE = 'application/json';

/**
 * The device side of the Android channel (protocol/android/channel.ts): registration with the
 * enrollment token, then the policy pull (`If-None-Match` with the held ETag: 304 when nothing
 * changed, RFC 9110 §13.1.2) and the status report. In plain-HTTP lab mode every request after
 * registration carries an RFC 9421 signature with the device key (keyid = the certificate's
 * SHA-256 fingerprint, a fresh nonce, Content-Digest for a body: certs/http-signature.ts); over
 * https the device certificate is presented in the TLS handshake instead (mutual TLS). A refusal is
 * read as Google's JSON error model and surfaces as an AndroidDeviceError carrying its reason.
 */
export class ChannelClient {
  #tlsAgent: https.Agent | undefined;

  constructor(
    private readonly http: HttpClient,
    private readonly now: () => number,
  ) {}

  async register(serverUrl: string, request: DeviceRegistrationRequest, caPem: string | undefined): Promise<DeviceRegistrationResponse> {
    const res = await this.#send(
      () => this.http.request({ method: 'POST', url: `${serverUrl}${ANDROID_CHANNEL_PATHS.register}`, headers: { 'content-type': JSON_TYPE }, body: encodeRegistrationRequest(request), ...(caPem ? { caPem } : {}) }),
    );
    if (res.status !== 201) throw refusal(res, 'enrollmentRefused', 'registration');
    const answer = decodeRegistrationResponse(res.body);
    if (!answer.ok) throw new AndroidDeviceError('badServerAnswer', `the registration answer does not decode: ${answer.error.message}`);
    return answer.value;
  }

  async fetchPolicy(c: ChannelCredentials, etag: string | undefined): Promise<PolicyAnswer> {
    const res = await this.#signed(c, 'GET', ANDROID_CHANNEL_PATHS.policy, undefined, etag ? { 'if-none-match': etag } : {});
    if (res.status === 304) return { kind: 'notModified' };
    if (res.status !== 200) throw refusal(res, 'serverRefused', 'policy sync');
    const policy = decodePolicy(res.body);
    if (!policy.ok) throw new AndroidDeviceError('badServerAnswer', `the policy does not decode: ${policy.error.message}`);
    const tag = res.headers.etag;
    return { kind: 'policy', policy: policy.value, etag: typeof tag === 'string' ? tag : '', body: res.body.toString('utf8') };
  }

  async report(c: ChannelCredentials, report: DeviceReport): Promise<void> {
    const res = await this.#signed(c, 'POST', ANDROID_CHANNEL_PATHS.report, Buffer.from(encodeDeviceReport(report)), { 'content-type': JSON_TYPE });
    if (res.status !== 204 && res.status !== 200) throw refusal(res, 'serverRefused', 'status report');
  }

  /** Closes the mutual-TLS connections (the device stops or leaves management). */
  close(): void {
    this.#tlsAgent?.destroy();
    this.#tlsAgent = undefined;
  }

  #signed(c: ChannelCredentials, method: 'GET' | 'POST', path: string, body: Buffer | undefined, headers: Record<string, string>): Promise<HttpResponse> {
    const url = `${c.serverUrl}${path}`;
    if (url.startsWith('https:')) return this.#send(() => this.#mutualTls(c, method, url, body, headers)); 
    const fields = signRequest(
      { method, targetUri: url, headers, ...(body ? { body } : {}) },
      { privateKey: c.privateKey, keyId: c.keyId, created: new Date(this.now()), nonce: randomBytes(16).toString('base64url') },
    );
    return this.#send(() => this.http.request({ method, url, headers: { ...headers, ...fields }, ...(body ? { body } : {}) })); 
  }

  async #send(request: () => Promise<HttpResponse>): Promise<HttpResponse> {
    try {
      return await request();
    } catch (err) {
      if (isHttpError(err)) throw new AndroidDeviceError('network', err.message, { cause: err });
      throw err;
    }
  }

  /** One request over mutual TLS: the device certificate in the handshake, the server's CA trusted. */
  #mutualTls(c: ChannelCredentials, method: string, url: string, body: Buffer | undefined, headers: Record<string, string>): Promise<HttpResponse> {
    this.#tlsAgent ??= new https.Agent({ keepAlive: true, maxSockets: 4, cert: derToPem(c.certificateDer, 'CERTIFICATE'), key: c.keyPem, ca: c.caPem });
    const all: OutgoingHttpHeaders = { ...headers, ...(body ? { 'content-length': body.length } : {}) };
    return new Promise<HttpResponse>((resolve, reject) => {
      const req = https.request(url, { method, headers: all, agent: this.#tlsAgent, timeout: 30_000 }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (d: Buffer) => chunks.push(d));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
        res.on('error', (err) => reject(new AndroidDeviceError('network', `${method} ${url}: ${err.message}`, { cause: err })));
      });
      req.on('timeout', () => req.destroy(new Error('no answer within 30 s')));
      req.on('error', (err) => reject(new AndroidDeviceError('network', `${method} ${url}: ${err.message}`, { cause: err })));
      req.end(body);
    });
  }
}

/** A refusal in the channel's own form (Google's JSON error model) as the device's typed error. */
function refusal(res: HttpResponse, code: 'enrollmentRefused' | 'serverRefused', what: string): AndroidDeviceError {
  const decoded = res.body.length > 0 ? decodeChannelError(res.body) : undefined;
  if (decoded?.ok) {
    const e = decoded.value;
    return new AndroidDeviceError(code, `${what} refused: ${e.status} ${e.reason}: ${e.message}${e.field ? ` (${e.field})` : ''}`, { status: res.status, reason: e.reason });
  }
  return new AndroidDeviceError(code, `${what} refused with HTTP ${res.status}`, { status: res.status });
}
