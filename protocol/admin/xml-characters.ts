/**
 * Characters an XML 1.0 document cannot carry (XML 1.0 §2.2, production [2] Char): the C0 controls
 * other than tab, line feed and carriage return, U+FFFE and U+FFFF, and UTF-16 surrogates that are
 * not part of a pair (JSON's `\ud800` escape makes one). Every admin-API string may end up in a
 * property list, a SOAP envelope or a SyncML document sent to a device, so such a string is
 * refused where it enters, naming the field, rather than failing later deep inside a delivery.
 */

const UNCARRIABLE = /[\x00-\x08\x0B\x0C\x0E-\x1F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

export interface UncarriableCharacter {
  /** Index in UTF-16 code units, as JavaScript counts. */
  index: number;
  /** `U+0000` style. */
  codePoint: string;
}

/** The first character of `s` that XML 1.0 cannot carry, or undefined when there is none. */
export function firstUncarriableCharacter(s: string): UncarriableCharacter | undefined {
  const m = UNCARRIABLE.exec(s);
  if (!m) return undefined;
  return { index: m.index, codePoint: `U+${m[0].charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')}` };
}
