import express, { type Router } from 'express';
import type { Logger } from 'pino';
import { SCEP_MESSAGE_LIMIT, type ScepService } from '../../apple/scep-service.js';
import { ProtocolError } from '../../errors/protocol-error.js';
import { bodyReadRefusal, protocolErrorHandler } from './protocol-errors.js';

/**
 * Content codings a PKIOperation POST may use (RFC 9110 §8.4.1): no SCEP client compresses, but
 * these decode within the body limit (counted after decoding), so they are taken rather than
 * refused; any other coding is a 415 naming them.
 */
const CODINGS = ['gzip', 'deflate', 'br'];
const ACCEPT_ENCODING = CODINGS.join(', ');

/**
 * SCEP over HTTP (RFC 8894 §4): `operation=GetCACaps|GetCACert` by GET, PKIOperation by GET
 * (`message` = base64 of the DER pkiMessage) or POST (the DER itself).
 */
export function scepRouter(scep: ScepService, log: Logger): Router {
  const router = express.Router();
  const operation = (req: express.Request): string => (typeof req.query.operation === 'string' ? req.query.operation : '');

  router.get('/', async (req, res) => {
    switch (operation(req)) {
      case 'GetCACaps':
        res.type('text/plain').send(scep.caps());
        return;
      case 'GetCACert':
        res.type('application/x-x509-ca-cert').send(scep.caCert());
        return;
      case 'PKIOperation': {
        const message = typeof req.query.message === 'string' ? req.query.message : '';
        // Base64 in a URL: '+' may arrive as ' ' when a client did not escape it.
        const der = Buffer.from(message.replace(/ /g, '+'), 'base64');
        if (der.length === 0) throw new ProtocolError('badScepRequest', 'PKIOperation by GET needs message=<base64 DER>');
        res.type('application/x-pki-message').send(await scep.pkiOperation(der));
        return;
      }
      default:
        throw new ProtocolError('unknownScepOperation', `operation must be GetCACaps, GetCACert or PKIOperation, not "${operation(req)}"`);
    }
  });

  const rawBody = express.raw({ type: () => true, limit: SCEP_MESSAGE_LIMIT });
  const readBody: express.RequestHandler = (req, res, next) => {
    const coding = (req.get('content-encoding') ?? 'identity').trim().toLowerCase();
    if (coding !== 'identity' && !CODINGS.includes(coding)) {
      next(new ProtocolError('unsupportedContentEncoding', `Content-Encoding ${coding} is not taken here`, { 'accept-encoding': ACCEPT_ENCODING }));
      return;
    }
    rawBody(req, res, (err?: unknown) => next(err === undefined ? undefined : bodyReadRefusal(err, req, { acceptEncoding: ACCEPT_ENCODING, malformed: 'badScepRequest' })));
  };
  router.post('/', readBody, async (req, res) => {
    if (operation(req) !== 'PKIOperation') throw new ProtocolError('unknownScepOperation', 'POST is for operation=PKIOperation');
    const der = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
    if (der.length === 0) throw new ProtocolError('emptyBody');
    res.type('application/x-pki-message').send(await scep.pkiOperation(der));
  });
  router.use(protocolErrorHandler(log));
  return router;
}
