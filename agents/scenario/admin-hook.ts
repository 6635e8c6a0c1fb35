import { spawn } from 'node:child_process';

/**
 * The operator's command for the administrator steps of a scenario played against a server that
 * is not mdmlab's (`--admin-hook CMD`): run with `/bin/sh -c CMD`, the step as one JSON object on
 * its stdin (operator-steps.ts builds it) and MDMLAB_SCENARIO_STEP set to the step's kind. Exit
 * 0: the step happened as the file says. Anything else (another exit code, a signal, more than
 * `timeoutMs`) fails the step, with the end of its stderr in the report. Its stdout may hold one
 * JSON object with answers the run uses (`enrollUrl` for an enroll step, `profileId` for
 * createEmailProfile); anything else there is ignored.
 */
export interface HookRun {
  /** The JSON object the hook printed on stdout, if any. */
  answer: Record<string, unknown> | undefined;
  ms: number;
}

export class AdminHookError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'AdminHookError';
  }
}

const MAX_OUTPUT = 64 * 1024;
export const DEFAULT_HOOK_TIMEOUT_MS = 120_000;

export function runAdminHook(command: string, step: Record<string, unknown>, opts: { timeoutMs?: number; signal?: AbortSignal | undefined } = {}): Promise<HookRun> {
  const timeoutMs = opts.timeoutMs ?? DEFAULT_HOOK_TIMEOUT_MS;
  const started = Date.now();
  const kind = String(step.step);
  return new Promise((resolve, reject) => {
    opts.signal?.throwIfAborted();
    const child = spawn('/bin/sh', ['-c', command], { stdio: ['pipe', 'pipe', 'pipe'], env: { ...process.env, MDMLAB_SCENARIO_STEP: kind } });
    const stdout: Buffer[] = [];
    const stderr: Buffer[] = [];
    let outBytes = 0;
    let errBytes = 0;
    child.stdout.on('data', (c: Buffer) => {
      if (outBytes < MAX_OUTPUT) stdout.push(c);
      outBytes += c.length;
    });
    child.stderr.on('data', (c: Buffer) => {
      errBytes += c.length;
      stderr.push(c);
      while (stderr.length > 1 && errBytes - stderr[0]!.length > MAX_OUTPUT) errBytes -= stderr.shift()!.length;
    });
    let why: string | undefined;
    const stop = (reason: string) => {
      why = reason;
      child.kill('SIGTERM');
      setTimeout(() => child.kill('SIGKILL'), 2000).unref();
    };
    const timer = setTimeout(() => stop(`it ran longer than ${timeoutMs} ms`), timeoutMs);
    const onAbort = () => stop('the run was interrupted');
    opts.signal?.addEventListener('abort', onAbort, { once: true });
    child.on('error', (err) => {
      clearTimeout(timer);
      opts.signal?.removeEventListener('abort', onAbort);
      reject(new AdminHookError(`the admin hook could not be started: ${err.message}`));
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      opts.signal?.removeEventListener('abort', onAbort);
      const tail = Buffer.concat(stderr).toString('utf8').trim().split('\n').slice(-5).join(' | ');
      if (why || code !== 0) {
        const how = why ?? (signal ? `it was killed by ${signal}` : `it exited ${code}`);
        reject(new AdminHookError(`the admin hook failed the ${kind} step: ${how}${tail ? `; stderr: ${tail}` : ''}`));
        return;
      }
      resolve({ answer: answerOf(Buffer.concat(stdout).toString('utf8')), ms: Date.now() - started });
    });
    // A hook that does not read its stdin must not fail the step with EPIPE.
    child.stdin.on('error', () => {});
    child.stdin.end(`${JSON.stringify(step)}\n`);
  });
}

/** The last line of stdout that is a JSON object, if any (a hook may print other things first). */
function answerOf(stdout: string): Record<string, unknown> | undefined {
  const lines = stdout.trim().split('\n').reverse();
  for (const line of lines) {
    const t = line.trim();
    if (!t.startsWith('{')) continue;
    try {
      const v = JSON.parse(t) as unknown;
      if (v && typeof v === 'object' && !Array.isArray(v)) return v as Record<string, unknown>;
    } catch {
      // not JSON: keep looking
    }
  }
  return undefined;
}
