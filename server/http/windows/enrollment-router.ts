import express, { type NextFunction, type Request, type Response, type Router } from 'express';
import type { Logger } from 'pino';
import { RESPONSE_ACTION, SOAP_CONTENT_TYPE, type EnrollmentOperation } from '../../../protocol/windows/mde2/namespaces.js';
import { encodeSoapFault } from '../../../protocol/windows/mde2/soap-fault.js';
import { ENROLLMENT_FAULTS, type EnrollmentFaultCode } from '../../errors/catalogue.js';
import { redactUrl } from '../../log-redaction.js';
import { EnrollmentFault } from '../../windows/enrollment-fault.js';
import { ENROLLMENT_MESSAGE_LIMIT, type EnrollmentService } from '../../windows/enrollment-service.js';
import { answerIsMoot } from '../client-abort.js';

/** Which operation an endpoint stands for when a refused request did not say (its fault's Action). */
const ENDPOINT_OPERATION: Readonly<Record<string, EnrollmentOperation>> = {
  '/discovery.svc': 'discover',
  '/policy.svc': 'getPolicies',
  '/enrollment.svc': 'requestSecurityToken',
};

/**
 * The MS-MDE2 endpoints under /EnrollmentServer: `GET Discovery.svc` answers 200 with an empty body
 * (Windows probes it before it posts, MS-MDE2 §3.1), and a POST to Discovery.svc, Policy.svc or
 * Enrollment.svc is one SOAP 1.2 request (`application/soap+xml`). Every refusal is a SOAP fault
 * (MS-MDE2 §2.2.10) with the catalogue's subcode and status, never a stack or a path; responses
 * carry a Content-Length (enrollment responses must not be chunked: Microsoft's federated
 * enrollment page). Paths match without regard to case, as Windows and the samples vary it.
 */
export function windowsEnrollmentRouter(service: EnrollmentService, log: Logger): Router {
  const router = express.Router();
  router.get('/Discovery.svc', (_req, res) => {
    res.status(200).set('Content-Length', '0').end();
  });
  const readBody = express.raw({ type: () => true, limit: ENROLLMENT_MESSAGE_LIMIT, inflate: false });
  const checkHeaders = (req: Request, _res: Response, next: NextFunction) => {
    const type = (req.get('content-type') ?? '').toLowerCase();
    if (!type.startsWith('application/soap+xml')) return next(new EnrollmentFault('wrongContentType'));
    const coding = (req.get('content-encoding') ?? 'identity').trim().toLowerCase();
    if (coding !== 'identity') return next(new EnrollmentFault('unsupportedContentEncoding', `Content-Encoding ${coding} is not taken: send the body as it is`));
    next();
  };
  const handle = async (req: Request, res: Response) => {
    const body = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
    if (body.length === 0) throw new EnrollmentFault('malformedMessage', 'the body is empty');
    const answer = await service.handle(body);
    log.info({ operation: answer.operation, traceId: answer.traceId }, 'Windows enrollment request answered');
    send(res, 200, answer.xml);
  };
  for (const path of ['/Discovery.svc', '/Policy.svc', '/Enrollment.svc']) {
    router.post(path, checkHeaders, (req, res, next) => readBody(req, res, (err?: unknown) => next(err === undefined ? undefined : bodyFault(err))), handle);
  }
  router.use((err: unknown, req: Request, res: Response, _next: NextFunction) => {
    if (answerIsMoot(res, err, log, { url: redactUrl(req.originalUrl) })) return;
    const fault = err instanceof EnrollmentFault ? err : undefined;
    const code: EnrollmentFaultCode = fault?.code ?? 'internalError';
    if (fault) log.warn({ code, url: redactUrl(req.originalUrl), reason: fault.message }, 'Windows enrollment request refused');
    else log.error({ err, url: redactUrl(req.originalUrl) }, 'Windows enrollment request failed');
    const entry = ENROLLMENT_FAULTS[code];
    const operation = fault?.operation ?? ENDPOINT_OPERATION[req.path.toLowerCase()] ?? 'discover';
    const faultXml = (reason: string, relatesTo: string | undefined) =>
      encodeSoapFault({
        action: RESPONSE_ACTION[operation],
        ...(relatesTo !== undefined ? { relatesTo } : {}),
        fault: {
          code: 'Receiver',
          subcode: entry.subcode,
          reason,
          ...('errorType' in entry ? { detail: { errorType: entry.errorType, message: reason } } : {}),
        },
      });
    let xml: string;
    try {
      xml = faultXml(fault?.message ?? entry.message, fault?.relatesTo);
    } catch {
      // A reason or MessageID the XML writer refuses (echoed from what the client sent): the catalogue's words alone.
      xml = faultXml(entry.message, undefined);
    }
    send(res, entry.status, xml);
  });
  return router;
}

function send(res: Response, status: number, xml: string): void {
  const bytes = Buffer.from(xml, 'utf8');
  res.status(status).set({ 'Content-Type': SOAP_CONTENT_TYPE, 'Content-Length': String(bytes.length) }).end(bytes);
}

/** A body that could not be read (too large, unreadable) as the fault a client can act on. */
function bodyFault(err: unknown): unknown {
  if (typeof err !== 'object' || err === null) return err;
  const { type, status } = err as { type?: unknown; status?: unknown };
  if (type === 'request.aborted') return err;
  if (type === 'entity.too.large') return new EnrollmentFault('bodyTooLarge', `an enrollment message is limited to ${ENROLLMENT_MESSAGE_LIMIT} bytes`);
  if (typeof status === 'number' && status >= 400 && status < 500) return new EnrollmentFault('malformedMessage', 'the body cannot be read');
  return err;
}
