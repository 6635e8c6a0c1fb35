import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import { CHECKIN_CONTENT_TYPE, parseCheckIn } from '../../../protocol/apple/checkin.js';
import { parseReport } from '../../../protocol/apple/command-report.js';
import { MDM_CONTENT_TYPE } from '../../../protocol/apple/command.js';
import { isAppleProtocolError } from '../../../protocol/apple/errors.js';
import type { CheckInService } from '../../apple/checkin-service.js';
import type { CommandService } from '../../apple/command-service.js';
import type { DeviceIdentityVerifier } from '../../apple/device-identity.js';
import { ProtocolError } from '../../errors/protocol-error.js';
import type { NodeHandler } from '../../platform/platform-module.js';
import { undecodableMessage, writeProtocolError } from './protocol-errors.js';

export interface MdmEndpointDeps {
  identity: DeviceIdentityVerifier;
  checkIns: CheckInService;
  commands: CommandService;
  log: Logger;
}

/** Check-ins are small; command reports can carry a ProfileList. */
const CHECKIN_LIMIT = 64 * 1024;
const REPORT_LIMIT = 1024 * 1024;


/**
 * PUT to the CheckInURL or the ServerURL (Apple Device Management, MDM payload): the hottest path
 * of the server, so it is a plain node:http handler rather than an express route (express's
 * routing and body parsing cost about a quarter of a signed Idle check-in). Like NanoMDM, either
 * URL takes either kind of message, told apart by Content-Type. Headers are checked before the
 * body is read (Content-Type, Content-Encoding, the Mdm-Signature's size), the signature before
 * anything is parsed or stored; every refusal is a status and a one-line reason, never 401.
 */
export function mdmEndpoint(deps: MdmEndpointDeps): NodeHandler {
  return (req, res) => {
    handle(deps, req, res).catch((err: unknown) => writeProtocolError(res, err, deps.log, req.url));
  };
}

async function handle(deps: MdmEndpointDeps, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const type = (req.headers['content-type'] ?? '').toLowerCase();
  const kind = type.startsWith(CHECKIN_CONTENT_TYPE) ? 'checkin' : type.startsWith(MDM_CONTENT_TYPE) ? 'report' : undefined;
  if (!kind) {
    req.resume();
    throw new ProtocolError('wrongContentType', `Content-Type must be ${CHECKIN_CONTENT_TYPE} or ${MDM_CONTENT_TYPE}`);
  }
  let signature: Buffer;
  try {
    // The signature covers the body as sent, so no content coding (RFC 9110 §8.4): devices send none.
    const coding = header(req, 'content-encoding')?.trim().toLowerCase();
    if (coding && coding !== 'identity') {
      throw new ProtocolError('unsupportedContentEncoding', `Content-Encoding ${coding} is not taken: the Mdm-Signature covers the body as sent`, { 'accept-encoding': 'identity' });
    }
    signature = deps.identity.readSignature(header(req, 'mdm-signature'));
  } catch (err) {
    req.resume();
    throw err;
  }
  const limit = kind === 'checkin' ? CHECKIN_LIMIT : REPORT_LIMIT;
  const body = await readBody(req, limit);
  if (body.length === 0) throw new ProtocolError('emptyBody');
  const identity = await deps.identity.verify(body, signature);
  if (kind === 'checkin') {
    const { message } = decoded(() => parseCheckIn(body, { maxBytes: limit }));
    await deps.checkIns.handle(message, identity);
    res.writeHead(200, { 'content-length': 0 });
    res.end();
    return;
  }
  const { report } = decoded(() => parseReport(body, { maxBytes: limit }));
  const next = await deps.commands.handle(report, identity);
  if (next === undefined) {
    res.writeHead(200, { 'content-length': 0 });
    res.end();
  } else {
    const bytes = Buffer.from(next, 'utf8');
    res.writeHead(200, { 'content-type': 'application/xml', 'content-length': bytes.length });
    res.end(bytes);
  }
}

/** Decoding is where a device is at fault, and only there (protocol-errors.ts). */
function decoded<T>(decode: () => T): T {
  try {
    return decode();
  } catch (err) {
    if (isAppleProtocolError(err)) throw undecodableMessage(err);
    throw err;
  }
}

function header(req: IncomingMessage, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v[0] : v;
}

/** The whole body, refusing (413) as soon as it passes `limit` (declared or streamed). */
function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  const declared = Number(req.headers['content-length'] ?? NaN);
  if (declared > limit) {
    req.resume();
    return Promise.reject(new ProtocolError('bodyTooLarge', `the body is limited to ${limit} bytes`));
  }
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > limit) {
        req.removeAllListeners('data');
        req.resume();
        reject(new ProtocolError('bodyTooLarge', `the body is limited to ${limit} bytes`));
        return;
      }
      chunks.push(c);
    });
    req.on('end', () => resolve(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks)));
    req.on('error', reject);
  });
}
