/**
 * Reading SOAP messages leniently where real senders differ and strictly where it matters.
 *
 * Elements are matched by namespace URI and local name, never by prefix. Both compare without
 * regard to case, and a namespace's trailing `/` is ignored: Microsoft's published samples
 * lower-case every name of a fault (MS-MDE2 §2.2.10: `s:envelope`, `a:relatesto`) and add a `/` to
 * the discovery namespace (on-premises authentication sample), and a client built from them must
 * still be understood. Values are trimmed: pretty-printed samples wrap them in line breaks.
 */
import { attr as exactAttr, rawText, type XmlElement } from '../../xml/index.js';
import { invalid, missing } from '../errors.js';
import { NS } from './namespaces.js';

const normNs = (ns: string): string => (ns.endsWith('/') ? ns.slice(0, -1) : ns).toLowerCase();

/** True when the element's namespace is one of `ns` (any namespace when `ns` is undefined). */
export function inNamespace(el: XmlElement, ns: string | readonly string[] | undefined): boolean {
  if (ns === undefined) return true;
  const mine = normNs(el.ns);
  return typeof ns === 'string' ? mine === normNs(ns) : ns.some((n) => mine === normNs(n));
}

export function isNamed(el: XmlElement, local: string, ns?: string | readonly string[]): boolean {
  return el.local.toLowerCase() === local.toLowerCase() && inNamespace(el, ns);
}

/** First child element named `local` in `ns` (any namespace when omitted). */
export function soapChild(parent: XmlElement, local: string, ns?: string | readonly string[]): XmlElement | undefined {
  for (const c of parent.children) if (typeof c !== 'string' && isNamed(c, local, ns)) return c;
  return undefined;
}

export function soapChildren(parent: XmlElement, local: string, ns?: string | readonly string[]): XmlElement[] {
  const out: XmlElement[] = [];
  for (const c of parent.children) if (typeof c !== 'string' && isNamed(c, local, ns)) out.push(c);
  return out;
}

/** The first child element, whatever its name (a SOAP Body's payload). */
export function firstElement(parent: XmlElement): XmlElement | undefined {
  for (const c of parent.children) if (typeof c !== 'string') return c;
  return undefined;
}

export function requireSoapChild(parent: XmlElement, local: string, path: string, ns?: string | readonly string[]): XmlElement {
  const c = soapChild(parent, local, ns);
  if (!c) throw missing(path);
  return c;
}

/** xsi:nil="true" (XML Schema Part 1 §2.6.2): the element stands for "no value". */
export function isNil(el: XmlElement): boolean {
  const v = exactAttr(el, 'nil', NS.xsi);
  return v !== undefined && (v.trim() === 'true' || v.trim() === '1');
}

/** Trimmed text, or undefined for an absent or nil element. */
export function valueOf(el: XmlElement | undefined): string | undefined {
  if (!el || isNil(el)) return undefined;
  return rawText(el).trim();
}

export function childValue(parent: XmlElement, local: string, ns?: string | readonly string[]): string | undefined {
  return valueOf(soapChild(parent, local, ns));
}

export function requireValue(parent: XmlElement, local: string, path: string, ns?: string | readonly string[]): string {
  const v = valueOf(soapChild(parent, local, ns));
  if (v === undefined) throw missing(path);
  return v;
}

/** An attribute by local name, qualified or not (`wsse:Type` and `Type` both occur), case-insensitive. */
export function soapAttr(el: XmlElement, local: string): string | undefined {
  const want = local.toLowerCase();
  for (const a of el.attrs) if (a.local.toLowerCase() === want) return a.value.trim();
  return undefined;
}

/** xsd:unsignedInt-like value; `what` names the element in the error. */
export function readUnsigned(value: string | undefined, path: string): number | undefined {
  if (value === undefined || value === '') return undefined;
  if (!/^\d{1,10}$/.test(value) || Number(value) > 0xffffffff) throw invalid(path, `${path} must be an unsigned integer, got "${value.slice(0, 40)}"`);
  return Number(value);
}

/** xsd:boolean (XML Schema Part 2 §3.2.2: true, false, 1, 0), case-insensitive as Windows writes `True`. */
export function readBoolean(value: string | undefined, path: string): boolean | undefined {
  if (value === undefined || value === '') return undefined;
  const v = value.toLowerCase();
  if (v === 'true' || v === '1') return true;
  if (v === 'false' || v === '0') return false;
  throw invalid(path, `${path} must be true or false, got "${value.slice(0, 40)}"`);
}

/**
 * Strict base64 (RFC 4648 §4) after removing the line breaks and indentation senders wrap long
 * values in; anything else is refused rather than decoded leniently as Buffer.from would.
 */
export function decodeBase64(value: string, path: string): Buffer {
  const compact = value.replace(/[\s]+/g, '');
  if (compact.length === 0 || compact.length % 4 !== 0 || !/^[A-Za-z0-9+/]+={0,2}$/.test(compact)) {
    throw invalid(path, `${path} is not base64`);
  }
  return Buffer.from(compact, 'base64');
}
