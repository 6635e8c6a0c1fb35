import type { Logger } from 'pino';
import { DmTree, isSuccess, type DmTreeSnapshot } from './dm-tree/index.js';
import type { WindowsDmDefinitions } from './dm-schema-cache.js';
import type { WindowsEnrollment, WindowsIdentity } from './device-state.js';
import type { WindowsHardware } from './hardware.js';
import type { AccountRecords } from './mail/account-records.js';
import { accountKey, readTreeAccounts } from './mail/tree-accounts.js';
import { dmAccountUri, DMCLIENT_PROVIDERS } from './omadm/dm-account.js';
import { certificateThumbprint } from '../../protocol/windows/provisioning/index.js';
import type { WindowsVariant } from './variant.js';

/**
 * The device's own facts in its tree (DevInfo CSP; DevDetail CSP; DMClient HWDevID): written when the
 * tree is made or restored, so a server's Get reads what the device reports in every session.
 */
export function writeDeviceFacts(tree: DmTree, hw: WindowsHardware, variant: WindowsVariant): void {
  const facts: [string, string][] = [
    ['./DevInfo/DevId', hw.deviceId],
    ['./DevInfo/Man', hw.manufacturer],
    ['./DevInfo/Mod', hw.model],
    ['./DevInfo/DmV', variant.dmVersion],
    ['./DevInfo/Lang', hw.language],
    ['./DevDetail/DevTyp', variant.platform === 'windowsPhone81' ? 'Phone' : 'Desktop'],
    ['./DevDetail/OEM', hw.manufacturer],
    ['./DevDetail/SwV', hw.osVersion],
    ['./DevDetail/Ext/Microsoft/DeviceName', hw.deviceName],
    ['./Vendor/MSFT/DMClient/HWDevID', hw.hwDevId],
  ];
  for (const [uri, value] of facts) if (tree.value(uri) !== value) tree.setLocal(uri, value);
}

/** A fresh tree, or the saved one (nodes the current DDF files do not define are dropped and logged). */
export function loadTree(defs: WindowsDmDefinitions, saved: DmTreeSnapshot | undefined, log: Logger): DmTree {
  if (!saved) return new DmTree(defs.schema, { handlers: defs.handlers });
  const { tree, dropped } = DmTree.restore(defs.schema, saved, { handlers: defs.handlers });
  if (dropped.length > 0) log.warn({ dropped: dropped.slice(0, 20), count: dropped.length }, 'saved management tree nodes the DDF files no longer define were dropped');
  return tree;
}

/**
 * Leaving management (the user unenrolled): the managed accounts go with their nodes, the user's
 * stay; the DM account, the DMClient provider and the enrollment's certificates are removed.
 */
export function removeManagement(tree: DmTree, records: AccountRecords, enrollment: WindowsEnrollment, identity: WindowsIdentity | undefined): void {
  for (const account of readTreeAccounts(tree)) {
    const key = accountKey(account.uri);
    // No record: a node the server made (records are written as the device acts).
    if (records[key]?.managed === false) continue;
    tree.deleteLocal(account.uri);
    delete records[key];
  }
  const del = (uri: string) => {
    if (tree.exists(uri)) {
      const status = tree.deleteLocal(uri);
      if (!isSuccess(status.code)) throw new Error(`could not remove ${uri}: ${status.code} ${status.reason ?? ''}`);
    }
  };
  del(dmAccountUri(enrollment.accountUid));
  del(`${DMCLIENT_PROVIDERS}/${encodeURIComponent(enrollment.providerId)}`);
  if (identity) {
    const mine = certificateThumbprint(identity.certDer);
    for (const store of ['User', 'System']) del(`./Vendor/MSFT/CertificateStore/My/${store}/${mine}`);
    for (const root of identity.rootCertDers) del(`./Vendor/MSFT/CertificateStore/Root/System/${certificateThumbprint(root)}`);
  }
}
