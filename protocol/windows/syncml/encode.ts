/**
 * Encoding SyncML DM 1.2: compact XML in the element order of the SyncML RepPro DTD 1.2
 * (OMA-SUP-DTD_SyncML_RepPro) with MS-MDM's additions (Cmd in Results, msft:originalerror on Data),
 * `xmlns="syncml:metinf"` on every Meta child as Windows writes it. Text is escaped (a CR as `&#13;`
 * so it survives XML line-end normalisation); markup Data is written as is after a well-formedness
 * check. Written by hand rather than with el(): this is the server's per-session hot path.
 */
import { escapeText, parseXml, XmlError } from '../../xml/index.js';
import { encoding, invalid } from '../errors.js';
import type { SyncMLCommand, SyncMLHeader, SyncMLItem, SyncMLLocation, SyncMLMessage, SyncMLMeta } from './types.js';
import { METINF_NS, MSFT_NS, SYNCML_NS } from './types.js';

interface Out {
  usesMsft: boolean;
}

function esc(s: string): string {
  const e = escapeText(s);
  return e.includes('\r') ? e.replace(/\r/g, '&#13;') : e;
}

const tag = (name: string, value: string): string => `<${name}>${esc(value)}</${name}>`;
const metinf = (name: string, value: string | number | undefined): string =>
  value === undefined ? '' : `<${name} xmlns="${METINF_NS}">${esc(String(value))}</${name}>`;

function meta(m: SyncMLMeta | undefined): string {
  if (!m) return '';
  const inner =
    metinf('Type', m.type) +
    metinf('Format', m.format) +
    metinf('Mark', m.mark) +
    metinf('Size', m.size) +
    metinf('NextNonce', m.nextNonce) +
    metinf('MaxMsgSize', m.maxMsgSize) +
    metinf('MaxObjSize', m.maxObjSize);
  return inner === '' ? '' : `<Meta>${inner}</Meta>`;
}

const MARKUP_CHECK = { maxBytes: 1024 * 1024, maxDepth: 64, maxElements: 100_000 };

function markupData(markup: string, path: string): string {
  try {
    parseXml(`<Data>${markup}</Data>`, MARKUP_CHECK);
  } catch (err) {
    throw invalid(`${path}/Data`, `markup Data is not well-formed XML: ${err instanceof XmlError ? err.message : String(err)}`);
  }
  return `<Data>${markup}</Data>`;
}

function item(i: SyncMLItem, path: string): string {
  let s = '<Item>';
  if (i.target !== undefined) s += `<Target>${tag('LocURI', i.target)}</Target>`;
  if (i.source !== undefined) s += `<Source>${tag('LocURI', i.source)}</Source>`;
  s += meta(i.meta);
  if (i.data !== undefined) s += i.dataIsMarkup ? markupData(i.data, path) : tag('Data', i.data);
  if (i.moreData) s += '<MoreData/>';
  return s + '</Item>';
}

const items = (list: readonly SyncMLItem[], path: string): string => list.map((i, n) => item(i, `${path}/Item[${n}]`)).join('');
const refList = (name: string, list: readonly string[]): string => list.map((r) => tag(name, r)).join('');

function location(name: string, l: SyncMLLocation): string {
  return `<${name}>${tag('LocURI', l.locUri)}${l.locName !== undefined ? tag('LocName', l.locName) : ''}</${name}>`;
}

function cmdIdOf(cmd: { cmdId: string }, path: string): string {
  if (cmd.cmdId === '') throw invalid(`${path}/CmdID`, 'CmdID must not be empty');
  return tag('CmdID', cmd.cmdId);
}

function code(value: number, path: string, min: number, max: number): string {
  if (!Number.isInteger(value) || value < min || value > max) throw invalid(path, `${path} must be an integer from ${min} to ${max}, got ${value}`);
  return String(value);
}

