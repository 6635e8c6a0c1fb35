import { SaxesParser, type SaxesTagNS } from 'saxes';
import type { XmlAttribute, XmlElement } from './xml-element.js';
import { XmlError } from './xml-error.js';

/**
 * Everything a client can make the parser hold is bounded. Each codec passes its own limits
 * (a SyncML message is not a DDF file).
 */
export interface XmlLimits {
  maxBytes: number;
  maxDepth: number;
  maxElements: number;
  /** Per element; default 64. */
  maxAttributes?: number;
  /**
   * Local names of elements whose content is kept as written (XmlElement.markup) when it holds
   * child elements. Not a limit, but it travels with them: each codec states what it parses.
   */
  keepMarkupOf?: ReadonlySet<string>;
}

/**
 * Namespace used for a prefix the document never declared. Strict XML refuses such a document;
 * some real clients and samples use a well-known prefix (msft:, wsse:) without declaring it, and
 * refusing a whole enrollment over it helps nobody, so the element keeps a recognisable namespace
 * and the codec decides whether it matters.
 */
export const UNBOUND_PREFIX_NS = 'urn:mdmlab:unbound-prefix:';

const DECLARATION = /^\s*<\?xml[^>]*encoding\s*=\s*["']([^"']+)["']/i;
// Refused before the parser runs (no DTD processing at all: no XXE, no entity expansion). Matched on
// the raw text, so the declaration is refused wherever it appears, CDATA included.
const DTD_MARKUP = /<!(DOCTYPE|ENTITY|ATTLIST|ELEMENT|NOTATION)/i;

/** Bytes to text: UTF-8 (the encoding these protocols use), with or without a BOM; UTF-16 when it says so by its BOM. */
function decode(input: Buffer | string, limits: XmlLimits): string {
  if (typeof input === 'string') {
    if (input.length > limits.maxBytes) throw new XmlError('tooLarge', `XML is limited to ${limits.maxBytes} bytes`);
    return input.charCodeAt(0) === 0xfeff ? input.slice(1) : input;
  }
  if (input.length > limits.maxBytes) throw new XmlError('tooLarge', `XML is limited to ${limits.maxBytes} bytes`);
  if (input[0] === 0xff && input[1] === 0xfe) return input.subarray(2).toString('utf16le');
  if (input[0] === 0xfe && input[1] === 0xff) {
    const swapped = Buffer.from(input.subarray(2));
    swapped.swap16();
    return swapped.toString('utf16le');
  }
  const start = input[0] === 0xef && input[1] === 0xbb && input[2] === 0xbf ? 3 : 0;
  const text = input.subarray(start).toString('utf8');
  const declared = DECLARATION.exec(text)?.[1]?.toLowerCase();
  if (declared && declared !== 'utf-8' && declared !== 'utf8' && declared !== 'us-ascii' && declared !== 'ascii') {
    throw new XmlError('unsupportedEncoding', `encoding "${declared}" is not supported; send UTF-8`);
  }
  return text;
}

/**
 * Parses a whole XML document (XML 1.0 + Namespaces) into an element tree: strict well-formedness,
 * namespaces resolved, DTDs refused before parsing, size, depth, element and attribute counts
 * bounded. Throws XmlError.
 */
export function parseXml(input: Buffer | string, limits: XmlLimits): XmlElement {
  const source = decode(input, limits);
  const dtd = DTD_MARKUP.exec(source);
  if (dtd) throw new XmlError('doctypeRefused', `<!${dtd[1]!.toUpperCase()}> declarations are refused`);
  const maxAttributes = limits.maxAttributes ?? 64;
  // saxes asks resolvePrefix for the empty prefix too when no default namespace is in scope: that one
  // means "no namespace" (Namespaces in XML 1.0 §6.2), not an unbound prefix.
  const parser = new SaxesParser({
    xmlns: true,
    position: true,
    resolvePrefix: (prefix: string) => (prefix === '' ? undefined : UNBOUND_PREFIX_NS + prefix),
  });
  const stack: XmlElement[] = [];
  const keepMarkupOf = limits.keepMarkupOf;
  // Source offset just after the start tag of each open element kept as markup (saxes counts UTF-16 units, as String does).
  const markupStarts: number[] = [];
  let root: XmlElement | undefined;
  let elements = 0;
  let failure: XmlError | undefined;
  const fail = (e: XmlError) => {
    failure ??= e;
    throw e;
  };
  parser.on('doctype', () => fail(new XmlError('doctypeRefused', '<!DOCTYPE> declarations are refused')));
  parser.on('opentag', (tag: SaxesTagNS) => {
    if (++elements > limits.maxElements) fail(new XmlError('tooManyElements', `more than ${limits.maxElements} elements`));
    if (stack.length >= limits.maxDepth) fail(new XmlError('tooDeep', `nested deeper than ${limits.maxDepth} elements`));
    // One pass over the attributes, no intermediate arrays: this runs for every element of every
    // SyncML message (a third of parsing time when written with Object.values/filter/map).
    const attrs: XmlAttribute[] = [];
    let count = 0;
    for (const name in tag.attributes) {
      if (++count > maxAttributes) fail(new XmlError('tooManyAttributes', `<${tag.name}> has more than ${maxAttributes} attributes`));
      const a = tag.attributes[name]!;
      if (a.prefix !== 'xmlns' && a.name !== 'xmlns') attrs.push({ ns: a.uri, local: a.local, value: a.value });
    }
    const el: XmlElement = { ns: tag.uri, local: tag.local, prefix: tag.prefix, attrs, children: [] };
    const parent = stack[stack.length - 1];
    if (parent) parent.children.push(el);
    else root = el;
    stack.push(el);
    if (keepMarkupOf?.has(el.local)) markupStarts.push(tag.isSelfClosing ? -1 : parser.position);
  });
  parser.on('closetag', () => {
    const el = stack.pop();
    if (el && keepMarkupOf?.has(el.local)) {
      const start = markupStarts.pop()!;
      if (start >= 0 && el.children.some((c) => typeof c !== 'string')) {
        // The end tag is the last `</` before the parser's position (just past its `>`).
        el.markup = source.slice(start, source.lastIndexOf('</', parser.position - 1));
      }
    }
  });
  const addText = (t: string) => {
    const parent = stack[stack.length - 1];
    if (!parent) return; // whitespace or comments around the root element
    const last = parent.children[parent.children.length - 1];
    if (typeof last === 'string') parent.children[parent.children.length - 1] = last + t;
    else parent.children.push(t);
  };
  parser.on('text', addText);
  parser.on('cdata', addText);
  try {
    parser.write(source).close();
  } catch (err) {
    if (failure) throw failure;
    throw new XmlError('malformed', `not well-formed XML: ${(err as Error).message}`, { cause: err });
  }
  if (!root) throw new XmlError('malformed', 'no root element');
  return root;
}
