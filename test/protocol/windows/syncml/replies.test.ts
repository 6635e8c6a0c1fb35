import { describe, expect, it } from 'vitest';
import { decodeSyncML, encodeSyncML, md5Challenge, replyHeader, STATUS, statusFor, syncHdrStatus } from '../../../../protocol/windows/syncml/index.js';
import { DEVICE_ID } from '../fixtures.js';
import { clientFirstMessage, MDM_URL } from './messages.js';

describe('answering a message', () => {
  it('swaps Target and Source, keeps the session, answers the SyncHdr first and every command in order', () => {
    const received = decodeSyncML(clientFirstMessage({ sessionId: 'FF', msgId: '3' }).replace('<Replace>', '<Copy><CmdID>9</CmdID></Copy><Replace>'));
    const header = replyHeader(received.header, 3);
    expect(header).toEqual({ verDtd: '1.2', verProto: 'DM/1.2', sessionId: 'FF', msgId: '3', target: { locUri: DEVICE_ID }, source: { locUri: MDM_URL } });
    const reply = {
      header,
      commands: [syncHdrStatus(received.header, '1', STATUS.OK), ...received.commands.map((c, i) => statusFor(c, received.header.msgId, String(i + 2), c.kind === 'Invalid' ? STATUS.BAD_REQUEST : STATUS.OK))],
      final: true,
    };
    const decoded = decodeSyncML(encodeSyncML(reply));
    expect(decoded.commands.map((c) => (c.kind === 'Status' ? `${c.cmdRef}/${c.cmd}/${c.code}/${c.msgRef}` : c.kind))).toEqual(['0/SyncHdr/200/3', '2/Alert/200/3', '3/Alert/200/3', '9/Copy/400/3', '5/Replace/200/3']);
  });

  it('challenges with a NextNonce, and answers a command without CmdID with an empty CmdRef', () => {
    const received = decodeSyncML(clientFirstMessage());
    expect(syncHdrStatus(received.header, '1', STATUS.MISSING_CREDENTIALS, md5Challenge(Buffer.from('n')))).toMatchObject({ code: 407, chal: { type: 'syncml:auth-md5', format: 'b64', nextNonce: 'bg==' } });
    expect(statusFor({ kind: 'Invalid', name: 'Add', code: 'missingElement', reason: 'x' }, '1', '2', 400)).toMatchObject({ cmdRef: '', cmd: 'Add', code: 400 });
  });
});
