import type Database from 'better-sqlite3';
import type { ManagedEmailApp } from '../../../../protocol/android/apps.js';
import type { AndroidDeviceRepository, AndroidKeyPairRepository, ManagedAppRepository } from '../../port.js';
import type { AndroidDeviceRecord, AndroidKeyPairRecord } from '../../records.js';
import type { Exec } from '../connection.js';
import { compact, guarded, opt } from './row.js';

interface AndroidRow {
  device_id: string;
  identity_fingerprint: string;
  certificate: string;
  certificate_not_after: string;
  management_mode: AndroidDeviceRecord['managementMode'];
  api_level: number | null;
  knox_version: string | null;
  knox_api_level: number | null;
  push_token: string | null;
  policy_version: number;
  policy_changed_at: string;
  plan: string;
  plan_fingerprint: string;
  applied_policy_version: number | null;
  knox_flips: string | null;
  reported_apps: string | null;
  registered_at: string;
  last_report_at: string | null;
  unregistered_at: string | null;
}

const toAndroid = (r: AndroidRow): AndroidDeviceRecord =>
  compact({
    deviceId: r.device_id,
    identityFingerprint: r.identity_fingerprint,
    certificate: r.certificate,
    certificateNotAfter: r.certificate_not_after,
    managementMode: r.management_mode,
    apiLevel: opt(r.api_level),
    knoxVersion: opt(r.knox_version),
    knoxApiLevel: opt(r.knox_api_level),
    pushToken: opt(r.push_token),
    policyVersion: r.policy_version,
    policyChangedAt: r.policy_changed_at,
    plan: r.plan,
    planFingerprint: r.plan_fingerprint,
    appliedPolicyVersion: opt(r.applied_policy_version),
    knoxFlips: opt(r.knox_flips),
    reportedApps: opt(r.reported_apps),
    registeredAt: r.registered_at,
    lastReportAt: opt(r.last_report_at),
    unregisteredAt: opt(r.unregistered_at),
  });

export function sqliteAndroidDevices(db: Database.Database, exec: Exec): AndroidDeviceRepository {
  const upsert = db.prepare(
    `INSERT INTO android_devices (device_id, identity_fingerprint, certificate, certificate_not_after, management_mode, api_level, knox_version,
       knox_api_level, push_token, policy_version, policy_changed_at, plan, plan_fingerprint, applied_policy_version, knox_flips, reported_apps,
       registered_at, last_report_at, unregistered_at)
     VALUES (@deviceId, @identityFingerprint, @certificate, @certificateNotAfter, @managementMode, @apiLevel, @knoxVersion,
       @knoxApiLevel, @pushToken, @policyVersion, @policyChangedAt, @plan, @planFingerprint, @appliedPolicyVersion, @knoxFlips, @reportedApps,
       @registeredAt, @lastReportAt, @unregisteredAt)
     ON CONFLICT (device_id) DO UPDATE SET identity_fingerprint = excluded.identity_fingerprint, certificate = excluded.certificate,
       certificate_not_after = excluded.certificate_not_after, management_mode = excluded.management_mode, api_level = excluded.api_level,
       knox_version = excluded.knox_version, knox_api_level = excluded.knox_api_level, push_token = excluded.push_token,
       policy_version = excluded.policy_version, policy_changed_at = excluded.policy_changed_at, plan = excluded.plan,
       plan_fingerprint = excluded.plan_fingerprint, applied_policy_version = excluded.applied_policy_version, knox_flips = excluded.knox_flips,
       reported_apps = excluded.reported_apps, registered_at = excluded.registered_at, last_report_at = excluded.last_report_at,
       unregistered_at = excluded.unregistered_at`,
  );
  const byDevice = db.prepare<[string], AndroidRow>('SELECT * FROM android_devices WHERE device_id = ?');
  const byIdentity = db.prepare<[string], AndroidRow>('SELECT * FROM android_devices WHERE identity_fingerprint = ?');
  const pending = db.prepare<[], { device_id: string }>(
    `SELECT device_id FROM android_devices
      WHERE unregistered_at IS NULL AND (applied_policy_version IS NULL OR applied_policy_version < policy_version)
      ORDER BY policy_changed_at, device_id`,
  );
  return {
    upsert: (a) =>
      exec(() =>
        void guarded(() =>
          upsert.run({
            ...a,
            apiLevel: a.apiLevel ?? null,
            knoxVersion: a.knoxVersion ?? null,
            knoxApiLevel: a.knoxApiLevel ?? null,
            pushToken: a.pushToken ?? null,
            appliedPolicyVersion: a.appliedPolicyVersion ?? null,
            knoxFlips: a.knoxFlips ?? null,
            reportedApps: a.reportedApps ?? null,
            lastReportAt: a.lastReportAt ?? null,
            unregisteredAt: a.unregisteredAt ?? null,
          }),
        ),
      ),
    getByDevice: (id) => exec(() => { const r = byDevice.get(id); return r && toAndroid(r); }),
    getByIdentity: (fp) => exec(() => { const r = byIdentity.get(fp); return r && toAndroid(r); }),
    withPolicyPending: () => exec(() => pending.all().map((r) => r.device_id)),
  };
}

