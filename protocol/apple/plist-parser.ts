/**
 * A strict parser for the XML subset Apple property lists use (Apple "PropertyList-1.0.dtd":
 * plist, dict, key, array, string, integer, real, date, data, true, false).
 *
 * Why hand-written: the server parses one plist per check-in and command report; the `plist`
 * package builds a full xmldom DOM first (~140–160 µs for a 2.4 KB TokenUpdate on the dev box), this
 * single pass over the string takes ~15 µs (test/protocol/apple/plist-codec.test.ts measures both
 * and fails if ours is not at least 3× faster). Text-to-value conversion lives in plist-scalars.ts.
 *
 * Why strict: the bodies come from the network. Nothing here expands anything: a DOCTYPE may name
 * `plist` and carry public/system identifiers, but an internal subset (`[ <!ENTITY …> ]`) is refused
 * outright, and only XML's five predefined entities and numeric character references are decoded.
 * Unknown elements, attributes outside <plist>, processing instructions, duplicate dict keys,
 * characters XML 1.0 forbids and nesting deeper than `maxDepth` are errors.
 */

import { AppleProtocolError, type AppleProtocolErrorCode } from './errors.js';
import { PlistReal, type PlistDict, type PlistValue } from './plist-types.js';
import { dataValue, dateValue, decodeText, integerValue, realValue } from './plist-scalars.js';

export const DEFAULT_MAX_PLIST_DEPTH = 64;

export interface PlistParseOptions {
  /** Deepest allowed nesting of dict/array (the top-level container is depth 1). Default 64. */
  maxDepth?: number;
}

const LT = 0x3c; // <
const GT = 0x3e; // >
const SLASH = 0x2f; // /

