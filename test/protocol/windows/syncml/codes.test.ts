import { describe, expect, it } from 'vitest';
import {
  ALERT,
  alertMeaning,
  isSuccessStatus,
  isUnenrollmentRequest,
  loginStatusAlert,
  loginStatusOf,
  STATUS,
  statusMeaning,
  SYNCML_DM_CONTENT_TYPE,
  unenrollmentAlert,
} from '../../../../protocol/windows/syncml/index.js';

describe('status and alert codes', () => {
  it('name the codes Windows uses, with their meaning', () => {
    expect(STATUS).toMatchObject({ OK: 200, AUTHENTICATION_ACCEPTED: 212, ATOMIC_ROLLBACK_OK: 216, NOT_FOUND: 404, COMMAND_NOT_ALLOWED: 405, MISSING_CREDENTIALS: 407, ALREADY_EXISTS: 418, ATOMIC_FAILED: 507, ATOMIC_ROLLBACK_FAILED: 516 });
    expect(statusMeaning(418)).toMatch(/already exists/);
    expect(statusMeaning(299)).toBe('success (299)');
    expect(statusMeaning(499)).toBe('originator error (499)');
    expect(statusMeaning(599)).toBe('recipient error (599)');
    expect([200, 202, 212, 216].every(isSuccessStatus)).toBe(true);
    expect([400, 404, 500, 507].some(isSuccessStatus)).toBe(false);
    expect(ALERT).toEqual({ SERVER_INITIATED_MGMT: 1200, CLIENT_INITIATED_MGMT: 1201, NEXT_MESSAGE: 1222, SESSION_ABORT: 1223, CLIENT_EVENT: 1224, NO_END_OF_DATA: 1225, GENERIC_ALERT: 1226 });
    expect(alertMeaning(1226)).toBe('generic alert');
    expect(alertMeaning(1100)).toBe('alert 1100');
    expect(SYNCML_DM_CONTENT_TYPE).toBe('application/vnd.syncml.dm+xml');
  });

  it('read LoginStatus and unenrollment alerts and nothing else', () => {
    expect(loginStatusOf(loginStatusAlert('1', 'none'))).toBe('none');
    expect(loginStatusOf({ ...loginStatusAlert('1', 'user'), code: 1226 })).toBeUndefined();
    expect(loginStatusOf({ kind: 'Alert', cmdId: '1', code: 1224, items: [{ meta: { type: 'com.microsoft/MDM/LoginStatus' }, data: 'somebody' }] })).toBeUndefined();
    expect(loginStatusOf({ kind: 'Alert', cmdId: '1', code: 1224, items: [{ meta: { type: 'com.microsoft/MDM/LoginStatus' }, data: ' USER\n' }] })).toBe('user');
    expect(isUnenrollmentRequest(unenrollmentAlert('2'))).toBe(true);
    expect(isUnenrollmentRequest({ ...unenrollmentAlert('2'), code: 1224 })).toBe(false);
    expect(unenrollmentAlert('2').items[0]).toEqual({ meta: { type: 'com.microsoft:mdm.unenrollment.userrequest', format: 'int' }, data: '1' });
  });
});
