import { generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { checkClientKey, CLIENT_RSA_KEY_LIMITS, publicKeyFacts } from '../../certs/key-limits.js';
import { spkiDer } from '../../certs/keys.js';
import { rsaSpki } from '../../scripts/bench/abusive-cms.js';
import { expectCertsError } from './helpers.js';

/** A modulus of exactly `bits` bits (top bit set, odd); its value does not matter to the limits. */
const modulus = (bits: number) => {
  const b = Buffer.alloc(Math.ceil(bits / 8), 0x5a);
  b[0] = 1 << ((bits - 1) % 8);
  b[b.length - 1]! |= 1;
  return b;
};
/** An exponent's unsigned big-endian bytes. */
function e(value: number | bigint): Buffer {
  const hex = BigInt(value).toString(16);
  return Buffer.from(hex.length % 2 ? `0${hex}` : hex, 'hex');
}

describe('publicKeyFacts', () => {
  it('reads modulus size and exponent of real keys without importing them, and names other algorithms', () => {
    const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
    expect(publicKeyFacts(spkiDer(rsa.publicKey))).toEqual({ type: 'rsa', modulusBits: 2048, exponent: 65537 });
    const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    expect(publicKeyFacts(spkiDer(ec.publicKey))).toEqual({ type: 'other', algorithm: '1.2.840.10045.2.1' });
    expect(publicKeyFacts(rsaSpki(modulus(1025), e(3)))).toEqual({ type: 'rsa', modulusBits: 1025, exponent: 3 });
    expect(publicKeyFacts(rsaSpki(modulus(3072), modulus(3072)))).toMatchObject({ modulusBits: 3072, exponent: Infinity });
  });

  it('calls garbage badKey', () => {
    expectCertsError(() => publicKeyFacts(Buffer.from('not a key')), 'badKey');
    const truncated = rsaSpki(modulus(2048), e(65537));
    expectCertsError(() => publicKeyFacts(truncated.subarray(0, truncated.length - 3)), 'badKey');
  });
});

describe('checkClientKey', () => {
  it('takes RSA 1024–4096 with an odd exponent from 3 to 2^32-1', () => {
    for (const bits of [1024, 2048, 3072, 4096]) expect(checkClientKey(rsaSpki(modulus(bits), e(65537))).modulusBits).toBe(bits);
    expect(checkClientKey(rsaSpki(modulus(2048), e(3))).exponent).toBe(3);
    expect(checkClientKey(rsaSpki(modulus(2048), e(2 ** 32 - 1))).exponent).toBe(2 ** 32 - 1);
    expect(CLIENT_RSA_KEY_LIMITS).toEqual({ minModulusBits: 1024, maxModulusBits: 4096 });
  });

  it('refuses other key types, sizes outside the limits and absurd exponents, naming what is wrong', () => {
    const cases: [Buffer, RegExp][] = [
      [spkiDer(generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey), /not RSA/],
      [spkiDer(generateKeyPairSync('ed25519').publicKey), /not RSA/],
      [rsaSpki(modulus(512), e(65537)), /512 bits is outside 1024–4096/],
      [rsaSpki(modulus(1023), e(65537)), /1023 bits/],
      [rsaSpki(modulus(4097), e(65537)), /4097 bits/],
      [rsaSpki(modulus(16384), e(65537)), /16384 bits/],
      [rsaSpki(modulus(2048), e(1)), /exponent 1 /],
      [rsaSpki(modulus(2048), e(65536)), /exponent 65536 /],
      [rsaSpki(modulus(2048), e(2n ** 32n + 1n)), /exponent 4294967297 /],
      [rsaSpki(modulus(2048), modulus(2040)), /exponent over 2\^53/],
    ];
    for (const [spki, why] of cases) {
      expectCertsError(() => checkClientKey(spki), 'keyNotAllowed');
      expect(() => checkClientKey(spki)).toThrow(why);
    }
  });

  it('applies tighter limits when given', () => {
    const spki = rsaSpki(modulus(2048), e(65537));
    expectCertsError(() => checkClientKey(spki, { minModulusBits: 4096, maxModulusBits: 4096 }), 'keyNotAllowed');
  });
});
