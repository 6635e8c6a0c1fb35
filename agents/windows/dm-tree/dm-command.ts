/**
 * What the simulated device's DM tree executes and what it answers, in the engine's own small types
 * (the SyncML codec in protocol/windows/syncml maps its messages onto these). Command names and
 * semantics: OMA-TS-DM_Protocol-V1_2 and Microsoft's "OMA DM protocol support" page (commands
 * the Windows client supports: Add, Atomic, Delete, Exec, Get, Replace, Sequence).
 */

export type DmItemCommandKind = 'Add' | 'Replace' | 'Delete' | 'Get' | 'Exec';
export type DmGroupCommandKind = 'Atomic' | 'Sequence';

/** One Item of a command: its Target LocURI, Meta Format / Type and Data as received. */
export interface DmItem {
  target?: string;
  /** Meta/Format; `chr` when absent (OMA SyncML Meta Information, Format). */
  format?: string;
  /** Meta/Type (MIME type), kept for the record; the tree does not check it. */
  type?: string;
  data?: string;
}

export interface DmItemCommand {
  kind: DmItemCommandKind;
  /** Missing CmdID: Windows answers 400 with a blank CmdRef ("OMA DM protocol support"). */
  cmdId?: string;
  items: readonly DmItem[];
}

export interface DmGroupCommand {
  kind: DmGroupCommandKind;
  cmdId?: string;
  commands: readonly DmCommand[];
}

/**
 * A command the Windows client does not execute: Copy (an OMA DM 1.2 command Windows does not list:
 * 406, optional feature not supported) or any other element found among the commands (400, "If an
 * XML element that isn't a valid OMA DM command is under SyncBody, Atomic or Sequence").
 */
export interface DmOtherCommand {
  kind: 'Copy' | 'Unknown';
  /** The element name, for the status reason. */
  name?: string;
  cmdId?: string;
}

export type DmCommand = DmItemCommand | DmGroupCommand | DmOtherCommand;

/** SyncML status codes the tree answers (OMA-TS-SyncML-RepPro §10, as listed by Microsoft's "OMA DM protocol support"). */
export const DmStatus = {
  ok: 200,
  accepted: 202,
  atomicRollbackOk: 216,
  badRequest: 400,
  notFound: 404,
  commandNotAllowed: 405,
  optionalFeatureNotSupported: 406,
  requestEntityTooLarge: 413,
  uriTooLong: 414,
  unsupportedMediaTypeOrFormat: 415,
  alreadyExists: 418,
  deviceFull: 420,
  commandFailed: 500,
  atomicFailed: 507,
  atomicRollbackFailed: 516,
} as const;

export const isSuccess = (code: number): boolean => code >= 200 && code < 300;

/** A Get result: one Results Item (Source LocURI, Meta Format and Type, Data). */
export interface DmResult {
  /** The LocURI exactly as the Get named it. */
  source: string;
  format: string;
  type?: string;
  data: string;
}

export interface DmItemStatus {
  /** The Item's Target LocURI as received ('' when missing). */
  target: string;
  code: number;
  /** Why, in words, for logs and tests; never sent on the wire as is. */
  reason?: string;
}

/**
 * The answer to one command. `code` is the command's Status: the items' common code, or the first
 * failing item's code when they differ (each item's own code is in `items`, for a codec that sends
 * one Status per item with TargetRef). Atomic and Sequence carry their commands' answers in `children`.
 */
export interface DmCommandStatus {
  cmdId: string | undefined;
  cmd: DmCommand['kind'];
  code: number;
  reason?: string;
  items: DmItemStatus[];
  results: DmResult[];
  children?: DmCommandStatus[];
}
