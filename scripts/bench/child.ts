import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

export interface Child {
  process: ChildProcess;
  /** The first JSON stdout line whose msg matched. */
  hello: Record<string, unknown>;
  /** Peak resident memory (VmHWM) in MB, read from /proc while the child lives. */
  peakRssMb(): number | undefined;
  stop(): Promise<void>;
}

/** Starts a TypeScript entry point in its own Node process and waits for its JSON "ready" line. */
export async function startChild(script: string, args: string[], readyMsg: string, env: NodeJS.ProcessEnv = {}): Promise<Child> {
  // BENCH_NODE_ARGS (e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof") profiles the children.
  const extra = (process.env.BENCH_NODE_ARGS ?? '').split(' ').filter(Boolean);
  const child = spawn(process.execPath, [...extra, '--import', 'tsx', join(repoRoot, script), ...args], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'inherit'] });
  const hello = await new Promise<Record<string, unknown>>((resolve, reject) => {
    let buffer = '';
    const onData = (d: Buffer) => {
      buffer += d.toString();
      for (const line of buffer.split('\n').slice(0, -1)) {
        try {
          const parsed = JSON.parse(line) as Record<string, unknown>;
          if (parsed.msg === readyMsg) {
            child.stdout!.off('data', onData);
            child.stdout!.resume();
            resolve(parsed);
          }
        } catch {
          /* not JSON */
        }
      }
      buffer = buffer.slice(buffer.lastIndexOf('\n') + 1);
    };
    child.stdout!.on('data', onData);
    child.once('exit', (code) => reject(new Error(`${script} exited with ${code} before "${readyMsg}"`)));
  });
  return {
    process: child,
    hello,
    peakRssMb: () => {
      try {
        const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'));
        return m ? Math.round(Number(m[1]) / 1024) : undefined;
      } catch {
        return undefined;
      }
    },
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}
