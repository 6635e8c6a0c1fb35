import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { isPushToken } from '../../protocol/push/messages.js';
import type { SettingsRepository } from '../store/port.js';

const NONCE_BYTES = 16;
const MAC_BYTES = 16;
const SECRET_BYTES = 32;
const SECRET_SETTING = 'push.tokenSecret';
/** Binds the MAC to this use of the secret. */
const LABEL = Buffer.from('mdmlab push token v1\0');

/**
 * Device tokens the gateway can recognise as its own without keeping a list of them: a token is
 * 16 random bytes followed by the first 16 bytes of HMAC-SHA256(secret, label ‖ those bytes)
 * (RFC 2104; truncation as RFC 2104 §5 allows), 64 hex characters in all, the size of an APNs
 * token. A restart with the same secret recognises every token issued before it; nothing grows
 * with the number of devices; a token nobody issued fails the check, so pushes cannot be held
 * for made-up tokens.
 */
export class PushTokens {
  readonly #secret: Buffer;

  constructor(secret: Buffer) {
    if (secret.length < SECRET_BYTES) throw new RangeError(`the push token secret must have at least ${SECRET_BYTES} bytes`);
    this.#secret = Buffer.from(secret);
  }

  issue(): string {
    const nonce = randomBytes(NONCE_BYTES);
    return Buffer.concat([nonce, this.#mac(nonce)]).toString('hex');
  }

  /** True only for a token this secret issued. */
  verify(token: string): boolean {
    if (!isPushToken(token)) return false;
    const raw = Buffer.from(token, 'hex');
    return timingSafeEqual(raw.subarray(NONCE_BYTES), this.#mac(raw.subarray(0, NONCE_BYTES)));
  }

  #mac(nonce: Buffer): Buffer {
    return createHmac('sha256', this.#secret).update(LABEL).update(nonce).digest().subarray(0, MAC_BYTES);
  }
}

/**
 * The gateway's secret, made once and kept in the store's settings (like the APNs topic), so
 * tokens outlive restarts. It is never logged nor returned by any API.
 */
export async function loadOrCreatePushTokens(settings: SettingsRepository): Promise<PushTokens> {
  const stored = await settings.get(SECRET_SETTING);
  if (stored) {
    const secret = Buffer.from(stored, 'base64');
    if (secret.length >= SECRET_BYTES) return new PushTokens(secret);
  }
  // Absent (first start) or unusable: a new secret. Devices holding older tokens get new ones on
  // their next connection and send TokenUpdate, as they do whenever their token changes.
  const secret = randomBytes(SECRET_BYTES);
  await settings.set(SECRET_SETTING, secret.toString('base64'));
  return new PushTokens(secret);
}
