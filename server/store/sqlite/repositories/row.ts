import { StoreConflict } from '../../port.js';
import { uniqueViolation } from '../connection.js';

/** SQLite returns NULL for absent optional columns; records use `undefined` (absent keys). */
export function opt<T>(value: T | null): T | undefined {
  return value === null ? undefined : value;
}

/** Drops undefined keys so records compare equal whatever the driver. */
export function compact<T extends object>(record: T): T {
  for (const key of Object.keys(record) as (keyof T)[]) if (record[key] === undefined) delete record[key];
  return record;
}

/** Runs an insert/update and turns a unique-key clash into the port's StoreConflict. */
export function guarded<T>(step: () => T): T {
  try {
    return step();
  } catch (err) {
    const constraint = uniqueViolation(err);
    if (constraint) throw new StoreConflict(constraint);
    throw err;
  }
}
