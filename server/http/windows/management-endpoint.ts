import type { IncomingMessage, ServerResponse } from 'node:http';
import { TLSSocket } from 'node:tls';
import type { Logger } from 'pino';
import { SYNCML_DM_CONTENT_TYPE } from '../../../protocol/windows/syncml/types.js';
import { ProtocolError } from '../../errors/protocol-error.js';
import type { NodeHandler } from '../../platform/platform-module.js';
import { MANAGEMENT_MESSAGE_LIMIT, type Peer, type SessionService } from '../../windows/session/session-service.js';
import { writeProtocolError } from '../apple/protocol-errors.js';

/**
 * POST to the OMA-DM address (the provisioned w7 ADDR, `/ManagementServer/MDM.svc`; Windows adds
 * `?mode=…&Platform=…`, ignored): a plain node:http handler ahead of express, like the Apple
 * check-in path, since idle sessions are the bulk of the traffic. Headers first (Content-Type
 * `application/vnd.syncml.dm+xml`: no WBXML, as the provisioning document says; no Content-Encoding),
 * then the body within its limit. A message whose SyncHdr cannot be read is a 400 with a one-line
 * reason; every other answer is a SyncML message (HTTP 200) with the session's statuses. With
 * --tls, the client certificate of the connection (mutual TLS) is handed to the session as the
 * device's proof.
 */
export function managementEndpoint(sessions: SessionService, log: Logger): NodeHandler {
  return (req, res) => {
    handle(sessions, req, res).catch((err: unknown) => writeProtocolError(res, err, log, req.url));
  };
}

async function handle(sessions: SessionService, req: IncomingMessage, res: ServerResponse): Promise<void> {
  try {
    const type = (req.headers['content-type'] ?? '').toLowerCase();
    if (!type.startsWith(SYNCML_DM_CONTENT_TYPE)) throw new ProtocolError('wrongContentType', `Content-Type must be ${SYNCML_DM_CONTENT_TYPE}`);
    const coding = String(req.headers['content-encoding'] ?? 'identity').trim().toLowerCase();
    if (coding !== 'identity') throw new ProtocolError('unsupportedContentEncoding', `Content-Encoding ${coding} is not taken`, { 'accept-encoding': 'identity' });
  } catch (err) {
    req.resume();
    throw err;
  }
  const body = await readBody(req, MANAGEMENT_MESSAGE_LIMIT);
  if (body.length === 0) throw new ProtocolError('emptyBody');
  const reply = Buffer.from(await sessions.handle(body, peerOf(req)), 'utf8');
  res.writeHead(200, { 'content-type': SYNCML_DM_CONTENT_TYPE, 'content-length': reply.length });
  res.end(reply);
}

/** The client certificate of a mutual-TLS connection, if the client presented one. */
function peerOf(req: IncomingMessage): Peer {
  const socket = req.socket;
  if (!(socket instanceof TLSSocket)) return {};
  const cert = socket.getPeerCertificate(false);
  return cert && Buffer.isBuffer(cert.raw) && cert.raw.length > 0 ? { certificateDer: cert.raw } : {};
}

/** The whole body, refusing (413) as soon as it passes `limit` (declared or streamed). */
function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  const declared = Number(req.headers['content-length'] ?? NaN);
  if (declared > limit) {
    req.resume();
    return Promise.reject(new ProtocolError('bodyTooLarge', `an OMA-DM message is limited to ${limit} bytes`));
  }
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > limit) {
        req.removeAllListeners('data');
        req.resume();
        reject(new ProtocolError('bodyTooLarge', `an OMA-DM message is limited to ${limit} bytes`));
        return;
      }
      chunks.push(c);
    });
    req.on('end', () => resolve(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks)));
    req.on('error', reject);
  });
}
