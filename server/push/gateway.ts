import { randomBytes } from 'node:crypto';
import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import type { Logger } from 'pino';
import { WebSocketServer, type WebSocket } from 'ws';
import { decodeClientMessage, encodeServerMessage, isPushToken, type PushPayload } from '../../protocol/push/messages.js';

/**
 * A push service that behaves like APNs for the simulated devices (DESIGN.md "Push"; APNs rules
 * from notes/apple.md §2.6 and Fleet's mock in notes/simulators-scale-style.md §A.1):
 * - a device holds one WebSocket and a token it keeps across reconnects;
 * - at most one pending notification per token: a newer one replaces the older (coalescing);
 * - a notification for an offline device is held until it expires and delivered on reconnect;
 *   one for a connected device is delivered at once and not kept (no redelivery);
 * - the newest connection for a token wins;
 * - the payload only wakes the device ({"mdm": PushMagic}); it never carries a command.
 */
export interface PushSender {
  /** Returns 'delivered' (device online now) or 'held' (kept until `ttlSeconds` pass). */
  send(token: string, topic: string, payload: PushPayload, ttlSeconds?: number): 'delivered' | 'held';
}

interface Pending {
  topic: string;
  payload: PushPayload;
  expiresAt: number;
}

export interface PushGatewayStats {
  connected: number;
  held: number;
  delivered: number;
  expired: number;
  replaced: number;
}

export class PushGateway implements PushSender {
  private readonly wss = new WebSocketServer({ noServer: true, maxPayload: 4096 });
  private readonly sockets = new Map<string, WebSocket>();
  private readonly pending = new Map<string, Pending>();
  private readonly counters = { delivered: 0, expired: 0, replaced: 0 };
  private readonly sweeper: NodeJS.Timeout;

  constructor(
    private readonly log: Logger,
    private readonly now: () => number = Date.now,
    readonly defaultTtlSeconds = 24 * 3600,
  ) {
    this.sweeper = setInterval(() => this.dropExpired(), 60_000);
    this.sweeper.unref();
  }

  /** Takes over WebSocket upgrades of `path` on the HTTP server. */
  attach(server: Server, path = '/push'): void {
    server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
      if (new URL(req.url ?? '/', 'http://x').pathname !== path) {
        socket.end('HTTP/1.1 404 Not Found\r\nConnection: close\r\n\r\n');
        return;
      }
      this.wss.handleUpgrade(req, socket, head, (ws) => this.accept(ws));
    });
  }

  send(token: string, topic: string, payload: PushPayload, ttlSeconds = this.defaultTtlSeconds): 'delivered' | 'held' {
    const ws = this.sockets.get(token);
    if (ws && ws.readyState === ws.OPEN) {
      ws.send(encodeServerMessage({ type: 'notification', topic, payload }));
      this.counters.delivered++;
      return 'delivered';
    }
    if (this.pending.has(token)) this.counters.replaced++;
    this.pending.set(token, { topic, payload, expiresAt: this.now() + ttlSeconds * 1000 });
    return 'held';
  }

  stats(): PushGatewayStats {
    return { connected: this.sockets.size, held: this.pending.size, ...this.counters };
  }

  close(): void {
    clearInterval(this.sweeper);
    for (const ws of this.sockets.values()) ws.terminate();
    this.sockets.clear();
    this.wss.close();
  }

  private accept(ws: WebSocket): void {
    let token: string | undefined;
    ws.on('message', (data, isBinary) => {
      const msg = isBinary ? undefined : decodeClientMessage(data.toString());
      if (!msg) {
        ws.close(1008, 'expected {"type":"connect","token"?: hex}');
        return;
      }
      if (token) return; // one connect per socket; later ones are ignored
      if (msg.token !== undefined && !isPushToken(msg.token)) {
        ws.close(1008, 'token must be 64 hex characters');
        return;
      }
      token = msg.token ?? randomBytes(32).toString('hex');
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
      if (token && this.sockets.get(token) === ws) this.sockets.delete(token);
    });
    ws.on('error', (err) => this.log.debug({ err }, 'push connection error'));
  }

  private dropExpired(): void {
    const now = this.now();
    for (const [token, p] of this.pending) {
      if (p.expiresAt <= now) {
        this.pending.delete(token);
        this.counters.expired++;
      }
    }
  }
}