// XML 1.0 §2.2 Char: everything below 0x20 except TAB, LF, CR is forbidden, as are U+FFFE/U+FFFF.
const FORBIDDEN_CHARS = /[\x00-\x08\x0B\x0C\x0E-\x1F\uFFFE\uFFFF]/;
const ENCODING_RE = /\bencoding\s*=\s*(["'])([^"']*)\1/;
const UTF8_NAME_RE = /^utf-?8$/i;
const DOCTYPE_PLIST_RE = /^[\t\n\r ]+plist(?:[\t\n\r ]|$)/;
const ATTRIBUTE_RE = /[\t\n\r ]*([A-Za-z_:][A-Za-z0-9_:.-]*)[\t\n\r ]*=[\t\n\r ]*("[^"<&]*"|'[^'<&]*')[\t\n\r ]*/y;

function isWs(c: number): boolean {
  return c === 0x20 || c === 0x0a || c === 0x09 || c === 0x0d;
}

function isNameChar(c: number): boolean {
  return (
    (c >= 0x61 && c <= 0x7a) || // a-z
    (c >= 0x41 && c <= 0x5a) || // A-Z
    (c >= 0x30 && c <= 0x39) || // 0-9
    c === 0x2d || c === 0x5f || c === 0x2e || c === 0x3a // - _ . :
  );
}

/** Parse an XML plist document (already a JS string) into its root value. */
export function parsePlistXml(text: string, opts: PlistParseOptions = {}): PlistValue {
  const m = FORBIDDEN_CHARS.exec(text);
  if (m) {
    const code = m[0].charCodeAt(0);
    throw new AppleProtocolError(
      'malformed',
      `character U+${code.toString(16).toUpperCase().padStart(4, '0')} at offset ${m.index} is not allowed in XML`,
    );
  }
  return new Parser(text, opts.maxDepth ?? DEFAULT_MAX_PLIST_DEPTH).document();
}

class Parser {
  private pos = 0;

  constructor(
    private readonly s: string,
    private readonly maxDepth: number,
  ) {}

  private fail(code: AppleProtocolErrorCode, what: string, at = this.pos): never {
    throw new AppleProtocolError(code, `${what} (offset ${at})`);
  }

  private truncated(what: string): never {
    this.fail('truncated', `document ends inside ${what}`, this.s.length);
  }

  document(): PlistValue {
    const s = this.s;
    if (s.charCodeAt(0) === 0xfeff) this.pos = 1; // UTF-8 BOM as decoded by TextDecoder/Buffer
    this.skipWs();
    if (s.startsWith('<?xml', this.pos) && isWs(s.charCodeAt(this.pos + 5))) this.xmlDeclaration();
    this.skipMisc();
    if (s.startsWith('<!DOCTYPE', this.pos)) {
      this.doctype();
      this.skipMisc();
    }
    if (this.pos >= s.length) this.truncated('the prolog (no <plist> element)');
    const open = this.startTag();
    if (open.name !== 'plist') this.fail('malformed', `expected <plist>, found <${open.name}>`, open.at);
    if (open.empty) this.fail('malformed', '<plist/> holds no value', open.at);
    this.skipMisc();
    if (this.atEndTag()) this.fail('malformed', '<plist> holds no value');
    const root = this.value(1);
    this.skipMisc();
    if (this.pos >= s.length) this.truncated('<plist>');
    if (!this.atEndTag()) this.fail('malformed', '<plist> must hold exactly one value');
    this.endTag('plist');
    this.skipMisc();
    if (this.pos < s.length) this.fail('malformed', 'content after </plist>');
    return root;
  }

  private skipWs(): void {
    const s = this.s;
    while (this.pos < s.length && isWs(s.charCodeAt(this.pos))) this.pos++;
  }

  /** Whitespace and comments between elements. */
  private skipMisc(): void {
    const s = this.s;
    for (;;) {
      this.skipWs();
      if (s.charCodeAt(this.pos) !== LT || s.charCodeAt(this.pos + 1) !== 0x21) return; // not '<!'
      if (s.startsWith('<!--', this.pos)) {
        const end = s.indexOf('-->', this.pos + 4);
        if (end < 0) this.truncated('a comment');
        this.pos = end + 3;
        continue;
      }
      if (s.startsWith('<!ENTITY', this.pos)) this.fail('entityDeclaration', 'entity declarations are not allowed');
      if (s.startsWith('<![CDATA[', this.pos)) this.fail('malformed', 'character data outside an element');
      return; // '<!DOCTYPE' is handled by the caller; anything else fails at startTag
    }
  }

  /** `<?xml version="1.0" encoding="UTF-8"?>`: only UTF-8 is accepted (the bytes were checked already). */
  private xmlDeclaration(): void {
    const end = this.s.indexOf('?>', this.pos);
    if (end < 0) this.truncated('the XML declaration');
    const decl = this.s.slice(this.pos, end);
    const enc = ENCODING_RE.exec(decl);
    if (enc && !UTF8_NAME_RE.test(enc[2] ?? '')) {
      this.fail('notUtf8', `the XML declaration names encoding "${enc[2]}"; only UTF-8 is accepted`);
    }
    this.pos = end + 2;
  }

  /** `<!DOCTYPE plist PUBLIC "…" "…">`; an internal subset is refused, so nothing can be declared. */
  private doctype(): void {
    const s = this.s;
    const start = this.pos;
    let i = start + 9;
    let quote = 0;
    for (; i < s.length; i++) {
      const c = s.charCodeAt(i);
      if (quote) {
        if (c === quote) quote = 0;
      } else if (c === 0x22 || c === 0x27) {
        quote = c;
      } else if (c === 0x5b) {
        // '[': internal subset
        if (s.indexOf('<!ENTITY', i) >= 0) this.fail('entityDeclaration', 'DOCTYPE declares entities; entity declarations are not allowed', i);
        this.fail('malformed', 'DOCTYPE internal subsets are not allowed', i);
      } else if (c === GT) {
        break;
      }
    }
    if (i >= s.length) this.truncated('the DOCTYPE');
    const body = s.slice(start + 9, i);
    if (!DOCTYPE_PLIST_RE.test(body)) this.fail('malformed', 'the DOCTYPE must name plist', start);
    this.pos = i + 1;
  }

  private atEndTag(): boolean {
    return this.s.charCodeAt(this.pos) === LT && this.s.charCodeAt(this.pos + 1) === SLASH;
  }

  /** Reads `<name …>` or `<name/>` at pos. Attributes are only allowed (and ignored) on <plist>. */
  private startTag(): { name: string; empty: boolean; at: number } {
    const s = this.s;
    const at = this.pos;
    if (s.charCodeAt(at) !== LT) this.fail('malformed', 'expected an element, found text');
    let i = at + 1;
    while (i < s.length && isNameChar(s.charCodeAt(i))) i++;
    const name = s.slice(at + 1, i);
    if (name === '') {
      const c = s.charAt(at + 1);
      if (c === '?') this.fail('malformed', 'processing instructions are not allowed here');
      if (c === '/') this.fail('malformed', `unexpected end tag`);
      if (s.startsWith('<!ENTITY', at)) this.fail('entityDeclaration', 'entity declarations are not allowed');
      if (s.startsWith('<!DOCTYPE', at)) this.fail('malformed', 'DOCTYPE must come before <plist>, and only once');
      if (i >= s.length) this.truncated('a tag');
      this.fail('malformed', 'expected an element name');
    }
    let j = i;
    while (j < s.length && isWs(s.charCodeAt(j))) j++;
    let c = s.charCodeAt(j);
    if (c !== GT && c !== SLASH && j < s.length) {
      if (name !== 'plist') this.fail('malformed', `attributes are not allowed on <${name}>`, j);
      j = this.skipAttributes(j);
      c = s.charCodeAt(j);
    }
    if (j >= s.length) this.truncated(`<${name}>`);
    if (c === GT) {
      this.pos = j + 1;
      return { name, empty: false, at };
    }
    if (c === SLASH && s.charCodeAt(j + 1) === GT) {
      this.pos = j + 2;
      return { name, empty: true, at };
    }
    if (j + 1 >= s.length) this.truncated(`<${name}>`);
    return this.fail('malformed', `bad tag <${name}`, j);
  }

  /** `version="1.0"`-style attributes; returns the index of '>' or '/'. */
  private skipAttributes(from: number): number {
    const s = this.s;
    const re = ATTRIBUTE_RE;
    let j = from;
    for (;;) {
      const c = s.charCodeAt(j);
      if (c === GT || c === SLASH || j >= s.length) return j;
      re.lastIndex = j;
      if (!re.exec(s)) {
        if (s.indexOf('>', j) < 0) this.truncated('<plist>');
        this.fail('malformed', 'bad attribute on <plist>', j);
      }
      j = re.lastIndex;
    }
  }

  /** `</name>` at pos (optional whitespace before '>'). */
  private endTag(name: string): void {
    const s = this.s;
    const at = this.pos;
    if (!s.startsWith(name, at + 2) || isNameChar(s.charCodeAt(at + 2 + name.length))) {
      if (at + 2 + name.length > s.length) this.truncated(`<${name}>`);
      let i = at + 2;
      while (i < s.length && isNameChar(s.charCodeAt(i))) i++;
      this.fail('malformed', `expected </${name}>, found </${s.slice(at + 2, i)}>`);
    }
    let j = at + 2 + name.length;
    while (j < s.length && isWs(s.charCodeAt(j))) j++;
    if (j >= s.length) this.truncated(`</${name}>`);
    if (s.charCodeAt(j) !== GT) this.fail('malformed', `bad end tag </${name}`, j);
    this.pos = j + 1;
  }

  private value(depth: number): PlistValue {
    if (this.pos >= this.s.length) this.truncated('a value');
    const tag = this.startTag();
    switch (tag.name) {
      case 'dict':
        if (depth > this.maxDepth) this.fail('tooDeep', `nesting deeper than ${this.maxDepth}`, tag.at);
        return tag.empty ? {} : this.dict(depth);
      case 'array':
        if (depth > this.maxDepth) this.fail('tooDeep', `nesting deeper than ${this.maxDepth}`, tag.at);
        return tag.empty ? [] : this.array(depth);
      case 'string':
        return tag.empty ? '' : this.text('string');
      case 'integer':
        return integerValue(tag.empty ? '' : this.text('integer'), tag.at);
      case 'real': {
        // A whole number stays marked as a <real>, or it would be written back as <integer>.
        const n = realValue(tag.empty ? '' : this.text('real'), tag.at);
        return Number.isInteger(n) ? new PlistReal(n) : n;
      }
      case 'true':
      case 'false':
        if (!tag.empty) {
          if (!this.atEndTag()) this.fail('malformed', `<${tag.name}> must be empty`);
          this.endTag(tag.name);
        }
        return tag.name === 'true';
      case 'date':
        return dateValue(tag.empty ? '' : this.text('date'), tag.at);
      case 'data':
        return dataValue(tag.empty ? '' : this.text('data'), tag.at);
      case 'key':
        return this.fail('malformed', '<key> outside a <dict>', tag.at);
      default:
        return this.fail('unknownElement', `<${tag.name}> is not a plist element`, tag.at);
    }
  }

  private dict(depth: number): PlistDict {
    const s = this.s;
    const out: PlistDict = {};
    for (;;) {
      this.skipMisc();
      if (this.pos >= s.length) this.truncated('<dict>');
      if (this.atEndTag()) {
        this.endTag('dict');
        return out;
      }
      const keyAt = this.pos;
      let key: string;
      if (s.startsWith('<key>', keyAt)) {
        this.pos = keyAt + 5;
        key = this.text('key');
      } else {
        const tag = this.startTag();
        if (tag.name !== 'key') this.fail('malformed', `expected <key> in <dict>, found <${tag.name}>`, keyAt);
        key = tag.empty ? '' : this.text('key');
      }
      this.skipMisc();
      if (this.pos >= s.length) this.truncated('<dict>');
      if (this.atEndTag() || s.startsWith('<key', this.pos)) this.fail('malformed', `key "${key}" has no value`);
      const v = this.value(depth + 1);
      if (Object.hasOwn(out, key)) this.fail('malformed', `duplicate key "${key}" in <dict>`, keyAt);
      if (key === '__proto__') {
        Object.defineProperty(out, key, { value: v, enumerable: true, writable: true, configurable: true });
      } else {
        out[key] = v;
      }
    }
  }

  private array(depth: number): PlistValue[] {
    const out: PlistValue[] = [];
    for (;;) {
      this.skipMisc();
      if (this.pos >= this.s.length) this.truncated('<array>');
      if (this.atEndTag()) {
        this.endTag('array');
        return out;
      }
      out.push(this.value(depth + 1));
    }
  }

  /** Character content up to `</name>`: predefined entities, character references and CDATA only. */
  private text(name: string): string {
    const s = this.s;
    const start = this.pos;
    let lt = s.indexOf('<', start);
    if (lt < 0) this.truncated(`<${name}>`);
    let raw: string;
    if (s.charCodeAt(lt + 1) === SLASH) {
      raw = s.slice(start, lt);
      this.pos = lt;
    } else {
      // Slow path: CDATA sections and comments inside the text.
      const parts: string[] = [decodeText(normaliseNewlines(s.slice(start, lt)), start)];
      for (;;) {
        if (s.startsWith('<![CDATA[', lt)) {
          const end = s.indexOf(']]>', lt + 9);
          if (end < 0) this.truncated('a CDATA section');
          parts.push(normaliseNewlines(s.slice(lt + 9, end)));
          this.pos = end + 3;
        } else if (s.startsWith('<!--', lt)) {
          const end = s.indexOf('-->', lt + 4);
          if (end < 0) this.truncated('a comment');
          this.pos = end + 3;
        } else if (s.charCodeAt(lt + 1) === SLASH) {
          this.pos = lt;
          break;
        } else {
          this.pos = lt;
          if (lt + 1 >= s.length) this.truncated(`<${name}>`);
          this.fail('malformed', `<${name}> must contain text only`);
        }
        const next = s.indexOf('<', this.pos);
        if (next < 0) this.truncated(`<${name}>`);
        parts.push(decodeText(normaliseNewlines(s.slice(this.pos, next)), this.pos));
        lt = next;
      }
      this.endTag(name);
      return parts.join('');
    }
    this.endTag(name);
    // Line ends are normalised before references are decoded, so &#13; stays a CR (XML 1.0 §2.11).
    const text = normaliseNewlines(raw);
    return text.includes('&') ? decodeText(text, start) : text;
  }
}

/** XML §2.11: CRLF and lone CR become LF. */
function normaliseNewlines(t: string): string {
  return t.includes('\r') ? t.replace(/\r\n?/g, '\n') : t;
}
