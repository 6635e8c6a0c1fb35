import type Database from 'better-sqlite3';
import type { DevicePlatform } from '../../../../protocol/admin/platforms.js';
import type { DeviceRepository } from '../../port.js';
import type { DeviceRecord } from '../../records.js';
import type { Exec } from '../connection.js';
import { compact, guarded, opt } from './row.js';

interface Row {
  id: string;
  platform: DevicePlatform;
  hardware_id: string;
  user_id: string | null;
  name: string | null;
  model: string | null;
  os_version: string | null;
  serial_number: string | null;
  status: DeviceRecord['status'];
  enrolled_at: string;
  unenrolled_at: string | null;
  last_seen_at: string | null;
  reenrollment_allowed_until: string | null;
}
const toRecord = (r: Row): DeviceRecord =>
  compact({
    id: r.id,
    platform: r.platform,
    hardwareId: r.hardware_id,
    userId: opt(r.user_id),
    name: opt(r.name),
    model: opt(r.model),
    osVersion: opt(r.os_version),
    serialNumber: opt(r.serial_number),
    status: r.status,
    enrolledAt: r.enrolled_at,
    unenrolledAt: opt(r.unenrolled_at),
    lastSeenAt: opt(r.last_seen_at),
    reenrollmentAllowedUntil: opt(r.reenrollment_allowed_until),
  });
const toRow = (d: DeviceRecord) => ({
  id: d.id,
  platform: d.platform,
  hardwareId: d.hardwareId,
  userId: d.userId ?? null,
  name: d.name ?? null,
  model: d.model ?? null,
  osVersion: d.osVersion ?? null,
  serialNumber: d.serialNumber ?? null,
  status: d.status,
  enrolledAt: d.enrolledAt,
  unenrolledAt: d.unenrolledAt ?? null,
  lastSeenAt: d.lastSeenAt ?? null,
  reenrollmentAllowedUntil: d.reenrollmentAllowedUntil ?? null,
});

export function sqliteDevices(db: Database.Database, exec: Exec): DeviceRepository {
  const insert = db.prepare(
    `INSERT INTO devices (id, platform, hardware_id, user_id, name, model, os_version, serial_number, status, enrolled_at, unenrolled_at, last_seen_at,
       reenrollment_allowed_until)
     VALUES (@id, @platform, @hardwareId, @userId, @name, @model, @osVersion, @serialNumber, @status, @enrolledAt, @unenrolledAt, @lastSeenAt,
       @reenrollmentAllowedUntil)`,
  );
  const update = db.prepare(
    `UPDATE devices SET platform = @platform, hardware_id = @hardwareId, user_id = @userId, name = @name, model = @model,
       os_version = @osVersion, serial_number = @serialNumber, status = @status, enrolled_at = @enrolledAt,
       unenrolled_at = @unenrolledAt, last_seen_at = @lastSeenAt, reenrollment_allowed_until = @reenrollmentAllowedUntil
     WHERE id = @id`,
  );
  const get = db.prepare<[string], Row>('SELECT * FROM devices WHERE id = ?');
  const byHardware = db.prepare<[string, string], Row>('SELECT * FROM devices WHERE platform = ? AND hardware_id = ?');
  const list = db.prepare<{ platform: string | null; userId: string | null; status: string | null }, Row>(
    `SELECT * FROM devices
      WHERE (@platform IS NULL OR platform = @platform) AND (@userId IS NULL OR user_id = @userId) AND (@status IS NULL OR status = @status)
      ORDER BY enrolled_at, id`,
  );
  return {
    insert: (d) => exec(() => void guarded(() => insert.run(toRow(d)))),
    get: (id) => exec(() => { const r = get.get(id); return r && toRecord(r); }),
    getByHardwareId: (platform, hardwareId) => exec(() => { const r = byHardware.get(platform, hardwareId); return r && toRecord(r); }),
    list: (filter = {}) =>
      exec(() => list.all({ platform: filter.platform ?? null, userId: filter.userId ?? null, status: filter.status ?? null }).map(toRecord)),
    update: (d) => exec(() => void guarded(() => update.run(toRow(d)))),
  };
}
