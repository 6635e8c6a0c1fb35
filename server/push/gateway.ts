import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import type { Logger } from 'pino';
import { WebSocketServer, type WebSocket } from 'ws';
import { decodeClientMessage, encodeServerMessage, isPushToken, type PushPayload } from '../../protocol/push/messages.js';
import { pushLimits, type PushLimits } from './limits.js';
import type { PushTokens } from './push-tokens.js';
import { upgradePath } from './upgrade-target.js';

/**
 * A push service that behaves like APNs for the simulated devices (the push carries no command, only
 * the wake-up, as on APNs, WNS and FCM; APNs rules
 * from Apple Developer, "Sending notification requests to APNs" and "Sending MDM commands to a
 * device"):
 * - a device holds one WebSocket and a token it keeps across reconnects; tokens are the gateway's
 *   own (PushTokens), so a token nobody issued gets no held notifications, and a connection
 *   presenting one is given a fresh token (the device then sends TokenUpdate);
 * - at most one pending notification per token: a newer one replaces the older (coalescing);
 * - a notification for an offline device is held until it expires (capped) and delivered on
 *   reconnect; one for a connected device is delivered at once and not kept (no redelivery);
 * - the newest connection for a token wins;
 * - the payload only wakes the device ({"mdm": PushMagic}); it never carries a command.
 * What a client can make it hold is bounded (PushLimits): connections, handshakes that never say
 * `connect`, held notifications and how long they are held.
 */

/**
 * What became of a notification: `delivered` (the device is connected), `held` (kept until it
 * expires), `expired` (the device is offline and the notification may not be stored: TTL 0),
 * `unknownToken` (not a token this gateway issued), `holdsFull` (the gateway holds all it may).
 */
export type PushOutcome = 'delivered' | 'held' | 'expired' | 'unknownToken' | 'holdsFull';

export interface PushSender {
  send(token: string, topic: string, payload: PushPayload, ttlSeconds?: number): PushOutcome;
}

interface Pending {
  topic: string;
  payload: PushPayload;
  expiresAt: number;
}

export interface PushGatewayStats {
  /** Devices connected with a token now. */
  connected: number;
  /** WebSockets open or upgrading, with or without a token: what `maxConnections` caps. */
  sockets: number;
  /** Notifications held for offline devices now (expired ones are not counted). */
  held: number;
  delivered: number;
  /** Held notifications that expired before their device came back, and TTL-0 ones for an offline device. */
  expired: number;
  /** Held notifications replaced by a newer one for the same token. */
  replaced: number;
  /** Tokens given out: to new devices, and to connections presenting a token this gateway did not issue. */
  issued: number;
  reissued: number;
  refused: {
    /** Notifications for tokens this gateway did not issue. */
    unknownToken: number;
    /** Notifications not held because `maxHeld` were held. */
    holdsFull: number;
    /** Upgrades answered 503 because `maxConnections` were open. */
    connectionsFull: number;
    /** Upgrades answered 4xx (bad target, wrong path, not a WebSocket handshake we can take). */
    badUpgrade: number;
    /** Connections closed for sending no `connect` within `connectTimeoutMs`. */
    connectTimeout: number;
    /** Connections dropped for not answering a ping. */
    unresponsive: number;
  };
}

export interface PushGatewayOptions {
  log: Logger;
  tokens: PushTokens;
  limits?: Partial<PushLimits>;
  now?: () => number;
}

export class PushGateway implements PushSender {
  readonly limits: PushLimits;
  private readonly log: Logger;
  private readonly tokens: PushTokens;
  private readonly now: () => number;
  private readonly wss = new WebSocketServer({ noServer: true, maxPayload: 4096, perMessageDeflate: false });
  private readonly sockets = new Map<string, WebSocket>();
  private readonly pending = new Map<string, Pending>();
  private readonly unanswered = new WeakSet<WebSocket>();
  private readonly counters = { delivered: 0, expired: 0, replaced: 0, issued: 0, reissued: 0 };
  private readonly refused = { unknownToken: 0, holdsFull: 0, connectionsFull: 0, badUpgrade: 0, connectTimeout: 0, unresponsive: 0 };
  private readonly sweeper: NodeJS.Timeout;
  private readonly heartbeat: NodeJS.Timeout | undefined;
  private open = 0;
  private lastSweep = 0;
  private closed = false;

