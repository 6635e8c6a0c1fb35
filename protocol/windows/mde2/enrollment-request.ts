/**
 * The enrollment request: a WS-Trust RequestSecurityToken (MS-WSTEP §3.1.4.1.1.1, MS-MDE2 enrollment service)
 * carrying the device's PKCS#10 in a wsse:BinarySecurityToken (ValueType …#PKCS10, base64) and the
 * device's facts in ac:AdditionalContext ContextItems (MS-MDE2 §2.2.9.3: DeviceType,
 * ApplicationVersion, DeviceID, EnrollmentType, OSEdition, OSVersion, …). The user proves who they are
 * in the WS-Security header (a UsernameToken for OnPremise).
 */
import { el, type XmlLimits } from '../../xml/index.js';
import { invalid, missing } from '../errors.js';
import { ACTIONS, ENCODING_TYPE_BASE64, NS, REQUEST_TYPE_ISSUE, TOKEN_TYPE_DEVICE_ENROLLMENT, VALUE_TYPE, WS_ADDRESSING_ANONYMOUS } from './namespaces.js';
import { decodeSoapEnvelope, encodeSoapEnvelope, expectAction, expectPayload, type SoapEnvelope, type SoapHeader } from './soap-envelope.js';
import { decodeBase64, readBoolean, readUnsigned, requireSoapChild, requireValue, soapAttr, soapChild, soapChildren, valueOf } from './soap-read.js';
import { readBinarySecurityToken, type BinarySecurityToken, type WsSecurity } from './ws-security.js';

/** One ac:ContextItem, as sent (MAC and IMEI repeat). */
export interface ContextItem {
  name: string;
  value: string;
}

/** The ContextItems MS-MDE2 §2.2.9.3 defines, typed; others stay in EnrollmentRequest.contextItems. */
export interface EnrollmentContext {
  deviceType?: string;
  applicationVersion?: string;
  /** The DM client's device ID (32 hex digits on Windows 10); it becomes the certificate's subject. */
  deviceId?: string;
  /** 64 hex digits on Windows 10. */
  hwDevId?: string;
  /** `Full` (user enrollment) or `Device` (device enrollment: the client certificate goes to My/System). */
  enrollmentType?: string;
  osEdition?: number;
  osVersion?: string;
  deviceName?: string;
  locale?: string;
  targetedUserLoggedIn?: boolean;
  requestVersion?: string;
  uxInitiated?: boolean;
  notInOobe?: boolean;
  macAddresses: string[];
  imeis: string[];
}

export interface EnrollmentRequest {
  tokenType: string;
  requestType: string;
  /** The body's BinarySecurityToken: the request, base64 as sent. */
  token: BinarySecurityToken;
  /** PKCS10 for enrollment, PKCS7 for a renewal signed with the current certificate. */
  tokenFormat: 'PKCS10' | 'PKCS7';
  context: EnrollmentContext;
  contextItems: ContextItem[];
}

/** Typed context items in the order a Windows 10 client sends them. */
const CONTEXT_FIELDS = [
  ['UXInitiated', 'uxInitiated'],
  ['HWDevID', 'hwDevId'],
  ['Locale', 'locale'],
  ['TargetedUserLoggedIn', 'targetedUserLoggedIn'],
  ['OSEdition', 'osEdition'],
  ['DeviceName', 'deviceName'],
  ['DeviceID', 'deviceId'],
  ['EnrollmentType', 'enrollmentType'],
  ['DeviceType', 'deviceType'],
  ['OSVersion', 'osVersion'],
  ['ApplicationVersion', 'applicationVersion'],
  ['NotInOobe', 'notInOobe'],
  ['RequestVersion', 'requestVersion'],
] as const satisfies ReadonlyArray<readonly [string, keyof EnrollmentContext]>;

const BOOLEAN_FIELDS = new Set<keyof EnrollmentContext>(['uxInitiated', 'targetedUserLoggedIn', 'notInOobe']);

/** The typed view of the ContextItems; names compare case-insensitively, the first of a repeated single item wins. */
export function enrollmentContextOf(items: readonly ContextItem[]): EnrollmentContext {
  const ctx: EnrollmentContext = { macAddresses: [], imeis: [] };
  const byName = new Map(CONTEXT_FIELDS.map(([wire, field]) => [wire.toLowerCase(), field] as const));
  const target = ctx as unknown as Record<string, unknown>;
  for (const { name, value } of items) {
    const lower = name.toLowerCase();
    if (lower === 'mac') ctx.macAddresses.push(value);
    else if (lower === 'imei') ctx.imeis.push(value);
    const field = byName.get(lower);
    if (!field || target[field] !== undefined) continue;
    const path = `AdditionalContext/ContextItem[@Name=${name}]`;
    if (field === 'osEdition') target[field] = readUnsigned(value, path);
    else if (BOOLEAN_FIELDS.has(field)) target[field] = readBoolean(value, path);
    else target[field] = value;
  }
  return ctx;
}

