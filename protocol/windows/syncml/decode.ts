/**
 * Decoding SyncML DM 1.2 (OMA-TS-DM_RepPro, MS-MDM §2.2) into the model of types.ts.
 *
 * Strict where the session depends on it: SyncHdr's VerDTD, VerProto, SessionID, MsgID, Target and
 * Source are required (a missing one refuses the message), a Status needs MsgRef, CmdRef, Cmd and a
 * numeric Data. Lenient elsewhere: values are trimmed, elements may come in any order, Meta children
 * may sit in syncml:metinf, the SyncML namespace or none (each with its own xmlns, as Windows writes
 * them), and an unreadable command becomes an InvalidCommand in its place so the receiver answers
 * it with a Status and goes on (Microsoft's "OMA DM protocol support": 400 for a bad command).
 */
import { rawText, UNBOUND_PREFIX_NS, type XmlElement, type XmlLimits } from '../../xml/index.js';
import { invalid, missing, parseWindowsXml, WindowsProtocolError } from '../errors.js';
import type {
  ContainerCommand,
  ItemCommandKind,
  SyncMLCommand,
  SyncMLHeader,
  SyncMLItem,
  SyncMLLocation,
  SyncMLMessage,
  SyncMLMeta,
  StatusCommand,
} from './types.js';
import { METINF_NS, MSFT_NS } from './types.js';

export interface SyncMLLimits extends XmlLimits {
  /** Commands in a message, nested ones included. */
  maxCommands: number;
}

/** Data is always read with its markup kept, whatever limits the caller passes. */
const KEEP_DATA_MARKUP: ReadonlySet<string> = new Set(['Data']);

/**
 * Windows' MaxMsgSize is 64 KB by default and large objects are chunked below it; 512 KiB (Mattrax's
 * cap) leaves room for Results of big nodes and refuses anything larger before parsing.
 */
export const DEFAULT_SYNCML_LIMITS: SyncMLLimits = {
  maxBytes: 512 * 1024,
  maxDepth: 32,
  maxElements: 50_000,
  maxCommands: 2_000,
  keepMarkupOf: KEEP_DATA_MARKUP,
};

const SYNCML_NS_RE = /^syncml:syncml1\.[12]$/i;
const ITEM_COMMANDS: ReadonlySet<string> = new Set<ItemCommandKind>(['Add', 'Replace', 'Delete', 'Get', 'Exec']);
const COMMANDS: ReadonlySet<string> = new Set([...ITEM_COMMANDS, 'Alert', 'Status', 'Results', 'Atomic', 'Sequence']);
const MAX_CMD_ID = 128;
const MSFT_NAMESPACES = new Set([MSFT_NS, UNBOUND_PREFIX_NS + 'msft']);

interface Ctx {
  /** Namespace of the SyncML elements in this document. */
  ns: string;
  commands: number;
  maxCommands: number;
}

const isSyncML = (e: XmlElement, ctx: Ctx): boolean => e.ns === ctx.ns || e.ns === '';
const text = (e: XmlElement): string => rawText(e).trim();

function child(parent: XmlElement, local: string, ctx: Ctx): XmlElement | undefined {
  for (const c of parent.children) if (typeof c !== 'string' && c.local === local && isSyncML(c, ctx)) return c;
  return undefined;
}

function childText(parent: XmlElement, local: string, ctx: Ctx): string | undefined {
  const c = child(parent, local, ctx);
  return c === undefined ? undefined : text(c);
}

function requireText(parent: XmlElement, local: string, path: string, ctx: Ctx): string {
  const v = childText(parent, local, ctx);
  if (v === undefined || v === '') throw missing(`${path}/${local}`);
  return v;
}

function nonNegative(v: string, path: string): number {
  if (!/^\d{1,10}$/.test(v)) throw invalid(path, `${path} must be a non-negative integer, got "${v.slice(0, 40)}"`);
  return Number(v);
}

