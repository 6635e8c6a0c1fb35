import type Database from 'better-sqlite3';
import type { AlertFilter, AlertRepository } from '../../port.js';
import type { AlertKind, AlertRecord } from '../../records.js';
import type { Exec } from '../connection.js';
import { compact, guarded, opt } from './row.js';

interface Row {
  id: string;
  kind: AlertKind;
  device_id: string | null;
  profile_id: string | null;
  message: string;
  details: string;
  created_at: string;
  resolved_at: string | null;
}
const toRecord = (r: Row): AlertRecord =>
  compact({
    id: r.id,
    kind: r.kind,
    deviceId: opt(r.device_id),
    profileId: opt(r.profile_id),
    message: r.message,
    details: JSON.parse(r.details) as Record<string, unknown>,
    createdAt: r.created_at,
    resolvedAt: opt(r.resolved_at),
  });

const WHERE = `(@id IS NULL OR id = @id) AND (@deviceId IS NULL OR device_id = @deviceId) AND (@profileId IS NULL OR profile_id = @profileId)
  AND (@kind IS NULL OR kind = @kind) AND (@active IS NULL OR (@active = 1) = (resolved_at IS NULL))`;
const params = (f: AlertFilter) => ({
  id: f.id ?? null,
  deviceId: f.deviceId ?? null,
  profileId: f.profileId ?? null,
  kind: f.kind ?? null,
  active: f.active === undefined ? null : f.active ? 1 : 0,
});

export function sqliteAlerts(db: Database.Database, exec: Exec): AlertRepository {
  const insert = db.prepare(
    `INSERT INTO alerts (id, kind, device_id, profile_id, message, details, created_at, resolved_at)
     VALUES (@id, @kind, @deviceId, @profileId, @message, @details, @createdAt, @resolvedAt)`,
  );
  const list = db.prepare<ReturnType<typeof params>, Row>(`SELECT * FROM alerts WHERE ${WHERE} ORDER BY created_at, id`);
  const resolve = db.prepare(`UPDATE alerts SET resolved_at = @at WHERE resolved_at IS NULL AND ${WHERE}`);
  return {
    insert: (a) =>
      exec(() =>
        void guarded(() =>
          insert.run({
            ...a,
            deviceId: a.deviceId ?? null,
            profileId: a.profileId ?? null,
            details: JSON.stringify(a.details),
            resolvedAt: a.resolvedAt ?? null,
          }),
        ),
      ),
    list: (filter = {}) => exec(() => list.all(params(filter)).map(toRecord)),
    resolve: (filter, at) => exec(() => resolve.run({ ...params({ ...filter, active: undefined }), at }).changes),
  };
}
