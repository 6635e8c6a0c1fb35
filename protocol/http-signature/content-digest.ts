/**
 * The Content-Digest field (RFC 9530 §2): a Dictionary of hash algorithm keys to Byte Sequences of
 * the digest of the content. mdmlab produces sha-256 and accepts sha-256 and sha-512, the two
 * algorithms RFC 9530 §5 registers as "Active"; others are ignored, as §2 lets a recipient do.
 */

import { HttpSignatureError } from './errors.js';
import { parseDictionary, serializeDictionary, type Item } from './structured-fields.js';

export const DIGEST_ALGORITHMS = { 'sha-256': 32, 'sha-512': 64 } as const;
export type DigestAlgorithm = keyof typeof DIGEST_ALGORITHMS;

export const CONTENT_DIGEST_LIMITS = { maxFieldLength: 1024, maxMembers: 8 } as const;

export interface ContentDigest {
  algorithm: DigestAlgorithm;
  digest: Uint8Array;
}

export function encodeContentDigest(digests: readonly ContentDigest[]): string {
  return serializeDictionary(
    new Map(digests.map((d) => [d.algorithm, { kind: 'item', value: { type: 'byteSequence', value: d.digest }, params: new Map() } as Item])),
  );
}

/**
 * The digests of a Content-Digest field that mdmlab can check, strongest first. Throws
 * HttpSignatureError: malformedHeader, headerTooLarge, or unsupportedDigestAlgorithm when no member
 * uses an algorithm we know.
 */
export function decodeContentDigest(field: string): ContentDigest[] {
  if (field.length > CONTENT_DIGEST_LIMITS.maxFieldLength) {
    throw new HttpSignatureError('headerTooLarge', `Content-Digest is longer than ${CONTENT_DIGEST_LIMITS.maxFieldLength} characters`);
  }
  let dict;
  try {
    dict = parseDictionary(field, { maxMembers: CONTENT_DIGEST_LIMITS.maxMembers, maxInnerListItems: 0, maxParameters: 4 });
  } catch (err) {
    if (err instanceof HttpSignatureError) throw new HttpSignatureError('malformedHeader', `Content-Digest: ${err.message}`);
    throw err;
  }
  const out: ContentDigest[] = [];
  for (const algorithm of ['sha-512', 'sha-256'] as const) {
    const member = dict.get(algorithm);
    if (!member) continue;
    if (member.kind !== 'item' || member.value.type !== 'byteSequence' || member.value.value.length !== DIGEST_ALGORITHMS[algorithm]) {
      throw new HttpSignatureError('malformedHeader', `Content-Digest ${algorithm} is not a ${DIGEST_ALGORITHMS[algorithm]}-byte sequence`);
    }
    out.push({ algorithm, digest: member.value.value });
  }
  if (out.length === 0) throw new HttpSignatureError('unsupportedDigestAlgorithm', 'Content-Digest has neither sha-256 nor sha-512');
  return out;
}
