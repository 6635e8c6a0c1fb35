import { createHmac, createPublicKey, verify } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { componentIdentifier, componentValue, parseTargetUri, type HttpRequestParts } from '../../../protocol/http-signature/components.js';
import { decodeContentDigest, encodeContentDigest } from '../../../protocol/http-signature/content-digest.js';
import { HttpSignatureError } from '../../../protocol/http-signature/errors.js';
import { signatureBase, signatureBaseBytes } from '../../../protocol/http-signature/signature-base.js';
import { decodeSignatureField, decodeSignatureInput, signatureInnerList } from '../../../protocol/http-signature/signature-fields.js';
import { B2_BODY_SHA256, B2_REQUEST, ED25519_EXAMPLE, HMAC_EXAMPLE, PSS_EXAMPLES, TEST_KEY_ED25519_PUBLIC, TEST_SHARED_SECRET, type SignedExample } from './rfc9421-vectors.js';

function baseOf(example: SignedExample, request: HttpRequestParts = B2_REQUEST): string {
  const [input] = [...decodeSignatureInput(example.signatureInput).values()];
  if (!input) throw new Error('no input');
  return signatureBase(request, input.components, input.innerList);
}

function signatureBytes(example: SignedExample): Uint8Array {
  const [sig] = [...decodeSignatureField(example.signature).values()];
  if (!sig) throw new Error('no signature');
  return sig;
}

function code(fn: () => unknown): string {
  try {
    fn();
    return 'none';
  } catch (err) {
    if (err instanceof HttpSignatureError) return err.code;
    throw err;
  }
}

describe('signature bases of RFC 9421 Appendix B.2', () => {
  it.each([...PSS_EXAMPLES, HMAC_EXAMPLE, ED25519_EXAMPLE])('$section: the base is the RFC\'s, character for character', (example) => {
    expect(baseOf(example)).toBe(example.base);
  });

  it('B.2.5: hmac-sha256 over our base gives the RFC\'s signature (so the bytes are the RFC\'s)', () => {
    const mac = createHmac('sha256', Buffer.from(TEST_SHARED_SECRET, 'base64')).update(signatureBaseBytes(baseOf(HMAC_EXAMPLE))).digest();
    expect(new Uint8Array(mac)).toEqual(signatureBytes(HMAC_EXAMPLE));
  });

  it('B.2.6: the RFC\'s ed25519 signature verifies over our base', () => {
    expect(verify(null, signatureBaseBytes(baseOf(ED25519_EXAMPLE)), createPublicKey(TEST_KEY_ED25519_PUBLIC), signatureBytes(ED25519_EXAMPLE))).toBe(true);
    const other = { ...B2_REQUEST, headers: { ...B2_REQUEST.headers, 'content-length': '19' } };
    expect(verify(null, signatureBaseBytes(baseOf(ED25519_EXAMPLE, other)), createPublicKey(TEST_KEY_ED25519_PUBLIC), signatureBytes(ED25519_EXAMPLE))).toBe(false);
  });
});

