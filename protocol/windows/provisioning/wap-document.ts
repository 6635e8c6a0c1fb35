/**
 * The wap-provisioningdoc (OMA Client Provisioning, OMA-WAP-ProvCont; Microsoft's "OMA Client
 * Provisioning files" and MS-MDE2's provisioning document schema): a tree of `characteristic`
 * elements (a `type` each) holding `parm` elements (a `name`, an optional `value` and `datatype`).
 * Characteristic types and parm names are case-sensitive (w7 APPLICATION CSP: upper case); they are
 * kept exactly as written.
 *
 * Order is kept: parms and characteristics interleave in real documents (DMClient's EntDeviceName
 * after its Poll characteristic), and a document is applied in order.
 */
import { attr, el, XML_DECLARATION, type XmlElement, type XmlLimits, type XmlMarkup } from '../../xml/index.js';
import { encoding, invalid, missing, parseWindowsXml, WindowsProtocolError } from '../errors.js';

export interface WapParm {
  kind: 'parm';
  name: string;
  /** Absent for flag parms such as BACKCOMPATRETRYDISABLED. */
  value?: string;
  /** `integer`, `boolean`, `string` where the CSP wants it explicit (DMClient Poll, WSTEP Renew). */
  datatype?: string;
}

export interface WapCharacteristic {
  kind: 'characteristic';
  type: string;
  children: WapNode[];
}

export type WapNode = WapParm | WapCharacteristic;

export interface WapProvisioningDoc {
  version: string;
  characteristics: WapCharacteristic[];
}

/** A provisioning document is a few kilobytes (two certificates and the DM account). */
export const DEFAULT_WAP_LIMITS: XmlLimits = { maxBytes: 128 * 1024, maxDepth: 16, maxElements: 2000 };

export const parm = (name: string, value?: string | number | boolean, datatype?: string): WapParm => {
  const p: WapParm = { kind: 'parm', name };
  if (value !== undefined) p.value = String(value);
  if (datatype !== undefined) p.datatype = datatype;
  return p;
};

export const characteristic = (type: string, ...children: (WapNode | false | undefined)[]): WapCharacteristic => ({
  kind: 'characteristic',
  type,
  children: children.filter((c): c is WapNode => c !== undefined && c !== false),
});

function readCharacteristic(e: XmlElement, path: string): WapCharacteristic {
  const type = attr(e, 'type');
  if (type === undefined) throw missing(`${path}/@type`, `a <characteristic> at ${path} has no type`);
  const here = `${path}/${type}`;
  const out: WapCharacteristic = { kind: 'characteristic', type, children: [] };
  for (const c of e.children) {
    if (typeof c === 'string') continue;
    if (c.local === 'characteristic') out.children.push(readCharacteristic(c, here));
    else if (c.local === 'parm') {
      const name = attr(c, 'name');
      if (name === undefined) throw missing(`${here}/parm/@name`, `a <parm> in ${here} has no name`);
      out.children.push(parm(name, attr(c, 'value'), attr(c, 'datatype')));
    } else throw unsupported(c, here);
  }
  return out;
}

function unsupported(e: XmlElement, path: string): WindowsProtocolError {
  // characteristic-query, parm-query, nocharacteristic and noparm ask for reads or deletions; a
  // document carrying them is not an enrollment document and is refused rather than half-applied.
  return invalid(`${path}/${e.local}`, `<${e.local}> in ${path || 'the document'} is not supported in a provisioning document`);
}

export function decodeProvisioningDoc(input: Buffer | string, limits: XmlLimits = DEFAULT_WAP_LIMITS): WapProvisioningDoc {
  const root = parseWindowsXml(input, limits);
  if (root.local !== 'wap-provisioningdoc') {
    throw new WindowsProtocolError('wrongRoot', `expected <wap-provisioningdoc>, got <${root.local}>`, { element: root.local });
  }
  const doc: WapProvisioningDoc = { version: attr(root, 'version') ?? '1.1', characteristics: [] };
  for (const c of root.children) {
    if (typeof c === 'string') continue;
    if (c.local !== 'characteristic') throw unsupported(c, '');
    doc.characteristics.push(readCharacteristic(c, ''));
  }
  return doc;
}

function encodeNode(n: WapNode): XmlMarkup {
  if (n.kind === 'parm') return el('parm', { name: n.name, value: n.value, datatype: n.datatype });
  return el('characteristic', { type: n.type }, n.children.map(encodeNode));
}

/** The document as Windows expects it: UTF-8, with an XML declaration unless told otherwise. */
export function encodeProvisioningDoc(doc: WapProvisioningDoc, options: { declaration?: boolean } = {}): string {
  return encoding('wap-provisioningdoc', () => {
    const body = el('wap-provisioningdoc', { version: doc.version }, doc.characteristics.map(encodeNode)).xml;
    return options.declaration === false ? body : XML_DECLARATION + body;
  });
}

/** Child characteristics of `type` (exact, case-sensitive match). */
export function characteristicsOf(parent: WapCharacteristic | WapProvisioningDoc, type: string): WapCharacteristic[] {
  const nodes: WapNode[] = 'kind' in parent ? parent.children : parent.characteristics;
  return nodes.filter((n): n is WapCharacteristic => n.kind === 'characteristic' && n.type === type);
}

/**
 * Every characteristic reached by following `types` from the document, across repeated ones:
 * Microsoft's sample opens `CertificateStore` twice (once for Root, once for My).
 */
export function characteristicsAt(doc: WapProvisioningDoc, types: readonly string[]): WapCharacteristic[] {
  let level: WapCharacteristic[] = [];
  types.forEach((t, i) => {
    level = i === 0 ? characteristicsOf(doc, t) : level.flatMap((c) => characteristicsOf(c, t));
  });
  return level;
}

export function parmsOf(c: WapCharacteristic): WapParm[] {
  return c.children.filter((n): n is WapParm => n.kind === 'parm');
}

/** The first parm named `name` (exact, case-sensitive), if any. */
export function parmOf(c: WapCharacteristic, name: string): WapParm | undefined {
  return parmsOf(c).find((p) => p.name === name);
}
