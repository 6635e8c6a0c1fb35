import { enumOf, flagOf, interior, leaf, rangeOf, type NodeSpec } from './fallback-node.js';

/**
 * The device's standard objects and the enrollment CSPs (learn.microsoft.com "DevInfo CSP",
 * "DevDetail CSP", "DMAcc CSP", "CertificateStore CSP"): what the device reports about itself,
 * its OMA DM account, and the certificate stores enrollment provisions.
 */
export const ROOT_PATH = '.';
export const DMACC_PATH = './SyncML';
export const CERTIFICATE_STORE_PATH = './Device/Vendor/MSFT';

const fixed = { scope: 'P' } as const;
const getOnly = (name: string, format: Parameters<typeof leaf>[2] = 'chr') => leaf(name, 'G', format, fixed);

export function devInfoNodes(): NodeSpec {
  return interior('DevInfo', 'G', fixed, [
    getOnly('DevId'),
    getOnly('Man'),
    getOnly('Mod'),
    getOnly('DmV'),
    getOnly('Lang'),
    interior('Ext', 'G', fixed, [getOnly('ICCID')]),
  ]);
}

/** DevDetail: the basics an MDM server reads at enrollment (not the WLAN and hardware-hash leaves). */
export function devDetailNodes(): NodeSpec {
  return interior('DevDetail', 'G', fixed, [
    interior('URI', 'G', fixed, [getOnly('MaxDepth'), getOnly('MaxTotLen'), getOnly('MaxSegLen')]),
    getOnly('DevTyp'),
    getOnly('OEM'),
    getOnly('FwV'),
    getOnly('SwV'),
    getOnly('HwV'),
    getOnly('LrgObj', 'bool'),
    interior('Ext', 'G', fixed, [
      interior('Microsoft', 'G', fixed, [
        getOnly('ProcessorArchitecture', 'int'),
        getOnly('OSPlatform'),
        getOnly('LocalTime'),
        leaf('DeviceName', 'GR', 'chr', fixed),
        leaf('DNSComputerName', 'GR', 'chr', fixed),
        getOnly('TotalRAM', 'int'),
        getOnly('SMBIOSSerialNumber'),
      ]),
      getOnly('WLANMACAddress'),
    ]),
  ]);
}

const AGR = 'AGR';
const optional = { occurrence: 'ZeroOrOne' } as const;
const bit = (defaultValue?: string) => ({ ...optional, ...(defaultValue ? { defaultValue } : {}), allowed: enumOf('0', '1') });

export function dmAccNodes(): NodeSpec {
  return interior('DMAcc', 'G', fixed, [
    interior(undefined, 'ADGR', { title: 'AccountUID', occurrence: 'ZeroOrMore', naming: 'ClientInventory' }, [
      leaf('AppID', AGR, 'chr', { defaultValue: 'w7', allowed: enumOf('w7') }),
      leaf('ServerID', AGR),
      leaf('Name', AGR, 'chr', optional),
      leaf('PrefConRef', AGR, 'chr', optional),
      interior('AppAddr', 'AG', {}, [
        interior(undefined, 'AG', { title: 'ObjectName', naming: 'ClientInventory' }, [
          leaf('Addr', AGR),
          leaf('AddrType', AGR, 'chr', { defaultValue: 'URI', allowed: enumOf('URI', 'IPv4') }),
          interior('Port', 'AG', optional, [interior(undefined, AGR, { title: 'ObjectName', naming: 'ClientInventory' }, [leaf('PortNbr', AGR)])]),
        ]),
      ]),
      leaf('AAuthPref', AGR, 'chr', { ...optional, allowed: enumOf('BASIC', 'DIGEST') }),
      interior('AppAuth', 'AG', optional, [
        interior(undefined, 'AG', { title: 'ObjectName', occurrence: 'OneOrMore', naming: 'ClientInventory' }, [
          leaf('AAuthLevel', AGR, 'chr', { allowed: enumOf('CLCRED', 'SRVCRED') }),
          leaf('AAuthType', AGR, 'chr', { allowed: enumOf('BASIC', 'DIGEST') }),
          leaf('AAuthName', AGR, 'chr', optional),
          leaf('AAuthSecret', 'AR', 'chr', optional),
          leaf('AAuthData', 'AR', 'bin', optional),
        ]),
      ]),
      interior('Ext', 'G', {}, [
        interior('Microsoft', 'G', {}, [
          leaf('Role', 'GR', 'int', { allowed: flagOf('4', '8', '16', '128') }),
          leaf('ProtoVer', AGR, 'chr', { ...optional, allowed: enumOf('1.1', '1.2') }),
          leaf('DefaultEncoding', AGR, 'chr', { ...optional, allowed: enumOf('application/vnd.syncml.dm+xml', 'application/vnd.syncml.dm+wbxml') }),
          leaf('UseHwDevID', AGR, 'bool', bit('0')),
          leaf('ConnRetryFreq', AGR, 'int', { ...optional, defaultValue: '3' }),
          leaf('InitialBackOffTime', AGR, 'int', { ...optional, defaultValue: '16000' }),
          leaf('MaxBackOffTime', AGR, 'int', { ...optional, defaultValue: '86400000' }),
          leaf('BackCompatRetryDisabled', AGR, 'bool', bit('0')),
          leaf('UseNonceResync', AGR, 'bool', bit('0')),
          leaf('CRLCheck', AGR, 'bool', bit()),
          leaf('DisableOnRoaming', AGR, 'bool', bit()),
          leaf('SSLCLIENTCERTSEARCHCRITERIA', AGR, 'chr', optional),
          leaf('InitiateSession', 'AR', 'null', optional),
        ]),
      ]),
    ]),
  ]);
}

/** A certificate store: its certificates by SHA-1 thumbprint. */
function certificates(): NodeSpec {
  return interior(undefined, 'DG', { title: 'CertHash', occurrence: 'ZeroOrMore', naming: 'UniqueName' }, [
    leaf('EncodedCertificate', AGR, 'b64'),
    leaf('IssuedBy', 'G'),
    leaf('IssuedTo', 'G'),
    leaf('ValidFrom', 'G'),
    leaf('ValidTo', 'G'),
    leaf('TemplateName', 'G'),
  ]);
}

/** CertificateStore: Root (and Root/System), My/User, and the WSTEP renewal settings enrollment provisions. */
export function certificateStoreNodes(): NodeSpec {
  const renewal = { ...optional };
  return interior('CertificateStore', 'ADG', fixed, [
    interior('ROOT', 'G', fixed, [certificates(), interior('System', 'G', fixed, [certificates()])]),
    interior('MY', 'G', fixed, [
      interior('User', 'G', fixed, [certificates()]),
      interior('WSTEP', 'G', optional, [
        leaf('CertThumprint', 'G'),
        interior('Renew', 'G', { ...fixed, atomicRequired: true }, [
          leaf('RenewPeriod', 'ADGR', 'int', { ...renewal, defaultValue: '42', allowed: rangeOf(1, 1000) }),
          leaf('ServerURL', 'ADGR', 'chr', renewal),
          leaf('RetryInterval', 'ADGR', 'int', { ...renewal, defaultValue: '7', allowed: rangeOf(1, 1000) }),
          leaf('ROBOSupport', 'ADGR', 'bool', { ...renewal, defaultValue: 'true', allowed: enumOf('true', 'false') }),
        ]),
      ]),
    ]),
  ]);
}
