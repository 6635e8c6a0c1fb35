import { createHash, type KeyObject } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { TLSSocket } from 'node:tls';
import { parseCertificate } from '../../certs/certificate.js';
import { verifyRequestSignature } from '../../certs/http-signature.js';
import { publicKeyFromSpki } from '../../certs/keys.js';
import type { HttpSignatureErrorCode } from '../../protocol/http-signature/errors.js';
import { DEVICE_SIGNATURE_REQUIREMENTS, type SignatureRequirements } from '../../protocol/http-signature/verification.js';
import { AndroidChannelError } from '../errors/android-error.js';
import type { AndroidErrorCode } from '../errors/catalogue.js';
import type { AndroidDeviceRecord } from '../store/records.js';
import type { AndroidContext } from './android-context.js';
import { ReplayCache, type ReplayCacheLimits } from './replay-cache.js';

/** A request proven to come from a registered device, with the device's Android record as read then. */
export interface AuthenticatedDevice {
  deviceId: string;
  fingerprint: string;
  android: AndroidDeviceRecord;
}

/**
 * mdmlab's devices sign every request after registration with the key of their device certificate
 * (RFC 9421): `@method`, `@target-uri` and, with a body, `content-digest` covered; `created`,
 * `expires` (at most 10 minutes apart, at most 5 minutes old, 1 minute of clock skew), `keyid` the
 * certificate's SHA-256 fingerprint, tag `mdmlab-device`, and a `nonce`, which makes a signature
 * good for one state-changing request only.
 */
export const ANDROID_SIGNATURE_REQUIREMENTS: SignatureRequirements = Object.freeze({ ...DEVICE_SIGNATURE_REQUIREMENTS, requireNonce: true });

/** Longest nonce kept in the replay cache (base64 of 32 random bytes is 43). */
const MAX_NONCE = 128;
const KEY_CACHE_LIMIT = 50_000;
/** Methods that change nothing (RFC 9110 §9.2.1): a replay of one fetches again what its original fetched. */
const SAFE_METHODS = new Set(['GET', 'HEAD']);

const SIGNATURE_REFUSALS: Partial<Record<HttpSignatureErrorCode, AndroidErrorCode>> = {
  missingSignature: 'missingSignature',
  headerTooLarge: 'headerTooLarge',
  notYetValid: 'signatureExpired',
  tooOld: 'signatureExpired',
  expired: 'signatureExpired',
  lifetimeTooLong: 'signatureExpired',
  unknownKey: 'unknownIdentity',
};

/**
 * Proves the device behind every request after registration, before anything it sent is read or
 * stored: mutual TLS when the request came over TLS (`mdmlab serve --tls`: the client certificate
 * must chain to this server's CA and be a registered device identity), an RFC 9421 signature in
 * plain-HTTP lab mode. `@target-uri` is rebuilt from the server's configured base URL and the
 * request target, never from Host, so a signature made for another server does not verify here.
 * Cheap checks first: the signature fields before the body is read (precheck), then the body's
 * digest, the keyid looked up, and only then RSA. One identity, one device: the identity names the
 * device, and a device that left management is refused.
 */
export class DeviceAuthenticator {
  private readonly keys = new Map<string, KeyObject>();
  private readonly replays: ReplayCache;

  constructor(
    private readonly ctx: AndroidContext,
    replayLimits?: ReplayCacheLimits,
  ) {
    this.replays = new ReplayCache(replayLimits, () => ctx.now().getTime());
  }

  /** What can be refused from the headers alone; run before the body is read. */
  precheck(req: IncomingMessage): void {
    if (overTls(req)) {
      const cert = (req.socket as TLSSocket).getPeerCertificate(false);
      if (!cert?.raw) throw new AndroidChannelError('missingClientCertificate');
      return;
    }
    if (req.headers['signature-input'] === undefined || req.headers.signature === undefined) throw new AndroidChannelError('missingSignature');
  }

  async authenticate(req: IncomingMessage, body: Buffer): Promise<AuthenticatedDevice> {
    const device = overTls(req) ? await this.byClientCertificate(req) : await this.bySignature(req, body);
    if (device.android.unregisteredAt) throw new AndroidChannelError('deviceNotEnrolled');
    return device;
  }

  private async byClientCertificate(req: IncomingMessage): Promise<AuthenticatedDevice> {
    const socket = req.socket as TLSSocket;
    const cert = socket.getPeerCertificate(false);
    if (!cert?.raw) throw new AndroidChannelError('missingClientCertificate');
    if (!socket.authorized) throw new AndroidChannelError('unknownIdentity', `the client certificate was not issued by this server's CA (${String(socket.authorizationError)})`);
    const fingerprint = createHash('sha256').update(cert.raw).digest('hex');
    const android = await this.ctx.store.androidDevices.getByIdentity(fingerprint);
    if (!android) throw new AndroidChannelError('unknownIdentity');
    return { deviceId: android.deviceId, fingerprint, android };
  }

  private async bySignature(req: IncomingMessage, body: Buffer): Promise<AuthenticatedDevice> {
    const now = this.ctx.now();
    let android: AndroidDeviceRecord | undefined;
    const result = await verifyRequestSignature(
      { method: req.method ?? 'GET', targetUri: `${this.ctx.baseUrl()}${req.url ?? '/'}`, headers: req.headers, body },
      {
        requirements: ANDROID_SIGNATURE_REQUIREMENTS,
        now,
        resolveKey: async (keyId) => {
          android = await this.ctx.store.androidDevices.getByIdentity(keyId);
          if (!android || android.certificateNotAfter < now.toISOString()) return undefined;
          return { publicKey: this.publicKeyOf(keyId, android) };
        },
      },
    );
    if (!result.ok) {
      const code = SIGNATURE_REFUSALS[result.error.code] ?? 'badSignature';
      throw new AndroidChannelError(code, code === 'badSignature' ? `the request signature is refused (${result.error.code}): ${result.error.message}` : result.error.message);
    }
    const { keyId, nonce, expires } = result.value;
    if (!android) throw new AndroidChannelError('unknownIdentity');
    if (nonce === undefined || nonce.length > MAX_NONCE) throw new AndroidChannelError('badSignature', `the signature needs a nonce of at most ${MAX_NONCE} characters`);
    if (!SAFE_METHODS.has(req.method ?? 'GET')) {
      const skewMs = ANDROID_SIGNATURE_REQUIREMENTS.clockSkewSeconds * 1000;
      const verdict = this.replays.remember(keyId, nonce, (expires ?? 0) * 1000 + skewMs);
      if (verdict === 'replayed') throw new AndroidChannelError('replayedRequest');
      if (verdict === 'keyFull') throw new AndroidChannelError('tooManyRequests', undefined, { headers: { 'retry-after': '60' } });
      if (verdict === 'full') throw new AndroidChannelError('busy', undefined, { headers: { 'retry-after': '10' } });
    }
    return { deviceId: android.deviceId, fingerprint: keyId, android };
  }

  /** Certificates never change for a fingerprint: their keys are imported once. */
  private publicKeyOf(fingerprint: string, android: AndroidDeviceRecord): KeyObject {
    let key = this.keys.get(fingerprint);
    if (!key) {
      key = publicKeyFromSpki(parseCertificate(Buffer.from(android.certificate, 'base64')).spki);
      if (this.keys.size >= KEY_CACHE_LIMIT) this.keys.clear();
      this.keys.set(fingerprint, key);
    }
    return key;
  }
}

function overTls(req: IncomingMessage): boolean {
  return (req.socket as TLSSocket).encrypted === true;
}
