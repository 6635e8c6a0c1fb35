import { fork, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** What the server process says once it listens. */
export interface ServerProcessMessage {
  url: string;
  token: string;
}

/**
 * The server a fleet without --server plays against, in its own process: fresh, silent, on a
 * temporary store removed when it stops. Its own process because a device holds a push connection
 * open, and a server in the fleet's process would hold the other end: two open files per device in
 * one process (10,000 devices: 20,000, this machine's limit), and the server's event loop would share
 * a core with the fleet's main thread. Forked with an IPC channel, it stops when the channel closes.
 */
export async function startServerProcess(): Promise<{ url: string; token: string; stop: () => Promise<void>; removeStoreNow: () => void }> {
  const dataDir = mkdtempSync(join(tmpdir(), 'mdmlab-fleet-'));
  const removeStoreNow = () => rmSync(dataDir, { recursive: true, force: true });
  // The built file under dist/ when the CLI runs from the build, the TypeScript source through tsx otherwise.
  const compiled = fileURLToPath(new URL('./server-child.js', import.meta.url));
  const entry = existsSync(compiled) ? compiled : fileURLToPath(new URL('./server-child.ts', import.meta.url));
  const child = fork(entry, [dataDir], { execArgv: entry.endsWith('.ts') ? ['--import', 'tsx'] : [], stdio: ['ignore', 'ignore', 'pipe', 'ipc'] });
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-2000)));
  let ready: ServerProcessMessage;
  try {
    ready = await new Promise<ServerProcessMessage>((resolve, reject) => {
      child.once('message', (m) => resolve(m as ServerProcessMessage));
      child.once('error', reject);
      child.once('exit', (code) => reject(new Error(`the fleet's server process ended (exit ${code}) before listening${stderr ? `: ${stderr.trim().split('\n').pop()}` : ''}`)));
    });
  } catch (err) {
    child.kill('SIGKILL');
    removeStoreNow();
    throw err;
  }
  return {
    url: ready.url,
    token: ready.token,
    stop: async () => {
      try {
        await stopChild(child);
      } finally {
        removeStoreNow();
      }
    },
    /** For an exit that cannot wait: the store (with the lab CA's key) must not stay in /tmp. */
    removeStoreNow: () => {
      child.kill('SIGKILL');
      removeStoreNow();
    },
  };
}

/** Asks the server to stop, and kills it if it has not within 10 s. */
function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    if (child.connected) child.send({ stop: true });
    else child.kill('SIGKILL');
  });
}
