import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { pino } from 'pino';
import { DmTree } from '../../../agents/windows/dm-tree/index.js';
import { windowsDmDefinitions } from '../../../agents/windows/dm-schema-cache.js';
import { CLIENT_CREDENTIALS, dmAccountUri } from '../../../agents/windows/omadm/dm-account.js';
import { HttpClient } from '../../../agents/transport/http.js';
import { WINDOWS_VARIANTS } from '../../../agents/windows/variant.js';
import type { SessionDeps } from '../../../agents/windows/omadm/dm-session.js';
import { decodeSyncML, encodeSyncML, replyHeader, syncHdrStatus, type SyncMLCommand, type SyncMLMessage, type SyncMLMeta } from '../../../protocol/windows/syncml/index.js';

/**
 * A tiny OMA-DM server for the device's session logic, where a real server cannot be made to
 * misbehave on purpose (a second challenge, a foreign SessionID, a package split across messages):
 * each message the device sends is recorded and answered by the next step of a script.
 */
export type Step = (received: SyncMLMessage) => string;

export interface ScriptedServer {
  url: string;
  received: SyncMLMessage[];
  close(): Promise<void>;
}

export async function scriptedServer(steps: Step[]): Promise<ScriptedServer> {
  const received: SyncMLMessage[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const msg = decodeSyncML(Buffer.concat(chunks));
      received.push(msg);
      const step = steps.shift();
      if (!step) {
        res.writeHead(500).end('script exhausted');
        return;
      }
      const body = step(msg);
      res.writeHead(200, { 'content-type': 'application/vnd.syncml.dm+xml' }).end(body);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/ManagementServer/MDM.svc`;
  return { url, received, close: () => new Promise((r) => server.close(() => r())) };
}

/** A server reply to `m`: the SyncHdr Status (with `code` and an optional Chal), then `commands`. */
export function reply(m: SyncMLMessage, o: { code?: number; chal?: SyncMLMeta; commands?: SyncMLCommand[]; final?: boolean; msgId?: number; sessionId?: string } = {}): string {
  const header = replyHeader(m.header, o.msgId ?? Number(m.header.msgId));
  if (o.sessionId) header.sessionId = o.sessionId;
  return encodeSyncML({ header, commands: [syncHdrStatus(m.header, '1', o.code ?? 200, o.chal), ...(o.commands ?? [])], final: o.final ?? true });
}

export const ACCOUNT_UID = 'ABCDEF';
export const DEVICE_ID = '0123456789ABCDEF0123456789ABCDEF';

/** A Windows 10 tree with a DM account for `url`, the client credentials and the nonce of its first digest. */
export function treeWithAccount(url: string, o: { name?: string; secret?: string; nonce?: Buffer } = {}): DmTree {
  const defs = windowsDmDefinitions(WINDOWS_VARIANTS.windows10);
  const tree = new DmTree(defs.schema, { handlers: defs.handlers });
  const acc = dmAccountUri(ACCOUNT_UID);
  tree.setLocal(`${acc}/AppAddr/1/Addr`, url);
  const auth = `${acc}/AppAuth/${CLIENT_CREDENTIALS}`;
  tree.setLocal(`${auth}/AAuthLevel`, CLIENT_CREDENTIALS);
  tree.setLocal(`${auth}/AAuthType`, 'DIGEST');
  tree.setLocal(`${auth}/AAuthName`, o.name ?? DEVICE_ID);
  tree.setLocal(`${auth}/AAuthSecret`, o.secret ?? 'device-secret');
  tree.setLocal(`${auth}/AAuthData`, (o.nonce ?? Buffer.from('first nonce')).toString('base64'));
  for (const [leaf, value] of [['DevId', DEVICE_ID], ['Man', 'Contoso'], ['Mod', 'Lab'], ['DmV', '1.3'], ['Lang', 'en-US']]) tree.setLocal(`./DevInfo/${leaf}`, value);
  return tree;
}

export function sessionDeps(tree: DmTree, http: HttpClient = new HttpClient({ timeoutMs: 5000 })): SessionDeps {
  return {
    transport: { http, caPem: () => undefined, clientCertificate: () => undefined, userAgent: 'test' },
    tree,
    accountUid: ACCOUNT_UID,
    deviceId: DEVICE_ID,
    log: pino({ level: 'silent' }),
    profileIdOf: () => undefined,
  };
}