/** Meta children by local name in syncml:metinf, the SyncML namespace or none. */
function readMeta(meta: XmlElement, path: string, ctx: Ctx): SyncMLMeta {
  const out: SyncMLMeta = {};
  for (const c of meta.children) {
    if (typeof c === 'string' || (c.ns !== METINF_NS && !isSyncML(c, ctx))) continue;
    const v = text(c);
    switch (c.local) {
      case 'Format':
        out.format = v;
        break;
      case 'Type':
        out.type = v;
        break;
      case 'Mark':
        out.mark = v;
        break;
      case 'NextNonce':
        out.nextNonce = v;
        break;
      case 'Size':
        out.size = nonNegative(v, `${path}/Size`);
        break;
      case 'MaxMsgSize':
        out.maxMsgSize = nonNegative(v, `${path}/MaxMsgSize`);
        break;
      case 'MaxObjSize':
        out.maxObjSize = nonNegative(v, `${path}/MaxObjSize`);
        break;
      default:
        break; // EMI, FreeMem, Version, … carry nothing Windows management needs
    }
  }
  return out;
}

function optMeta(parent: XmlElement, path: string, ctx: Ctx): SyncMLMeta | undefined {
  const m = child(parent, 'Meta', ctx) ?? findAnyMeta(parent);
  return m ? readMeta(m, `${path}/Meta`, ctx) : undefined;
}

/** `<Meta xmlns="">` occurs in re-serialised captures: accept a Meta in no namespace too. */
function findAnyMeta(parent: XmlElement): XmlElement | undefined {
  for (const c of parent.children) if (typeof c !== 'string' && c.local === 'Meta' && (c.ns === '' || c.ns === METINF_NS)) return c;
  return undefined;
}

function readLocUri(parent: XmlElement, path: string, ctx: Ctx): string {
  const v = childText(parent, 'LocURI', ctx);
  if (v === undefined) throw missing(`${path}/LocURI`);
  return v;
}

function readLocation(parent: XmlElement, local: string, path: string, ctx: Ctx): SyncMLLocation {
  const e = child(parent, local, ctx);
  if (!e) throw missing(`${path}/${local}`);
  const loc: SyncMLLocation = { locUri: readLocUri(e, `${path}/${local}`, ctx) };
  const name = childText(e, 'LocName', ctx);
  if (name !== undefined) loc.locName = name;
  return loc;
}

function readItem(e: XmlElement, path: string, ctx: Ctx): SyncMLItem {
  const item: SyncMLItem = {};
  const target = child(e, 'Target', ctx);
  const source = child(e, 'Source', ctx);
  if (target) item.target = readLocUri(target, `${path}/Target`, ctx);
  if (source) item.source = readLocUri(source, `${path}/Source`, ctx);
  const meta = optMeta(e, path, ctx);
  if (meta) item.meta = meta;
  const data = child(e, 'Data', ctx);
  if (data) {
    if (data.markup !== undefined) {
      item.data = data.markup;
      item.dataIsMarkup = true;
    } else item.data = rawText(data);
  }
  if (child(e, 'MoreData', ctx)) item.moreData = true;
  return item;
}

function readItems(parent: XmlElement, path: string, ctx: Ctx): SyncMLItem[] {
  const out: SyncMLItem[] = [];
  for (const c of parent.children) {
    if (typeof c !== 'string' && c.local === 'Item' && isSyncML(c, ctx)) out.push(readItem(c, `${path}/Item[${out.length}]`, ctx));
  }
  return out;
}

function refs(parent: XmlElement, local: string, ctx: Ctx): string[] {
  const out: string[] = [];
  for (const c of parent.children) if (typeof c !== 'string' && c.local === local && isSyncML(c, ctx)) out.push(text(c));
  return out;
}

