import { statSync, mkdtempSync, rmSync, writeFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultKeyCacheDir, KeyPool } from '../../../agents/identity/key-pool.js';

let dir: string;
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'mdmlab-keys-'));
  await new KeyPool({ dir, workers: 2 }).fill(4);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('KeyPool', () => {
  it('fills the folder with PKCS#8 PEM keys written 0600, from worker threads', () => {
    const files = readdirSync(dir).filter((f) => f.endsWith('.pem'));
    expect(files).toHaveLength(4);
    for (const f of files) {
      expect(f).toMatch(/^rsa2048-[0-9a-f]{32}\.pem$/);
      expect(statSync(join(dir, f)).mode & 0o777).toBe(0o600);
    }
    expect(statSync(dir).mode & 0o777).toBe(0o700);
  });

  it('hands out each key once, as RSA-2048 key pairs', async () => {
    const pool = new KeyPool({ dir });
    const keys = await pool.take(4);
    expect(new Set(keys.map((k) => k.file)).size).toBe(4);
    expect(keys[0]!.privateKey.asymmetricKeyDetails?.modulusLength).toBe(2048);
    expect(keys[0]!.pem).toContain('BEGIN PRIVATE KEY');
    expect(pool.remaining()).toBe(0);
  });

  it('gives the same keys in the same order for the same seed and folder; another seed another order', async () => {
    const order = async (seed: string) => (await new KeyPool({ dir, seed }).take(4)).map((k) => k.file).join();
    expect(await order('a')).toBe(await order('a'));
    const orders = new Set(await Promise.all(['b', 'c', 'd', 'e', 'f'].map(order)));
    expect(orders.size).toBeGreaterThan(1);
  });

  it("slices one folder between pools (a fleet's worker threads) so that no key is handed out twice", async () => {
    const pools = [0, 1].map((index) => new KeyPool({ dir, seed: 'sliced', slice: { index, of: 2 } }));
    const files = (await Promise.all(pools.map((p) => p.take(2)))).flat().map((k) => k.file);
    expect(new Set(files).size).toBe(4);
    expect(pools.map((p) => [p.generated, p.remaining()])).toEqual([[0, 0], [0, 0]]);
  });

  it('generates what is missing when the folder runs short, and skips unreadable files', async () => {
    const small = mkdtempSync(join(tmpdir(), 'mdmlab-keys-'));
    try {
      writeFileSync(join(small, 'rsa2048-00000000000000000000000000000000.pem'), 'not a key', { mode: 0o600 });
      const pool = new KeyPool({ dir: small, workers: 1, minFill: 1 });
      const keys = await pool.take(2);
      expect(keys).toHaveLength(2);
      expect(pool.generated).toBe(2);
      await pool.ensure(4); // counts files: the broken one and 2 keys are there
      expect(pool.size()).toBe(4);
      expect(pool.generated).toBe(3);
      expect(pool.remaining()).toBe(1); // ensure() adds to what take() can hand out
    } finally {
      rmSync(small, { recursive: true, force: true });
    }
  });

  it('lives in $MDMLAB_KEY_CACHE, else ~/.cache/mdmlab/keys', () => {
    const saved = process.env.MDMLAB_KEY_CACHE;
    try {
      process.env.MDMLAB_KEY_CACHE = '/tmp/somewhere';
      expect(defaultKeyCacheDir()).toBe('/tmp/somewhere');
      delete process.env.MDMLAB_KEY_CACHE;
      expect(defaultKeyCacheDir()).toMatch(/\.cache\/mdmlab\/keys$/);
    } finally {
      if (saved === undefined) delete process.env.MDMLAB_KEY_CACHE;
      else process.env.MDMLAB_KEY_CACHE = saved;
    }
  });
});
