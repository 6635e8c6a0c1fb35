import http from 'node:http';
import type { AddressInfo } from 'node:net';
import net from 'node:net';

/**
 * A real HTTP proxy in front of a real server that misbehaves on demand, as a loaded or flaky
 * server does: per request it forwards, answers a status of its own, or holds the request without
 * ever answering (until the proxy closes). WebSocket upgrades are forwarded as raw TCP, so
 * simulated devices can keep their push connection through it.
 */
export type FaultDecision = 'forward' | 'hold' | { status: number };

export interface FaultProxy {
  url: string;
  /** Where requests are forwarded (set once the server behind is up: it needs the proxy's URL first). */
  target: string;
  /** Requests seen, as `METHOD /path?query`. */
  readonly seen: string[];
  /** Resolves when a request matching `test` has been held. */
  whenHeld(test: (line: string) => boolean): Promise<void>;
  close(): Promise<void>;
}

export async function startFaultProxy(decide: (req: http.IncomingMessage) => FaultDecision): Promise<FaultProxy> {
  const seen: string[] = [];
  const held: http.ServerResponse[] = [];
  const heldLines: string[] = [];
  const heldWaiters: { test: (line: string) => boolean; resolve: () => void }[] = [];
  const sockets = new Set<net.Socket>();
  let target = '';

  const server = http.createServer((req, res) => {
    const line = `${req.method} ${req.url}`;
    seen.push(line);
    const decision = decide(req);
    if (decision === 'hold') {
      held.push(res);
      heldLines.push(line);
      for (const w of heldWaiters.filter((w) => w.test(line))) w.resolve();
      return;
    }
    if (decision !== 'forward') {
      req.resume();
      res.writeHead(decision.status, { 'content-type': 'text/plain' }).end(`proxy: ${decision.status}\n`);
      return;
    }
    const to = new URL(req.url ?? '/', target);
    const upstream = http.request(to, { method: req.method, headers: { ...req.headers, host: to.host } }, (up) => {
      res.writeHead(up.statusCode ?? 502, up.headers);
      up.pipe(res);
    });
    upstream.on('error', () => res.destroy());
    req.pipe(upstream);
  });
  server.on('connection', (s: net.Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  server.on('upgrade', (req: http.IncomingMessage, client: net.Socket, head: Buffer) => {
    const to = new URL(target);
    const upstream = net.connect(Number(to.port), to.hostname, () => {
      const headers = Object.entries(req.headers).flatMap(([k, v]) => (Array.isArray(v) ? v.map((x) => `${k}: ${x}`) : [`${k}: ${v}`]));
      upstream.write(`${req.method} ${req.url} HTTP/1.1\r\n${headers.join('\r\n')}\r\n\r\n`);
      if (head.length) upstream.write(head);
      upstream.pipe(client);
      client.pipe(upstream);
    });
    sockets.add(upstream);
    upstream.on('close', () => sockets.delete(upstream));
    upstream.on('error', () => client.destroy());
    client.on('error', () => upstream.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  return {
    url,
    get target() {
      return target;
    },
    set target(t: string) {
      target = t;
    },
    seen,
    whenHeld: (test) =>
      new Promise<void>((resolve) => {
        if (heldLines.some(test)) return resolve();
        heldWaiters.push({ test, resolve });
      }),
    close: async () => {
      for (const res of held) res.destroy();
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
