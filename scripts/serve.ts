import { parseArgs } from 'node:util';
import { DEFAULT_CONFIG, type ServerConfig } from '../server/config.js';
import { DataFolderError } from '../server/errors/data-folder-error.js';
import { startServer } from '../server/server.js';

const HELP = `usage: mdmlab serve [--port 8080] [--host 0.0.0.0] [--data ./data] [--base-url URL] [--tls] [--log-level info]

Runs the MDM server. On first start it creates a root CA, a TLS certificate and an admin token
in the data folder; later starts reuse them. The admin API is under /api/v1 (bearer token:
MDMLAB_ADMIN_TOKEN, or <data>/admin-token).

A data folder that is damaged (a CA file or the database missing, emptied, corrupted, swapped or
not writable) is refused: one line names the file and what to do, and the exit code is 1.
`;

export async function serveCommand(argv: string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      options: {
        port: { type: 'string' },
        host: { type: 'string' },
        data: { type: 'string' },
        'base-url': { type: 'string' },
        tls: { type: 'boolean' },
        'log-level': { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
    });
  } catch (err) {
    process.stderr.write(`mdmlab serve: ${(err as Error).message}\n\n${HELP}`);
    return 2;
  }
  const v = parsed.values;
  if (v.help) {
    process.stdout.write(HELP);
    return 0;
  }
  const port = v.port === undefined ? DEFAULT_CONFIG.port : Number(v.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    process.stderr.write(`mdmlab serve: --port must be a number 0-65535, not ${v.port}\n`);
    return 2;
  }
  if (v['base-url'] !== undefined && !/^https?:\/\/[^/]+/.test(v['base-url'])) {
    process.stderr.write(`mdmlab serve: --base-url must be an http(s) URL, not ${v['base-url']}\n`);
    return 2;
  }
  const config: ServerConfig = {
    ...DEFAULT_CONFIG,
    port,
    host: v.host ?? process.env.MDMLAB_HOST ?? DEFAULT_CONFIG.host,
    dataDir: v.data ?? process.env.MDMLAB_DATA ?? DEFAULT_CONFIG.dataDir,
    tls: v.tls ?? false,
    logLevel: (v['log-level'] ?? process.env.MDMLAB_LOG_LEVEL ?? DEFAULT_CONFIG.logLevel) as ServerConfig['logLevel'],
    ...(v['base-url'] ? { baseUrl: v['base-url'] } : {}),
  };
  let server;
  try {
    server = await startServer(config);
  } catch (err) {
    // A data folder the server cannot run on: one line naming the file and what to do, no stack.
    if (!(err instanceof DataFolderError)) throw err;
    process.stderr.write(`mdmlab serve: ${err.message}\n`);
    return 1;
  }
  // A bug in one request's background work must not take the server (and every device) down.
  process.on('unhandledRejection', (err) => server.log.error({ err }, 'unhandled rejection (the server keeps running)'));
  await new Promise<void>((resolve) => {
    const stop = (signal: string) => {
      server.log.info({ signal }, 'signal received');
      server.close().then(resolve, resolve);
    };
    process.once('SIGINT', () => stop('SIGINT'));
    process.once('SIGTERM', () => stop('SIGTERM'));
  });
  return 0;
}