function readStatus(e: XmlElement, cmdId: string, path: string, ctx: Ctx): StatusCommand {
  const dataEl = child(e, 'Data', ctx);
  if (!dataEl) throw missing(`${path}/Data`);
  const code = text(dataEl);
  if (!/^\d{3}$/.test(code)) throw invalid(`${path}/Data`, `a Status code must be three digits, got "${code.slice(0, 40)}"`);
  const status: StatusCommand = {
    kind: 'Status',
    cmdId,
    msgRef: requireText(e, 'MsgRef', path, ctx),
    cmdRef: requireText(e, 'CmdRef', path, ctx),
    cmd: requireText(e, 'Cmd', path, ctx),
    code: Number(code),
    targetRefs: refs(e, 'TargetRef', ctx),
    sourceRefs: refs(e, 'SourceRef', ctx),
    items: readItems(e, path, ctx),
  };
  for (const a of dataEl.attrs) if (a.local === 'originalerror' && MSFT_NAMESPACES.has(a.ns)) status.originalError = a.value.trim();
  const chal = child(e, 'Chal', ctx);
  if (chal) status.chal = optMeta(chal, `${path}/Chal`, ctx) ?? {};
  return status;
}

function readCommand(e: XmlElement, path: string, ctx: Ctx): SyncMLCommand {
  if (++ctx.commands > ctx.maxCommands) {
    throw new WindowsProtocolError('tooManyCommands', `the message holds more than ${ctx.maxCommands} commands`, { element: path });
  }
  const name = e.local;
  const cmdIdText = isSyncML(e, ctx) ? childText(e, 'CmdID', ctx) : undefined;
  // An over-long CmdID is not echoed back: the command is answered with an empty CmdRef.
  const cmdId = cmdIdText === '' || (cmdIdText !== undefined && cmdIdText.length > MAX_CMD_ID) ? undefined : cmdIdText;
  try {
    if (!isSyncML(e, ctx) || !COMMANDS.has(name)) {
      throw new WindowsProtocolError('unknownCommand', `<${name}> is not a SyncML DM command`, { element: path });
    }
    if (cmdIdText !== undefined && cmdIdText.length > MAX_CMD_ID) throw invalid(`${path}/CmdID`, `CmdID is longer than ${MAX_CMD_ID} characters`);
    if (cmdId === undefined) throw missing(`${path}/CmdID`);
    const noResp = child(e, 'NoResp', ctx) !== undefined;
    const withNoResp = <T extends object>(c: T): T => (noResp ? { ...c, noResp: true } : c);
    if (ITEM_COMMANDS.has(name)) {
      const items = readItems(e, path, ctx);
      if (items.length === 0) throw missing(`${path}/Item`, `<${name}> needs at least one Item`);
      const meta = optMeta(e, path, ctx);
      return withNoResp({ kind: name as ItemCommandKind, cmdId, ...(meta ? { meta } : {}), items });
    }
    switch (name) {
      case 'Alert': {
        const code = requireText(e, 'Data', path, ctx);
        return withNoResp({ kind: 'Alert' as const, cmdId, code: nonNegative(code, `${path}/Data`), items: readItems(e, path, ctx) });
      }
      case 'Status':
        return readStatus(e, cmdId, path, ctx);
      case 'Results': {
        const meta = optMeta(e, path, ctx);
        const msgRef = childText(e, 'MsgRef', ctx);
        const cmd = childText(e, 'Cmd', ctx);
        return {
          kind: 'Results',
          cmdId,
          ...(msgRef ? { msgRef } : {}),
          cmdRef: childText(e, 'CmdRef', ctx) || '1', // MS-MDM §2.2.7.8: absent means 1
          ...(cmd ? { cmd } : {}),
          ...(meta ? { meta } : {}),
          targetRefs: refs(e, 'TargetRef', ctx),
          sourceRefs: refs(e, 'SourceRef', ctx),
          items: readItems(e, path, ctx),
        };
      }
      default: {
        const container: ContainerCommand = { kind: name as 'Atomic' | 'Sequence', cmdId, commands: [] };
        const meta = optMeta(e, path, ctx);
        if (meta) container.meta = meta;
        for (const c of e.children) {
          if (typeof c === 'string' || ((c.local === 'CmdID' || c.local === 'Meta' || c.local === 'NoResp') && isSyncML(c, ctx))) continue;
          container.commands.push(readCommand(c, `${path}/${c.local}`, ctx));
        }
        if (container.commands.length === 0) throw missing(path, `<${name}> holds no command`);
        return withNoResp(container);
      }
    }
  } catch (err) {
    if (!(err instanceof WindowsProtocolError) || err.code === 'tooManyCommands') throw err;
    return { kind: 'Invalid', name, ...(cmdId !== undefined ? { cmdId } : {}), code: err.code, reason: err.message };
  }
}

