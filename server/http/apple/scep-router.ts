import express, { type Router } from 'express';
import type { Logger } from 'pino';
import type { ScepService } from '../../apple/scep-service.js';
import { ProtocolError } from '../../errors/protocol-error.js';
import { protocolErrorHandler } from './protocol-errors.js';

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

  router.post('/', express.raw({ type: () => true, limit: 256 * 1024 }), async (req, res) => {
    if (operation(req) !== 'PKIOperation') throw new ProtocolError('unknownScepOperation', 'POST is for operation=PKIOperation');
    const der = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
    if (der.length === 0) throw new ProtocolError('emptyBody');
    res.type('application/x-pki-message').send(await scep.pkiOperation(der));
  });
  router.use(protocolErrorHandler(log));
  return router;
}
