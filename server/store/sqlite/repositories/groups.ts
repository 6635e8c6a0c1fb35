import type Database from 'better-sqlite3';
import type { GroupRepository } from '../../port.js';
import type { GroupMember, GroupRecord, MemberKind } from '../../records.js';
import type { Exec } from '../connection.js';
import { compact, guarded, opt } from './row.js';

interface Row {
  id: string;
  name: string;
  description: string | null;
  created_at: string;
}
const toRecord = (r: Row): GroupRecord =>
  compact({ id: r.id, name: r.name, description: opt(r.description), createdAt: r.created_at });

export function sqliteGroups(db: Database.Database, exec: Exec): GroupRepository {
  const insert = db.prepare('INSERT INTO user_groups (id, name, description, created_at) VALUES (?, ?, ?, ?)');
  const get = db.prepare<[string], Row>('SELECT * FROM user_groups WHERE id = ?');
  const byName = db.prepare<[string], Row>('SELECT * FROM user_groups WHERE name = ?');
  const list = db.prepare<[], Row>('SELECT * FROM user_groups ORDER BY name');
  const update = db.prepare('UPDATE user_groups SET name = ?, description = ? WHERE id = ?');
  const del = db.prepare('DELETE FROM user_groups WHERE id = ?');
  const addMember = db.prepare('INSERT OR IGNORE INTO group_members (group_id, member_kind, member_id) VALUES (?, ?, ?)');
  const removeMember = db.prepare('DELETE FROM group_members WHERE group_id = ? AND member_kind = ? AND member_id = ?');
  const members = db.prepare<[string], { member_kind: MemberKind; member_id: string }>(
    'SELECT member_kind, member_id FROM group_members WHERE group_id = ? ORDER BY member_kind, member_id',
  );
  const ofDevice = db.prepare<[string, string | null], { group_id: string }>(
    `SELECT DISTINCT group_id FROM group_members
      WHERE (member_kind = 'device' AND member_id = ?) OR (member_kind = 'user' AND member_id = ?)
      ORDER BY group_id`,
  );
  const devicesIn = db.prepare<[string], { id: string }>(
    `SELECT DISTINCT d.id FROM devices d
       JOIN group_members m
         ON (m.member_kind = 'device' AND m.member_id = d.id) OR (m.member_kind = 'user' AND m.member_id = d.user_id)
      WHERE d.status = 'enrolled' AND m.group_id IN (SELECT value FROM json_each(?))
      ORDER BY d.id`,
  );
  const addMembers = db.transaction((groupId: string, list: readonly GroupMember[]) => {
    for (const m of list) addMember.run(groupId, m.kind, m.id);
  });
  const removeMembers = db.transaction((groupId: string, list: readonly GroupMember[]) => {
    let n = 0;
    for (const m of list) n += removeMember.run(groupId, m.kind, m.id).changes;
    return n;
  });
  return {
    insert: (g) => exec(() => void guarded(() => insert.run(g.id, g.name, g.description ?? null, g.createdAt))),
    get: (id) => exec(() => { const r = get.get(id); return r && toRecord(r); }),
    getByName: (name) => exec(() => { const r = byName.get(name); return r && toRecord(r); }),
    list: () => exec(() => list.all().map(toRecord)),
    update: (g) => exec(() => void guarded(() => update.run(g.name, g.description ?? null, g.id))),
    delete: (id) => exec(() => del.run(id).changes > 0),
    addMembers: (groupId, list) => exec(() => addMembers(groupId, list)),
    removeMembers: (groupId, list) => exec(() => removeMembers(groupId, list)),
    members: (groupId) => exec(() => members.all(groupId).map((r) => ({ kind: r.member_kind, id: r.member_id }))),
    groupsOfDevice: (deviceId, userId) => exec(() => ofDevice.all(deviceId, userId ?? null).map((r) => r.group_id)),
    devicesInGroups: (groupIds) => exec(() => devicesIn.all(JSON.stringify(groupIds)).map((r) => r.id)),
  };
}