interface KeyPairRow {
  device_id: string;
  certificate_profile_id: string;
  alias: string;
  pkcs12: string;
  password: string;
  certificate_fingerprint: string;
  not_after: string;
  created_at: string;
}

const toKeyPair = (r: KeyPairRow): AndroidKeyPairRecord => ({
  deviceId: r.device_id,
  certificateProfileId: r.certificate_profile_id,
  alias: r.alias,
  pkcs12: r.pkcs12,
  password: r.password,
  certificateFingerprint: r.certificate_fingerprint,
  notAfter: r.not_after,
  createdAt: r.created_at,
});

export function sqliteAndroidKeyPairs(db: Database.Database, exec: Exec): AndroidKeyPairRepository {
  const put = db.prepare(
    `INSERT INTO android_key_pairs (device_id, certificate_profile_id, alias, pkcs12, password, certificate_fingerprint, not_after, created_at)
     VALUES (@deviceId, @certificateProfileId, @alias, @pkcs12, @password, @certificateFingerprint, @notAfter, @createdAt)
     ON CONFLICT (device_id, certificate_profile_id) DO UPDATE SET alias = excluded.alias, pkcs12 = excluded.pkcs12, password = excluded.password,
       certificate_fingerprint = excluded.certificate_fingerprint, not_after = excluded.not_after, created_at = excluded.created_at`,
  );
  const get = db.prepare<[string, string], KeyPairRow>('SELECT * FROM android_key_pairs WHERE device_id = ? AND certificate_profile_id = ?');
  const forDevice = db.prepare<[string], KeyPairRow>('SELECT * FROM android_key_pairs WHERE device_id = ? ORDER BY certificate_profile_id');
  const del = db.prepare('DELETE FROM android_key_pairs WHERE device_id = ?');
  return {
    get: (deviceId, certificateProfileId) => exec(() => { const r = get.get(deviceId, certificateProfileId); return r && toKeyPair(r); }),
    put: (k) => exec(() => void guarded(() => put.run(k))),
    forDevice: (deviceId) => exec(() => forDevice.all(deviceId).map(toKeyPair)),
    deleteForDevice: (deviceId) => exec(() => del.run(deviceId).changes),
  };
}

export function sqliteManagedApps(db: Database.Database, exec: Exec): ManagedAppRepository {
  const groupsOf = db.prepare<[string], { group_id: string }>('SELECT group_id FROM managed_app_deployments WHERE app = ? ORDER BY group_id');
  const clear = db.prepare('DELETE FROM managed_app_deployments WHERE app = ?');
  const add = db.prepare('INSERT INTO managed_app_deployments (app, group_id) VALUES (?, ?)');
  const all = db.prepare<[], { app: ManagedEmailApp; group_id: string }>('SELECT app, group_id FROM managed_app_deployments ORDER BY app, group_id');
  const set = db.transaction((app: string, groupIds: readonly string[]) => {
    clear.run(app);
    for (const g of new Set(groupIds)) add.run(app, g);
  });
  return {
    groupsOf: (app) => exec(() => groupsOf.all(app).map((r) => r.group_id)),
    set: (app, groupIds) => exec(() => set(app, groupIds)),
    all: () => exec(() => all.all().map((r) => ({ app: r.app, groupId: r.group_id }))),
  };
}
