/**
 * Alert codes Windows supports (MS-MDM §2.2.7.2) and the Microsoft alert types that ride on them
 * (Microsoft's "OMA DM protocol support": LoginStatus in a 1224 client event; the user's unenrollment
 * request in a 1226 generic alert).
 */
import type { AlertCommand, SyncMLItem } from './types.js';

export const ALERT = {
  SERVER_INITIATED_MGMT: 1200,
  CLIENT_INITIATED_MGMT: 1201,
  NEXT_MESSAGE: 1222,
  SESSION_ABORT: 1223,
  CLIENT_EVENT: 1224,
  NO_END_OF_DATA: 1225,
  GENERIC_ALERT: 1226,
} as const;

const MEANINGS: Readonly<Record<number, string>> = {
  1200: 'server-initiated management session',
  1201: 'client-initiated management session',
  1222: 'next message: request for the next message of a large object package',
  1223: 'session abort',
  1224: 'client event (LoginStatus)',
  1225: 'no end of data: a chunked object was not completed',
  1226: 'generic alert',
};

export function alertMeaning(code: number): string {
  return MEANINGS[code] ?? `alert ${code}`;
}

/** Item Meta/Type of the 1224 alert telling who is signed in. */
export const LOGIN_STATUS_TYPE = 'com.microsoft/MDM/LoginStatus';
/** `user`: a user is signed in; `others`: another user; `none`: nobody. */
export const LOGIN_STATUSES = ['user', 'others', 'none'] as const;
export type LoginStatus = (typeof LOGIN_STATUSES)[number];

/** Item Meta/Type of the 1226 alert a device sends when its user unenrolls it. */
export const UNENROLLMENT_USER_REQUEST_TYPE = 'com.microsoft:mdm.unenrollment.userrequest';

const typeOf = (item: SyncMLItem): string | undefined => item.meta?.type?.trim();

/** The LoginStatus a 1224 alert carries, if it is one. */
export function loginStatusOf(alert: AlertCommand): LoginStatus | undefined {
  if (alert.code !== ALERT.CLIENT_EVENT) return undefined;
  for (const item of alert.items) {
    if (typeOf(item) !== LOGIN_STATUS_TYPE) continue;
    const v = item.data?.trim().toLowerCase();
    return LOGIN_STATUSES.find((s) => s === v);
  }
  return undefined;
}

/** True for the 1226 generic alert of a user-requested unenrollment. */
export function isUnenrollmentRequest(alert: AlertCommand): boolean {
  return alert.code === ALERT.GENERIC_ALERT && alert.items.some((i) => typeOf(i) === UNENROLLMENT_USER_REQUEST_TYPE);
}

/** A 1224 LoginStatus alert, as Windows writes it. */
export function loginStatusAlert(cmdId: string, status: LoginStatus): AlertCommand {
  return { kind: 'Alert', cmdId, code: ALERT.CLIENT_EVENT, items: [{ meta: { type: LOGIN_STATUS_TYPE, format: 'chr' }, data: status }] };
}

/** The 1226 alert a device sends when its user unenrolls (Format int, Data 1). */
export function unenrollmentAlert(cmdId: string): AlertCommand {
  return { kind: 'Alert', cmdId, code: ALERT.GENERIC_ALERT, items: [{ meta: { type: UNENROLLMENT_USER_REQUEST_TYPE, format: 'int' }, data: '1' }] };
}
