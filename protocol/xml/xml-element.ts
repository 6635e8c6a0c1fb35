import { XmlError } from './xml-error.js';

/**
 * A parsed XML element with its namespace resolved (Namespaces in XML 1.0 §6): codecs match on
 * (namespace URI, local name) and never on the prefix a sender happened to choose, so
 * `<s:Envelope>`, `<soap:Envelope>` and `<Envelope xmlns="…">` read the same.
 */
export interface XmlElement {
  /** Namespace URI; '' for no namespace. */
  ns: string;
  local: string;
  /** As written; for diagnostics only. */
  prefix: string;
  attrs: XmlAttribute[];
  /** Elements and text (CDATA included) in document order. */
  children: XmlNode[];
  /**
   * The element's content exactly as written in the source, when the parser was asked to keep it
   * (XmlLimits.keepMarkupOf) and the content holds child elements: SyncML Data may carry markup that
   * a configuration service provider reads as a document of its own (MS-MDM §2.2.5.1).
   */
  markup?: string;
}

export interface XmlAttribute {
  /** '' for an unprefixed attribute (attributes do not take the default namespace). */
  ns: string;
  local: string;
  value: string;
}

export type XmlNode = XmlElement | string;

export const isElement = (n: XmlNode | undefined): n is XmlElement => typeof n === 'object' && n !== null;

/** Child elements, optionally only those with this local name (and namespace, when given). */
export function childElements(el: XmlElement, local?: string, ns?: string): XmlElement[] {
  const out: XmlElement[] = [];
  for (const c of el.children) {
    if (typeof c === 'string') continue;
    if (local !== undefined && c.local !== local) continue;
    if (ns !== undefined && c.ns !== ns) continue;
    out.push(c);
  }
  return out;
}

/** The first child element with this local name (and namespace, when given). */
export function child(el: XmlElement, local: string, ns?: string): XmlElement | undefined {
  for (const c of el.children) {
    if (typeof c !== 'string' && c.local === local && (ns === undefined || c.ns === ns)) return c;
  }
  return undefined;
}

/** Like child(), but a missing element is a codec error naming it. */
export function requireChild(el: XmlElement, local: string, ns?: string): XmlElement {
  const c = child(el, local, ns);
  if (!c) throw new XmlError('malformed', `<${el.local}> has no <${local}>`);
  return c;
}

/** The element's own text (text and CDATA children concatenated), exactly as sent. */
export function rawText(el: XmlElement): string {
  let s = '';
  for (const c of el.children) if (typeof c === 'string') s += c;
  return s;
}

/**
 * The element's text with surrounding whitespace removed: real clients pretty-print and wrap values
 * in line breaks and indentation, which is never part of a value in these protocols.
 */
export function text(el: XmlElement | undefined): string | undefined {
  return el === undefined ? undefined : rawText(el).trim();
}

/** Trimmed text of a child element, or undefined when the child is absent. */
export function childText(el: XmlElement, local: string, ns?: string): string | undefined {
  return text(child(el, local, ns));
}

/** An attribute's value by local name (and namespace; '' = unprefixed). */
export function attr(el: XmlElement, local: string, ns = ''): string | undefined {
  for (const a of el.attrs) if (a.local === local && a.ns === ns) return a.value;
  return undefined;
}

/** Depth-first search for the first descendant with this local name (and namespace). */
export function descendant(el: XmlElement, local: string, ns?: string): XmlElement | undefined {
  for (const c of el.children) {
    if (typeof c === 'string') continue;
    if (c.local === local && (ns === undefined || c.ns === ns)) return c;
    const d = descendant(c, local, ns);
    if (d) return d;
  }
  return undefined;
}
