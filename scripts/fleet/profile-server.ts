import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { FleetInputError } from '../../agents/fleet/input-error.js';

/**
 * `--enroll-profile FILE`: the operator has the enrollment profile as a file (exported from their
 * MDM server) rather than a URL. The fleet serves it on a loopback port, and every device
 * downloads it from there as it would from the server (application/x-apple-aspen-config, Apple
 * "Profile-Specific Payload Keys": the enrollment profile is an ordinary configuration profile).
 */
export async function serveEnrollmentProfile(path: string): Promise<{ url: string; close: () => Promise<void> }> {
  let body: Buffer;
  try {
    body = readFileSync(path);
  } catch (err) {
    throw new FleetInputError(`--enroll-profile ${path}: cannot read the file (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
  }
  const server: Server = createServer((req, res) => {
    if (req.method === 'GET' && req.url === '/enroll.mobileconfig') {
      res.writeHead(200, { 'content-type': 'application/x-apple-aspen-config', 'content-length': body.length });
      res.end(body);
    } else {
      res.writeHead(404).end();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/enroll.mobileconfig`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