function readHeader(hdr: XmlElement, ctx: Ctx): SyncMLHeader {
  const p = 'SyncHdr';
  const sessionId = requireText(hdr, 'SessionID', p, ctx);
  // MS-MDM §2.2.3.8: an opaque string of at most 4 bytes (8 hex digits, 10 decimal ones).
  if (sessionId.length > 32 || /\s/.test(sessionId)) throw invalid(`${p}/SessionID`, 'SessionID must be a short token without spaces');
  const msgId = requireText(hdr, 'MsgID', p, ctx);
  if (!/^\d{1,10}$/.test(msgId)) throw invalid(`${p}/MsgID`, `MsgID must be a positive integer, got "${msgId.slice(0, 40)}"`);
  const header: SyncMLHeader = {
    verDtd: requireText(hdr, 'VerDTD', p, ctx),
    verProto: requireText(hdr, 'VerProto', p, ctx),
    sessionId,
    msgId,
    target: readLocation(hdr, 'Target', p, ctx),
    source: readLocation(hdr, 'Source', p, ctx),
  };
  const respUri = childText(hdr, 'RespURI', ctx);
  if (respUri) header.respUri = respUri;
  if (child(hdr, 'NoResp', ctx)) header.noResp = true;
  const cred = child(hdr, 'Cred', ctx);
  // A Cred without Data reads as an empty credential: it fails verification and the server answers
  // 401 with a new challenge, in SyncML, rather than refusing the whole message.
  if (cred) header.cred = { meta: optMeta(cred, `${p}/Cred`, ctx) ?? {}, data: childText(cred, 'Data', ctx) ?? '' };
  const meta = optMeta(hdr, p, ctx);
  if (meta) header.meta = meta;
  return header;
}

/** Decodes a whole SyncML message. Throws WindowsProtocolError for the XML and the header. */
export function decodeSyncML(input: Buffer | string, limits: SyncMLLimits = DEFAULT_SYNCML_LIMITS): SyncMLMessage {
  const root = parseWindowsXml(input, limits.keepMarkupOf === KEEP_DATA_MARKUP ? limits : { ...limits, keepMarkupOf: KEEP_DATA_MARKUP });
  if (root.local !== 'SyncML' || (root.ns !== '' && !SYNCML_NS_RE.test(root.ns))) {
    throw new WindowsProtocolError('wrongRoot', `expected <SyncML xmlns="SYNCML:SYNCML1.2">, got <${root.local}> in namespace "${root.ns}"`, { element: root.local });
  }
  const ctx: Ctx = { ns: root.ns, commands: 0, maxCommands: limits.maxCommands };
  const hdr = child(root, 'SyncHdr', ctx);
  const body = child(root, 'SyncBody', ctx);
  if (!hdr) throw missing('SyncHdr');
  if (!body) throw missing('SyncBody');
  const header = readHeader(hdr, ctx);
  const commands: SyncMLCommand[] = [];
  let final = false;
  for (const c of body.children) {
    if (typeof c === 'string') continue;
    if (c.local === 'Final' && isSyncML(c, ctx)) final = true;
    else commands.push(readCommand(c, `SyncBody/${c.local}`, ctx));
  }
  const message: SyncMLMessage = { header, commands, final };
  if (root.ns !== '') message.namespace = root.ns;
  return message;
}

/**
 * Decodes one command written on its own (a profile's SyncML, or Microsoft's documentation
 * fragments), in the SyncML namespace or none. An unreadable command is an InvalidCommand.
 */
export function decodeSyncMLCommand(input: Buffer | string, limits: SyncMLLimits = DEFAULT_SYNCML_LIMITS): SyncMLCommand {
  const root = parseWindowsXml(input, { ...limits, keepMarkupOf: KEEP_DATA_MARKUP });
  const ctx: Ctx = { ns: SYNCML_NS_RE.test(root.ns) ? root.ns : '', commands: 0, maxCommands: limits.maxCommands };
  return readCommand(root, root.local, ctx);
}
