import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import request from 'supertest';
import { afterAll, describe, expect, it } from 'vitest';
import { DEFAULT_CONFIG } from '../../server/config.js';
import { DataFolderError } from '../../server/errors/data-folder-error.js';
import { startServer } from '../../server/server.js';
import { exitCode, spawnCli, waitForLog } from '../helpers/cli.js';
import { captureLog } from '../helpers/log-capture.js';
import { startTestServer } from '../helpers/server.js';
import { canMakeUnwritable, makeUnwritable } from '../helpers/unwritable.js';

/**
 * Damaged data folders (README "The server"): the server refuses to start, with one line naming
 * the file and what to do, instead of starting as if new and losing every enrolled device.
 * Each folder is damaged for real: files removed, truncated, bytes of a page overwritten, made
 * unwritable.
 */
const dirs: string[] = [];
const tempDir = () => {
  const d = mkdtempSync(join(tmpdir(), 'mdmlab-folder-'));
  dirs.push(d);
  return d;
};
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

/** A folder a server has run on: CA, keys, admin token, and a database holding a user. */
async function initialisedFolder(): Promise<string> {
  const dataDir = tempDir();
  const server = await startTestServer({ dataDir });
  await server.api.post('/users', { upn: 'kept@contoso.com' }).expect(201);
  await server.stop({ keepData: true });
  return dataDir;
}

/** Starts a server on the folder and answers why it refused; fails the test if it started. */
async function refusal(dataDir: string): Promise<DataFolderError> {
  let server;
  try {
    server = await startTestServer({ dataDir });
  } catch (err) {
    expect(err).toBeInstanceOf(DataFolderError);
    return err as DataFolderError;
  }
  await server.stop({ keepData: true });
  throw new Error(`the server started on ${dataDir}`);
}

const RESTORE = /restore .* from a backup, or remove the data folder to start afresh/;
/** Resolves when `mdmlab serve` says it listens; never rejects (its exit is watched separately). */
const listening = (child: Parameters<typeof waitForLog>[0]) => new Promise<void>((resolve) => waitForLog(child, 'mdmlab listening', 3_600_000).then(() => resolve(), () => undefined));

describe('a damaged data folder', () => {
  it('a missing ca.key next to ca.pem: refused, naming ca.key; ca.pem is left as it was (no new CA)', async () => {
    const dataDir = await initialisedFolder();
    const caPem = readFileSync(join(dataDir, 'ca.pem'));
    rmSync(join(dataDir, 'ca.key'));
    const err = await refusal(dataDir);
    expect(err.file).toBe(join(dataDir, 'ca.key'));
    expect(err.message).toContain(`${join(dataDir, 'ca.key')} is missing next to ${join(dataDir, 'ca.pem')}`);
    expect(err.message).toMatch(RESTORE);
    expect(readFileSync(join(dataDir, 'ca.pem'))).toEqual(caPem);
    expect(existsSync(join(dataDir, 'ca.key'))).toBe(false);
  });

  it('a missing ca.pem next to ca.key: refused, naming ca.pem; ca.key is left as it was', async () => {
    const dataDir = await initialisedFolder();
    const caKey = readFileSync(join(dataDir, 'ca.key'));
    rmSync(join(dataDir, 'ca.pem'));
    const err = await refusal(dataDir);
    expect(err.file).toBe(join(dataDir, 'ca.pem'));
    expect(readFileSync(join(dataDir, 'ca.key'))).toEqual(caKey);
  });

  it('both CA files gone while the database has served devices: refused (a new CA would strand them)', async () => {
    const dataDir = await initialisedFolder();
    rmSync(join(dataDir, 'ca.pem'));
    rmSync(join(dataDir, 'ca.key'));
    const err = await refusal(dataDir);
    expect(err.message).toContain(`${join(dataDir, 'ca.pem')} and ${join(dataDir, 'ca.key')} are missing`);
    expect(existsSync(join(dataDir, 'ca.pem'))).toBe(false);
  });

  it('the CA of another folder put in its place: refused, naming ca.pem', async () => {
    const dataDir = await initialisedFolder();
    const other = await initialisedFolder();
    for (const f of ['ca.pem', 'ca.key']) writeFileSync(join(dataDir, f), readFileSync(join(other, f)));
    const err = await refusal(dataDir);
    expect(err.file).toBe(join(dataDir, 'ca.pem'));
    expect(err.message).toContain('is not the CA');
  });

  it('an empty (0 bytes) or missing mdmlab.db next to the CA: refused, naming mdmlab.db, not started empty', async () => {
    const dataDir = await initialisedFolder();
    const db = join(dataDir, 'mdmlab.db');
    truncateSync(db, 0);
    const empty = await refusal(dataDir);
    expect(empty.file).toBe(db);
    expect(empty.message).toContain(`${db} is empty (0 bytes)`);
    expect(empty.message).toMatch(RESTORE);
    expect(statSync(db).size).toBe(0);
    rmSync(db);
    expect((await refusal(dataDir)).message).toContain(`${db} is missing`);
    expect(existsSync(db)).toBe(false);
  });

  it('a damaged page in mdmlab.db: refused at start, naming the file, rather than answering 500 later', async () => {
    const dataDir = await initialisedFolder();
    const file = join(dataDir, 'mdmlab.db');
    // Overwrite the b-tree page header of the users table (its page type and cell count).
    const probe = new Database(file, { readonly: true });
    const pageSize = probe.pragma('page_size', { simple: true }) as number;
    const root = (probe.prepare("SELECT rootpage FROM sqlite_master WHERE name = 'users'").get() as { rootpage: number }).rootpage;
    probe.close();
    const bytes = readFileSync(file);
    const page = (root - 1) * pageSize;
    bytes.fill(0x7f, page, page + 12);
    writeFileSync(file, bytes);
    const err = await refusal(dataDir);
    expect(err.file).toBe(file);
    expect(err.message).toContain(`${file} is damaged`);
    expect(err.message).toMatch(RESTORE);
  });

  it.skipIf(!canMakeUnwritable())('an mdmlab.db the server cannot write: refused at start, naming the file', async () => {
    const dataDir = await initialisedFolder();
    const file = join(dataDir, 'mdmlab.db');
    const locked = makeUnwritable(file)!;
    try {
      const err = await refusal(dataDir);
      expect(err.file).toBe(file);
      expect(err.message).toMatch(new RegExp(`^${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} cannot be (opened for writing|written)`));
    } finally {
      locked.restore();
    }
  });

  it.skipIf(!canMakeUnwritable())('a folder where the database cannot create its -wal file: refused at start, naming the folder', async () => {
    const dataDir = await initialisedFolder();
    expect(existsSync(join(dataDir, 'mdmlab.db-wal'))).toBe(false);
    const locked = makeUnwritable(dataDir)!;
    try {
      const err = await refusal(dataDir);
      expect(err.file).toBe(dataDir);
      expect(err.message).toContain(`cannot create files in its data folder ${dataDir}`);
    } finally {
      locked.restore();
    }
  });

  it('`mdmlab serve` on a damaged folder prints one line naming the file and what to do, and exits 1', async () => {
    const dataDir = await initialisedFolder();
    rmSync(join(dataDir, 'ca.key'));
    const child = spawnCli(['serve', '--port', '0', '--host', '127.0.0.1', '--data', dataDir]);
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    // Before: the server started (with a new CA) and kept running; never leave it so.
    const code = await Promise.race([exitCode(child), listening(child).then(() => 'listening')]);
    if (child.exitCode === null) child.kill('SIGKILL');
    expect(code).toBe(1);
    expect(stderr.trimEnd().split('\n')).toEqual([expect.stringMatching(new RegExp(`^mdmlab serve: ${join(dataDir, 'ca.key')} is missing next to .*${RESTORE.source}`))]);
    expect(stdout).not.toContain('mdmlab listening');
  }, 90_000);

  it('an intact folder still starts and keeps its data', async () => {
    const dataDir = await initialisedFolder();
    const server = await startTestServer({ dataDir });
    expect((await server.api.get('/users?upn=kept@contoso.com').expect(200)).body).toHaveLength(1);
    await server.stop();
  });
});

