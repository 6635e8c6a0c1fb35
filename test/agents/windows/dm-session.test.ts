import { afterEach, describe, expect, it } from 'vitest';
import { isWindowsDeviceError } from '../../../agents/windows/errors.js';
import { runDmSession, sessionIdOf, type SessionHooks } from '../../../agents/windows/omadm/dm-session.js';
import { CLIENT_CREDENTIALS, dmAccountUri } from '../../../agents/windows/omadm/dm-account.js';
import type { CommandHandledEvent } from '../../../agents/device.js';
import { md5Challenge, md5Digest, type ItemCommand, type StatusCommand, type SyncMLCommand, type SyncMLMessage } from '../../../protocol/windows/syncml/index.js';
import { ACCOUNT_UID, DEVICE_ID, reply, scriptedServer, sessionDeps, treeWithAccount, type ScriptedServer } from './scripted-dm-server.js';

let server: ScriptedServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

const ACCOUNT = './User/Vendor/MSFT/ActiveSync/Accounts/%7BC556E16F-56C4-4EDB-9C64-D9469EE1FBE0%7D';
const nonceUri = `${dmAccountUri(ACCOUNT_UID)}/AppAuth/${CLIENT_CREDENTIALS}/AAuthData`;
const item = (target: string, data?: string, format = 'chr') => ({ target, meta: { format }, ...(data !== undefined ? { data } : {}) });
const add = (cmdId: string, target: string, data?: string, format?: string): ItemCommand => ({ kind: 'Add', cmdId, items: [item(target, data, format)] });
const statuses = (m: SyncMLMessage) => m.commands.filter((c): c is StatusCommand => c.kind === 'Status');

function hooks(events: CommandHandledEvent[] = [], o: { shouldContinue?: () => boolean; executed?: () => void } = {}): SessionHooks {
  return { shouldContinue: o.shouldContinue ?? (() => true), executed: async () => o.executed?.(), handled: (e) => events.push(e) };
}

async function start(steps: Parameters<typeof scriptedServer>[0], nonce = Buffer.from('first nonce')) {
  server = await scriptedServer(steps);
  const tree = treeWithAccount(server.url, { nonce });
  return { tree, deps: sessionDeps(tree) };
}

