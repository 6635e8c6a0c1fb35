import { isSuccess, type DmTree } from '../dm-tree/index.js';

/**
 * The device's OMA-DM account as its tree holds it (DMAcc CSP): where the server is and the
 * credentials each side proves itself with. The session reads it before every message, so a server
 * that rekeys the account (Replace of AAuthName / AAuthSecret, as Fleet's server does) is followed,
 * and every nonce a challenge brings is written back to AAuthData.
 */
export const DMACC = './SyncML/DMAcc';
export const DMCLIENT_PROVIDERS = './Vendor/MSFT/DMClient/Provider';
/** AppAuth object names; Fleet's server addresses ./SyncML/DMAcc/<account>/AppAuth/CLCRED the same way. */
export const CLIENT_CREDENTIALS = 'CLCRED';
export const SERVER_CREDENTIALS = 'SRVCRED';

export const dmAccountUri = (accountUid: string): string => `${DMACC}/${encodeURIComponent(accountUid)}`;

export interface DmCredentials {
  type: string;
  name: string;
  secret: string;
  /** The binary nonce of the next digest (empty when none was given yet). */
  nonce: Buffer;
  /** Where the nonce lives, for writing the next one. */
  nonceUri: string;
}

export interface DmAccount {
  serverUrl: string;
  /** What the device sends (DMAcc AAuthLevel CLCRED). */
  client: DmCredentials | undefined;
}

export function readDmAccount(tree: DmTree, accountUid: string): DmAccount | undefined {
  const acc = dmAccountUri(accountUid);
  const addr = (tree.children(`${acc}/AppAddr`) ?? []).map((o) => tree.value(`${acc}/AppAddr/${encodeURIComponent(o)}/Addr`)).find((a) => a);
  if (!addr) return undefined;
  let client: DmCredentials | undefined;
  for (const object of tree.children(`${acc}/AppAuth`) ?? []) {
    const base = `${acc}/AppAuth/${encodeURIComponent(object)}`;
    if (tree.value(`${base}/AAuthLevel`)?.trim().toUpperCase() !== CLIENT_CREDENTIALS) continue;
    const data = (tree.value(`${base}/AAuthData`) ?? '').replace(/\s+/g, '');
    client = {
      type: (tree.value(`${base}/AAuthType`) ?? 'DIGEST').trim().toUpperCase(),
      name: tree.value(`${base}/AAuthName`) ?? '',
      secret: tree.value(`${base}/AAuthSecret`) ?? '',
      nonce: Buffer.from(data, 'base64'),
      nonceUri: `${base}/AAuthData`,
    };
  }
  return { serverUrl: addr.trim(), client };
}

/** Keeps the nonce a challenge brought for the next digest. */
export function saveNonce(tree: DmTree, credentials: DmCredentials, nonce: Buffer): void {
  const status = tree.setLocal(credentials.nonceUri, nonce.toString('base64'));
  if (!isSuccess(status.code)) throw new Error(`the device could not keep the nonce at ${credentials.nonceUri}: ${status.code} ${status.reason ?? ''}`);
  credentials.nonce = nonce;
}
