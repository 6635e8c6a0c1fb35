import { generateKeyPair, type KeyObject } from 'node:crypto';
import { promisify } from 'node:util';
import type { KeyPool } from './key-pool.js';

const generateKeyPairAsync = promisify(generateKeyPair);

/**
 * An RSA key pair of `bits`: from the pool when it holds that size, generated on the spot otherwise
 * (a SCEP payload or an enrollment policy asking for 1024 or 4096 bits).
 */
export async function takeKey(pool: KeyPool, bits: number): Promise<{ privateKey: KeyObject; publicKey: KeyObject; pem: string }> {
  if (bits === pool.bits) return pool.takeOne();
  const { privateKey, publicKey } = await generateKeyPairAsync('rsa', { modulusLength: bits, publicExponent: 0x10001 });
  return { privateKey, publicKey, pem: privateKey.export({ type: 'pkcs8', format: 'pem' }) as string };
}
