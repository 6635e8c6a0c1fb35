import { describe, expect, it } from 'vitest';
import { decodeDeviceReport, encodeDeviceReport } from '../../../protocol/android/amapi/device.js';
import { accountKeyedAppState, accountStateKey, ACCOUNT_STATES, readAccountState, type AccountState } from '../../../protocol/android/app-states.js';
import { GMAIL_PACKAGE } from '../../../protocol/android/apps.js';

const T = '2024-05-01T12:00:00Z';

describe('account states as keyed app states', () => {
  it.each(Object.keys(ACCOUNT_STATES) as AccountState[])('%s travels in a device report and reads back', (state) => {
    const s = accountKeyedAppState({ state, accountId: 'eml_1', message: 'hello' }, T);
    const report = decodeDeviceReport(encodeDeviceReport({ managementMode: 'DEVICE_OWNER', applicationReports: [{ packageName: GMAIL_PACKAGE, keyedAppStates: [s] }] }));
    if (!report.ok) throw report.error;
    const back = report.value.applicationReports?.[0]?.keyedAppStates?.[0];
    expect(back && readAccountState(back)).toEqual({ state, accountId: 'eml_1', message: 'hello' });
    expect(back?.severity).toBe(ACCOUNT_STATES[state]);
  });

  it('uses one key per app account and one per Knox account', () => {
    expect(accountStateKey()).toBe('exchangeAccount');
    expect(accountStateKey('eml_7')).toBe('exchangeAccount:eml_7');
    expect(() => accountStateKey('a b')).toThrow(RangeError);
    expect(() => accountStateKey('x'.repeat(100))).toThrow(RangeError);
    expect(readAccountState(accountKeyedAppState({ state: 'authPending' }, T))).toEqual({ state: 'authPending' });
  });

  it('ignores keyed states that are not ours or carry an unknown state', () => {
    expect(readAccountState({ key: 'battery', severity: 'INFO', data: 'created' })).toBeUndefined();
    expect(readAccountState({ key: 'exchangeAccount', severity: 'INFO', data: 'exploded' })).toBeUndefined();
    expect(readAccountState({ key: 'exchangeAccount', severity: 'INFO', data: 'toString' })).toBeUndefined();
    expect(readAccountState({ key: 'exchangeAccount', severity: 'INFO' })).toBeUndefined();
    expect(readAccountState({ key: 'exchangeAccount:a/b', severity: 'INFO', data: 'created' })).toBeUndefined();
  });

  it('cuts a long message to what a keyed state may carry', () => {
    expect(accountKeyedAppState({ state: 'created', message: 'm'.repeat(5000) }, T).message).toHaveLength(1000);
  });
});
