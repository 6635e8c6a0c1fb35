/**
 * The plist codec every Apple MDM body goes through (check-ins, command reports, commands,
 * configuration profiles): XML plists with a top-level <dict> only (Apple MDM Protocol Reference, "MDM
 * Check-in Protocol" and "Mobile Device Management Protocol"; Apple YAML mdm/checkin, mdm/commands).
 *
 * Checks in order, cheapest first: size limit, binary plist magic (`bplist00`), UTF-8, then the
 * strict XML parser (plist-parser.ts) and the top-level type.
 */

import { isUtf8 } from 'node:buffer';
import { AppleProtocolError } from './errors.js';
import { encodePlistXml } from './plist-encoder.js';
import { parsePlistXml, DEFAULT_MAX_PLIST_DEPTH } from './plist-parser.js';
import { isPlistDict, plistTypeOf, type PlistDict, type PlistInput, type PlistValue } from './plist-types.js';

/** Default body limit: 1 MiB. A check-in is ~0.5–3 KB; an InstallProfile with certificates a few KB. */
export const DEFAULT_MAX_PLIST_BYTES = 1024 * 1024;

export interface DecodePlistOptions {
  /** Largest accepted body in bytes (UTF-8). Default DEFAULT_MAX_PLIST_BYTES. */
  maxBytes?: number;
  /** Deepest accepted dict/array nesting. Default 64. */
  maxDepth?: number;
}

const BPLIST_MAGIC = Buffer.from('bplist');

/** Decode an XML plist whose top-level value is a <dict>. Throws AppleProtocolError. */
export function decodePlist(body: Buffer | Uint8Array | string, opts: DecodePlistOptions = {}): PlistDict {
  const root = decodePlistValue(body, opts);
  if (!isPlistDict(root)) {
    throw new AppleProtocolError('notADict', `the top-level plist value is ${plistTypeOf(root)}, expected a dict`);
  }
  return root;
}

/** Decode an XML plist with any top-level value (e.g. an array of payloads). Throws AppleProtocolError. */
export function decodePlistValue(body: Buffer | Uint8Array | string, opts: DecodePlistOptions = {}): PlistValue {
  const maxBytes = opts.maxBytes ?? DEFAULT_MAX_PLIST_BYTES;
  let text: string;
  if (typeof body === 'string') {
    // length is UTF-16 units; bytes are between length and 3 × length.
    if (body.length > maxBytes || (body.length * 3 > maxBytes && Buffer.byteLength(body, 'utf8') > maxBytes)) {
      throw new AppleProtocolError('tooLarge', `the plist is larger than ${maxBytes} bytes`);
    }
    if (body.startsWith('bplist')) throw binary();
    text = body;
  } else {
    const buf = Buffer.isBuffer(body) ? body : Buffer.from(body.buffer, body.byteOffset, body.byteLength);
    if (buf.length > maxBytes) throw new AppleProtocolError('tooLarge', `the plist is ${buf.length} bytes, larger than ${maxBytes}`);
    if (buf.length >= 6 && buf.subarray(0, 6).equals(BPLIST_MAGIC)) throw binary();
    if (!isUtf8(buf)) throw new AppleProtocolError('notUtf8', 'the plist is not valid UTF-8 (UTF-16 and other encodings are refused)');
    text = buf.toString('utf8');
  }
  return parsePlistXml(text, { maxDepth: opts.maxDepth ?? DEFAULT_MAX_PLIST_DEPTH });
}

function binary(): AppleProtocolError {
  return new AppleProtocolError('binaryPlist', 'binary plists (bplist00) are not accepted; send an XML plist');
}

/** Encode a value (normally a dict) as a standard Apple XML plist document. */
export function encodePlist(value: PlistInput): string {
  return encodePlistXml(value);
}
