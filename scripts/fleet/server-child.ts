import { rmSync } from 'node:fs';
import { startSilentServer } from './embedded-server.js';
import type { ServerProcessMessage } from './server-process.js';

/**
 * The server of a fleet without --server, in a process of its own (scripts/fleet/server-process.ts
 * forks this file): fresh, silent, on the data folder the fleet made. It answers once listening with
 * its URL and admin token over the IPC channel, and stops when the fleet says so or the channel
 * closes (the fleet ended, however it ended), so it never outlives the fleet, and takes its data
 * folder with it. Signals from the
 * terminal reach the whole process group: the fleet decides when its server stops, so they are
 * ignored here.
 */
const dataDir = process.argv[2];
if (!dataDir || !process.send) {
  process.stderr.write('server-child: started without a data folder or an IPC channel (the fleet forks it)\n');
  process.exit(2);
}
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(signal, () => undefined);

const server = await startSilentServer(dataDir);
let stopping = false;
const stop = async () => {
  if (stopping) return;
  stopping = true;
  await server.close().catch(() => undefined);
  // The store holds the lab CA's key: it goes with the server, also when the fleet was killed.
  rmSync(dataDir, { recursive: true, force: true });
  process.exit(0);
};
process.on('disconnect', () => void stop());
process.on('message', (m: unknown) => {
  if ((m as { stop?: boolean } | null)?.stop) void stop();
});
process.send({ url: server.url, token: server.adminToken } satisfies ServerProcessMessage);
