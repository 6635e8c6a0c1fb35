import { randomUUID } from 'node:crypto';
import express, { type Router } from 'express';
import { isPushToken } from '../../protocol/push/messages.js';
import type { PushSender } from '../push/gateway.js';

/**
 * An APNs-shaped HTTP front of the push gateway (notes/apple.md §2.6): POST /3/device/<hex token>
 * with `apns-topic` and an optional `apns-expiration`, body {"mdm": "<PushMagic>"}. Answers
 * 200 + apns-id, or 400 with {"reason": …} as APNs does. Lets other tools push to simulated devices.
 */
export function pushRouter(push: PushSender, defaultTtlSeconds: number, now: () => number = Date.now): Router {
  const router = express.Router();
  router.post('/3/device/:token', express.json({ limit: 4096, type: () => true }), (req, res) => {
    const reason = (status: number, r: string) => res.status(status).json({ reason: r });
    const token = req.params.token!;
    if (!isPushToken(token)) return reason(400, 'BadDeviceToken');
    const topic = req.get('apns-topic');
    if (!topic) return reason(400, 'MissingTopic');
    const body = req.body as unknown;
    if (typeof body !== 'object' || body === null || Array.isArray(body)) return reason(400, 'PayloadEmpty');
    const payload: Record<string, string> = {};
    for (const [k, v] of Object.entries(body as Record<string, unknown>)) {
      if (typeof v !== 'string') return reason(400, 'BadPayload');
      payload[k] = v;
    }
    if (Object.keys(payload).length === 0) return reason(400, 'PayloadEmpty');
    const expiration = req.get('apns-expiration');
    let ttl = defaultTtlSeconds;
    if (expiration !== undefined) {
      const at = Number(expiration);
      if (!Number.isInteger(at) || at < 0) return reason(400, 'BadExpirationDate');
      // 0 means "deliver now or never": held for no time at all.
      ttl = at === 0 ? 0 : Math.max(0, at - Math.floor(now() / 1000));
    }
    push.send(token, topic, payload, ttl);
    res.status(200).set('apns-id', randomUUID().toUpperCase()).end();
  });
  router.use(((err, _req, res, _next) => {
    if (res.headersSent) return;
    // A content coding the body parser does not take is the client's choice of coding, not a bad payload (RFC 9110 §15.5.16).
    if ((err as { type?: unknown } | null)?.type === 'encoding.unsupported') return void res.status(415).set('Accept-Encoding', 'gzip, deflate, br').json({ reason: 'UnsupportedContentEncoding' });
    res.status(400).json({ reason: 'BadPayload' });
  }) as express.ErrorRequestHandler);
  return router;
}