function command(cmd: SyncMLCommand, path: string, out: Out): string {
  const p = `${path}/${cmd.kind}`;
  switch (cmd.kind) {
    case 'Status': {
      let data = `<Data>${code(cmd.code, `${p}/Data`, 100, 599)}</Data>`;
      if (cmd.originalError !== undefined) {
        out.usesMsft = true;
        data = `<Data msft:originalerror="${esc(cmd.originalError).replace(/"/g, '&quot;')}">${cmd.code}</Data>`;
      }
      return (
        `<Status>${cmdIdOf(cmd, p)}${tag('MsgRef', cmd.msgRef)}${tag('CmdRef', cmd.cmdRef)}${tag('Cmd', cmd.cmd)}` +
        refList('TargetRef', cmd.targetRefs) +
        refList('SourceRef', cmd.sourceRefs) +
        (cmd.chal ? `<Chal>${meta(cmd.chal)}</Chal>` : '') +
        data +
        items(cmd.items, p) +
        '</Status>'
      );
    }
    case 'Results':
      return (
        `<Results>${cmdIdOf(cmd, p)}${cmd.msgRef !== undefined ? tag('MsgRef', cmd.msgRef) : ''}${tag('CmdRef', cmd.cmdRef)}` +
        (cmd.cmd !== undefined ? tag('Cmd', cmd.cmd) : '') +
        meta(cmd.meta) +
        refList('TargetRef', cmd.targetRefs) +
        refList('SourceRef', cmd.sourceRefs) +
        items(cmd.items, p) +
        '</Results>'
      );
    case 'Alert':
      return `<Alert>${cmdIdOf(cmd, p)}${cmd.noResp ? '<NoResp/>' : ''}<Data>${code(cmd.code, `${p}/Data`, 0, 9999)}</Data>${items(cmd.items, p)}</Alert>`;
    case 'Atomic':
    case 'Sequence': {
      if (cmd.commands.length === 0) throw invalid(p, `<${cmd.kind}> needs at least one command`);
      const inner = cmd.commands.map((c) => command(c, p, out)).join('');
      return `<${cmd.kind}>${cmdIdOf(cmd, p)}${cmd.noResp ? '<NoResp/>' : ''}${meta(cmd.meta)}${inner}</${cmd.kind}>`;
    }
    case 'Invalid':
      throw invalid(p, `an unreadable <${cmd.name}> cannot be encoded`);
    default: {
      if (cmd.items.length === 0) throw invalid(`${p}/Item`, `<${cmd.kind}> needs at least one Item`);
      return `<${cmd.kind}>${cmdIdOf(cmd, p)}${cmd.noResp ? '<NoResp/>' : ''}${meta(cmd.meta)}${items(cmd.items, p)}</${cmd.kind}>`;
    }
  }
}

function header(h: SyncMLHeader): string {
  if (h.sessionId === '' || h.msgId === '') throw invalid('SyncHdr', 'SessionID and MsgID must not be empty');
  return (
    '<SyncHdr>' +
    tag('VerDTD', h.verDtd) +
    tag('VerProto', h.verProto) +
    tag('SessionID', h.sessionId) +
    tag('MsgID', h.msgId) +
    location('Target', h.target) +
    location('Source', h.source) +
    (h.respUri !== undefined ? tag('RespURI', h.respUri) : '') +
    (h.noResp ? '<NoResp/>' : '') +
    (h.cred ? `<Cred>${meta(h.cred.meta)}${tag('Data', h.cred.data)}</Cred>` : '') +
    meta(h.meta) +
    '</SyncHdr>'
  );
}

/** A whole message; no XML declaration unless asked (Windows sends none). */
export function encodeSyncML(msg: SyncMLMessage, options: { declaration?: boolean } = {}): string {
  return encoding('SyncML message', () => {
    const out: Out = { usesMsft: false };
    const hdr = header(msg.header);
    const body = msg.commands.map((c) => command(c, 'SyncBody', out)).join('');
    const ns = msg.namespace ?? SYNCML_NS;
    const xml =
      `<SyncML xmlns="${ns}">${hdr}<SyncBody${out.usesMsft ? ` xmlns:msft="${MSFT_NS}"` : ''}>` +
      body +
      (msg.final ? '<Final/>' : '') +
      '</SyncBody></SyncML>';
    return options.declaration ? `<?xml version="1.0" encoding="UTF-8"?>${xml}` : xml;
  });
}

/** One command on its own in the SyncML namespace (a fragment, e.g. for a command history). */
export function encodeSyncMLCommand(cmd: SyncMLCommand): string {
  return encoding('SyncML command', () => {
    const out: Out = { usesMsft: false };
    const xml = command(cmd, '', out);
    const decl = ` xmlns="${SYNCML_NS}"${out.usesMsft ? ` xmlns:msft="${MSFT_NS}"` : ''}`;
    return xml.replace(/^<(\w+)/, `<$1${decl}`);
  });
}
