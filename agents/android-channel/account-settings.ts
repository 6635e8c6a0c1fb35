import type { ManagedExchangeAccount } from '../../protocol/android/managed-config/exchange-account.js';
import type { MailAccountSettings } from '../core/mail-account.js';

/** The settings a mail app keeps for the account it made from a managed configuration or a Knox ExchangeAccount. */
export function settingsOfManagedAccount(a: ManagedExchangeAccount): MailAccountSettings {
  return {
    ...(a.accountName !== undefined ? { accountName: a.accountName } : {}),
    username: a.username,
    ...(a.daysToSync !== undefined ? { daysToSync: a.daysToSync } : {}),
    useSsl: a.useSsl,
    ...(a.syncSchedule !== undefined ? { syncSchedule: a.syncSchedule } : {}),
    ...(a.contentTypes ? { contentTypes: a.contentTypes } : {}),
    authMethod: a.authMethod,
    ...(a.useSmime ? { useSmime: true } : {}),
  };
}

/** An earlier state word still true of an account nothing happened to (the word of its last event), else `created`. */
export function standingState(previous: string | undefined): 'created' | 'replaced' | 'recreated' | 'updated' {
  return previous === 'replaced' || previous === 'recreated' || previous === 'updated' ? previous : 'created';
}
