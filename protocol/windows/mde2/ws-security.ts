/**
 * The WS-Security header of enrollment messages (OASIS WSS 1.0 SOAP Message Security,
 * UsernameToken Profile 1.0): MS-MDE2 on-premises authentication sends
 * a UsernameToken in the policy and enrollment requests, federated and Entra ID
 * enrollment a BinarySecurityToken, and the enrollment response a wsu:Timestamp.
 */
import { el, type XmlElement, type XmlMarkup } from '../../xml/index.js';
import { missing } from '../errors.js';
import { ENCODING_TYPE_BASE64, NS, PASSWORD_TEXT } from './namespaces.js';
import { childValue, soapAttr, soapChild, valueOf } from './soap-read.js';

export interface UsernameToken {
  username: string;
  password: string;
  /** The Password's Type attribute; MS-MDE2 clients send PasswordText. */
  passwordType?: string;
  /** wsu:Id of the token, echoed by nobody but kept for logs. */
  id?: string;
}

export interface BinarySecurityToken {
  valueType?: string;
  encodingType?: string;
  /** The token text as sent (trimmed); decode it with decodeBase64 when the ValueType says it is binary. */
  value: string;
}

export interface WsTimestamp {
  /** xsd:dateTime strings as sent; the caller's clock makes them (protocol/ has none). */
  created?: string;
  expires?: string;
}

export interface WsSecurity {
  usernameToken?: UsernameToken;
  binarySecurityToken?: BinarySecurityToken;
  timestamp?: WsTimestamp;
}

/** Reads a wsse:Security header element. */
export function readWsSecurity(security: XmlElement): WsSecurity {
  const out: WsSecurity = {};
  const ut = soapChild(security, 'UsernameToken', NS.wsse);
  if (ut) {
    const username = childValue(ut, 'Username', NS.wsse);
    if (username === undefined) throw missing('Header/Security/UsernameToken/Username');
    const pw = soapChild(ut, 'Password', NS.wsse);
    const password = valueOf(pw);
    if (!pw || password === undefined) throw missing('Header/Security/UsernameToken/Password');
    out.usernameToken = { username, password };
    const type = soapAttr(pw, 'Type');
    if (type !== undefined) out.usernameToken.passwordType = type;
    const id = soapAttr(ut, 'Id');
    if (id !== undefined) out.usernameToken.id = id;
  }
  const bst = soapChild(security, 'BinarySecurityToken', NS.wsse);
  if (bst) out.binarySecurityToken = readBinarySecurityToken(bst);
  const ts = soapChild(security, 'Timestamp', NS.wsu);
  if (ts) {
    out.timestamp = {};
    const created = childValue(ts, 'Created', NS.wsu);
    const expires = childValue(ts, 'Expires', NS.wsu);
    if (created !== undefined) out.timestamp.created = created;
    if (expires !== undefined) out.timestamp.expires = expires;
  }
  return out;
}

export function readBinarySecurityToken(bst: XmlElement): BinarySecurityToken {
  const token: BinarySecurityToken = { value: valueOf(bst) ?? '' };
  const valueType = soapAttr(bst, 'ValueType');
  const encodingType = soapAttr(bst, 'EncodingType');
  if (valueType !== undefined) token.valueType = valueType;
  if (encodingType !== undefined) token.encodingType = encodingType;
  return token;
}

/** `<wsse:BinarySecurityToken>` with its namespace declared on it (as the RSTR sample writes it). */
export function encodeBinarySecurityToken(token: BinarySecurityToken, prefix = 'wsse'): XmlMarkup {
  return el(
    `${prefix}:BinarySecurityToken`,
    { [`xmlns:${prefix}`]: NS.wsse, ValueType: token.valueType, EncodingType: token.encodingType ?? ENCODING_TYPE_BASE64 },
    token.value,
  );
}

/**
 * `<wsse:Security s:mustUnderstand="1">` for a header; the envelope declares `s` and `u`. Requests
 * carry a UsernameToken or a BinarySecurityToken, responses a Timestamp with wsu:Id "_0" as in
 * Microsoft's RSTR sample.
 */
export function encodeWsSecurity(sec: WsSecurity): XmlMarkup {
  const ut = sec.usernameToken;
  return el(
    'wsse:Security',
    { 'xmlns:wsse': NS.wsse, 's:mustUnderstand': '1' },
    sec.timestamp &&
      el('u:Timestamp', { 'u:Id': '_0' }, sec.timestamp.created !== undefined && el('u:Created', null, sec.timestamp.created), sec.timestamp.expires !== undefined && el('u:Expires', null, sec.timestamp.expires)),
    ut &&
      el(
        'wsse:UsernameToken',
        { 'u:Id': ut.id },
        el('wsse:Username', null, ut.username),
        el('wsse:Password', { 'wsse:Type': ut.passwordType ?? PASSWORD_TEXT }, ut.password),
      ),
    sec.binarySecurityToken &&
      el(
        'wsse:BinarySecurityToken',
        { ValueType: sec.binarySecurityToken.valueType, EncodingType: sec.binarySecurityToken.encodingType ?? ENCODING_TYPE_BASE64 },
        sec.binarySecurityToken.value,
      ),
  );
}
