import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnCli, waitForLog } from '../../helpers/cli.js';

/**
 * The server under fuzzing: `mdmlab serve` in a process of its own, started as users start it, so
 * that "the process stays up" means exactly that (an exception in a listener, an unhandled
 * rejection or a process.exit would end it, and the property would see it), and so that a hostile
 * input cannot take the test runner down with the server. Its JSON log is read as it comes: a line
 * at error level or above is a failure of the server (every refusal of client input is a warn at
 * most), and the admin token must never appear in it.
 */
export interface FuzzServer {
  url: string;
  port: number;
  adminToken: string;
  dataDir: string;
  /** The process has exited (with its code or signal), or undefined while it runs. */
  exited(): string | undefined;
  /** Log lines at error or fatal level since the last call, and lines that leak the admin token. */
  takeLogProblems(): string[];
  /** GET /healthz answers 200 {"status":"ok"} (the process is up and its event loop turns). */
  healthy(): Promise<boolean>;
  stop(): Promise<void>;
}

const PINO_ERROR = 50;

export async function startFuzzServer(): Promise<FuzzServer> {
  const dataDir = mkdtempSync(join(tmpdir(), 'mdmlab-fuzz-'));
  const adminToken = `fuzz-${Math.random().toString(36).slice(2)}${Math.random().toString(36).slice(2)}`;
  const child = spawnCli(['serve', '--port', '0', '--host', '127.0.0.1', '--data', dataDir, '--log-level', 'info'], { MDMLAB_ADMIN_TOKEN: adminToken });
  let exit: string | undefined;
  child.once('exit', (code, signal) => (exit = signal ? `killed by ${signal}` : `exited with code ${code}`));
  const problems: string[] = [];
  let stderr = '';
  let pending = '';
  child.stderr.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-4000)));
  child.stdout.on('data', (d: Buffer) => {
    pending += d.toString();
    let nl;
    while ((nl = pending.indexOf('\n')) >= 0) {
      const line = pending.slice(0, nl);
      pending = pending.slice(nl + 1);
      if (line.includes(adminToken)) problems.push(`the admin token is in the log: ${line.slice(0, 400)}`);
      try {
        const entry = JSON.parse(line) as { level?: unknown };
        if (typeof entry.level === 'number' && entry.level >= PINO_ERROR) problems.push(`error logged: ${line.slice(0, 1500)}`);
      } catch {
        problems.push(`not a JSON log line: ${line.slice(0, 400)}`);
      }
    }
  });
  const hello = await waitForLog(child, 'mdmlab listening', 60_000);
  const url = String(hello.url);
  const port = Number(new URL(url).port);
  return {
    url,
    port,
    adminToken,
    dataDir,
    exited: () => exit ?? (child.exitCode !== null ? `exited with code ${child.exitCode}` : undefined),
    takeLogProblems: () => {
      const out = problems.splice(0);
      if (exit && stderr) out.push(`stderr: ${stderr}`);
      return out;
    },
    healthy: async () => {
      try {
        const res = await fetch(`${url}/healthz`, { signal: AbortSignal.timeout(10_000) });
        return res.status === 200 && ((await res.json()) as { status?: unknown }).status === 'ok';
      } catch {
        return false;
      }
    },
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) {
        const gone = new Promise((r) => child.once('exit', r));
        child.kill('SIGTERM');
        const force = setTimeout(() => child.kill('SIGKILL'), 15_000);
        await gone;
        clearTimeout(force);
      }
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
