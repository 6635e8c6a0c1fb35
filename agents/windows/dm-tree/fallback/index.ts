import type { DdfNode } from '../../../../protocol/windows/ddf/index.js';
import { ACTIVESYNC_DEVICE_PATH, ACTIVESYNC_USER_PATH, activeSyncDeviceNodes, activeSyncUserNodes } from './activesync-nodes.js';
import { CERTIFICATE_STORE_PATH, certificateStoreNodes, devDetailNodes, devInfoNodes, DMACC_PATH, dmAccNodes, ROOT_PATH } from './device-nodes.js';
import { DMCLIENT_PATH, dmClientNodes } from './dmclient-nodes.js';
import { toDdfNode } from './fallback-node.js';

/**
 * The node table used when no DDF directory is found: just the nodes the simulated Windows devices
 * need, written by hand from Microsoft's CSP reference pages (a test holds it to the DDF files).
 */
export function fallbackDdfNodes(): DdfNode[] {
  return [
    toDdfNode(ACTIVESYNC_USER_PATH, activeSyncUserNodes()),
    toDdfNode(ACTIVESYNC_DEVICE_PATH, activeSyncDeviceNodes()),
    toDdfNode(DMCLIENT_PATH, dmClientNodes()),
    toDdfNode(ROOT_PATH, devInfoNodes()),
    toDdfNode(ROOT_PATH, devDetailNodes()),
    toDdfNode(DMACC_PATH, dmAccNodes()),
    toDdfNode(CERTIFICATE_STORE_PATH, certificateStoreNodes()),
  ];
}
