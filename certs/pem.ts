/** PEM armour (RFC 7468): only at the edges, everything inside certs/ is DER. */
import { CertsError } from './errors.js';

/** Wrap DER in a PEM block with the given label (e.g. `CERTIFICATE`), RFC 7468 §2. */
export function derToPem(der: Buffer, label: string): string {
  const b64 = der.toString('base64');
  const lines: string[] = [];
  for (let i = 0; i < b64.length; i += 64) lines.push(b64.slice(i, i + 64));
  return `-----BEGIN ${label}-----\n${lines.join('\n')}\n-----END ${label}-----\n`;
}

/** All PEM blocks in a text (optionally only those with `label`), decoded; RFC 7468 §2. */
export function pemBlocks(pem: string, label?: string): { label: string; der: Buffer }[] {
  const out: { label: string; der: Buffer }[] = [];
  const re = /-----BEGIN ([A-Z0-9 ]+)-----([\s\S]*?)-----END \1-----/g;
  for (let m = re.exec(pem); m; m = re.exec(pem)) {
    if (label && m[1] !== label) continue;
    out.push({ label: m[1]!, der: Buffer.from(m[2]!.replace(/[^A-Za-z0-9+/=]/g, ''), 'base64') });
  }
  return out;
}

/** The first PEM block (with `label` if given) as DER; throws badDer if there is none. */
export function pemToDer(pem: string, label?: string): Buffer {
  const block = pemBlocks(pem, label)[0];
  if (!block) throw new CertsError('badDer', `no PEM block${label ? ` labelled ${label}` : ''} found`);
  return block.der;
}
