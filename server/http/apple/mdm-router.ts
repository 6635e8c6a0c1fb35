import express, { type Router } from 'express';
import type { Logger } from 'pino';
import { PROFILE_CONTENT_TYPE } from '../../../protocol/apple/configuration-profile.js';
import type { EnrollmentProfileService } from '../../apple/enrollment-profile-service.js';
import type { NodeHandler } from '../../platform/platform-module.js';
import { protocolErrorHandler } from './protocol-errors.js';

/**
 * The Apple MDM routes under /mdm: GET the enrollment profile; PUT check-ins and reports. The PUTs
 * are normally taken before express by the server's fast path; these routes answer the same way
 * when the app is used on its own (tests, other mounts).
 */
export function mdmRouter(deps: { enrollment: EnrollmentProfileService; endpoint: NodeHandler; log: Logger }): Router {
  const router = express.Router();
  router.get('/enroll', async (req, res) => {
    const token = typeof req.query.token === 'string' ? req.query.token : undefined;
    const profileHeaders = () => res.status(200).type(PROFILE_CONTENT_TYPE).set('Content-Disposition', 'attachment; filename="mdmlab-enroll.mobileconfig"');
    // HEAD (which express routes here) is safe (RFC 9110 §9.2.1): it is told what GET would get, and spends nothing.
    if (req.method === 'HEAD') {
      await deps.enrollment.check(token);
      profileHeaders().end();
      return;
    }
    const signed = await deps.enrollment.profileFor(token);
    profileHeaders().send(signed);
  });
  router.put('/checkin', (req, res) => deps.endpoint(req, res));
  router.put('/connect', (req, res) => deps.endpoint(req, res));
  router.use(protocolErrorHandler(deps.log));
  return router;
}
