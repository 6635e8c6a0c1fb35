import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

/**
 * Runs the CLI as users do, through `bin/mdmlab.js` and the build `npm ci` made, when that build is
 * current; from the TypeScript sources through tsx when a source changed since (editing without
 * rebuilding). The build also starts ~0.7 s faster per process, which the CLI tests spawn often.
 */
export function spawnCli(args: string[], env: NodeJS.ProcessEnv = {}): ChildProcessWithoutNullStreams {
  return spawn(process.execPath, [...cliEntry(), ...args], {
    cwd: repoRoot,
    env: { ...process.env, ...env },
  });
}

/** The command line spawnCli runs (node and its arguments), for a test that starts it another way (a shell with a lower ulimit). */
export function cliArgv(args: string[]): string[] {
  return [process.execPath, ...cliEntry(), ...args];
}

const SOURCE_DIRS = ['server', 'agents', 'protocol', 'certs', 'scripts'];
let entry: string[] | undefined;

function cliEntry(): string[] {
  entry ??= buildIsCurrent() ? [join(repoRoot, 'bin', 'mdmlab.js')] : ['--import', 'tsx', join(repoRoot, 'scripts', 'cli.ts')];
  return entry;
}

/** Every source has its compiled file in dist/, written after the source last changed. */
function buildIsCurrent(): boolean {
  const sources = SOURCE_DIRS.flatMap((dir) => tsFiles(join(repoRoot, dir)));
  return sources.every((src) => {
    const out = join(repoRoot, 'dist', relative(repoRoot, src)).replace(/\.ts$/, '.js');
    return existsSync(out) && statSync(out).mtimeMs >= statSync(src).mtimeMs;
  });
}

function tsFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const path = join(dir, e.name);
    if (e.isDirectory()) return tsFiles(path);
    return e.name.endsWith('.ts') && !e.name.endsWith('.d.ts') ? [path] : [];
  });
}

/** Resolves with the first stdout JSON log line matching `msg`, or rejects on exit/timeout. */
export function waitForLog(child: ChildProcessWithoutNullStreams, msg: string, timeoutMs = 15_000): Promise<Record<string, unknown>> {
  return new Promise((resolve, reject) => {
    let buffer = '';
    let stderr = '';
    const timer = setTimeout(() => reject(new Error(`no "${msg}" log line within ${timeoutMs} ms; stderr: ${stderr}`)), timeoutMs);
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.stdout.on('data', (d: Buffer) => {
      buffer += d.toString();
      let nl;
      while ((nl = buffer.indexOf('\n')) >= 0) {
        const line = buffer.slice(0, nl);
        buffer = buffer.slice(nl + 1);
        try {
          const parsed = JSON.parse(line) as Record<string, unknown>;
          if (parsed.msg === msg) {
            clearTimeout(timer);
            resolve(parsed);
          }
        } catch {
          /* not a log line */
        }
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`exited with ${code} before "${msg}"; stderr: ${stderr}`));
    });
  });
}

export function exitCode(child: ChildProcessWithoutNullStreams): Promise<number | null> {
  return new Promise((resolve) => {
    if (child.exitCode !== null) resolve(child.exitCode);
    else child.once('exit', (code) => resolve(code));
  });
}

/** Runs the CLI to its end and collects its output. */
export async function runCli(args: string[], env: NodeJS.ProcessEnv = {}): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawnCli(args, env);
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const code = await new Promise<number | null>((r) => child.once('exit', r));
  return { code, stdout, stderr };
}
