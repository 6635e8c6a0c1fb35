import { describe, expect, it } from 'vitest';
import { canonicalLocUri, DEFAULT_DM_TREE_LIMITS, formatLocUri, parseLocUri } from '../../../../agents/windows/dm-tree/index.js';

const parse = (uri: string) => parseLocUri(uri, DEFAULT_DM_TREE_LIMITS);

describe('parseLocUri', () => {
  it('decodes percent-encoded names (braces of an account GUID arrive as %7B/%7D)', () => {
    expect(parse('./Vendor/MSFT/ActiveSync/Accounts/%7BC556E16F-56C4%7D/EmailAddress')).toEqual({
      ok: true,
      scope: 'device',
      segments: ['Vendor', 'MSFT', 'ActiveSync', 'Accounts', '{C556E16F-56C4}', 'EmailAddress'],
    });
    expect(parse('./Vendor/caf%C3%A9')).toMatchObject({ ok: true, segments: ['Vendor', 'café'] });
    expect(parse('  ./DevInfo/DevId\n')).toMatchObject({ ok: true, segments: ['DevInfo', 'DevId'] });
  });

  it('reads the scope: ./User is the user, ./Device/Vendor and no prefix the device, in any case', () => {
    expect(parse('./User/Vendor/MSFT/X')).toMatchObject({ scope: 'user', segments: ['User', 'Vendor', 'MSFT', 'X'] });
    expect(parse('./user/vendor/MSFT/X')).toMatchObject({ scope: 'user' });
    expect(parse('./Device/Vendor/MSFT/X')).toMatchObject({ scope: 'device', segments: ['Vendor', 'MSFT', 'X'] });
    expect(parse('./device/vendor/MSFT/X')).toMatchObject({ scope: 'device', segments: ['vendor', 'MSFT', 'X'] });
    expect(parse('./Device/DevInfo')).toMatchObject({ scope: 'device', segments: ['Device', 'DevInfo'] });
    expect(parse('.')).toEqual({ ok: true, scope: 'device', segments: [] });
    expect(parse('DevInfo/DevId')).toMatchObject({ ok: true, segments: ['DevInfo', 'DevId'] });
  });

  it.each([
    ['', 400],
    ['/DevInfo', 400],
    ['./DevInfo/', 400],
    ['./DevInfo//DevId', 400],
    ['./DevInfo/./DevId', 400],
    ['./DevInfo/../SyncML', 400],
    ['./Vendor/MSFT/ActiveSync/Accounts/{C556E16F}', 400],
    ['./Vendor/My Node', 400],
    ['./Vendor/café', 400],
    ['./Vendor/%ZZ', 400],
    ['./Vendor/%C3', 400],
    ['./Vendor/%2A', 400],
    ['./Vendor/a%2Fb', 400],
    ['./DevInfo?list=Struct', 406],
    [`./${'a/'.repeat(40)}b`, 414],
    [`./${'a'.repeat(300)}`, 414],
    [`./Vendor/${'%41'.repeat(700)}`, 414],
  ])('refuses %j with %i', (uri, code) => {
    expect(parse(uri)).toMatchObject({ ok: false, code });
  });

  it('writes URIs back with names encoded, and compares them in one spelling', () => {
    expect(formatLocUri(['User', 'Vendor', '{A B}'])).toBe('./User/Vendor/%7BA%20B%7D');
    expect(formatLocUri([])).toBe('.');
    expect(canonicalLocUri('./Device/Vendor/MSFT/ActiveSync/Accounts/%7ba%7d')).toBe('./Vendor/MSFT/ActiveSync/Accounts/%7Ba%7D');
    expect(canonicalLocUri('./Vendor/{a}')).toBeUndefined();
  });
});
