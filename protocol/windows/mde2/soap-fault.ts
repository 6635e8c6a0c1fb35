/**
 * Enrollment errors as SOAP faults (MS-MDE2 §2.2.10): a SOAP 1.2 Fault (W3C SOAP 1.2 Part 1 §5.4) whose
 * Subcode says what failed (s:MessageFormat … a:InvalidSecurity, each shown to the user as a
 * MENROLL_E_* HRESULT) and whose optional Detail carries a `deviceenrollmentserviceerror` with an
 * errortype (DeviceCapReached, DeviceNotSupported, …), a message and a trace id.
 *
 * Microsoft's sample writes every name in lower case (`s:fault`, `s:receiver`, `devicecapreached`):
 * decoding accepts any case and returns the canonical names; encoding writes the spec's casing.
 * A SOAP 1.1 fault (faultcode/faultstring) is understood too.
 */
import { el, type XmlLimits } from '../../xml/index.js';
import { invalid, missing } from '../errors.js';
import { NS } from './namespaces.js';
import { decodeSoapEnvelope, encodeSoapEnvelope, type ActivityId, type SoapEnvelope, type SoapHeader } from './soap-envelope.js';
import { childValue, isNamed, soapAttr, soapChild, valueOf } from './soap-read.js';

/** SOAP 1.2 fault codes (Part 1 §5.4.6); enrollment faults use Receiver in Microsoft's samples. */
export const SOAP_FAULT_CODES = ['Sender', 'Receiver', 'VersionMismatch', 'MustUnderstand', 'DataEncodingUnknown'] as const;
export type SoapFaultCode = (typeof SOAP_FAULT_CODES)[number];

interface CatalogueEntry {
  /** Prefix of the subcode's namespace: `s` SOAP envelope, `a` WS-Addressing (MS-MDE2 §2.2.10 table). */
  prefix?: 's' | 'a';
  /** The HRESULT the client shows. */
  hresult?: number;
  description: string;
}

/** MS-MDE2 §2.2.10 fault subcodes. */
export const ENROLLMENT_FAULT_SUBCODES = {
  MessageFormat: { prefix: 's', hresult: 0x80180001, description: 'Message format is bad.' },
  Authentication: { prefix: 's', hresult: 0x80180002, description: 'User not recognized.' },
  Authorization: { prefix: 's', hresult: 0x80180003, description: 'User not allowed to enroll.' },
  CertificateRequest: { prefix: 's', hresult: 0x80180004, description: 'Failed to get certificate.' },
  EnrollmentServer: { prefix: 's', hresult: 0x80180005, description: 'Generic failure from management server, such as a database access error.' },
  InternalServiceFault: { prefix: 'a', hresult: 0x80180006, description: 'The server hit an unexpected issue.' },
  InvalidSecurity: { prefix: 'a', hresult: 0x80180007, description: 'Cannot parse the security header.' },
} as const satisfies Record<string, CatalogueEntry>;
export type EnrollmentFaultSubcode = keyof typeof ENROLLMENT_FAULT_SUBCODES;

/** MS-MDE2 §2.2.10 deviceenrollmentserviceerror errortype values (with the 2023 errata's CustomServerError). */
export const ENROLLMENT_ERROR_TYPES = {
  DeviceCapReached: { hresult: 0x80180013, description: 'The user has enrolled too many devices; removing an old one fixes it.' },
  DeviceNotSupported: { hresult: 0x80180014, description: 'This platform or version is not supported.' },
  NotSupported: { hresult: 0x80180015, description: 'Device management is not supported.' },
  NotEligibleToRenew: { hresult: 0x80180016, description: 'The server refuses to renew this certificate; enroll again.' },
  InMaintenance: { hresult: 0x80180017, description: 'The account is in maintenance; retry later.' },
  UserLicense: { hresult: 0x80180018, description: "The user's license blocks enrollment." },
  InvalidEnrollmentData: { hresult: 0x80180019, description: 'The server rejected the enrollment data.' },
  CustomServerError: { description: 'A server-defined error; the message is shown to the user.' },
} as const satisfies Record<string, CatalogueEntry>;
export type EnrollmentErrorType = keyof typeof ENROLLMENT_ERROR_TYPES;

export interface EnrollmentServiceError {
  /** Canonical name when known, else as sent. */
  errorType?: EnrollmentErrorType | (string & {});
  message?: string;
  traceId?: string;
}

export interface SoapFault {
  /** Canonical SOAP 1.2 code when known, else the code's local name as sent. */
  code: SoapFaultCode | (string & {});
  /** Canonical MS-MDE2 subcode when known, else the local name as sent. */
  subcode?: EnrollmentFaultSubcode | (string & {});
  reason: string;
  /** xml:lang of the reason text. */
  lang?: string;
  detail?: EnrollmentServiceError;
}

/** The local part of a QName value (`s:receiver` → `receiver`), mapped to its canonical spelling when known. */
function canonical<T extends string>(qname: string, known: readonly T[]): T | string {
  const local = qname.includes(':') ? qname.slice(qname.indexOf(':') + 1) : qname;
  return known.find((k) => k.toLowerCase() === local.toLowerCase()) ?? local;
}

