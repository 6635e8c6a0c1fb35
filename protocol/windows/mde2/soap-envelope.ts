/**
 * The SOAP 1.2 envelope of every enrollment message (W3C SOAP 1.2 Part 1 §5) with its
 * WS-Addressing 1.0 headers (W3C WS-Addressing 1.0 SOAP Binding): Action, MessageID, ReplyTo and To on
 * requests; Action, RelatesTo and the WCF ActivityId on responses; wsse:Security on both.
 *
 * Decoding accepts the SOAP 1.1 namespace too (Microsoft's RSTR sample uses it), any prefixes, and
 * the lower-cased names of Microsoft's fault sample. Encoding always writes SOAP 1.2.
 */
import { el, XML_DECLARATION, type XmlElement, type XmlLimits, type XmlMarkup } from '../../xml/index.js';
import { encoding, missing, parseWindowsXml, WindowsProtocolError } from '../errors.js';
import { NS, operationOfAction, type EnrollmentOperation } from './namespaces.js';
import { childValue, firstElement, isNamed, requireSoapChild, soapAttr, soapChild, valueOf } from './soap-read.js';
import { encodeWsSecurity, readWsSecurity, type WsSecurity } from './ws-security.js';

export interface ActivityId {
  id: string;
  correlationId?: string;
}

export interface SoapHeader {
  /** WS-Addressing Action, trimmed. */
  action: string;
  /** Kept exactly as sent (trimmed): a reply's RelatesTo must repeat it, even the sample's `urn:uuid: 7481…`. */
  messageId?: string;
  relatesTo?: string;
  to?: string;
  /** ReplyTo/Address. */
  replyTo?: string;
  activityId?: ActivityId;
  /** Holds the user's password or token: never log a header as a whole. */
  security?: WsSecurity;
}

export interface SoapEnvelope {
  soapVersion: '1.2' | '1.1';
  header: SoapHeader;
  body: XmlElement;
  /** The Body's first element: the operation's payload or a Fault. */
  payload: XmlElement | undefined;
}

/**
 * Enrollment messages are small: a RequestSecurityToken with its CSR is ~4 KB, the response with a
 * provisioning document ~16 KB. Everything a client sends is bounded well above that.
 */
export const DEFAULT_SOAP_LIMITS: XmlLimits = { maxBytes: 256 * 1024, maxDepth: 32, maxElements: 4000 };

const ENVELOPE_NS = [NS.soap12, NS.soap11] as const;

/** Parses and checks an envelope; the payload is read by the operation's own decoder. */
export function decodeSoapEnvelope(input: Buffer | string, limits: XmlLimits = DEFAULT_SOAP_LIMITS): SoapEnvelope {
  const root = parseWindowsXml(input, limits);
  if (!isNamed(root, 'Envelope', ENVELOPE_NS)) {
    throw new WindowsProtocolError('wrongRoot', `expected a SOAP Envelope, got <${root.local}> in namespace "${root.ns}"`, { element: root.local });
  }
  const soapVersion = isNamed(root, 'Envelope', NS.soap11) ? '1.1' : '1.2';
  const headerEl = requireSoapChild(root, 'Header', 'Envelope/Header', ENVELOPE_NS);
  const body = requireSoapChild(root, 'Body', 'Envelope/Body', ENVELOPE_NS);
  const action = childValue(headerEl, 'Action', NS.addressing);
  if (action === undefined || action === '') throw missing('Header/Action');
  const header: SoapHeader = { action };
  const messageId = childValue(headerEl, 'MessageID', NS.addressing);
  const relatesTo = childValue(headerEl, 'RelatesTo', NS.addressing);
  const to = childValue(headerEl, 'To', NS.addressing);
  const replyTo = soapChild(headerEl, 'ReplyTo', NS.addressing);
  if (messageId !== undefined) header.messageId = messageId;
  if (relatesTo !== undefined) header.relatesTo = relatesTo;
  if (to !== undefined) header.to = to;
  if (replyTo) {
    const address = childValue(replyTo, 'Address', NS.addressing);
    if (address !== undefined) header.replyTo = address;
  }
  // WCF diagnostics; Microsoft's discovery sample writes it without a namespace, so any is accepted.
  const activity = soapChild(headerEl, 'ActivityId');
  if (activity) {
    header.activityId = { id: valueOf(activity) ?? '' };
    const correlationId = soapAttr(activity, 'CorrelationId');
    if (correlationId !== undefined) header.activityId.correlationId = correlationId;
  }
  const security = soapChild(headerEl, 'Security', NS.wsse);
  if (security) header.security = readWsSecurity(security);
  return { soapVersion, header, body, payload: firstElement(body) };
}

