/**
 * The signature base (RFC 9421 §2.5): one line per covered component, `"<identifier>": <value>`,
 * then `"@signature-params": <inner list>`, joined by LF without a trailing one. Its bytes are what
 * the key signs: component values are field octets (ISO-8859-1), everything else ASCII.
 */

import { componentValue, serializeComponentIdentifier, type ComponentIdentifier, type HttpRequestParts } from './components.js';
import { HttpSignatureError } from './errors.js';
import { signatureParamsValue } from './signature-fields.js';
import type { InnerList } from './structured-fields.js';

export function signatureBase(request: HttpRequestParts, components: readonly ComponentIdentifier[], list: InnerList): string {
  const seen = new Set<string>();
  const lines: string[] = [];
  for (const id of components) {
    if (id.name === '@signature-params') throw new HttpSignatureError('unsupportedComponent', '@signature-params cannot be a covered component');
    const identifier = serializeComponentIdentifier(id);
    if (seen.has(identifier)) throw new HttpSignatureError('duplicateComponent', `${identifier} is covered twice`);
    seen.add(identifier);
    lines.push(`${identifier}: ${componentValue(request, id)}`);
  }
  lines.push(`"@signature-params": ${signatureParamsValue(list)}`);
  return lines.join('\n');
}

/** The bytes that are signed. */
export function signatureBaseBytes(base: string): Uint8Array {
  return new Uint8Array(Buffer.from(base, 'latin1'));
}
