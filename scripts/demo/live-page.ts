import { readFile } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { DemoEvent } from './demo-events.js';
import { LIVE_PAGE_HTML } from './live-page-html.js';

/**
 * `mdmlab demo --serve`: a page on 127.0.0.1 that follows the demo as it plays. The events go to
 * the browser as Server-Sent Events (HTML Living Standard, "Server-sent events", text/event-stream);
 * a browser that connects late gets what happened so far first (the demo tells a few dozen events,
 * so the log is small and bounded by the stories). `/report.html` serves the report once written.
 * Only GET of these three paths is answered; nothing a browser sends is kept.
 */
export interface LivePage {
  url: string;
  publish(event: DemoEvent): void;
  /** The report.html written at the end, served at /report.html. */
  setReport(htmlFile: string): void;
  close(): Promise<void>;
}

export async function startLivePage(port = 0): Promise<LivePage> {
  const log: string[] = [];
  const clients = new Set<http.ServerResponse>();
  let reportFile: string | undefined;
  const server = http.createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://localhost').pathname;
    if (req.method !== 'GET') return answer(res, 405, 'text/plain', 'only GET\n');
    if (path === '/') return answer(res, 200, 'text/html; charset=utf-8', LIVE_PAGE_HTML);
    if (path === '/events') {
      res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-store', connection: 'keep-alive' });
      for (const chunk of log) res.write(chunk);
      clients.add(res);
      req.on('close', () => clients.delete(res));
      return;
    }
    if (path === '/report.html') {
      if (!reportFile) return answer(res, 404, 'text/plain', 'the report is written when the demo ends\n');
      readFile(reportFile).then(
        (html) => answer(res, 200, 'text/html; charset=utf-8', html),
        () => answer(res, 404, 'text/plain', 'the report is no longer there\n'),
      );
      return;
    }
    answer(res, 404, 'text/plain', 'not found\n');
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve());
  });
  const { port: bound } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${bound}/`,
    publish(event) {
      const chunk = `data: ${JSON.stringify(event)}\n\n`;
      log.push(chunk);
      for (const c of clients) c.write(chunk);
    },
    setReport(file) {
      reportFile = file;
    },
    async close() {
      for (const c of clients) c.end();
      clients.clear();
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      await closed;
    },
  };
}

function answer(res: http.ServerResponse, status: number, type: string, body: string | Buffer): void {
  res.writeHead(status, { 'content-type': type, 'cache-control': 'no-store' });
  res.end(body);
}