describe('derived components (RFC 9421 §2.2 examples)', () => {
  const req = (targetUri: string, method = 'POST'): HttpRequestParts => ({ method, targetUri, headers: {} });
  const value = (r: HttpRequestParts, name: string, params?: Map<string, { type: 'string'; value: string }>) => componentValue(r, componentIdentifier(name, params));
  const qp = (name: string) => new Map([['name', { type: 'string' as const, value: name }]]);

  it('derives @method, @target-uri, @authority, @scheme, @request-target, @path, @query', () => {
    const r = req('https://www.example.com/path?param=value');
    expect(value(r, '@method')).toBe('POST');
    expect(value(r, '@target-uri')).toBe('https://www.example.com/path?param=value');
    expect(value(r, '@authority')).toBe('www.example.com');
    expect(value(r, '@scheme')).toBe('https');
    expect(value(r, '@request-target')).toBe('/path?param=value');
    expect(value(r, '@path')).toBe('/path');
    expect(value(req('https://www.example.com/path?param=value&foo=bar&baz=bat%2Dman'), '@query')).toBe('?param=value&foo=bar&baz=bat%2Dman');
    expect(value(req('https://www.example.com/path?queryString'), '@query')).toBe('?queryString');
    expect(value(req('https://www.example.com/path'), '@query')).toBe('?');
    expect(value(req('https://www.example.com'), '@path')).toBe('/');
  });

  it('normalizes the authority as HTTP does: lower case, default port dropped', () => {
    expect(value(req('HTTPS://WWW.Example.COM:443/x'), '@authority')).toBe('www.example.com');
    expect(value(req('HTTPS://WWW.Example.COM:443/x'), '@scheme')).toBe('https');
    expect(value(req('http://example.com:80/x'), '@authority')).toBe('example.com');
    expect(value(req('http://example.com:8080/x'), '@authority')).toBe('example.com:8080');
    expect(value(req('http://[::1]:8080/x'), '@authority')).toBe('[::1]:8080');
  });

  it('derives @query-param values re-encoded, and refuses a repeated or absent parameter', () => {
    const r = req('https://www.example.com/path?param=value&foo=bar&baz=batman&qux=');
    expect(value(r, '@query-param', qp('baz'))).toBe('batman');
    expect(value(r, '@query-param', qp('qux'))).toBe('');
    const e = req('https://www.example.com/parameters?var=this%20is%20a%20big%0Avalue&bar=with+plus+whitespace&fa%C3%A7ade%22%3A%20=something');
    expect(value(e, '@query-param', qp('var'))).toBe('this%20is%20a%20big%0Avalue');
    expect(value(e, '@query-param', qp('bar'))).toBe('with%20plus%20whitespace');
    expect(value(e, '@query-param', qp('fa%C3%A7ade%22%3A%20'))).toBe('something');
    expect(code(() => value(req('https://x.example/p?a=1&a=2'), '@query-param', qp('a')))).toBe('invalidComponentValue');
    expect(code(() => value(r, '@query-param', qp('nope')))).toBe('componentNotInMessage');
    expect(code(() => value(r, '@query-param'))).toBe('invalidParameter');
  });

  it('combines field lines as RFC 9421 §2.1 does, whatever the case of the header names', () => {
    const r: HttpRequestParts = { method: 'GET', targetUri: 'https://x.example/', headers: { 'Cache-Control': ['max-age=60', '   must-revalidate  '], 'X-Empty': '' } };
    expect(value(r, 'cache-control')).toBe('max-age=60, must-revalidate');
    expect(value(r, 'x-empty')).toBe('');
  });

  it('refuses what it does not derive or the message does not have', () => {
    const r = req('https://x.example/p');
    expect(code(() => value(r, '@status'))).toBe('unsupportedComponent');
    expect(code(() => value(r, 'Content-Type'))).toBe('unsupportedComponent');
    expect(code(() => componentValue(r, componentIdentifier('date', new Map([['sf', { type: 'boolean', value: true }]]))))).toBe('unsupportedComponent');
    expect(code(() => value(r, '@method', qp('x')))).toBe('unsupportedComponent');
    expect(code(() => value(r, 'date'))).toBe('componentNotInMessage');
    expect(code(() => value({ ...r, headers: { date: 'a\nb' } }, 'date'))).toBe('invalidComponentValue');
    expect(code(() => value({ ...r, headers: { date: 'ĉ' } }, 'date'))).toBe('invalidComponentValue');
    expect(code(() => value(req('/relative/path'), '@path'))).toBe('invalidComponentValue');
    expect(code(() => value(req('https://user:pw@x.example/'), '@authority'))).toBe('invalidComponentValue');
    expect(code(() => value(req('https://x.example/#frag'), '@target-uri'))).toBe('invalidComponentValue');
    expect(parseTargetUri('http://x.example')).toEqual({ scheme: 'http', authority: 'x.example', path: '', query: undefined });
  });

  it('refuses a component covered twice and @signature-params as a component', () => {
    const ids = [componentIdentifier('@method'), componentIdentifier('@method')];
    expect(code(() => signatureBase(B2_REQUEST, ids, signatureInnerList(ids, {})))).toBe('duplicateComponent');
    const sp = [componentIdentifier('@signature-params')];
    expect(code(() => signatureBase(B2_REQUEST, sp, signatureInnerList(sp, {})))).toBe('unsupportedComponent');
  });
});

describe('Content-Digest (RFC 9530)', () => {
  it('reads the RFC\'s examples, strongest first', () => {
    const both = `${B2_BODY_SHA256}, ${B2_REQUEST.headers['content-digest']}`;
    expect(decodeContentDigest(both).map((d) => d.algorithm)).toEqual(['sha-512', 'sha-256']);
    const [d] = decodeContentDigest(B2_BODY_SHA256);
    expect(d && encodeContentDigest([d])).toBe(B2_BODY_SHA256);
  });

  it('ignores algorithms it does not know but needs one it does', () => {
    expect(decodeContentDigest(`md5=:AAAAAAAAAAAAAAAAAAAAAA==:, ${B2_BODY_SHA256}`)).toHaveLength(1);
    expect(code(() => decodeContentDigest('md5=:AAAAAAAAAAAAAAAAAAAAAA==:'))).toBe('unsupportedDigestAlgorithm');
    expect(code(() => decodeContentDigest('sha-256=:AAAA:'))).toBe('malformedHeader');
    expect(code(() => decodeContentDigest('sha-256="X48E9qOokqqrvdts8nOJRJN3OWDUoyWxBf7kbu9DBPE="'))).toBe('malformedHeader');
    expect(code(() => decodeContentDigest('sha-256=:' + 'A'.repeat(2000) + ':'))).toBe('headerTooLarge');
  });
});
