import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { DEFAULT_CONFIG } from '../../server/config.js';
import { startServer } from '../../server/server.js';

/** A fresh, silent mdmlab server on 127.0.0.1 (any free port), keeping its data in `dataDir`. */
export function startSilentServer(dataDir: string) {
  return startServer({ ...DEFAULT_CONFIG, port: 0, host: '127.0.0.1', dataDir, logLevel: 'silent' }, pino({ level: 'silent' }));
}

/** The server the demo plays against, in the demo's process: fresh, silent, on a temporary store. */
export async function startEmbeddedServer() {
  const dataDir = mkdtempSync(join(tmpdir(), 'mdmlab-fleet-'));
  const removeStoreNow = () => rmSync(dataDir, { recursive: true, force: true });
  let server;
  try {
    server = await startSilentServer(dataDir);
  } catch (err) {
    removeStoreNow();
    throw err;
  }
  return {
    url: server.url,
    token: server.adminToken,
    stop: async () => {
      try {
        await server.close();
      } finally {
        removeStoreNow();
      }
    },
    /** For an exit that cannot wait: the store (with the lab CA's key) must not stay in /tmp. */
    removeStoreNow,
  };
}
