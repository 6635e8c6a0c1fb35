import type { Logger } from 'pino';
import { PushClient } from '../push/push-client.js';
import type { SeededRandom } from '../random/seeded-random.js';
import type { DmTree } from './dm-tree/index.js';

/**
 * The Windows device's WNS-like push channel (DMClient CSP Push; Microsoft's "Push notification
 * support for device management"), on mdmlab's push gateway: once the server sets Push/PFN the
 * device opens the gateway's WebSocket (the same protocol as the iOS device's, protocol/push), and
 * its channel URI is `{server origin}/push/wns/{token}`, which it exposes in Push/ChannelURI for the
 * server to read. A notification with topic `wns` (any payload: WNS raw pushes carry nothing the
 * client uses) makes it open a session with Alert 1200.
 */
export const WNS_TOPIC = 'wns';

/** ws(s)://{host}/push for the OMA-DM server's origin. */
export function pushGatewayUrl(serverUrl: string): string {
  const u = new URL(serverUrl);
  return `${u.protocol === 'https:' ? 'wss:' : 'ws:'}//${u.host}/push`;
}

export function channelUriOf(serverUrl: string, token: string): string {
  return `${new URL(serverUrl).origin}/push/wns/${token}`;
}

export interface WindowsPushHandlers {
  wake(): void;
  /** The gateway's token for this connection (`changed` when it differs from the one held). */
  token(token: string, changed: boolean): void;
  connectionError(err: Error): void;
}

export function connectWindowsPush(
  o: { url: string; token: string | undefined; caPem: string | undefined; backoff?: { initialMs?: number; maxMs?: number } | undefined; random: SeededRandom },
  on: WindowsPushHandlers,
): PushClient {
  const push = new PushClient({
    url: o.url,
    ...(o.token ? { token: o.token } : {}),
    ...(o.caPem ? { caPem: o.caPem } : {}),
    ...(o.backoff?.initialMs !== undefined ? { initialBackoffMs: o.backoff.initialMs } : {}),
    ...(o.backoff?.maxMs !== undefined ? { maxBackoffMs: o.backoff.maxMs } : {}),
    random: o.random,
  });
  push.on('notification', (topic) => {
    if (topic === WNS_TOPIC) on.wake();
  });
  push.on('token', (token, changed) => on.token(token, changed));
  push.on('connectionError', (err) => on.connectionError(err));
  return push;
}

export interface PushChannelHost {
  tree(): DmTree;
  /** ./Vendor/MSFT/DMClient/Provider/{ProviderID} and the OMA-DM server, while enrolled. */
  enrollment(): { providerUri: string; serverUrl: string } | undefined;
  pushUrl: string | undefined;
  /** false: no push service; the channel is never opened (the device polls). */
  enabled: boolean;
  caPem(): string | undefined;
  backoff: { initialMs?: number; maxMs?: number } | undefined;
  random: SeededRandom;
  storedToken(): string | undefined;
  storeToken(token: string): void;
  /** The shell's push wiring (idleness, online/offline). */
  attach(push: PushClient): void;
  detach(): void;
  /** A `wns` notification arrived. */
  wake(): void;
  /** ChannelURI has a new value: the server should hear of it. */
  channelChanged(): void;
  log: Logger;
}

/**
 * The device's side of DMClient Push: with a PFN the channel is open and Push/ChannelURI names it
 * (Push/Status 0: success); without one, or after unenrollment, it is closed and ChannelURI gone.
 */
export class WindowsPushChannel {
  #push: PushClient | undefined;

  constructor(private readonly host: PushChannelHost) {}

  /** Opens or closes the channel as Push/PFN says now. */
  follow(): void {
    const h = this.host;
    const e = h.enrollment();
    const pfn = e && h.tree().value(`${e.providerUri}/Push/PFN`)?.trim();
    if (!e || !pfn || !h.enabled) {
      this.close();
      return;
    }
    if (this.#push) return;
    const push = connectWindowsPush(
      { url: h.pushUrl ?? pushGatewayUrl(e.serverUrl), token: h.storedToken(), caPem: h.caPem(), backoff: h.backoff, random: h.random },
      {
        wake: () => h.wake(),
        token: (token) => {
          const tree = h.tree();
          const channel = channelUriOf(e.serverUrl, token);
          h.storeToken(token);
          const changed = tree.value(`${e.providerUri}/Push/ChannelURI`) !== channel;
          tree.setLocal(`${e.providerUri}/Push/ChannelURI`, channel);
          tree.setLocal(`${e.providerUri}/Push/Status`, '0');
          if (changed) h.channelChanged();
        },
        connectionError: (err) => h.log.debug({ err }, 'push connection error'),
      },
    );
    this.#push = push;
    h.attach(push);
  }

  close(): void {
    if (!this.#push) return;
    this.#push = undefined;
    this.host.detach();
    const e = this.host.enrollment();
    if (e) this.host.tree().deleteLocal(`${e.providerUri}/Push/ChannelURI`);
  }
}
