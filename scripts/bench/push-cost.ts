import { readFileSync } from 'node:fs';
import { PushClient } from '../../agents/push/push-client.js';
import type { Child } from './child.js';

/**
 * What one device's push connection costs (issue 10: "one connection per device to the push
 * gateway is faithful — if it is what costs most, say what it costs"): N PushClients, the same
 * objects the simulated devices hold, connected to a real server's gateway; the JS heap and RSS
 * they add in this process (after a full GC when `--expose-gc` is on) and the RSS they add to the
 * server, divided by N.
 */
export async function measurePushConnections(n: number, startServer: () => Promise<{ child: Child; url: string; stop: () => Promise<void> }>) {
  const server = await startServer();
  const gc = (globalThis as { gc?: () => void }).gc;
  const settle = async () => {
    gc?.();
    await new Promise((r) => setTimeout(r, 200));
    gc?.();
  };
  const rss = (pid: number) => Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0);
  await settle();
  const heap0 = process.memoryUsage().heapUsed;
  const rss0 = process.memoryUsage().rss;
  const server0 = rss(server.child.process.pid!);
  const url = `${server.url.replace(/^http/, 'ws')}/push`;
  const clients: PushClient[] = [];
  await Promise.all(
    Array.from({ length: n }, () => {
      const c = new PushClient({ url });
      clients.push(c);
      return new Promise<void>((resolve) => {
        c.once('token', () => resolve());
        c.setOnline(true);
      });
    }),
  );
  await settle();
  const out = {
    connections: n,
    gcForced: gc !== undefined,
    clientHeapKb: Math.round((process.memoryUsage().heapUsed - heap0) / 1024 / n * 10) / 10,
    clientRssKb: Math.round((process.memoryUsage().rss - rss0) / 1024 / n * 10) / 10,
    serverRssKb: Math.round((rss(server.child.process.pid!) - server0) / n * 10) / 10,
  };
  for (const c of clients) c.close();
  await server.stop();
  return out;
}