/** The ContextItems for a typed context, in a Windows 10 client's order (MAC addresses after DeviceName). */
export function contextItemsOf(ctx: EnrollmentContext): ContextItem[] {
  const out: ContextItem[] = [];
  for (const [wire, field] of CONTEXT_FIELDS) {
    const v = ctx[field];
    if (v !== undefined && !Array.isArray(v)) out.push({ name: wire, value: String(v) });
    if (field === 'deviceName') for (const mac of ctx.macAddresses) out.push({ name: 'MAC', value: mac });
  }
  for (const imei of ctx.imeis) out.push({ name: 'IMEI', value: imei });
  return out;
}

function tokenFormatOf(token: BinarySecurityToken): 'PKCS10' | 'PKCS7' {
  const vt = (token.valueType ?? '').toLowerCase();
  if (vt === VALUE_TYPE.pkcs10.toLowerCase()) return 'PKCS10';
  if (vt === VALUE_TYPE.pkcs7.toLowerCase()) return 'PKCS7';
  throw invalid('RequestSecurityToken/BinarySecurityToken/@ValueType', `BinarySecurityToken ValueType must be …#PKCS10 or …#PKCS7, got "${(token.valueType ?? '(none)').slice(0, 120)}"`);
}

export function readEnrollmentRequest(env: SoapEnvelope): EnrollmentRequest {
  expectAction(env, ACTIONS.requestSecurityToken);
  const rst = expectPayload(env, 'RequestSecurityToken', NS.wsTrust);
  const tokenType = requireValue(rst, 'TokenType', 'RequestSecurityToken/TokenType', NS.wsTrust);
  const requestType = requireValue(rst, 'RequestType', 'RequestSecurityToken/RequestType', NS.wsTrust);
  const bst = requireSoapChild(rst, 'BinarySecurityToken', 'RequestSecurityToken/BinarySecurityToken', NS.wsse);
  const token = readBinarySecurityToken(bst);
  if (token.value === '') throw missing('RequestSecurityToken/BinarySecurityToken', 'the BinarySecurityToken is empty');
  const enc = token.encodingType?.toLowerCase();
  if (enc !== undefined && !enc.endsWith('#base64binary')) {
    throw invalid('RequestSecurityToken/BinarySecurityToken/@EncodingType', `EncodingType must be …#base64binary, got "${token.encodingType!.slice(0, 120)}"`);
  }
  const contextItems: ContextItem[] = [];
  const ac = soapChild(rst, 'AdditionalContext', NS.authorization);
  if (ac) {
    for (const item of soapChildren(ac, 'ContextItem', NS.authorization)) {
      const name = soapAttr(item, 'Name');
      if (!name) throw missing('AdditionalContext/ContextItem/@Name', 'a ContextItem has no Name');
      contextItems.push({ name, value: valueOf(soapChild(item, 'Value', NS.authorization)) ?? '' });
    }
  }
  return { tokenType, requestType, token, tokenFormat: tokenFormatOf(token), context: enrollmentContextOf(contextItems), contextItems };
}

export function decodeEnrollmentRequest(input: Buffer | string, limits?: XmlLimits): { header: SoapHeader; request: EnrollmentRequest } {
  const env = decodeSoapEnvelope(input, limits);
  return { header: env.header, request: readEnrollmentRequest(env) };
}

/** The DER of the request's PKCS#10 (or PKCS#7), or invalidValue when the token is not base64. */
export function enrollmentRequestDer(request: EnrollmentRequest): Buffer {
  return decodeBase64(request.token.value, 'RequestSecurityToken/BinarySecurityToken');
}

export interface EnrollmentRequestInput {
  messageId: string;
  to: string;
  security: WsSecurity;
  /** DER of the PKCS#10. */
  csr: Buffer;
  context: EnrollmentContext;
  /** Items beyond the typed context, appended as given. */
  extraContextItems?: ContextItem[];
}

/** A RequestSecurityToken as a Windows 10 client writes it. */
export function encodeEnrollmentRequest(input: EnrollmentRequestInput): string {
  const items = [...contextItemsOf(input.context), ...(input.extraContextItems ?? [])];
  return encodeSoapEnvelope({
    action: ACTIONS.requestSecurityToken,
    messageId: input.messageId,
    replyTo: WS_ADDRESSING_ANONYMOUS,
    to: input.to,
    security: input.security,
    body: () =>
      el(
        'wst:RequestSecurityToken',
        { 'xmlns:wst': NS.wsTrust, 'xmlns:wsse': NS.wsse, 'xmlns:ac': NS.authorization },
        el('wst:TokenType', null, TOKEN_TYPE_DEVICE_ENROLLMENT),
        el('wst:RequestType', null, REQUEST_TYPE_ISSUE),
        el('wsse:BinarySecurityToken', { ValueType: VALUE_TYPE.pkcs10, EncodingType: ENCODING_TYPE_BASE64 }, input.csr.toString('base64')),
        el('ac:AdditionalContext', { xmlns: NS.authorization }, items.map((i) => el('ac:ContextItem', { Name: i.name }, el('ac:Value', null, i.value)))),
      ),
  });
}