  constructor(options: PushGatewayOptions) {
    this.log = options.log;
    this.tokens = options.tokens;
    this.now = options.now ?? Date.now;
    this.limits = pushLimits(options.limits);
    this.sweeper = setInterval(() => this.dropExpired(), 60_000);
    this.sweeper.unref();
    if (this.limits.heartbeatMs > 0) {
      this.heartbeat = setInterval(() => this.ping(), this.limits.heartbeatMs);
      this.heartbeat.unref();
    }
  }

  /** Takes over WebSocket upgrades of `path` on the HTTP server. */
  attach(server: Server, path = '/push'): void {
    server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
      // Node has detached the socket from the HTTP server: from here on, an error event without a
      // listener (a client resetting the connection) or an exception would end the process.
      socket.on('error', (err) => this.log.debug({ err }, 'push upgrade socket error'));
      try {
        this.upgrade(req, socket, head, path);
      } catch (err) {
        this.log.error({ err }, 'push upgrade failed');
        refuse(socket, 500, 'Internal Server Error');
      }
    });
  }

  send(token: string, topic: string, payload: PushPayload, ttlSeconds = this.limits.defaultTtlSeconds): PushOutcome {
    if (!this.tokens.verify(token)) {
      this.refused.unknownToken++;
      return 'unknownToken';
    }
    const ws = this.sockets.get(token);
    if (ws && ws.readyState === ws.OPEN) {
      ws.send(encodeServerMessage({ type: 'notification', topic, payload }));
      this.counters.delivered++;
      return 'delivered';
    }
    const ttl = Math.min(Math.max(0, Math.floor(ttlSeconds)), this.limits.maxTtlSeconds);
    if (!(ttl > 0)) {
      // APNs: with an expiration of 0 a notification is tried once and never stored.
      this.counters.expired++;
      return 'expired';
    }
    const replacing = this.pending.has(token);
    if (!replacing && this.pending.size >= this.limits.maxHeld) {
      this.sweepIfDue();
      if (this.pending.size >= this.limits.maxHeld) {
        this.refused.holdsFull++;
        this.log.warn({ maxHeld: this.limits.maxHeld }, 'push gateway holds as many notifications as it may: notification not held');
        return 'holdsFull';
      }
    }
    if (replacing) this.counters.replaced++;
    this.pending.set(token, { topic, payload, expiresAt: this.now() + ttl * 1000 });
    return 'held';
  }

  stats(): PushGatewayStats {
    this.dropExpired();
    return { connected: this.sockets.size, sockets: this.open, held: this.pending.size, ...this.counters, refused: { ...this.refused } };
  }

  close(): void {
    this.closed = true;
    clearInterval(this.sweeper);
    clearInterval(this.heartbeat);
    for (const ws of this.wss.clients) ws.terminate();
    this.sockets.clear();
    this.wss.close();
  }

  private upgrade(req: IncomingMessage, socket: Duplex, head: Buffer, path: string): void {
    const target = upgradePath(req.url);
    if (target === undefined) {
      this.refused.badUpgrade++;
      return refuse(socket, 400, 'Bad Request');
    }
    if (target !== path) {
      this.refused.badUpgrade++;
      return refuse(socket, 404, 'Not Found');
    }
    if (this.closed || this.open >= this.limits.maxConnections) {
      this.refused.connectionsFull++;
      return refuse(socket, 503, 'Service Unavailable', 'Retry-After: 10\r\n');
    }
    this.open++;
    socket.once('close', () => this.open--);
    // ws answers a handshake it cannot take (method, Upgrade, key, version) with a 4xx itself.
    this.wss.handleUpgrade(req, socket, head, (ws) => this.accept(ws));
  }

  private accept(ws: WebSocket): void {
    let token: string | undefined;
    const handshake = setTimeout(() => {
      // Timers run before pending I/O in an event-loop turn: after a stall (a busy machine) the
      // connect message may be waiting unread. Look again once I/O has been processed.
      setImmediate(() => {
        if (token || ws.readyState !== ws.OPEN) return;
        this.refused.connectTimeout++;
        closeNow(ws, 1008, `no connect message within ${this.limits.connectTimeoutMs} ms`);
      });
    }, this.limits.connectTimeoutMs);
    handshake.unref();
    ws.on('pong', () => this.unanswered.delete(ws));
    ws.on('message', (data, isBinary) => {
      const msg = isBinary ? undefined : decodeClientMessage(data.toString());
      if (!msg) {
        clearTimeout(handshake);
        closeNow(ws, 1008, 'expected {"type":"connect","token"?: hex}');
        return;
      }
      if (token) return; // one connect per socket; later ones are ignored
      if (msg.token !== undefined && !isPushToken(msg.token)) {
        clearTimeout(handshake);
        closeNow(ws, 1008, 'token must be 64 hex characters');
        return;
      }
      clearTimeout(handshake);
      token = this.tokenFor(msg.token);
      const previous = this.sockets.get(token);
      if (previous && previous !== ws) previous.close(4000, 'replaced by a newer connection');
      this.sockets.set(token, ws);
      ws.send(encodeServerMessage({ type: 'token', token }));
      const held = this.pending.get(token);
      if (held) {
        this.pending.delete(token);
        if (held.expiresAt > this.now()) {
          ws.send(encodeServerMessage({ type: 'notification', topic: held.topic, payload: held.payload }));
          this.counters.delivered++;
        } else {
          this.counters.expired++;
        }
      }
    });
    ws.on('close', () => {
      clearTimeout(handshake);
      if (token && this.sockets.get(token) === ws) this.sockets.delete(token);
    });
    ws.on('error', (err) => this.log.debug({ err }, 'push connection error'));
  }

  /** The token the device presented when this gateway issued it, else a fresh one. */
  private tokenFor(presented: string | undefined): string {
    if (presented !== undefined && this.tokens.verify(presented)) return presented;
    if (presented !== undefined) this.counters.reissued++;
    this.counters.issued++;
    return this.tokens.issue();
  }

  /** Drops connections that did not answer the last ping (a peer gone without closing), pings the rest. */
  private ping(): void {
    for (const ws of this.wss.clients) {
      if (this.unanswered.has(ws)) {
        this.refused.unresponsive++;
        ws.terminate();
        continue;
      }
      this.unanswered.add(ws);
      ws.ping();
    }
  }

  /** At most once a second, so a full gateway refusing holds does not scan them on every send. */
  private sweepIfDue(): void {
    if (this.now() - this.lastSweep < 1000) return;
    this.dropExpired();
  }

  private dropExpired(): void {
    const now = this.now();
    this.lastSweep = now;
    for (const [token, p] of this.pending) {
      if (p.expiresAt <= now) {
        this.pending.delete(token);
        this.counters.expired++;
      }
    }
  }
}

/** Answers an upgrade we do not take, then closes the socket once the answer is written. */
function refuse(socket: Duplex, status: number, reason: string, extraHeaders = ''): void {
  if (socket.destroyed) return;
  if (!socket.writable) {
    socket.destroy();
    return;
  }
  const body = `${reason}\n`;
  socket.once('finish', () => socket.destroy());
  socket.end(`HTTP/1.1 ${status} ${reason}\r\nConnection: close\r\nContent-Type: text/plain\r\nContent-Length: ${body.length}\r\n${extraHeaders}\r\n${body}`);
}

/** Closes with a reason the client can read, and cuts the socket if the client does not answer the close. */
function closeNow(ws: WebSocket, code: number, reason: string): void {
  ws.close(code, reason);
  setTimeout(() => ws.terminate(), 1000).unref();
}
