import type Database from 'better-sqlite3';
import type { DevicePlatform } from '../../../../protocol/admin/platforms.js';
import type { EnrollmentTokenRepository, IssuedCertificateRepository, ScepChallengeRepository } from '../../port.js';
import type { CertificatePurpose, ChallengePurpose, EnrollmentTokenRecord, IssuedCertificateRecord, ScepChallengeRecord } from '../../records.js';
import type { Exec } from '../connection.js';
import { compact, guarded, opt } from './row.js';

interface TokenRow {
  token: string;
  user_id: string;
  platform: DevicePlatform;
  created_at: string;
  expires_at: string;
  reusable: number;
  used_at: string | null;
}

export function sqliteEnrollmentTokens(db: Database.Database, exec: Exec): EnrollmentTokenRepository {
  const insert = db.prepare('INSERT INTO enrollment_tokens (token, user_id, platform, created_at, expires_at, reusable, used_at) VALUES (?, ?, ?, ?, ?, ?, NULL)');
  const get = db.prepare<[string], TokenRow>('SELECT * FROM enrollment_tokens WHERE token = ?');
  const used = db.prepare('UPDATE enrollment_tokens SET used_at = COALESCE(used_at, ?) WHERE token = ?');
  return {
    insert: (t) => exec(() => void guarded(() => insert.run(t.token, t.userId, t.platform, t.createdAt, t.expiresAt, t.reusable ? 1 : 0))),
    get: (token) =>
      exec(() => {
        const r = get.get(token);
        if (!r) return undefined;
        return compact<EnrollmentTokenRecord>({
          token: r.token,
          userId: r.user_id,
          platform: r.platform,
          createdAt: r.created_at,
          expiresAt: r.expires_at,
          reusable: r.reusable === 1,
          usedAt: opt(r.used_at),
        });
      }),
    markUsed: (token, at) => exec(() => void used.run(at, token)),
  };
}

interface ChallengeRow {
  challenge: string;
  purpose: ChallengePurpose;
  enrollment_token: string | null;
  user_id: string | null;
  device_id: string | null;
  certificate_profile_id: string | null;
  created_at: string;
  expires_at: string;
  spent_at: string | null;
}

export function sqliteScepChallenges(db: Database.Database, exec: Exec): ScepChallengeRepository {
  const insert = db.prepare(
    `INSERT INTO scep_challenges (challenge, purpose, enrollment_token, user_id, device_id, certificate_profile_id, created_at, expires_at)
     VALUES (@challenge, @purpose, @enrollmentToken, @userId, @deviceId, @certificateProfileId, @createdAt, @expiresAt)`,
  );
  const get = db.prepare<[string], ChallengeRow>('SELECT * FROM scep_challenges WHERE challenge = ?');
  const spend = db.prepare('UPDATE scep_challenges SET spent_at = ? WHERE challenge = ? AND spent_at IS NULL');
  const expired = db.prepare('DELETE FROM scep_challenges WHERE expires_at < ?');
  return {
    insert: (c) =>
      exec(() =>
        void guarded(() =>
          insert.run({
            challenge: c.challenge,
            purpose: c.purpose,
            enrollmentToken: c.enrollmentToken ?? null,
            userId: c.userId ?? null,
            deviceId: c.deviceId ?? null,
            certificateProfileId: c.certificateProfileId ?? null,
            createdAt: c.createdAt,
            expiresAt: c.expiresAt,
          }),
        ),
      ),
    get: (challenge) =>
      exec(() => {
        const r = get.get(challenge);
        if (!r) return undefined;
        return compact<ScepChallengeRecord>({
          challenge: r.challenge,
          purpose: r.purpose,
          enrollmentToken: opt(r.enrollment_token),
          userId: opt(r.user_id),
          deviceId: opt(r.device_id),
          certificateProfileId: opt(r.certificate_profile_id),
          createdAt: r.created_at,
          expiresAt: r.expires_at,
          spentAt: opt(r.spent_at),
        });
      }),
    spend: (challenge, at) => exec(() => spend.run(at, challenge).changes === 1),
    deleteExpired: (before) => exec(() => expired.run(before).changes),
  };
}

interface IssuedRow {
  serial: string;
  fingerprint_sha256: string;
  subject: string;
  purpose: CertificatePurpose;
  challenge: string;
  user_id: string | null;
  device_id: string | null;
  certificate_profile_id: string | null;
  issued_at: string;
  not_after: string;
}
const toIssued = (r: IssuedRow): IssuedCertificateRecord =>
  compact({
    serial: r.serial,
    fingerprintSha256: r.fingerprint_sha256,
    subject: r.subject,
    purpose: r.purpose,
    challenge: r.challenge,
    userId: opt(r.user_id),
    deviceId: opt(r.device_id),
    certificateProfileId: opt(r.certificate_profile_id),
    issuedAt: r.issued_at,
    notAfter: r.not_after,
  });

export function sqliteIssuedCertificates(db: Database.Database, exec: Exec): IssuedCertificateRepository {
  const insert = db.prepare(
    `INSERT INTO issued_certificates (serial, fingerprint_sha256, subject, purpose, challenge, user_id, device_id, certificate_profile_id, issued_at, not_after)
     VALUES (@serial, @fingerprintSha256, @subject, @purpose, @challenge, @userId, @deviceId, @certificateProfileId, @issuedAt, @notAfter)`,
  );
  const byFp = db.prepare<[string], IssuedRow>('SELECT * FROM issued_certificates WHERE fingerprint_sha256 = ?');
  const forDevice = db.prepare<[string], IssuedRow>('SELECT * FROM issued_certificates WHERE device_id = ? ORDER BY issued_at');
  const bind = db.prepare('UPDATE issued_certificates SET device_id = ? WHERE fingerprint_sha256 = ? AND device_id IS NULL');
  return {
    insert: (c) =>
      exec(() =>
        void guarded(() =>
          insert.run({ ...c, userId: c.userId ?? null, deviceId: c.deviceId ?? null, certificateProfileId: c.certificateProfileId ?? null }),
        ),
      ),
    getByFingerprint: (fp) => exec(() => { const r = byFp.get(fp); return r && toIssued(r); }),
    forDevice: (deviceId) => exec(() => forDevice.all(deviceId).map(toIssued)),
    bindDevice: (fp, deviceId) => exec(() => bind.run(deviceId, fp).changes === 1),
  };
}