describe('an OMA-DM session as the Windows client runs it', () => {
  it('opens with Alert 1201, LoginStatus and the DevInfo facts, digests with the provisioned nonce, and ends on a Status-only answer', async () => {
    const { deps } = await start([(m) => reply(m)]);
    const result = await runDmSession(deps, { sessionId: sessionIdOf(12), alert: 1201, loginStatus: 'user' }, hooks());
    expect(result).toEqual({ completed: true, messages: 1 });
    const [first] = server!.received;
    expect(first!.header).toMatchObject({ verDtd: '1.2', verProto: 'DM/1.2', sessionId: 'D', msgId: '1', target: { locUri: server!.url }, source: { locUri: DEVICE_ID, locName: DEVICE_ID } });
    expect(first!.header.cred).toEqual({ meta: { type: 'syncml:auth-md5', format: 'b64' }, data: md5Digest(DEVICE_ID, 'device-secret', Buffer.from('first nonce')) });
    expect(first!.final).toBe(true);
    const kinds = first!.commands.map((c) => (c.kind === 'Alert' ? `Alert ${c.code}` : c.kind));
    expect(kinds).toEqual(['Alert 1201', 'Alert 1224', 'Replace']);
    expect((first!.commands[1] as { items: { meta?: { type?: string }; data?: string }[] }).items[0]).toMatchObject({ meta: { type: 'com.microsoft/MDM/LoginStatus' }, data: 'user' });
    expect((first!.commands[2] as ItemCommand).items.map((i) => [i.source, i.data])).toEqual([
      ['./DevInfo/DevId', DEVICE_ID],
      ['./DevInfo/Man', 'Contoso'],
      ['./DevInfo/Mod', 'Lab'],
      ['./DevInfo/DmV', '1.3'],
      ['./DevInfo/Lang', 'en-US'],
    ]);
    expect(first!.commands.map((c) => c.cmdId)).toEqual(['1', '2', '3']);
  });

  it('answers a 407 challenge once: the same message, MsgID included, with a digest of the new nonce, which it keeps', async () => {
    const next = Buffer.from('second nonce');
    const { deps, tree } = await start([(m) => reply(m, { code: 407, chal: md5Challenge(next) }), (m) => reply(m)]);
    await runDmSession(deps, { sessionId: '1', alert: 1200 }, hooks());
    const [refused, again] = server!.received;
    expect(again!.header.msgId).toBe(refused!.header.msgId);
    expect(again!.commands).toEqual(refused!.commands);
    expect(again!.commands[0]).toMatchObject({ kind: 'Alert', code: 1200 });
    expect(again!.header.cred?.data).toBe(md5Digest(DEVICE_ID, 'device-secret', next));
    expect(tree.value(nonceUri)).toBe(next.toString('base64'));
  });

  it('gives up after a second refusal, without trying a third time (not a failure worth retrying)', async () => {
    const { deps } = await start([(m) => reply(m, { code: 401, chal: md5Challenge(Buffer.from('a')) }), (m) => reply(m, { code: 401, chal: md5Challenge(Buffer.from('b')) }), (m) => reply(m)]);
    const err = await runDmSession(deps, { sessionId: '1', alert: 1201 }, hooks()).catch((e: unknown) => e);
    expect(isWindowsDeviceError(err, 'authenticationFailed')).toBe(true);
    expect(server!.received).toHaveLength(2);
  });

  it('uses the NextNonce of every SyncHdr Status for its next digest, and sends no credentials once the server said 212', async () => {
    const n2 = Buffer.from('nonce two');
    const { deps, tree } = await start([
      (m) => reply(m, { chal: md5Challenge(n2), commands: [{ kind: 'Get', cmdId: '2', items: [{ target: './DevInfo/Mod' }] }], final: true }),
      (m) => reply(m, { code: 212, commands: [{ kind: 'Get', cmdId: '2', items: [{ target: './DevInfo/Man' }] }] }),
      (m) => reply(m),
    ]);
    await runDmSession(deps, { sessionId: '1', alert: 1201 }, hooks());
    const [, second, third] = server!.received;
    expect(second!.header.msgId).toBe('2');
    expect(second!.header.cred?.data).toBe(md5Digest(DEVICE_ID, 'device-secret', n2));
    expect(third!.header.cred).toBeUndefined();
    expect(tree.value(nonceUri)).toBe(n2.toString('base64'));
  });

  it('runs the server commands on the tree and answers SyncHdr first, then each command (an Atomic before its commands), Results after a Get', async () => {
    const events: CommandHandledEvent[] = [];
    let executed = 0;
    const { deps, tree } = await start([
      (m) =>
        reply(m, {
          msgId: 1,
          commands: [
            {
              kind: 'Atomic',
              cmdId: '10',
              commands: [add('11', ACCOUNT, undefined, 'node'), add('12', `${ACCOUNT}/EmailAddress`, 'alice@contoso.com'), add('13', `${ACCOUNT}/ServerName`, 'mail.contoso.com')],
            },
            { kind: 'Get', cmdId: '14', items: [{ target: `${ACCOUNT}/ServerName` }, { target: './DevInfo/Nope' }] },
            { kind: 'Replace', cmdId: '15', items: [item('./DevInfo/Man', 'x')] },
          ],
        }),
      (m) => reply(m, { msgId: 2 }),
    ]);
    const result = await runDmSession(deps, { sessionId: '1', alert: 1201 }, hooks(events, { executed: () => executed++ }));
    expect(result).toEqual({ completed: true, messages: 2 });
    expect(executed).toBe(1);
    expect(tree.value(`${ACCOUNT}/ServerName`)).toBe('mail.contoso.com');
    const answer = server!.received[1]!;
    expect(answer.final).toBe(true);
    const summary = answer.commands.map((c) => (c.kind === 'Status' ? `Status ${c.cmd} ${c.cmdRef} ${c.code}` : `${c.kind} ${'cmdRef' in c ? c.cmdRef : ''}`));
    expect(summary).toEqual([
      'Status SyncHdr 0 200',
      'Status Atomic 10 200',
      'Status Add 11 200',
      'Status Add 12 200',
      'Status Add 13 200',
      'Status Get 14 404',
      'Results 14',
      'Status Replace 15 405',
    ]);
    expect(statuses(answer).every((s) => s.msgRef === '1')).toBe(true);
    const results = answer.commands.find((c) => c.kind === 'Results') as { items: { source?: string; data?: string }[] };
    expect(results.items).toEqual([expect.objectContaining({ source: `${ACCOUNT}/ServerName`, data: 'mail.contoso.com' })]);
    expect(events).toEqual([
      { requestType: 'Atomic', status: '200', outcome: 'success', profileAction: 'install', commandId: '10' },
      expect.objectContaining({ requestType: 'Get', status: '404', outcome: 'failure', commandId: '14' }),
      expect.objectContaining({ requestType: 'Replace', status: '405', outcome: 'failure', commandId: '15' }),
    ]);
  });

  it('asks for the next message (Alert 1222) when the server package has no Final, and ends only after the last one', async () => {
    const { deps, tree } = await start([
      (m) => reply(m, { commands: [{ kind: 'Atomic', cmdId: '2', commands: [add('3', ACCOUNT, undefined, 'node'), add('4', `${ACCOUNT}/EmailAddress`, 'a@b.c')] }], final: false }),
      (m) => reply(m, { commands: [{ kind: 'Atomic', cmdId: '2', commands: [add('3', `${ACCOUNT}/ServerName`, 'mail.b.c')] }], final: true }),
      (m) => reply(m),
    ]);
    const result = await runDmSession(deps, { sessionId: '1', alert: 1201 }, hooks());
    expect(result.messages).toBe(3);
    const [, afterFirst, afterSecond] = server!.received;
    expect(afterFirst!.commands.at(-1)).toMatchObject({ kind: 'Alert', code: 1222 });
    expect(afterSecond!.commands.some((c) => c.kind === 'Alert')).toBe(false);
    expect(tree.value(`${ACCOUNT}/ServerName`)).toBe('mail.b.c');
  });

  it('sends a package too big for one message in parts without Final, each after the server asked for it with Alert 1222', async () => {
    const gets: SyncMLCommand[] = Array.from({ length: 12 }, (_, i) => ({ kind: 'Get', cmdId: String(i + 2), items: [{ target: './DevInfo/DevId' }] }));
    // The server asks for the next part (Alert 1222, no Final) until the device's package is complete.
    const next = (m: SyncMLMessage) => (m.final ? reply(m) : reply(m, { commands: [{ kind: 'Alert', cmdId: '2', code: 1222, items: [] }], final: false }));
    const { deps } = await start([(m) => reply(m, { commands: gets }), ...Array.from({ length: 20 }, () => next)]);
    await runDmSession(deps, { sessionId: '1', alert: 1201, maxMessageBytes: 4096 }, hooks());
    const answers = server!.received.slice(1);
    expect(answers.length).toBeGreaterThan(2);
    expect(answers.slice(0, -1).every((m) => !m.final)).toBe(true);
    expect(answers.at(-1)!.final).toBe(true);
    // Every Get got its Status and its Results, across the parts; no part asked the server for more.
    const all = answers.flatMap((m) => m.commands);
    expect(all.filter((c) => c.kind === 'Status' && c.cmd === 'Get')).toHaveLength(12);
    expect(all.filter((c) => c.kind === 'Results')).toHaveLength(12);
    expect(all.some((c) => c.kind === 'Alert' && c.code === 1222)).toBe(false);
    expect(answers.map((m) => m.header.msgId)).toEqual(answers.map((_, i) => String(i + 2)));
  });

  it('refuses an answer from another session, or one that does not answer its message first', async () => {
    const cases: ((m: SyncMLMessage) => string)[] = [
      (m) => reply(m, { sessionId: 'FF' }),
      (m) => reply({ ...m, header: { ...m.header, msgId: '7' } }),
      () => '<SyncML xmlns="SYNCML:SYNCML1.2"><SyncHdr><VerDTD>1.2</VerDTD><VerProto>DM/1.2</VerProto><SessionID>1</SessionID><MsgID>1</MsgID><Target><LocURI>x</LocURI></Target><Source><LocURI>y</LocURI></Source></SyncHdr><SyncBody><Final/></SyncBody></SyncML>',
      () => 'not xml at all',
    ];
    for (const step of cases) {
      const { deps } = await start([step]);
      const err = await runDmSession(deps, { sessionId: '1', alert: 1201 }, hooks()).catch((e: unknown) => e);
      expect(isWindowsDeviceError(err, 'badResponse'), String(err)).toBe(true);
      await server!.close();
      server = undefined;
    }
  });

  it('ends at a server Alert 1223 (session abort), and leaves commands unrun when it must stop (offline)', async () => {
    const abort = await start([(m) => reply(m, { commands: [{ kind: 'Alert', cmdId: '2', code: 1223, items: [] }] })]);
    expect(await runDmSession(abort.deps, { sessionId: '1', alert: 1201 }, hooks())).toEqual({ completed: true, messages: 1 });
    await server!.close();

    let online = true;
    const { deps, tree } = await start([
      (m) => {
        online = false;
        return reply(m, { commands: [add('2', `${ACCOUNT}/EmailAddress`, 'a@b.c')] });
      },
    ]);
    expect(await runDmSession(deps, { sessionId: '1', alert: 1201 }, hooks([], { shouldContinue: () => online }))).toEqual({ completed: false, messages: 1 });
    expect(tree.exists(ACCOUNT)).toBe(false);
  });

  it('writes SessionIDs in hex, as Windows does', () => {
    expect([0, 9, 12, 254].map(sessionIdOf)).toEqual(['1', 'A', 'D', 'FF']);
  });
});
