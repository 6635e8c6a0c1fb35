/**
 * SyncML DM 1.2 messages as Windows speaks them (OMA-TS-DM_RepPro-V1_2, MS-MDM §2.2): a header
 * (SyncHdr) and a body of commands in order, closed by Final. Both directions use one model: the
 * server decodes the client's Alerts, Replaces, Statuses and Results; the simulated device decodes
 * the server's Add, Replace, Delete, Get, Exec, Atomic and Sequence.
 *
 * Identifiers stay strings: SessionID may be hex (`D`) or decimal, CmdIDs may be UUIDs.
 */
import type { WindowsProtocolErrorCode } from '../errors.js';

/** SYNCML:SYNCML1.2 (MS-MDM §2.2.4.1); 1.1 is accepted on decode (older Windows samples use it). */
export const SYNCML_NS = 'SYNCML:SYNCML1.2';
export const SYNCML_NS_11 = 'SYNCML:SYNCML1.1';
/** Meta information elements (OMA-TS-SyncML_MetaInfo). */
export const METINF_NS = 'syncml:metinf';
/** Declared for `msft:originalerror` on Data once SyncApplicationVersion is 3.0 or higher (MS-MDM §2.2.5.1). */
export const MSFT_NS = 'http://schemas.microsoft.com/MobileDevice/MDM';

/** HTTP Content-Type of SyncML DM in XML (OMA-TS-DM_RepPro, MIME types); the w7 DEFAULTENCODING value. */
export const SYNCML_DM_CONTENT_TYPE = 'application/vnd.syncml.dm+xml';
export const SYNCML_DM_WBXML_CONTENT_TYPE = 'application/vnd.syncml.dm+wbxml';

export const SYNCML_VER_DTD = '1.2';
export const SYNCML_VER_PROTO = 'DM/1.2';

/** Meta information (MS-MDM §2.2.5.3; the client sends Format, Type, NextNonce and MaxMsgSize). */
export interface SyncMLMeta {
  /** chr, int, bool, b64, xml, node, null, … */
  format?: string;
  /** MIME type (text/plain) or an alert type such as com.microsoft/MDM/LoginStatus. */
  type?: string;
  mark?: string;
  size?: number;
  /** Base64 nonce of a challenge (Chal) for syncml:auth-md5. */
  nextNonce?: string;
  maxMsgSize?: number;
  maxObjSize?: number;
}

export interface SyncMLLocation {
  locUri: string;
  /** In the SyncHdr Source: the user name of an MD5 credential (OMA-TS-DM_RepPro, LocName). */
  locName?: string;
}

export interface SyncMLItem {
  target?: string;
  source?: string;
  meta?: SyncMLMeta;
  /**
   * The value exactly as carried: text with entities and CDATA resolved and no trimming, or, when
   * dataIsMarkup, the Data element's markup as written (MS-MDM §2.2.5.1 allows markup whose
   * elements declare their own namespaces).
   */
  data?: string;
  dataIsMarkup?: boolean;
  /** More chunks of a large object follow (OMA-TS-DM_Protocol, large object handling). */
  moreData?: boolean;
}

export type ItemCommandKind = 'Add' | 'Replace' | 'Delete' | 'Get' | 'Exec';

/** Add, Replace, Delete, Get, Exec: (CmdID, NoResp?, Meta?, Item+) (MS-MDM §2.2.7). */
export interface ItemCommand {
  kind: ItemCommandKind;
  cmdId: string;
  noResp?: boolean;
  meta?: SyncMLMeta;
  items: SyncMLItem[];
}

/** Alert (MS-MDM §2.2.7.2): the alert code in Data, items for 1224/1226. */
export interface AlertCommand {
  kind: 'Alert';
  cmdId: string;
  noResp?: boolean;
  code: number;
  items: SyncMLItem[];
}

/** Status (MS-MDM §2.2.6.1): the answer to one command of the message MsgRef. */
export interface StatusCommand {
  kind: 'Status';
  cmdId: string;
  msgRef: string;
  /** `0` for the SyncHdr. */
  cmdRef: string;
  /** The referenced command's name, or `SyncHdr`. */
  cmd: string;
  code: number;
  /** msft:originalerror: the HRESULT behind a failure (MS-MDM §2.2.5.1). */
  originalError?: string;
  targetRefs: string[];
  sourceRefs: string[];
  /** Chal/Meta: an authentication challenge (with NextNonce for syncml:auth-md5). */
  chal?: SyncMLMeta;
  items: SyncMLItem[];
}

/** Results (MS-MDM §2.2.7.8): what a Get read. */
export interface ResultsCommand {
  kind: 'Results';
  cmdId: string;
  /** Absent means "1" (MS-MDM §2.2.7.8). */
  msgRef?: string;
  cmdRef: string;
  cmd?: string;
  meta?: SyncMLMeta;
  targetRefs: string[];
  sourceRefs: string[];
  items: SyncMLItem[];
}

/** Atomic (all or nothing, MS-MDM §2.2.7.3) and Sequence (in order, OMA-TS-DM_RepPro). */
export interface ContainerCommand {
  kind: 'Atomic' | 'Sequence';
  cmdId: string;
  noResp?: boolean;
  meta?: SyncMLMeta;
  commands: SyncMLCommand[];
}

/**
 * A command that could not be read (unknown element, missing CmdID, missing Item, …). It stays in its
 * place so the receiver can answer it with Status 400 (or 406) and carry on with the others, as a
 * Windows client does (Microsoft's "OMA DM protocol support": a missing CmdID gets 400).
 */
export interface InvalidCommand {
  kind: 'Invalid';
  /** The element's local name. */
  name: string;
  cmdId?: string;
  code: WindowsProtocolErrorCode;
  reason: string;
}

export type SyncMLCommand = ItemCommand | AlertCommand | StatusCommand | ResultsCommand | ContainerCommand | InvalidCommand;
export type SyncMLCommandKind = SyncMLCommand['kind'];

export interface SyncMLCredential {
  meta: SyncMLMeta;
  data: string;
}

export interface SyncMLHeader {
  verDtd: string;
  verProto: string;
  sessionId: string;
  msgId: string;
  target: SyncMLLocation;
  source: SyncMLLocation;
  respUri?: string;
  noResp?: boolean;
  cred?: SyncMLCredential;
  meta?: SyncMLMeta;
}

export interface SyncMLMessage {
  header: SyncMLHeader;
  commands: SyncMLCommand[];
  /** Final present: the last message of the package (MS-MDM §2.2.3.4). */
  final: boolean;
  /** The namespace the message was written in; encoding defaults to SYNCML:SYNCML1.2. */
  namespace?: string;
}
