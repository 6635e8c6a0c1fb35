import express, { type Request, type Router } from 'express';
import type { Logger } from 'pino';
import { CHECKIN_CONTENT_TYPE, parseCheckIn } from '../../../protocol/apple/checkin.js';
import { parseReport } from '../../../protocol/apple/command-report.js';
import { MDM_CONTENT_TYPE } from '../../../protocol/apple/command.js';
import { PROFILE_CONTENT_TYPE } from '../../../protocol/apple/configuration-profile.js';
import type { CheckInService } from '../../apple/checkin-service.js';
import type { CommandService } from '../../apple/command-service.js';
import type { DeviceIdentityVerifier } from '../../apple/device-identity.js';
import type { EnrollmentProfileService } from '../../apple/enrollment-profile-service.js';
import { ProtocolError } from '../../errors/protocol-error.js';
import { protocolErrorHandler } from './protocol-errors.js';

export interface MdmRouterDeps {
  enrollment: EnrollmentProfileService;
  identity: DeviceIdentityVerifier;
  checkIns: CheckInService;
  commands: CommandService;
  log: Logger;
}

/** Check-ins are small; command reports can carry a ProfileList. */
const CHECKIN_LIMIT = 64 * 1024;
const REPORT_LIMIT = 1024 * 1024;

const kindOf = (req: Request): 'checkin' | 'report' | undefined => {
  const type = (req.get('content-type') ?? '').toLowerCase();
  if (type.startsWith(CHECKIN_CONTENT_TYPE)) return 'checkin';
  if (type.startsWith(MDM_CONTENT_TYPE)) return 'report';
  return undefined;
};

/**
 * The Apple MDM HTTP edge (notes/apple.md §2.1): GET the enrollment profile, PUT check-ins to the
 * CheckInURL and command reports to the ServerURL. Like NanoMDM, either URL accepts either kind,
 * told apart by Content-Type. Every request is verified before anything is parsed or stored.
 */
export function mdmRouter(deps: MdmRouterDeps): Router {
  const router = express.Router();

  router.get('/enroll', async (req, res) => {
    const token = typeof req.query.token === 'string' ? req.query.token : undefined;
    const signed = await deps.enrollment.profileFor(token);
    res.status(200).type(PROFILE_CONTENT_TYPE).set('Content-Disposition', 'attachment; filename="mdmlab-enroll.mobileconfig"').send(signed);
  });

  const raw = express.raw({ type: () => true, limit: REPORT_LIMIT });
  const handler = async (req: Request, res: express.Response) => {
    const kind = kindOf(req);
    if (!kind) throw new ProtocolError('wrongContentType', `Content-Type must be ${CHECKIN_CONTENT_TYPE} or ${MDM_CONTENT_TYPE}`);
    const body = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
    if (body.length === 0) throw new ProtocolError('emptyBody');
    if (kind === 'checkin' && body.length > CHECKIN_LIMIT) throw new ProtocolError('bodyTooLarge', `check-in messages are limited to ${CHECKIN_LIMIT} bytes`);
    const identity = await deps.identity.verify(body, req.get('mdm-signature'));
    if (kind === 'checkin') {
      const { message } = parseCheckIn(body, { maxBytes: CHECKIN_LIMIT });
      await deps.checkIns.handle(message, identity);
      res.status(200).end();
      return;
    }
    const { report } = parseReport(body, { maxBytes: REPORT_LIMIT });
    const next = await deps.commands.handle(report, identity);
    if (next === undefined) res.status(200).end();
    else res.status(200).type('application/xml').send(next);
  };
  router.put('/checkin', raw, handler);
  router.put('/connect', raw, handler);
  router.use(protocolErrorHandler(deps.log));
  return router;
}
