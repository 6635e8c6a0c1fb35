import { randomBytes } from 'node:crypto';
import type { Logger } from 'pino';
import type { Store } from '../store/port.js';

/** What every domain service gets: the store, a clock and an id source (both replaceable in tests). */
export interface DomainContext {
  store: Store;
  now: () => Date;
  newId: (prefix: IdPrefix) => string;
  log: Logger;
}

export type IdPrefix = 'usr' | 'grp' | 'crt' | 'eml' | 'dev' | 'alr' | 'enr' | 'cmd';

export function randomId(prefix: IdPrefix): string {
  return `${prefix}_${randomBytes(10).toString('hex')}`;
}

export const isoNow = (ctx: DomainContext): string => ctx.now().toISOString();
