/**
 * The push gateway's WebSocket protocol, shared by the server's gateway and the simulated
 * devices. It stands in for APNs' device connection (and later WNS/FCM): the device keeps one
 * connection, identifies with the token it holds (or gets a new one), and receives
 * notifications that only say "wake up" (Apple: {"mdm": PushMagic}, Apple Developer, "Sending MDM
 * commands to a device").
 */

export type PushPayload = Record<string, string>;

/** device → gateway */
export interface ConnectMessage {
  type: 'connect';
  /** The token the device already has; omitted on first connection (the gateway issues one). */
  token?: string;
}

/** gateway → device */
export type ServerMessage =
  | { type: 'token'; token: string }
  | { type: 'notification'; topic: string; payload: PushPayload };

export const isPushToken = (s: unknown): s is string => typeof s === 'string' && /^[0-9a-f]{64}$/.test(s);

/** A JSON object, or undefined for anything else (bad JSON included): messages never throw. */
function jsonObject(text: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

export function decodeClientMessage(text: string): ConnectMessage | undefined {
  const v = jsonObject(text);
  if (v?.type !== 'connect') return undefined;
  if (v.token !== undefined && typeof v.token !== 'string') return undefined;
  return v.token === undefined ? { type: 'connect' } : { type: 'connect', token: v.token };
}

export function encodeClientMessage(m: ConnectMessage): string {
  return JSON.stringify(m);
}

export function decodeServerMessage(text: string): ServerMessage | undefined {
  const v = jsonObject(text);
  if (!v) return undefined;
  if (v.type === 'token' && isPushToken(v.token)) return { type: 'token', token: v.token };
  if (v.type === 'notification' && typeof v.topic === 'string' && typeof v.payload === 'object' && v.payload !== null) {
    const payload: PushPayload = {};
    for (const [k, val] of Object.entries(v.payload as Record<string, unknown>)) if (typeof val === 'string') payload[k] = val;
    return { type: 'notification', topic: v.topic, payload };
  }
  return undefined;
}

export function encodeServerMessage(m: ServerMessage): string {
  return JSON.stringify(m);
}
