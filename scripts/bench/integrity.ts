import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import Database from 'better-sqlite3';
import { migrate, openDatabase } from '../../server/store/sqlite/connection.js';
import { MIGRATIONS } from '../../server/store/sqlite/migrations.js';

/**
 * npm run bench integrity [-- --devices 10000] — what checking the database at start costs
 * (SQLite's PRAGMA quick_check against PRAGMA integrity_check, https://sqlite.org/pragma.html#pragma_quick_check)
 * on a database shaped like a server with N enrolled iOS devices: a user, device, Apple binding,
 * certificate, enrollment token and SCEP challenge each, two profile states, ten answered commands
 * and, for half of them, a queued InstallProfile carrying a ~3 KB signed profile.
 */
const { values } = parseArgs({ options: { devices: { type: 'string' }, rounds: { type: 'string' } } });
const devices = Number(values.devices ?? '10000');
const rounds = Number(values.rounds ?? '3');

const dir = mkdtempSync(join(tmpdir(), 'mdmlab-bench-integrity-'));
const file = join(dir, 'mdmlab.db');
try {
  build(file, devices);
  const size = statSync(file).size;
  process.stdout.write(`${devices} devices: ${(size / 1e6).toFixed(1)} MB\n`);
  for (const pragma of ['quick_check', 'integrity_check'] as const) {
    const ms = median(rounds, () => {
      const db = new Database(file, { readonly: true });
      const t0 = process.hrtime.bigint();
      const result = db.pragma(pragma, { simple: true });
      const elapsed = Number(process.hrtime.bigint() - t0) / 1e6;
      db.close();
      if (result !== 'ok') throw new Error(`${pragma}: ${String(result)}`);
      return elapsed;
    });
    process.stdout.write(`PRAGMA ${pragma}: ${ms.toFixed(0)} ms (median of ${rounds})\n`);
  }
  const open = median(rounds, () => {
    const t0 = process.hrtime.bigint();
    openDatabase(file).close();
    return Number(process.hrtime.bigint() - t0) / 1e6;
  });
  process.stdout.write(`openDatabase (the start-up checks included): ${open.toFixed(0)} ms (median of ${rounds})\n`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}

function median(n: number, f: () => number): number {
  const samples = Array.from({ length: n }, f).sort((a, b) => a - b);
  return samples[Math.floor(samples.length / 2)]!;
}

function build(path: string, n: number): void {
  const db = new Database(path);
  db.pragma('journal_mode = WAL');
  migrate(db, MIGRATIONS);
  const at = new Date().toISOString();
  const profileBody = `<plist>${randomBytes(2300).toString('base64')}</plist>`;
  const errorChain = JSON.stringify([{ ErrorCode: 4001, ErrorDomain: 'MCInstallationErrorDomain', LocalizedDescription: 'The profile could not be installed.' }]);
  const stmt = (sql: string) => db.prepare(sql);
  const user = stmt('INSERT INTO users (id, upn, primary_smtp, username, created_at) VALUES (?, ?, ?, ?, ?)');
  const device = stmt("INSERT INTO devices (id, platform, hardware_id, user_id, name, model, os_version, serial_number, status, enrolled_at, last_seen_at) VALUES (?, 'ios', ?, ?, 'iPhone', 'iPhone15,2', '18.1', ?, 'enrolled', ?, ?)");
  const apple = stmt('INSERT INTO apple_devices (device_id, udid, identity_fingerprint, topic, push_magic, push_token, token_update_count, authenticated_at) VALUES (?, ?, ?, ?, ?, ?, 1, ?)');
  const cert = stmt("INSERT INTO issued_certificates (serial, fingerprint_sha256, subject, purpose, challenge, user_id, device_id, issued_at, not_after) VALUES (?, ?, ?, 'enrollment', ?, ?, ?, ?, ?)");
  const token = stmt("INSERT INTO enrollment_tokens (token, user_id, platform, created_at, expires_at, used_at) VALUES (?, ?, 'ios', ?, ?, ?)");
  const challenge = stmt("INSERT INTO scep_challenges (challenge, purpose, enrollment_token, user_id, created_at, expires_at, spent_at) VALUES (?, 'enrollment', ?, ?, ?, ?, ?)");
  const state = stmt('INSERT INTO profile_states (device_id, profile_id, state, profile_version, installed_version, updated_at) VALUES (?, ?, ?, 1, ?, ?)');
  const history = stmt(
    "INSERT INTO command_history (uuid, device_id, request_type, status, error_chain, profile_id, profile_version, queued_at, sent_at, answered_at) VALUES (?, ?, 'InstallProfile', ?, ?, 'eml_1', 1, ?, ?, ?)",
  );
  const command = stmt("INSERT INTO commands (uuid, device_id, seq, request_type, body, profile_id, profile_version, status, created_at) VALUES (?, ?, ?, 'InstallProfile', ?, 'eml_2', 1, 'queued', ?)");
  const member = stmt("INSERT INTO group_members (group_id, member_kind, member_id) VALUES ('grp_1', 'user', ?)");
  db.prepare("INSERT INTO user_groups (id, name, created_at) VALUES ('grp_1', 'fleet', ?)").run(at);
  db.transaction(() => {
    for (let i = 0; i < n; i++) {
      const u = `usr_${i}`;
      const d = `dev_${i}`;
      const udid = randomUUID().toUpperCase();
      user.run(u, `user${i}@fleet.mdmlab.test`, `user${i}@fleet.mdmlab.test`, `user${i}`, at);
      member.run(u);
      device.run(d, udid, u, randomBytes(6).toString('hex').toUpperCase(), at, at);
      apple.run(d, udid, randomBytes(32).toString('hex'), 'com.apple.mgmt.External.x', randomUUID(), randomBytes(32).toString('hex'), at);
      cert.run(randomBytes(16).toString('hex'), randomBytes(32).toString('hex'), `CN=${udid}`, randomBytes(16).toString('hex'), u, d, at, at);
      const t = randomBytes(18).toString('base64url');
      token.run(t, u, at, at, at);
      challenge.run(randomBytes(16).toString('hex'), t, u, at, at, at);
      state.run(d, 'eml_1', 'installed', 1, at);
      state.run(d, 'eml_2', 'pending', null, at);
      for (let h = 0; h < 10; h++) history.run(randomUUID(), d, h % 5 === 0 ? 'Error' : 'Acknowledged', h % 5 === 0 ? errorChain : null, at, at, at);
      if (i % 2 === 0) command.run(randomUUID(), d, i + 1, profileBody, at);
    }
  })();
  db.pragma('wal_checkpoint(TRUNCATE)');
  db.close();
}
