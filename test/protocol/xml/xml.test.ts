import { describe, expect, it } from 'vitest';
import { attr, child, childElements, childText, el, escapeText, isXmlSafe, parseXml, raw, text, UNBOUND_PREFIX_NS, XmlError } from '../../../protocol/xml/index.js';

const LIMITS = { maxBytes: 64 * 1024, maxDepth: 32, maxElements: 1000 };
const parse = (s: string | Buffer, limits = LIMITS) => parseXml(s, limits);
const code = (f: () => unknown): string | undefined => {
  try {
    f();
  } catch (err) {
    return err instanceof XmlError ? err.code : `not an XmlError: ${String(err)}`;
  }
  return undefined;
};

describe('parseXml', () => {
  it('resolves namespaces whatever prefix the sender chose', () => {
    const a = parse('<s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope"><s:Body/></s:Envelope>');
    const b = parse('<Envelope xmlns="http://www.w3.org/2003/05/soap-envelope"><Body/></Envelope>');
    for (const doc of [a, b]) {
      expect(doc.ns).toBe('http://www.w3.org/2003/05/soap-envelope');
      expect(doc.local).toBe('Envelope');
      expect(child(doc, 'Body', 'http://www.w3.org/2003/05/soap-envelope')).toBeDefined();
    }
  });

  it('keeps text as sent and trims it on request', () => {
    const doc = parse('<a>\n  <b>\n    hello &amp; <![CDATA[<world>]]>\n  </b><c x="1&lt;2"/></a>');
    expect(childText(doc, 'b')).toBe('hello & <world>');
    expect(attr(child(doc, 'c')!, 'x')).toBe('1<2');
    expect(childElements(doc).map((e) => e.local)).toEqual(['b', 'c']);
  });

  it('accepts a BOM, an XML declaration and UTF-16 with a BOM', () => {
    const body = '<?xml version="1.0" encoding="utf-8"?><a>é</a>';
    expect(text(parse(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(body)])))).toBe('é');
    const utf16 = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('<a>ü</a>', 'utf16le')]);
    expect(text(parse(utf16))).toBe('ü');
  });

  it('leaves elements without a prefix or default namespace in no namespace', () => {
    // Regression: the unbound-prefix fallback also caught the empty prefix, so `<Alert>` (Microsoft's
    // SyncML fragments) landed in "urn:mdmlab:unbound-prefix:" instead of no namespace.
    const doc = parse('<Alert><CmdID>1</CmdID><m:x xmlns:m="urn:m"><y/></m:x></Alert>');
    expect(doc.ns).toBe('');
    expect(child(doc, 'CmdID')!.ns).toBe('');
    expect(child(child(doc, 'x')!, 'y')!.ns).toBe('');
    const reset = parse('<a xmlns="urn:d"><b xmlns=""><c/></b></a>');
    expect(child(child(reset, 'b')!, 'c')!.ns).toBe('');
  });

  it('gives undeclared prefixes a recognisable namespace instead of refusing the document', () => {
    const doc = parse('<a><msft:originalerror>0x80</msft:originalerror></a>');
    expect(child(doc, 'originalerror')!.ns).toBe(UNBOUND_PREFIX_NS + 'msft');
  });

  it('keeps the markup of chosen elements exactly as written when they hold elements', () => {
    const keep = { ...LIMITS, keepMarkupOf: new Set(['Data']) };
    const src = '<r>\r\n<Data>\r\n <x:a xmlns:x="urn:x" k="&amp;">é😀<![CDATA[<c>]]></x:a >\r\n</Data><Data>plain &amp; text</Data><Data/><Other><b/></Other></r>';
    const [withMarkup, plain, empty, other] = childElements(parse(src, keep));
    expect(withMarkup!.markup).toBe('\r\n <x:a xmlns:x="urn:x" k="&amp;">é😀<![CDATA[<c>]]></x:a >\r\n');
    expect(plain!.markup).toBeUndefined();
    expect(text(plain)).toBe('plain & text');
    expect(empty!.markup).toBeUndefined();
    expect(other!.markup).toBeUndefined();
    expect(parse(src).children.some((c) => typeof c !== 'string' && c.markup !== undefined)).toBe(false);
  });

  it('refuses DTDs and entity declarations before parsing', () => {
    expect(code(() => parse('<?xml version="1.0"?><!DOCTYPE a [<!ENTITY x "y">]><a>&x;</a>'))).toBe('doctypeRefused');
    expect(code(() => parse('<a><![CDATA[<!ENTITY x SYSTEM "file:///etc/passwd">]]></a>'))).toBe('doctypeRefused');
    expect(code(() => parse('<!doctype a><a/>'))).toBe('doctypeRefused');
  });

  it('refuses undefined entities, malformed documents and other encodings', () => {
    expect(code(() => parse('<a>&xxe;</a>'))).toBe('malformed');
    expect(code(() => parse('<a><b></a>'))).toBe('malformed');
    expect(code(() => parse('<a/><b/>'))).toBe('malformed');
    expect(code(() => parse(''))).toBe('malformed');
    expect(code(() => parse(Buffer.from('<?xml version="1.0" encoding="ISO-8859-1"?><a/>')))).toBe('unsupportedEncoding');
  });

  it('bounds size, depth, element and attribute counts', () => {
    expect(code(() => parse('<a>' + 'x'.repeat(100) + '</a>', { ...LIMITS, maxBytes: 50 }))).toBe('tooLarge');
    expect(code(() => parse('<a>'.repeat(40) + '</a>'.repeat(40)))).toBe('tooDeep');
    expect(code(() => parse('<a>' + '<b/>'.repeat(1001) + '</a>'))).toBe('tooManyElements');
    const many = Array.from({ length: 70 }, (_, i) => `a${i}="1"`).join(' ');
    expect(code(() => parse(`<a ${many}/>`))).toBe('tooManyAttributes');
  });
});

describe('writing XML', () => {
  it('escapes text and attributes and embeds only built markup unescaped', () => {
    const m = el('a', { x: 'say "hi" & <bye>', skip: undefined }, 'a<b & c>', el('b'), raw('<c/>'), [1, false, null, 'z']);
    expect(m.xml).toBe('<a x="say &quot;hi&quot; &amp; &lt;bye>">a&lt;b &amp; c&gt;<b/><c/>1z</a>');
    expect(text(parse(m.xml))).toBe('a<b & c>1z');
  });

  it('refuses characters XML cannot carry', () => {
    for (const bad of ['a\u0000b', 'x\uFFFE', 'lone \uD800 surrogate', '\uDC00']) {
      expect(isXmlSafe(bad)).toBe(false);
      expect(code(() => escapeText(bad))).toBe('invalidCharacter');
    }
    expect(isXmlSafe('tab\tlf\ncr\r😀 é')).toBe(true);
  });
});
