import type { Level } from 'pino';

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
}

export const DEFAULT_CONFIG: ServerConfig = {
  port: 8080,
  host: '0.0.0.0',
  dataDir: './data',
  tls: false,
  bodyLimit: '256kb',
  logLevel: 'info',
  shutdownGraceSeconds: 10,
};