/** Throws unexpectedAction unless the envelope's Action is `expected` (case-insensitive). */
export function expectAction(env: SoapEnvelope, expected: string): void {
  if (env.header.action.toLowerCase() !== expected.toLowerCase()) {
    throw new WindowsProtocolError('unexpectedAction', `SOAP Action "${env.header.action.slice(0, 200)}" is not ${expected}`, { element: 'Header/Action' });
  }
}

/** The operation of a request envelope, or unexpectedAction naming the unknown Action. */
export function requestOperation(env: SoapEnvelope): EnrollmentOperation {
  const op = operationOfAction(env.header.action);
  if (!op) throw new WindowsProtocolError('unexpectedAction', `unknown SOAP Action "${env.header.action.slice(0, 200)}"`, { element: 'Header/Action' });
  return op;
}

/** The payload element, which must be `local` in `ns`. */
export function expectPayload(env: SoapEnvelope, local: string, ns: string): XmlElement {
  const p = env.payload;
  if (!p) throw missing(`Body/${local}`);
  if (!isNamed(p, local, ns)) throw new WindowsProtocolError('wrongRoot', `expected <${local}> in the SOAP Body, got <${p.local}>`, { element: `Body/${p.local}` });
  return p;
}

export interface SoapEnvelopeInput {
  action: string;
  messageId?: string;
  relatesTo?: string;
  to?: string;
  replyTo?: string;
  activityId?: ActivityId;
  security?: WsSecurity;
  /**
   * Builds the Body's content with protocol/xml's el(); called inside the encoder so that a value XML
   * cannot carry becomes a WindowsProtocolError like every other encoding failure.
   */
  body: () => XmlMarkup;
}

/**
 * Writes a SOAP 1.2 envelope. `s`, `a` and `u` are declared on the Envelope, as Microsoft's samples
 * do; the payload declares its own default namespace. Action and To carry s:mustUnderstand="1"
 * (as Microsoft's samples and Windows clients write them).
 */
export function encodeSoapEnvelope(input: SoapEnvelopeInput): string {
  return encoding('SOAP envelope', () => {
    const header = el(
      's:Header',
      null,
      el('a:Action', { 's:mustUnderstand': '1' }, input.action),
      input.activityId &&
        el('ActivityId', { CorrelationId: input.activityId.correlationId, xmlns: NS.diagnostics }, input.activityId.id),
      input.messageId !== undefined && el('a:MessageID', null, input.messageId),
      input.relatesTo !== undefined && el('a:RelatesTo', null, input.relatesTo),
      input.replyTo !== undefined && el('a:ReplyTo', null, el('a:Address', null, input.replyTo)),
      input.to !== undefined && el('a:To', { 's:mustUnderstand': '1' }, input.to),
      input.security && encodeWsSecurity(input.security),
    );
    const envelope = el(
      's:Envelope',
      { 'xmlns:s': NS.soap12, 'xmlns:a': NS.addressing, 'xmlns:u': NS.wsu },
      header,
      el('s:Body', { 'xmlns:xsi': NS.xsi, 'xmlns:xsd': NS.xsd }, input.body()),
    );
    return XML_DECLARATION + envelope.xml;
  });
}