const SUBCODES = Object.keys(ENROLLMENT_FAULT_SUBCODES) as EnrollmentFaultSubcode[];
const ERROR_TYPES = Object.keys(ENROLLMENT_ERROR_TYPES) as EnrollmentErrorType[];

/** The fault in an envelope's Body, or undefined when the Body holds something else. */
export function readSoapFault(env: SoapEnvelope): SoapFault | undefined {
  const f = env.payload;
  if (!f || !isNamed(f, 'Fault', [NS.soap12, NS.soap11])) return undefined;
  const faultcode = childValue(f, 'faultcode'); // SOAP 1.1 §4.4: unqualified children
  if (faultcode !== undefined) {
    const local = canonical(faultcode, ['Client', 'Server']);
    return { code: local === 'Client' ? 'Sender' : local === 'Server' ? 'Receiver' : local, reason: childValue(f, 'faultstring') ?? '' };
  }
  const codeEl = soapChild(f, 'Code', NS.soap12);
  const code = codeEl && childValue(codeEl, 'Value', NS.soap12);
  if (!codeEl || !code) throw missing('Fault/Code/Value');
  const fault: SoapFault = { code: canonical(code, SOAP_FAULT_CODES), reason: '' };
  const subcodeEl = soapChild(codeEl, 'Subcode', NS.soap12);
  const subcode = subcodeEl && childValue(subcodeEl, 'Value', NS.soap12);
  if (subcode) fault.subcode = canonical(subcode, SUBCODES);
  const reason = soapChild(f, 'Reason', NS.soap12);
  const text = reason && soapChild(reason, 'Text', NS.soap12);
  if (text) {
    fault.reason = valueOf(text) ?? '';
    const lang = soapAttr(text, 'lang');
    if (lang !== undefined) fault.lang = lang;
  }
  const detail = soapChild(f, 'Detail', NS.soap12);
  const err = detail && soapChild(detail, 'deviceenrollmentserviceerror', NS.enrollment);
  if (err) {
    fault.detail = {};
    const errorType = childValue(err, 'errortype', NS.enrollment);
    const message = childValue(err, 'message', NS.enrollment);
    const traceId = childValue(err, 'traceid', NS.enrollment);
    if (errorType) fault.detail.errorType = canonical(errorType, ERROR_TYPES);
    if (message !== undefined) fault.detail.message = message;
    if (traceId !== undefined) fault.detail.traceId = traceId;
  }
  return fault;
}

export function decodeSoapFault(input: Buffer | string, limits?: XmlLimits): { header: SoapHeader; fault: SoapFault } {
  const env = decodeSoapEnvelope(input, limits);
  const fault = readSoapFault(env);
  if (!fault) throw invalid('Body', `the SOAP Body holds <${env.payload?.local ?? 'nothing'}>, not a Fault`);
  return { header: env.header, fault };
}

/** The HRESULT a Windows client reports for this fault (detail errortype first, then subcode). */
export function faultHresult(fault: SoapFault): number | undefined {
  const et = fault.detail?.errorType;
  const byType = et !== undefined ? (ENROLLMENT_ERROR_TYPES as Record<string, CatalogueEntry>)[et]?.hresult : undefined;
  if (byType !== undefined) return byType;
  return fault.subcode !== undefined ? (ENROLLMENT_FAULT_SUBCODES as Record<string, CatalogueEntry>)[fault.subcode]?.hresult : undefined;
}

export interface SoapFaultInput {
  /** The Action of the response the fault replaces (RESPONSE_ACTION of the request's operation). */
  action: string;
  relatesTo?: string;
  activityId?: ActivityId;
  fault: {
    code?: SoapFaultCode;
    subcode: EnrollmentFaultSubcode;
    /** One line for the user; never a stack or a path. */
    reason: string;
    lang?: string;
    detail?: { errorType: EnrollmentErrorType; message?: string; traceId?: string };
  };
}

export function encodeSoapFault(input: SoapFaultInput): string {
  const f = input.fault;
  const prefix = ENROLLMENT_FAULT_SUBCODES[f.subcode].prefix;
  const d = f.detail;
  return encodeSoapEnvelope({
    action: input.action,
    activityId: input.activityId,
    relatesTo: input.relatesTo,
    body: () =>
      el(
        's:Fault',
        null,
        el('s:Code', null, el('s:Value', null, `s:${f.code ?? 'Receiver'}`), el('s:Subcode', null, el('s:Value', null, `${prefix}:${f.subcode}`))),
        el('s:Reason', null, el('s:Text', { 'xml:lang': f.lang ?? 'en-US' }, f.reason)),
        d &&
          el(
            's:Detail',
            null,
            el(
              'deviceenrollmentserviceerror',
              { xmlns: NS.enrollment },
              el('errortype', null, d.errorType),
              d.message !== undefined && el('message', null, d.message),
              d.traceId !== undefined && el('traceid', null, d.traceId),
            ),
          ),
      ),
  });
}
