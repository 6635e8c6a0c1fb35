import type Database from 'better-sqlite3';
import type { Repositories, Store } from '../port.js';
import { openDatabase, TransactionGate, type Exec } from './connection.js';
import { sqliteAlerts } from './repositories/alerts.js';
import { sqliteAndroidDevices, sqliteAndroidKeyPairs, sqliteManagedApps } from './repositories/android.js';
import { sqliteAppleDevices } from './repositories/apple.js';
import { sqliteCommands } from './repositories/commands.js';
import { sqliteEnrollmentTokens, sqliteIssuedCertificates, sqliteScepChallenges } from './repositories/enrollment.js';
import { sqliteSettings } from './repositories/settings.js';
import { sqliteCertificateProfiles } from './repositories/certificate-profiles.js';
import { sqliteCommandHistory } from './repositories/command-history.js';
import { sqliteDeployments } from './repositories/deployments.js';
import { sqliteDevices } from './repositories/devices.js';
import { sqliteEmailProfiles } from './repositories/email-profiles.js';
import { sqliteGroups } from './repositories/groups.js';
import { sqliteProfileStates } from './repositories/profile-states.js';
import { sqliteUsers } from './repositories/users.js';
import { sqliteWindowsAccounts } from './repositories/windows-accounts.js';
import { sqliteWindowsDevices } from './repositories/windows-devices.js';
import { sqliteWindowsSentCommands, sqliteWindowsSessions } from './repositories/windows-sessions.js';

function repositories(db: Database.Database, exec: Exec): Repositories {
  return {
    users: sqliteUsers(db, exec),
    groups: sqliteGroups(db, exec),
    certificateProfiles: sqliteCertificateProfiles(db, exec),
    emailProfiles: sqliteEmailProfiles(db, exec),
    deployments: sqliteDeployments(db, exec),
    devices: sqliteDevices(db, exec),
    profileStates: sqliteProfileStates(db, exec),
    alerts: sqliteAlerts(db, exec),
    settings: sqliteSettings(db, exec),
    enrollmentTokens: sqliteEnrollmentTokens(db, exec),
    scepChallenges: sqliteScepChallenges(db, exec),
    issuedCertificates: sqliteIssuedCertificates(db, exec),
    appleDevices: sqliteAppleDevices(db, exec),
    windowsDevices: sqliteWindowsDevices(db, exec),
    windowsSessions: sqliteWindowsSessions(db, exec),
    windowsSentCommands: sqliteWindowsSentCommands(db, exec),
    windowsAccounts: sqliteWindowsAccounts(db, exec),
    commands: sqliteCommands(db, exec),
    commandHistory: sqliteCommandHistory(db, exec),
    androidDevices: sqliteAndroidDevices(db, exec),
    androidKeyPairs: sqliteAndroidKeyPairs(db, exec),
    managedApps: sqliteManagedApps(db, exec),
  };
}

/** The default store: one better-sqlite3 file (`:memory:` for throwaway stores), WAL, migrated on open. */
export function createSqliteStore(file: string): Store {
  const db = openDatabase(file);
  const gate = new TransactionGate();
  const outside = repositories(db, gate.outside);
  const inside = repositories(db, gate.inside);
  let closed = false;
  return {
    ...outside,
    transaction: (work) =>
      gate.exclusive(async () => {
        db.exec('BEGIN IMMEDIATE');
        try {
          const result = await work(inside);
          db.exec('COMMIT');
          return result;
        } catch (err) {
          if (db.inTransaction) db.exec('ROLLBACK');
          throw err;
        }
      }),
    close: () =>
      gate.exclusive(async () => {
        if (closed) return;
        closed = true;
        db.close();
      }),
  };
}
