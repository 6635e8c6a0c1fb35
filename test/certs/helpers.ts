/** Shared test helpers for certs/: temp dirs and the openssl CLI (OpenSSL 3.0). */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface OpensslResult {
  status: number | null;
  stdout: Buffer;
  stderr: string;
}

/** Run `openssl args...` in `cwd`, optionally feeding stdin. */
export function openssl(args: string[], opts: { cwd?: string; input?: Buffer | string } = {}): OpensslResult {
  const r = spawnSync('openssl', args, { cwd: opts.cwd, input: opts.input, maxBuffer: 16 * 1024 * 1024 });
  if (r.error) throw r.error;
  return { status: r.status, stdout: r.stdout, stderr: r.stderr.toString() };
}

/** Run openssl and throw with its stderr unless it exits 0. */
export function opensslOk(args: string[], opts: { cwd?: string; input?: Buffer | string } = {}): Buffer {
  const r = openssl(args, opts);
  if (r.status !== 0) throw new Error(`openssl ${args.join(' ')} failed (${r.status}): ${r.stderr}`);
  return r.stdout;
}

/** A temporary directory with small file helpers; call cleanup() in afterAll. */
export class TempDir {
  readonly path: string;

  constructor(prefix = 'mdmlab-certs-') {
    this.path = mkdtempSync(join(tmpdir(), prefix));
  }

  file(name: string): string {
    return join(this.path, name);
  }

  write(name: string, data: Buffer | string): string {
    const p = this.file(name);
    writeFileSync(p, data);
    return p;
  }

  read(name: string): Buffer {
    return readFileSync(this.file(name));
  }

  cleanup(): void {
    rmSync(this.path, { recursive: true, force: true });
  }
}

/** Assert that `fn` throws a CertsError with `code`. */
export function expectCertsError(fn: () => unknown, code: string): void {
  let thrown: unknown;
  try {
    fn();
  } catch (err) {
    thrown = err;
  }
  if (!(thrown instanceof Error) || thrown.name !== 'CertsError') {
    throw new Error(`expected a CertsError ${code}, got ${thrown === undefined ? 'no error' : String(thrown)}`);
  }
  const actual = (thrown as Error & { code: string }).code;
  if (actual !== code) throw new Error(`expected CertsError code ${code}, got ${actual}: ${thrown.message}`);
}
