import type { IncomingMessage } from 'node:http';
import { AndroidChannelError } from '../../errors/android-error.js';

/**
 * The checks on a JSON request's headers, before its body is read: application/json, no content
 * coding (the signature's Content-Digest covers the body as sent, RFC 9530 §2), a declared length
 * within the limit.
 */
export function checkJsonHeaders(req: IncomingMessage, limit: number): void {
  const type = (req.headers['content-type'] ?? '').toLowerCase();
  if (!/^application\/json\s*(;|$)/.test(type)) throw new AndroidChannelError('wrongContentType', `Content-Type must be application/json, not ${type || 'none'}`);
  const coding = String(req.headers['content-encoding'] ?? 'identity').trim().toLowerCase();
  if (coding !== 'identity') throw new AndroidChannelError('unsupportedContentEncoding', `Content-Encoding ${coding} is not taken`, { headers: { 'accept-encoding': 'identity' } });
  const declared = Number(req.headers['content-length'] ?? NaN);
  if (declared > limit) throw new AndroidChannelError('bodyTooLarge', `the body is limited to ${limit} bytes`);
}

/** The whole body, refusing (413) as soon as it passes `limit`; a refusal drains the rest so the connection stays usable. */
export function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (c: Buffer) => {
      size += c.length;
      if (size > limit) {
        req.off('data', onData);
        req.resume();
        reject(new AndroidChannelError('bodyTooLarge', `the body is limited to ${limit} bytes`));
        return;
      }
      chunks.push(c);
    };
    req.on('data', onData);
    req.on('end', () => resolve(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

/** Discards a body nobody reads (a refused request, a GET that came with one). */
export function drain(req: IncomingMessage): void {
  req.resume();
}
