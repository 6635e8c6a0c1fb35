import { ALERT_KINDS, type AlertKind, type AlertRecord } from '../store/records.js';
import { MdmlabError } from '../errors/mdmlab-error.js';
import type { AlertFilter } from '../store/port.js';
import type { DomainContext } from './context.js';

export interface AlertQuery {
  deviceId?: string;
  profileId?: string;
  kind?: string;
  /** active (default), resolved or all */
  status?: string;
}

/** Alerts raised from devices' answers (duplicate accounts, conflicting profiles). */
export class AlertService {
  constructor(private readonly ctx: DomainContext) {}

  list(query: AlertQuery = {}): Promise<AlertRecord[]> {
    const filter: AlertFilter = {};
    if (query.deviceId) filter.deviceId = query.deviceId;
    if (query.profileId) filter.profileId = query.profileId;
    if (query.kind !== undefined) {
      if (!(ALERT_KINDS as readonly string[]).includes(query.kind)) {
        throw new MdmlabError('invalidQuery', `kind must be one of ${ALERT_KINDS.join(', ')}`, 'kind');
      }
      filter.kind = query.kind as AlertKind;
    }
    const status = query.status ?? 'active';
    if (status === 'active') filter.active = true;
    else if (status === 'resolved') filter.active = false;
    else if (status !== 'all') throw new MdmlabError('invalidQuery', 'status must be active, resolved or all', 'status');
    return this.ctx.store.alerts.list(filter);
  }
}
