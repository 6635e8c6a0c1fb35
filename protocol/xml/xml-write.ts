import { XmlError } from './xml-error.js';

/**
 * Building XML by hand, safely: text and attribute values are escaped on the way in, and markup
 * built here is the only thing inserted unescaped. A string the document cannot carry (XML 1.0 §2.2
 * Char: no NUL or other C0 controls but tab, LF and CR, no U+FFFE/U+FFFF, no lone surrogates) is
 * the server's own error, refused here rather than sent to a device that would reject it.
 */
export class XmlMarkup {
  constructor(readonly xml: string) {}
  toString(): string {
    return this.xml;
  }
}

export type XmlChild = XmlMarkup | string | number | boolean | undefined | null | false | readonly XmlChild[];

// eslint-disable-next-line no-control-regex
const NOT_XML_CHAR = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** True when `s` holds only characters an XML 1.0 document can carry. */
export function isXmlSafe(s: string): boolean {
  return !NOT_XML_CHAR.test(s);
}

function checked(s: string): string {
  if (NOT_XML_CHAR.test(s)) throw new XmlError('invalidCharacter', 'a value holds a character XML 1.0 cannot carry');
  return s;
}

export function escapeText(s: string): string {
  return checked(s).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

export function escapeAttribute(s: string): string {
  return checked(s)
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/"/g, '&quot;')
    .replace(/\r/g, '&#13;')
    .replace(/\n/g, '&#10;')
    .replace(/\t/g, '&#9;');
}

function append(out: string[], c: XmlChild): void {
  if (c === undefined || c === null || c === false) return;
  if (c instanceof XmlMarkup) out.push(c.xml);
  else if (Array.isArray(c)) for (const x of c as readonly XmlChild[]) append(out, x);
  else out.push(escapeText(String(c)));
}

/**
 * `<name attr="…">children</name>`; attributes whose value is undefined are left out; an element
 * without children is written as `<name/>`.
 */
export function el(name: string, attrs?: Record<string, string | number | undefined> | null, ...children: XmlChild[]): XmlMarkup {
  let open = '<' + name;
  if (attrs) for (const [k, v] of Object.entries(attrs)) if (v !== undefined) open += ` ${k}="${escapeAttribute(String(v))}"`;
  const inner: string[] = [];
  for (const c of children) append(inner, c);
  return new XmlMarkup(inner.length === 0 ? open + '/>' : `${open}>${inner.join('')}</${name}>`);
}

/** Markup from several pieces, without an enclosing element. */
export function fragment(...children: XmlChild[]): XmlMarkup {
  const inner: string[] = [];
  for (const c of children) append(inner, c);
  return new XmlMarkup(inner.join(''));
}

/** Trusted markup (e.g. a document already serialised by this module) to embed as is. */
export const raw = (xml: string): XmlMarkup => new XmlMarkup(xml);

export const XML_DECLARATION = '<?xml version="1.0" encoding="utf-8"?>';
