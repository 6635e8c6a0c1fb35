import { EventEmitter } from 'node:events';
import WebSocket from 'ws';
import { decodeServerMessage, encodeClientMessage, type PushPayload } from '../../protocol/push/messages.js';
import { SeededRandom } from '../random/seeded-random.js';

/**
 * A device's connection to the push gateway (protocol/push/messages.ts; the gateway plays APNs,
 * Apple Developer, "Sending MDM commands to a device"): one WebSocket, `connect` with the token the device holds (none the first
 * time), the gateway's `token` answer is kept for every later connection, `notification`
 * messages only wake the device. A dropped connection is retried with exponential backoff and
 * full jitter (so a restarted server is not hit by every device at once) while the client is
 * online; `setOnline(false)` closes it and stops retrying, like a phone in a lift.
 */

export type PushClientState = 'offline' | 'connecting' | 'connected' | 'waiting';

export interface PushClientOptions {
  /** ws:// or wss:// URL of the gateway, e.g. wss://mdm.example:8443/push. */
  url: string;
  /** The token from an earlier connection; absent: the gateway issues one. */
  token?: string;
  /** PEM of the CA to trust for wss://. */
  caPem?: string;
  /** First retry delay (default 500 ms); doubles up to maxBackoffMs (default 30 s). */
  initialBackoffMs?: number;
  maxBackoffMs?: number;
  /** A connection that has not received its token by then is dropped and retried (default 10 s). */
  connectTimeoutMs?: number;
  /** Jitter source (seeded in repeatable runs). */
  random?: SeededRandom;
}

export interface PushClientEvents {
  /** The gateway's token for this device (on every connection; `changed` when it differs from the one held). */
  token: [token: string, changed: boolean];
  notification: [topic: string, payload: PushPayload];
  /** Every change of `state`. */
  state: [state: PushClientState];
  /** A connection attempt or an open connection failed; the client retries on its own. */
  connectionError: [error: Error];
}

export class PushClient extends EventEmitter<PushClientEvents> {
  readonly url: string;
  #token: string | undefined;
  readonly #caPem: string | undefined;
  readonly #initialBackoffMs: number;
  readonly #maxBackoffMs: number;
  readonly #connectTimeoutMs: number;
  readonly #random: SeededRandom;
  #state: PushClientState = 'offline';
  #online = false;
  #ws: WebSocket | undefined;
  #retryTimer: NodeJS.Timeout | undefined;
  #connectTimer: NodeJS.Timeout | undefined;
  #attempt = 0;

  constructor(options: PushClientOptions) {
    super();
    this.url = options.url;
    this.#token = options.token;
    this.#caPem = options.caPem;
    this.#initialBackoffMs = options.initialBackoffMs ?? 500;
    this.#maxBackoffMs = options.maxBackoffMs ?? 30_000;
    this.#connectTimeoutMs = options.connectTimeoutMs ?? 10_000;
    this.#random = options.random ?? new SeededRandom();
  }

  get state(): PushClientState {
    return this.#state;
  }

  get token(): string | undefined {
    return this.#token;
  }

  get online(): boolean {
    return this.#online;
  }

  /** Online: connect now and keep reconnecting. Offline: close and stay closed. */
  setOnline(online: boolean): void {
    if (online === this.#online) return;
    this.#online = online;
    if (online) {
      this.#attempt = 0;
      this.#connect();
    } else {
      this.#teardown();
      this.#setState('offline');
    }
  }

  /** Resolves with the token once the gateway has given one on the current connection. */
  waitForToken(timeoutMs: number): Promise<string> {
    if (this.#state === 'connected' && this.#token) return Promise.resolve(this.#token);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.off('token', onToken);
        reject(new Error(`no push token from ${this.url} within ${timeoutMs} ms`));
      }, timeoutMs);
      const onToken = (token: string) => {
        clearTimeout(timer);
        resolve(token);
      };
      this.once('token', onToken);
    });
  }

  /** Offline for good, and forgets the token (the device left management). */
  close(): void {
    this.setOnline(false);
  }

  forgetToken(): void {
    this.#token = undefined;
  }

  #setState(state: PushClientState): void {
    if (state === this.#state) return;
    this.#state = state;
    this.emit('state', state);
  }

  #connect(): void {
    this.#teardown();
    this.#setState('connecting');
    const ws = new WebSocket(this.url, { ...(this.#caPem ? { ca: this.#caPem } : {}), handshakeTimeout: this.#connectTimeoutMs, maxPayload: 64 * 1024 });
    this.#ws = ws;
    this.#connectTimer = setTimeout(() => {
      // Timers run before pending I/O in an event-loop turn: after a stall the token may be
      // waiting unread. Look again once I/O has been processed.
      setImmediate(() => {
        if (ws !== this.#ws || this.#state === 'connected') return;
        this.emit('connectionError', new Error(`push gateway ${this.url} gave no token within ${this.#connectTimeoutMs} ms`));
        ws.terminate();
      });
    }, this.#connectTimeoutMs);
    ws.on('open', () => {
      ws.send(encodeClientMessage(this.#token ? { type: 'connect', token: this.#token } : { type: 'connect' }));
    });
    ws.on('message', (data, isBinary) => {
      if (ws !== this.#ws) return;
      const msg = isBinary ? undefined : decodeServerMessage(data.toString());
      if (!msg) return; // unknown messages are ignored, as a client of a newer gateway would
      if (msg.type === 'token') {
        clearTimeout(this.#connectTimer);
        const changed = msg.token !== this.#token;
        this.#token = msg.token;
        this.#attempt = 0;
        this.#setState('connected');
        this.emit('token', msg.token, changed);
      } else {
        this.emit('notification', msg.topic, msg.payload);
      }
    });
    ws.on('error', (err) => {
      if (ws === this.#ws) this.emit('connectionError', err);
    });
    ws.on('close', () => {
      if (ws !== this.#ws) return;
      this.#ws = undefined;
      clearTimeout(this.#connectTimer);
      if (this.#online) this.#scheduleRetry();
    });
  }

  #scheduleRetry(): void {
    const ceiling = Math.min(this.#maxBackoffMs, this.#initialBackoffMs * 2 ** Math.min(this.#attempt, 20));
    this.#attempt++;
    const delay = this.#random.next() * ceiling; // "full jitter"
    this.#setState('waiting');
    this.#retryTimer = setTimeout(() => {
      this.#retryTimer = undefined;
      if (this.#online) this.#connect();
    }, delay);
    this.#retryTimer.unref();
  }

  #teardown(): void {
    clearTimeout(this.#retryTimer);
    clearTimeout(this.#connectTimer);
    this.#retryTimer = undefined;
    const ws = this.#ws;
    this.#ws = undefined;
    if (ws) {
      ws.removeAllListeners('message');
      ws.on('error', () => {}); // a socket closed while connecting reports an error; it is expected
      ws.terminate();
    }
  }
}
