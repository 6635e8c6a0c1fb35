import { enumOf, interior, leaf, rangeOf, regexOf, type NodeSpec } from './fallback-node.js';

/**
 * ActiveSync CSP (learn.microsoft.com "ActiveSync CSP"): the user path of Windows 10 with the
 * current page's allowed values and defaults, and the deprecated device path as its older DDF
 * describes it (no allowed values, defaults or AtomicRequired there).
 */
export const ACTIVESYNC_USER_PATH = './User/Vendor/MSFT';
export const ACTIVESYNC_DEVICE_PATH = './Vendor/MSFT';

const ACCOUNT_GUID = '\\{[0-9A-Fa-f]{8}\\-[0-9A-Fa-f]{4}\\-[0-9A-Fa-f]{4}\\-[0-9A-Fa-f]{4}\\-[0-9A-Fa-f]{12}\\}';
const ADGR = 'ADGR';

function activeSync(current: boolean): NodeSpec {
  // `current` nodes carry what the current reference page lists; the device path's DDF has none of it.
  const chr = (name: string, extra: Parameters<typeof leaf>[3] = {}) => leaf(name, ADGR, 'chr', current ? extra : {});
  return interior('ActiveSync', 'G', { scope: 'P' }, [
    interior('Accounts', 'G', { scope: 'P' }, [
      interior(
        undefined,
        ADGR,
        {
          title: 'Account GUID',
          occurrence: 'ZeroOrMore',
          ...(current ? { allowed: regexOf(ACCOUNT_GUID), naming: 'ServerGeneratedUniqueIdentifier', atomicRequired: true } : {}),
        },
        [
          chr('EmailAddress'),
          chr('Domain'),
          chr('AccountIcon'),
          chr('AccountType'),
          chr('AccountName'),
          chr('Password'),
          chr('ServerName'),
          chr('UserName'),
          interior('Options', ADGR, {}, [
            chr('CalendarAgeFilter'),
            chr('Logging', { defaultValue: '0', allowed: enumOf('0', '1', '2') }),
            chr('MailBodyType', { allowed: enumOf('0', '1', '2', '3', '4') }),
            chr('MailHTMLTruncation'),
            chr('MailPlainTextTruncation'),
            chr('Schedule', { defaultValue: '-1', allowed: rangeOf(-1, 4294967295) }),
            chr('UseSSL', { defaultValue: '1', allowed: enumOf('0', '1') }),
            chr('MailAgeFilter', { defaultValue: '3', allowed: enumOf('0', '1', '2', '3', '4', '5', '6') }),
            interior('ContentTypes', ADGR, {}, [
              interior(undefined, ADGR, { title: 'Content Type GUID', occurrence: 'OneOrN', ...(current ? { naming: 'UniqueName' as const } : {}) }, [
                chr('Enabled', { defaultValue: '1', allowed: enumOf('0', '1') }),
                chr('Name'),
              ]),
            ]),
          ]),
          interior('Policies', ADGR, {}, [chr('MailBodyType', { allowed: enumOf('HTML', 'plain') }), chr('MaxMailAgeFilter')]),
        ],
      ),
    ]),
  ]);
}

export const activeSyncUserNodes = (): NodeSpec => activeSync(true);
export const activeSyncDeviceNodes = (): NodeSpec => activeSync(false);
