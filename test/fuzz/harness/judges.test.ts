/**
 * The fuzz harness's own judges, so that a green fuzz run means something: the leak check finds a
 * stack trace or a server path but not an echo of the request, the response reader splits what a
 * server sends, the database watch sees a changed row but not a rewrite of the same values, and an
 * input is judged on its writes only when its answer says what became of it.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { repoRoot } from '../../helpers/cli.js';
import { changesOutside, DatabaseWatch } from './db-fingerprint.js';
import { fromHttpParser, writeJudgement } from './family.js';
import { exchange, parseResponses, type HttpAnswer } from './raw-http.js';
import { leaksIn } from './verdict.js';

describe('the leak check', () => {
  it('finds stack frames, source positions, internal error names and the server paths', () => {
    expect(leaksIn('TypeError: x\n    at handle (file:///srv/server/a.js:10:5)', 'GET /')).not.toEqual([]);
    expect(leaksIn('failed in mdm-endpoint.ts:88', 'GET /')).not.toEqual([]);
    expect(leaksIn(`cannot open ${repoRoot}/data/mdmlab.db`, 'GET /')).not.toEqual([]);
    expect(leaksIn('SQLITE_CONSTRAINT: UNIQUE constraint failed', 'GET /')).not.toEqual([]);
    expect(leaksIn('the token is abc', 'GET /', ['abc'])).not.toEqual([]);
  });

  it('does not count what the request carried, nor ordinary refusals', () => {
    expect(leaksIn('no route GET /a.js:10\n', 'GET /a.js:10 HTTP/1.1')).toEqual([]);
    expect(leaksIn('badSignature: the Mdm-Signature is refused: bad DER\n', 'PUT /mdm/checkin')).toEqual([]);
    expect(leaksIn('{"error":{"code":"validationFailed","message":"name must be a string"}}', 'POST /')).toEqual([]);
  });
});

describe('the response reader', () => {
  it('reads Content-Length, chunked and until-close bodies, pipelined and after a 100 Continue', () => {
    const raw = Buffer.from(
      'HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nokHTTP/1.1 404 Not Found\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n2\r\nde\r\n0\r\n\r\nHTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\nrest',
    );
    const { answers, trailing } = parseResponses(raw);
    expect(answers.map((a) => [a.status, a.body.toString()])).toEqual([
      [100, ''],
      [200, 'ok'],
      [404, 'abcde'],
      [400, 'rest'],
    ]);
    expect(trailing.length).toBe(0);
  });
});

describe('the database watch', () => {
  const dir = mkdtempSync(join(tmpdir(), 'mdmlab-watch-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('reports a changed row with its table, and not a commit that rewrote the same values', () => {
    const db = new Database(join(dir, 'mdmlab.db'));
    db.pragma('journal_mode = WAL');
    db.exec("CREATE TABLE users (id TEXT PRIMARY KEY, upn TEXT); INSERT INTO users VALUES ('u1', 'a@b.c')");
    const watch = new DatabaseWatch(dir);
    db.prepare("UPDATE users SET upn = 'a@b.c' WHERE id = 'u1'").run();
    expect(watch.changedSinceBaseline({ rebase: false })).toEqual([]);
    db.prepare("UPDATE users SET upn = 'x@b.c' WHERE id = 'u1'").run();
    const changes = watch.changedSinceBaseline({ rebase: false });
    expect(changes).toHaveLength(1);
    expect(changes[0]).toMatch(/^users: \+ .*x@b\.c.* - .*a@b\.c/);
    // Not rebased: still different; rebased: the new content is the baseline.
    expect(watch.changedSinceBaseline({ rebase: true })).toHaveLength(1);
    expect(watch.changedSinceBaseline({ rebase: false })).toEqual([]);
    watch.close();
    db.close();
  });

  it('leaves out the tables a refusal may write, and only those', () => {
    const db = new Database(join(dir, 'mdmlab.db'));
    db.exec("CREATE TABLE alerts (id TEXT); CREATE TABLE alerts_seen (id TEXT)");
    const watch = new DatabaseWatch(dir);
    db.exec("INSERT INTO alerts VALUES ('a1'); INSERT INTO alerts_seen VALUES ('a1'); UPDATE users SET upn = 'y@b.c'");
    const changes = watch.changedSinceBaseline({ rebase: false });
    expect(changes).toHaveLength(3);
    expect(changesOutside(changes, ['alerts']).map((l) => l.split(':')[0])).toEqual(['alerts_seen', 'users']);
    expect(changesOutside(changes, [])).toEqual(changes);
    watch.close();
    db.close();
  });
});

describe('whether an input may have written', () => {
  // Regression: an admin-family input carried `{}` with `Content-Length: 0`. Node's parser took a
  // complete empty-bodied request, then refused the rest with its own 400 and closed: the first
  // request's handler ran (a valid allow-reenrollment) but its answer was lost, and the harness
  // judged "refused, yet the database changed".
  it('does not judge an input Node\'s HTTP parser answered: an earlier request in its bytes may have run unanswered', async () => {
    const handled: string[] = [];
    const server = http.createServer((req, res) => {
      handled.push(`${req.method} ${req.url}`);
      setTimeout(() => res.end('done'), 20);
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    try {
      const port = (server.address() as AddressInfo).port;
      const ex = await exchange(port, Buffer.from(`POST /write HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n{}`));
      expect(handled).toEqual(['POST /write']);
      expect(ex.answers.map((a) => a.status)).toEqual([400]);
      expect(fromHttpParser(ex.answers[0]!)).toBe(true);
      expect(writeJudgement({ sent: ex.request, answers: ex.answers })).toBe('unjudged');
    } finally {
      server.close();
    }
  });

  it('judges the others by the family, a 2xx/3xx, or a safe method', () => {
    const answer = (status: number, type?: string): HttpAnswer => ({ status, headers: new Map(type ? [['content-type', [type]]] : []), body: Buffer.from(type ? '{}' : '') });
    const post = Buffer.from('POST /x HTTP/1.1\r\n\r\n');
    expect(writeJudgement({ sent: post, answers: [] })).toBe('unjudged');
    expect(writeJudgement({ sent: post, answers: [answer(201, 'application/json')] })).toBe('accepted');
    expect(writeJudgement({ sent: post, answers: [answer(400, 'application/json')] })).toBe('refused');
    expect(writeJudgement({ sent: post, answers: [answer(409, 'application/json')], accepted: true })).toBe('accepted');
    expect(writeJudgement({ sent: Buffer.from('HEAD /x HTTP/1.1\r\n\r\n'), answers: [answer(200)] })).toBe('refused');
    // The admin API's own 400 is JSON: judged as a refusal.
    expect(fromHttpParser(answer(400, 'application/json'))).toBe(false);
  });
});
