import { createHash, randomUUID, timingSafeEqual } from 'node:crypto';
import express, { type Request, type RequestHandler, type Response, type Router } from 'express';
import { APNS_MAX_PAYLOAD_BYTES, APNS_REASONS, isApnsTopic, type ApnsReason } from '../../protocol/push/apns-reasons.js';
import { isPushToken } from '../../protocol/push/messages.js';
import type { PushOutcome, PushSender } from '../push/gateway.js';

export interface PushRouterOptions {
  /** The bearer token a provider must present: the server's admin token (the server itself pushes in-process). */
  providerToken: string;
  now?: () => number;
}

/**
 * An APNs-shaped HTTP front of the push gateway (Apple Developer, "Sending notification requests to
 * APNs"): POST /3/device/<hex token> with `authorization: bearer <provider token>`, `apns-topic`
 * and an optional `apns-expiration`, body {"mdm": "<PushMagic>"}. Answers 200 + apns-id, or the
 * status and {"reason": …} APNs gives. Lets tools push to simulated devices; the server's own
 * pushes do not come this way, so only the holder of the admin token may use it.
 * Checks run cheapest first: the token before the body is read.
 */
export function pushRouter(push: PushSender, options: PushRouterOptions): Router {
  const router = express.Router();
  const now = options.now ?? Date.now;
  router.post(
    '/3/device/:token',
    providerAuth(options.providerToken),
    express.json({ limit: APNS_MAX_PAYLOAD_BYTES, type: () => true }),
    (req, res) => {
      const token = req.params.token!;
      if (!isPushToken(token)) return reason(res, 'BadDeviceToken');
      const topic = req.get('apns-topic');
      if (!topic) return reason(res, 'MissingTopic');
      if (!isApnsTopic(topic)) return reason(res, 'BadTopic');
      const body = req.body as unknown;
      if (typeof body !== 'object' || body === null || Array.isArray(body)) return reason(res, 'PayloadEmpty');
      const payload: Record<string, string> = {};
      for (const [k, v] of Object.entries(body as Record<string, unknown>)) {
        if (typeof v !== 'string') return reason(res, 'BadPayload');
        payload[k] = v;
      }
      if (Object.keys(payload).length === 0) return reason(res, 'PayloadEmpty');
      const expiration = req.get('apns-expiration');
      let ttl: number | undefined;
      if (expiration !== undefined) {
        if (!/^\d{1,12}$/.test(expiration)) return reason(res, 'BadExpirationDate');
        const at = Number(expiration);
        // 0 means "deliver now or never"; a later date is held until then, up to the gateway's cap.
        ttl = at === 0 ? 0 : Math.max(0, at - Math.floor(now() / 1000));
      }
      const refusal = REFUSALS[push.send(token, topic, payload, ttl)];
      if (refusal) return reason(res, refusal);
      res.status(200).set('apns-id', randomUUID().toUpperCase()).end();
    },
  );
  router.use(((err: unknown, _req, res, _next) => {
    if (res.headersSent) return;
    // A content coding the body parser does not take is the client's choice of coding, not a bad payload (RFC 9110 §15.5.16).
    if ((err as { type?: unknown } | null)?.type === 'encoding.unsupported') return void res.status(415).set('Accept-Encoding', 'gzip, deflate, br').json({ reason: 'UnsupportedContentEncoding' });
    reason(res, (err as { type?: unknown }).type === 'entity.too.large' ? 'PayloadTooLarge' : 'BadPayload');
  }) as express.ErrorRequestHandler);
  return router;
}

/** Outcomes APNs would refuse; delivered, held and expired (TTL 0, APNs answers 200) are accepted. */
const REFUSALS: Record<PushOutcome, ApnsReason | undefined> = {
  delivered: undefined,
  held: undefined,
  expired: undefined,
  unknownToken: 'BadDeviceToken',
  holdsFull: 'ServiceUnavailable',
};

function reason(res: Response, r: ApnsReason): void {
  res.status(APNS_REASONS[r].status).json({ reason: r });
}

/** APNs token-based authentication: `authorization: bearer <token>`; 403 MissingProviderToken / InvalidProviderToken. */
function providerAuth(expected: string): RequestHandler {
  // Compared as digests: equal lengths for timingSafeEqual, and nothing learnt from how long a guess took.
  const want = createHash('sha256').update(expected).digest();
  return (req: Request, res: Response, next) => {
    const m = /^bearer\s+(\S+)\s*$/i.exec(req.get('authorization') ?? '');
    if (!m) return reason(res, 'MissingProviderToken');
    const given = createHash('sha256').update(m[1]!).digest();
    if (!timingSafeEqual(given, want)) return reason(res, 'InvalidProviderToken');
    next();
  };
}
