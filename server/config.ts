import type { Level } from 'pino';
import { DEFAULT_PUSH_LIMITS, type PushLimits } from './push/limits.js';

/** Everything `mdmlab serve` can be told; the defaults are the "embedded defaults" of the README. */
export interface ServerConfig {
  port: number;
  /** Interface to bind; 0.0.0.0 so devices in other containers reach it. */
  host: string;
  dataDir: string;
  /** How devices reach the server; default http(s)://localhost:<port>. */
  baseUrl?: string;
  tls: boolean;
  adminToken?: string;
  bodyLimit: string;
  logLevel: Level | 'silent';
  /** Seconds in-flight requests get to finish on shutdown before connections are cut. */
  shutdownGraceSeconds: number;
  /** Bounds of the push gateway (connections, held notifications, TTL); unset ones take DEFAULT_PUSH_LIMITS. */
  push: Partial<PushLimits>;
  /**
   * At start, every enrolled device with queued work is woken, this many per second, in the
   * background: the previous run's held pushes lived in memory and were lost with it.
   */
  startupWakesPerSecond: number;
}

export const DEFAULT_CONFIG: ServerConfig = {
  port: 8080,
  host: '0.0.0.0',
  dataDir: './data',
  tls: false,
  bodyLimit: '256kb',
  logLevel: 'info',
  shutdownGraceSeconds: 10,
  push: { ...DEFAULT_PUSH_LIMITS },
  startupWakesPerSecond: 200,
};
