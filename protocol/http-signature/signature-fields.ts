/**
 * The Signature-Input and Signature fields (RFC 9421 §4.1, §4.2) and the signature parameters
 * (§2.3): created, expires, nonce, alg, keyid, tag. Both fields are Dictionaries keyed by a
 * signature label; Signature-Input's members are Inner Lists of component identifiers with the
 * parameters, Signature's members are Byte Sequences.
 */

import type { ComponentIdentifier } from './components.js';
import { HttpSignatureError } from './errors.js';
import {
  parseDictionary,
  serializeDictionary,
  SfLimitError,
  serializeInnerList,
  type BareItem,
  type Dictionary,
  type InnerList,
  type Item,
  type Parameters,
  type SfLimits,
} from './structured-fields.js';

/** RFC 9421 §3.3: the algorithms mdmlab signs and verifies with (RSA only: device identities are RSA). */
export const HTTP_SIGNATURE_ALGORITHMS = ['rsa-pss-sha512', 'rsa-v1_5-sha256'] as const;
export type HttpSignatureAlgorithm = (typeof HTTP_SIGNATURE_ALGORITHMS)[number];

export interface SignatureParameters {
  /** UNIX seconds. */
  created?: number;
  expires?: number;
  nonce?: string;
  alg?: string;
  keyid?: string;
  tag?: string;
}

export const SIGNATURE_PARAMETER_NAMES = ['created', 'expires', 'nonce', 'alg', 'keyid', 'tag'] as const;
const INTEGER_PARAMS = new Set(['created', 'expires']);

export interface SignatureInput {
  label: string;
  components: ComponentIdentifier[];
  params: SignatureParameters;
  /** The member as parsed, serialized again for `@signature-params` (RFC 9421 §2.3). */
  innerList: InnerList;
}

export const SIGNATURE_FIELD_LIMITS = {
  /** Either field, in characters (checked before parsing). */
  maxFieldLength: 8192,
  maxSignatures: 8,
  maxComponents: 32,
  maxParameters: 16,
  /** Parameter strings (keyid, nonce, tag), in characters. */
  maxParameterLength: 512,
  /** Signature bytes: RSA-8192 is 1,024. */
  maxSignatureBytes: 1024,
} as const;

const SF_LIMITS: SfLimits = {
  maxMembers: SIGNATURE_FIELD_LIMITS.maxSignatures,
  maxInnerListItems: SIGNATURE_FIELD_LIMITS.maxComponents,
  maxParameters: SIGNATURE_FIELD_LIMITS.maxParameters,
};

function boundedField(field: string, name: string): string {
  if (field.length > SIGNATURE_FIELD_LIMITS.maxFieldLength) {
    throw new HttpSignatureError('headerTooLarge', `${name} is longer than ${SIGNATURE_FIELD_LIMITS.maxFieldLength} characters`);
  }
  return field;
}

function parseSignatureDictionary(field: string, name: string): Dictionary {
  try {
    return parseDictionary(boundedField(field, name), SF_LIMITS);
  } catch (err) {
    if (err instanceof SfLimitError && err.limit !== 'maxParameters') {
      throw new HttpSignatureError(err.limit === 'maxMembers' ? 'tooManySignatures' : 'tooManyComponents', `${name}: ${err.message}`);
    }
    if (err instanceof HttpSignatureError) throw new HttpSignatureError(err.code, `${name}: ${err.message}`);
    throw err;
  }
}

/** Every member of a Signature-Input field, by label, in field order. Throws HttpSignatureError. */
export function decodeSignatureInput(field: string): Map<string, SignatureInput> {
  const out = new Map<string, SignatureInput>();
  for (const [label, member] of parseSignatureDictionary(field, 'Signature-Input')) {
    if (member.kind !== 'innerList') throw new HttpSignatureError('malformedHeader', `Signature-Input ${label} is not an inner list`);
    const components = member.items.map((item) => {
      if (item.value.type !== 'string') throw new HttpSignatureError('malformedHeader', `Signature-Input ${label}: component identifiers are strings`);
      return { name: item.value.value, params: item.params };
    });
    out.set(label, { label, components, params: readParameters(member.params, label), innerList: member });
  }
  return out;
}

function readParameters(params: Parameters, label: string): SignatureParameters {
  const out: SignatureParameters = {};
  for (const [key, value] of params) {
    if (!(SIGNATURE_PARAMETER_NAMES as readonly string[]).includes(key)) {
      throw new HttpSignatureError('invalidParameter', `Signature-Input ${label}: unknown parameter ${key}`);
    }
    if (INTEGER_PARAMS.has(key)) {
      if (value.type !== 'integer' || value.value < 0) throw new HttpSignatureError('invalidParameter', `Signature-Input ${label}: ${key} must be a non-negative integer`);
      out[key as 'created' | 'expires'] = value.value;
    } else {
      if (value.type !== 'string') throw new HttpSignatureError('invalidParameter', `Signature-Input ${label}: ${key} must be a string`);
      if (value.value.length > SIGNATURE_FIELD_LIMITS.maxParameterLength) {
        throw new HttpSignatureError('invalidParameter', `Signature-Input ${label}: ${key} is longer than ${SIGNATURE_FIELD_LIMITS.maxParameterLength} characters`);
      }
      out[key as 'nonce' | 'alg' | 'keyid' | 'tag'] = value.value;
    }
  }
  return out;
}

/** Every member of a Signature field, by label. Throws HttpSignatureError. */
export function decodeSignatureField(field: string): Map<string, Uint8Array> {
  const out = new Map<string, Uint8Array>();
  for (const [label, member] of parseSignatureDictionary(field, 'Signature')) {
    if (member.kind !== 'item' || member.value.type !== 'byteSequence') {
      throw new HttpSignatureError('malformedHeader', `Signature ${label} is not a byte sequence`);
    }
    const bytes = member.value.value;
    if (bytes.length === 0 || bytes.length > SIGNATURE_FIELD_LIMITS.maxSignatureBytes) {
      throw new HttpSignatureError('malformedHeader', `Signature ${label} has ${bytes.length} bytes`);
    }
    out.set(label, bytes);
  }
  return out;
}

/** The inner list of a signature: covered components and parameters, in the order given. */
export function signatureInnerList(components: readonly ComponentIdentifier[], params: SignatureParameters): InnerList {
  const items: Item[] = components.map((c) => ({ kind: 'item', value: { type: 'string', value: c.name }, params: c.params }));
  const p: Parameters = new Map();
  for (const key of SIGNATURE_PARAMETER_NAMES) {
    const v = params[key];
    if (v === undefined) continue;
    const item: BareItem = typeof v === 'number' ? { type: 'integer', value: v } : { type: 'string', value: v };
    p.set(key, item);
  }
  return { kind: 'innerList', items, params: p };
}

/** `@signature-params` value: the inner list serialized (RFC 9421 §2.3). */
export function signatureParamsValue(list: InnerList): string {
  return serializeInnerList(list);
}

export function encodeSignatureInput(label: string, list: InnerList): string {
  return serializeDictionary(new Map([[label, list]]));
}

export function encodeSignatureField(label: string, signature: Uint8Array): string {
  return serializeDictionary(new Map([[label, { kind: 'item', value: { type: 'byteSequence', value: signature }, params: new Map() } as Item]]));
}
