import { describe, expect, it } from 'vitest';
import {
  APPLE_ERRORS,
  duplicateAccountChain,
  duplicateUuidChain,
  lookupAppleError,
  mismatchedSignersChain,
  noHostChain,
  noServicesEnabledChain,
  profileNotInstalledChain,
  profileNotManagedChain,
  type ErrorChainItem,
} from '../../../protocol/apple/errors-catalogue.js';

const codes = (chain: ErrorChainItem[]): Array<[string, number]> => chain.map((i) => [i.ErrorDomain, i.ErrorCode]);

describe('Apple error catalogue', () => {
  it('has the codes of the archived MDM Protocol Reference table', () => {
    const table = Object.values(APPLE_ERRORS).map((e) => `${e.domain} ${e.code}`);
    for (const expected of [
      'MCInstallationErrorDomain 4000',
      'MCInstallationErrorDomain 4001',
      'MCInstallationErrorDomain 4002',
      'MCInstallationErrorDomain 4008',
      'MCProfileErrorDomain 1000',
      'MCProfileErrorDomain 1002',
      'MCProfileErrorDomain 1003',
      'MCProfileErrorDomain 1004',
      'MCProfileErrorDomain 1007',
      'MCProfileErrorDomain 1008',
      'MCProfileErrorDomain 1009',
      'MCMDMErrorDomain 12013',
      'MCMDMErrorDomain 12021',
      'MCMDMErrorDomain 12075',
      'MCEASErrorDomain 21003',
      'MCEASErrorDomain 21005',
      'MCEASErrorDomain 21009',
    ]) {
      expect(table).toContain(expected);
    }
    expect(new Set(table).size).toBe(table.length);
    expect(APPLE_ERRORS.easAccountNotUnique.description).toBe('Account not unique');
    expect(APPLE_ERRORS.easNoServicesEnabled.description).toContain('EAS_NO_SERVICES_ENABLED');
    expect(lookupAppleError('MCEASErrorDomain', 21005)).toBe(APPLE_ERRORS.easAccountNotUnique);
    expect(lookupAppleError('MCEASErrorDomain', 1)).toBeUndefined();
  });

  it('duplicate account: 4001 outside, 21005 inside, naming address and host', () => {
    const chain = duplicateAccountChain('alice@example.com', 'mail.example.com');
    expect(codes(chain)).toEqual([
      ['MCInstallationErrorDomain', 4001],
      ['MCEASErrorDomain', 21005],
    ]);
    expect(chain[0]?.LocalizedDescription).toBe('The payload “Exchange ActiveSync” could not be installed.');
    expect(chain[1]?.LocalizedDescription).toContain('alice@example.com');
    expect(chain[1]?.LocalizedDescription).toContain('mail.example.com');
    for (const item of chain) expect(item.USEnglishDescription).toBe(item.LocalizedDescription);
  });

  it('the other chains the simulated device returns', () => {
    expect(codes(noServicesEnabledChain())).toEqual([
      ['MCInstallationErrorDomain', 4001],
      ['MCEASErrorDomain', 21009],
    ]);
    expect(codes(noHostChain())).toEqual([
      ['MCInstallationErrorDomain', 4001],
      ['MCEASErrorDomain', 21003],
    ]);
    expect(codes(profileNotManagedChain('com.x'))).toEqual([['MCMDMErrorDomain', 12013]]);
    expect(codes(profileNotInstalledChain('com.x'))).toEqual([['MCMDMErrorDomain', 12075]]);
    expect(codes(mismatchedSignersChain('com.x'))).toEqual([['MCInstallationErrorDomain', 4008]]);
    expect(codes(duplicateUuidChain('u'))).toEqual([['MCInstallationErrorDomain', 4002]]);
    expect(profileNotInstalledChain('com.mdmlab.email.e1')[0]?.LocalizedDescription).toContain('com.mdmlab.email.e1');
  });
});
