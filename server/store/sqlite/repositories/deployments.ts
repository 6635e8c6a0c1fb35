import type Database from 'better-sqlite3';
import type { DeploymentRepository } from '../../port.js';
import type { Exec } from '../connection.js';

export function sqliteDeployments(db: Database.Database, exec: Exec): DeploymentRepository {
  const groupsOf = db.prepare<[string], { group_id: string }>('SELECT group_id FROM deployments WHERE profile_id = ? ORDER BY group_id');
  const clear = db.prepare('DELETE FROM deployments WHERE profile_id = ?');
  const add = db.prepare('INSERT INTO deployments (profile_id, group_id) VALUES (?, ?)');
  const all = db.prepare<[], { profile_id: string; group_id: string }>('SELECT profile_id, group_id FROM deployments ORDER BY profile_id, group_id');
  const set = db.transaction((profileId: string, groupIds: readonly string[]) => {
    clear.run(profileId);
    for (const g of new Set(groupIds)) add.run(profileId, g);
  });
  return {
    groupsOf: (profileId) => exec(() => groupsOf.all(profileId).map((r) => r.group_id)),
    set: (profileId, groupIds) => exec(() => set(profileId, groupIds)),
    all: () => exec(() => all.all().map((r) => ({ profileId: r.profile_id, groupId: r.group_id }))),
  };
}
