/**
 * Worker thread of the key pool (key-pool.ts): generates `count` RSA key pairs with node:crypto
 * (native, ~5 a second per core at 2048 bits on the project's machine) and writes each into the pool
 * folder as a PKCS#8 PEM file, mode 0600, named after its public key. Each file is written under a
 * temporary name and renamed, so a reader never sees half a key. Imports node: modules only, so
 * it loads the same way from TypeScript sources and from dist/.
 */
import { createHash, generateKeyPairSync } from 'node:crypto';
import { renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parentPort, workerData } from 'node:worker_threads';

export interface KeyPoolWorkerInput {
  dir: string;
  count: number;
  bits: number;
}

/** One message per key written. */
export interface KeyPoolWorkerMessage {
  file: string;
}

const input = workerData as KeyPoolWorkerInput;
for (let i = 0; i < input.count; i++) {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: input.bits, publicExponent: 0x10001 });
  const spki = publicKey.export({ type: 'spki', format: 'der' });
  const file = `rsa${input.bits}-${createHash('sha256').update(spki).digest('hex').slice(0, 32)}.pem`;
  const tmp = join(input.dir, `.${file}.${process.pid}.tmp`);
  writeFileSync(tmp, privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600 });
  renameSync(tmp, join(input.dir, file));
  parentPort?.postMessage({ file } satisfies KeyPoolWorkerMessage);
}