describe('secrets at rest', () => {
  const mode = (f: string) => statSync(f).mode & 0o777;

  it('mdmlab.db and its -wal and -shm files are 0600 (only the server\'s user can read them)', async () => {
    const server = await startTestServer();
    try {
      await server.api.post('/users', { upn: 'modes@contoso.com' }).expect(201);
      for (const f of ['mdmlab.db', 'mdmlab.db-wal', 'mdmlab.db-shm']) expect([f, mode(join(server.dataDir, f))]).toEqual([f, 0o600]);
    } finally {
      await server.stop();
    }
  });

  it('files an older server left readable (database, admin token, keys) are made 0600 at start', async () => {
    const dataDir = await initialisedFolder();
    const files = ['mdmlab.db', 'admin-token', 'ca.key', 'server.key'];
    if (!existsSync(join(dataDir, 'admin-token'))) writeFileSync(join(dataDir, 'admin-token'), 'older-token\n');
    for (const f of files) chmodSync(join(dataDir, f), 0o644);
    const server = await startTestServer({ dataDir, adminToken: undefined });
    try {
      for (const f of files) expect([f, mode(join(dataDir, f))]).toEqual([f, 0o600]);
      await request(server.url).get('/api/v1/users').set('Authorization', 'Bearer older-token').expect(200);
    } finally {
      await server.stop();
    }
  });

  it('a data folder every user can read: the server warns at start, naming the folder', async () => {
    const parent = tempDir();
    const dataDir = join(parent, 'open');
    mkdirSync(dataDir);
    chmodSync(dataDir, 0o755);
    const captured = captureLog('info');
    const server = await startServer({ ...DEFAULT_CONFIG, port: 0, host: '127.0.0.1', dataDir, adminToken: 'x' }, captured.log);
    await server.close();
    const warning = captured.lines().find((l) => l.level === 40 && String(l.msg).includes('data folder'));
    expect(warning).toMatchObject({ dataDir, mode: '0755' });
    expect(String(warning!.msg)).toContain('chmod 700');

    const privateDir = tempDir();
    const quiet = captureLog('info');
    await (await startServer({ ...DEFAULT_CONFIG, port: 0, host: '127.0.0.1', dataDir: privateDir, adminToken: 'x' }, quiet.log)).close();
    expect(quiet.lines().filter((l) => String(l.msg).includes('data folder'))).toEqual([]);
  });
});
