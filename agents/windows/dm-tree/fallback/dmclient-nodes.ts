import { enumOf, interior, leaf, regexOf, type NodeSpec } from './fallback-node.js';

/**
 * DMClient CSP, device scope (learn.microsoft.com "DMClient CSP"): the Provider node enrollment
 * creates (w7 PROVIDER-ID), the Provider leaves the simulator uses, Push and Poll.
 */
export const DMCLIENT_PATH = './Device/Vendor/MSFT';

const ADGR = 'ADGR';
const optional = { occurrence: 'ZeroOrOne' } as const;
const boolFalse = { ...optional, defaultValue: 'false', allowed: enumOf('false', 'true') };

export function dmClientNodes(): NodeSpec {
  return interior('DMClient', 'G', { scope: 'P' }, [
    interior('Provider', 'G', { scope: 'P' }, [
      interior(undefined, 'ADG', { title: 'ProviderID', occurrence: 'ZeroOrOne', naming: 'ServerGeneratedUniqueIdentifier' }, [
        leaf('EntDeviceName', ADGR, 'chr', optional),
        leaf('ExchangeID', ADGR, 'chr', optional),
        leaf('EntDMID', ADGR, 'chr', optional),
        leaf('ManagementServiceAddress', 'GR', 'chr', optional),
        leaf('UPN', 'AGR', 'chr', optional),
        leaf('RequireMessageSigning', ADGR, 'bool', boolFalse),
        leaf('SyncApplicationVersion', ADGR, 'chr', { ...optional, defaultValue: '1.0', allowed: regexOf('^(\\d\\.)?(\\d)$') }),
        leaf('MaxSyncApplicationVersion', 'G', 'chr', optional),
        leaf('Unenroll', 'EG', 'null', { scope: 'P' }),
        leaf('EnrollmentType', 'G', 'chr', optional),
        leaf('HWDevID', 'G', 'chr', optional),
        interior('Push', 'ADG', optional, [leaf('PFN', ADGR), leaf('ChannelURI', 'G'), leaf('Status', 'G', 'int')]),
        interior('Poll', 'ADG', optional, [
          leaf('IntervalForFirstSetOfRetries', ADGR, 'int', optional),
          leaf('NumberOfFirstRetries', ADGR, 'int', optional),
          leaf('IntervalForSecondSetOfRetries', ADGR, 'int', optional),
          leaf('NumberOfSecondRetries', ADGR, 'int', optional),
          leaf('IntervalForRemainingScheduledRetries', ADGR, 'int', optional),
          leaf('NumberOfRemainingScheduledRetries', ADGR, 'int', optional),
          leaf('PollOnLogin', ADGR, 'bool', boolFalse),
          leaf('AllUsersPollOnFirstLogin', ADGR, 'bool', boolFalse),
        ]),
      ]),
    ]),
    leaf('Unenroll', 'EG', 'null', { scope: 'P' }),
    leaf('HWDevID', 'G', 'chr', optional),
  ]);
}
