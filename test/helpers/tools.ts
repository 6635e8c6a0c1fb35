import { execFile } from 'node:child_process';
import { accessSync, constants, existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * Where the third-party tools that scripts/ci/install-tools.sh installs live, for interop tests and
 * the browser tests.
 * A missing tool is an error that says how to get it, never a skipped test: CI must not pass
 * because the thing it is meant to exercise is absent.
 */

export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
export const TOOLS_DIR = join(REPO_ROOT, '.tools');

const HINT = 'run scripts/ci/install-tools.sh (as root, or with password-less sudo; `npm test` runs it as pretest)';

export class MissingToolError extends Error {
  readonly code = 'missingTool';

  constructor(tool: string, looked: string[]) {
    super(`${tool} not found (looked at ${looked.join(', ')}): ${HINT}`);
    this.name = 'MissingToolError';
  }
}

function executable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

function firstExecutable(tool: string, candidates: string[]): string {
  const found = candidates.find(executable);
  if (!found) throw new MissingToolError(tool, candidates);
  return found;
}

/** The micromdm/scep client built from Debian's golang-github-micromdm-scep-dev. */
export function scepclientPath(): string {
  return firstExecutable('scepclient (micromdm/scep)', [join(TOOLS_DIR, 'bin', 'scepclient')]);
}

/** certmonger's SCEP helper: where install-tools.sh found it (dpkg -L), else the usual places. */
export function scepSubmitPath(): string {
  const recorded = join(TOOLS_DIR, 'scep-submit.path');
  const candidates = existsSync(recorded) ? [readFileSync(recorded, 'utf8').trim()] : [];
  candidates.push('/usr/lib/certmonger/scep-submit', '/usr/libexec/certmonger/scep-submit');
  return firstExecutable("certmonger's scep-submit", candidates);
}

export function opensslPath(): string {
  const dirs = (process.env.PATH ?? '/usr/bin:/bin').split(':').filter(Boolean);
  return firstExecutable('openssl', dirs.map((d) => join(d, 'openssl')));
}

/** Debian's Chromium, which the report tests drive with playwright-core (no browser download). */
export function chromiumPath(): string {
  return firstExecutable('chromium (Debian package chromium)', ['/usr/bin/chromium', '/usr/lib/chromium/chromium']);
}

export interface ToolRun {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * Run a tool without blocking the event loop (spawnSync would freeze an in-process test server
 * the tool is talking to). A non-zero exit is a result, not an exception.
 */
export function runTool(file: string, args: string[], opts: { timeoutMs?: number; cwd?: string } = {}): Promise<ToolRun> {
  return new Promise((resolvePromise, reject) => {
    execFile(
      file,
      args,
      { timeout: opts.timeoutMs ?? 20_000, maxBuffer: 4 * 1024 * 1024, encoding: 'utf8', ...(opts.cwd ? { cwd: opts.cwd } : {}) },
      (err, stdout, stderr) => {
        if (err && typeof err.code !== 'number') {
          reject(new Error(`${file} did not run: ${err.message}\n${stderr}`, { cause: err }));
          return;
        }
        resolvePromise({ code: err ? (err.code as number) : 0, stdout, stderr });
      },
    );
  });
}
