import { existsSync, mkdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Logger } from 'pino';
import { TOPIC_SETTING } from './apple/topic.js';
import { DataFolderError, RESTORE_OR_RESET } from './errors/data-folder-error.js';
import { identityFile } from './pki/server-identity.js';
import type { Store } from './store/port.js';

/**
 * The start-up checks of the data folder (README "The server"): the files in it belong together.
 * The database, the CA and its key were made together at the first start; a folder where one of
 * them went missing, was emptied or was swapped would otherwise start as if new (a fresh CA, an
 * empty database) and quietly lose every enrolled device. Each check refuses with a
 * DataFolderError that names the file and what to do.
 */

export const DATABASE_FILE = 'mdmlab.db';
/** The fingerprint of the CA the database was set up with, recorded at its first start. */
const CA_SETTING = 'server.caFingerprint';

/** Creates the folder (0700) when absent; warns when others can read it; refuses one the server cannot write in. */
export function prepareDataFolder(dir: string, log: Logger): void {
  try {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
  } catch (err) {
    throw new DataFolderError(dir, `the data folder ${dir} cannot be created (${(err as Error).message})`, { cause: err });
  }
  const mode = statSync(dir).mode;
  if ((mode & 0o004) !== 0) {
    log.warn(
      { dataDir: dir, mode: `0${(mode & 0o777).toString(8)}` },
      'the data folder can be read by every user of this machine: it holds the CA key, the admin token and the database (chmod 700 it)',
    );
  }
  // Creating a file is what the server does next (the database's -wal and -shm, keys on a first
  // start); as root, the folder's mode says nothing about it, so try.
  const probe = join(dir, `.mdmlab-write-check-${process.pid}`);
  try {
    writeFileSync(probe, '', { mode: 0o600 });
    rmSync(probe, { force: true });
  } catch (err) {
    throw new DataFolderError(
      dir,
      `the server cannot create files in its data folder ${dir} (${(err as Error).message}): it needs to write the database and create its -wal and -shm files there; check the folder's permissions and attributes (lsattr)`,
      { cause: err },
    );
  }
}

/** With a CA in the folder the database must be there too, and not empty: otherwise it was lost. */
export function requireDatabase(dir: string, caPresent: boolean): void {
  if (!caPresent) return;
  const database = join(dir, DATABASE_FILE);
  const size = existsSync(database) ? statSync(database).size : undefined;
  if (size !== undefined && size > 0) return;
  const what = size === undefined ? 'is missing' : 'is empty (0 bytes)';
  throw new DataFolderError(database, `${database} ${what} but the folder holds this server's CA (${identityFile(dir, 'caCert')}), which devices were enrolled with: ${RESTORE_OR_RESET}`);
}

/**
 * Before the CA is loaded or made: a database that has served devices needs its CA. Answers the
 * fingerprint recorded at the first start (absent in databases from before it was recorded).
 */
export async function requireCaOfDatabase(store: Store, dir: string, caPresent: boolean): Promise<string | undefined> {
  const recorded = await store.settings.get(CA_SETTING);
  if (caPresent) return recorded;
  if (recorded !== undefined || (await store.settings.get(TOPIC_SETTING)) !== undefined) {
    const cert = identityFile(dir, 'caCert');
    throw new DataFolderError(
      cert,
      `${cert} and ${identityFile(dir, 'caKey')} are missing but ${join(dir, DATABASE_FILE)} has served devices enrolled with them${recorded ? ` (CA SHA-256 ${recorded})` : ''}: restore both from a backup, or remove the data folder to start afresh (every device must then enroll again)`,
    );
  }
  return undefined;
}

/** After: the CA must be the one the database was set up with; the first start records it. */
export async function bindCaToDatabase(store: Store, dir: string, fingerprint: string, recorded: string | undefined): Promise<void> {
  if (recorded === undefined) {
    await store.settings.set(CA_SETTING, fingerprint);
    return;
  }
  if (recorded === fingerprint) return;
  const cert = identityFile(dir, 'caCert');
  throw new DataFolderError(
    cert,
    `${cert} is not the CA ${join(dir, DATABASE_FILE)} was set up with (SHA-256 ${fingerprint}, the database expects ${recorded}): its devices trust only theirs; restore ca.pem and ca.key from the same backup as the database`,
  );
}
