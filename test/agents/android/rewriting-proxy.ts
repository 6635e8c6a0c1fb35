import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type net from 'node:net';

/**
 * A real HTTP proxy in front of a real server that can change what the server answers: `rewrite`
 * gets each answer (method, path, status, body) and returns the body to pass on, or a whole answer
 * of its own. What a server could send but mdmlab's never does (a managed configuration value of
 * the wrong type, an error at a given moment) reaches the device this way, while everything else is
 * the real server's. The server must be started with `baseUrl` = the proxy's URL (signatures cover
 * the URL the device used).
 */
export interface RewritingProxy {
  url: string;
  target: string;
  rewrite: Rewrite | undefined;
  close(): Promise<void>;
}

export type Rewrite = (answer: { method: string; path: string; status: number; body: Buffer }) => Buffer | { status: number; headers: Record<string, string>; body: string } | undefined;

export async function startRewritingProxy(): Promise<RewritingProxy> {
  const sockets = new Set<net.Socket>();
  const proxy: RewritingProxy = { url: '', target: '', rewrite: undefined, close: async () => {} };
  const server = http.createServer((req, res) => {
    const to = new URL(req.url ?? '/', proxy.target);
    const upstream = http.request(to, { method: req.method, headers: { ...req.headers, host: to.host } }, (up) => {
      const chunks: Buffer[] = [];
      up.on('data', (c: Buffer) => chunks.push(c));
      up.on('end', () => {
        const body = Buffer.concat(chunks);
        const changed = proxy.rewrite?.({ method: req.method ?? 'GET', path: to.pathname, status: up.statusCode ?? 502, body });
        if (changed && !Buffer.isBuffer(changed)) {
          res.writeHead(changed.status, { ...changed.headers, 'content-length': Buffer.byteLength(changed.body) }).end(changed.body);
          return;
        }
        const out = changed ?? body;
        // The body is passed on whole: one content-length, never chunked.
        const { 'transfer-encoding': _chunked, ...headers } = up.headers;
        if (up.statusCode !== 204 && up.statusCode !== 304) headers['content-length'] = String(out.length);
        res.writeHead(up.statusCode ?? 502, headers).end(out);
      });
    });
    upstream.on('error', () => res.destroy());
    req.pipe(upstream);
  });
  server.on('connection', (s: net.Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  proxy.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  proxy.close = () =>
    new Promise<void>((resolve) => {
      for (const s of sockets) s.destroy();
      server.close(() => resolve());
    });
  return proxy;
}
