import { describe, expect, it } from 'vitest';
import {
  decodeSyncML,
  decodeSyncMLCommand,
  encodeSyncML,
  encodeSyncMLCommand,
  loginStatusAlert,
  md5Challenge,
  STATUS,
  SYNCML_VER_DTD,
  SYNCML_VER_PROTO,
  unenrollmentAlert,
  type SyncMLCommand,
  type SyncMLHeader,
  type SyncMLMessage,
} from '../../../../protocol/windows/syncml/index.js';
import { DEVICE_ID, expectWindowsError } from '../fixtures.js';
import { clientFirstMessage, MDM_URL } from './messages.js';

const serverHeader: SyncMLHeader = {
  verDtd: SYNCML_VER_DTD,
  verProto: SYNCML_VER_PROTO,
  sessionId: '1A',
  msgId: '1',
  target: { locUri: DEVICE_ID },
  source: { locUri: MDM_URL },
};

const account = './User/Vendor/MSFT/ActiveSync/Accounts/%7B1D5E8B4C-7A2F-4E3B-9C1D-2E3F4A5B6C7D%7D';

/** One of everything, as a server and a client would send them. */
const everything: SyncMLCommand[] = [
  { kind: 'Status', cmdId: '1', msgRef: '1', cmdRef: '0', cmd: 'SyncHdr', code: STATUS.MISSING_CREDENTIALS, targetRefs: [MDM_URL], sourceRefs: [DEVICE_ID], chal: md5Challenge(Buffer.from('Nonce')), items: [] },
  { kind: 'Status', cmdId: '2', msgRef: '1', cmdRef: '5', cmd: 'Add', code: 500, originalError: '0x86000002', targetRefs: [], sourceRefs: [], items: [{ data: 'detail' }] },
  loginStatusAlert('3', 'others'),
  unenrollmentAlert('4'),
  { kind: 'Alert', cmdId: '5', noResp: true, code: 1222, items: [] },
  {
    kind: 'Atomic',
    cmdId: '6',
    meta: { format: 'chr' },
    commands: [
      { kind: 'Add', cmdId: '7', items: [{ target: account, meta: { format: 'node' } }] },
      { kind: 'Replace', cmdId: '8', noResp: true, items: [{ target: `${account}/EmailAddress`, meta: { format: 'chr', type: 'text/plain' }, data: 'alice@contoso.com' }] },
      { kind: 'Sequence', cmdId: '9', commands: [{ kind: 'Delete', cmdId: '10', items: [{ target: './a' }] }] },
    ],
  },
  { kind: 'Get', cmdId: '11', items: [{ target: './DevDetail/SwV' }, { target: './DevDetail/Ext/Microsoft/DeviceName' }] },
  { kind: 'Exec', cmdId: '12', items: [{ target: './Vendor/MSFT/Reboot/RebootNow', meta: { format: 'null', type: 'text/plain' }, data: '' }] },
  {
    kind: 'Results',
    cmdId: '13',
    msgRef: '2',
    cmdRef: '11',
    cmd: 'Get',
    meta: { type: 'text/plain' },
    targetRefs: [],
    sourceRefs: [],
    items: [
      { source: './DevDetail/SwV', meta: { format: 'chr', size: 14 }, data: '10.0.19043.2364' },
      { source: './x', data: '<MsiInstallJob xmlns="urn:msi"><Product Version="1.0"/></MsiInstallJob>', dataIsMarkup: true },
      { source: './big', data: 'chunk', moreData: true },
    ],
  },
];

describe('encoding SyncML', () => {
  it('round-trips every command kind exactly', () => {
    const msg: SyncMLMessage = { header: { ...serverHeader, cred: { meta: { type: 'syncml:auth-md5', format: 'b64' }, data: 'Zz6EivR3yeaaENcRN6lpAQ==' }, meta: { maxMsgSize: 65536 }, respUri: `${MDM_URL}?s=1` }, commands: everything, final: true };
    const decoded = decodeSyncML(encodeSyncML(msg));
    expect(decoded).toEqual({ ...msg, namespace: 'SYNCML:SYNCML1.2' });
    for (const cmd of everything) expect(decodeSyncMLCommand(encodeSyncMLCommand(cmd))).toEqual(cmd);
  });

  it('round-trips what a client sent', () => {
    const decoded = decodeSyncML(clientFirstMessage({ cred: 'Zz6EivR3yeaaENcRN6lpAQ==', unenroll: true }));
    expect(decodeSyncML(encodeSyncML(decoded))).toEqual(decoded);
  });

  it('writes the status-only reply that ends a session, byte for byte', () => {
    const reply = encodeSyncML({
      header: serverHeader,
      commands: [
        { kind: 'Status', cmdId: '1', msgRef: '1', cmdRef: '0', cmd: 'SyncHdr', code: 200, targetRefs: [], sourceRefs: [], items: [] },
        { kind: 'Status', cmdId: '2', msgRef: '1', cmdRef: '2', cmd: 'Alert', code: 200, targetRefs: [], sourceRefs: [], items: [] },
      ],
      final: true,
    });
    expect(reply).toBe(
      '<SyncML xmlns="SYNCML:SYNCML1.2"><SyncHdr><VerDTD>1.2</VerDTD><VerProto>DM/1.2</VerProto><SessionID>1A</SessionID><MsgID>1</MsgID>' +
        `<Target><LocURI>${DEVICE_ID}</LocURI></Target><Source><LocURI>${MDM_URL}</LocURI></Source></SyncHdr><SyncBody>` +
        '<Status><CmdID>1</CmdID><MsgRef>1</MsgRef><CmdRef>0</CmdRef><Cmd>SyncHdr</Cmd><Data>200</Data></Status>' +
        '<Status><CmdID>2</CmdID><MsgRef>1</MsgRef><CmdRef>2</CmdRef><Cmd>Alert</Cmd><Data>200</Data></Status><Final/></SyncBody></SyncML>',
    );
    expect(encodeSyncML({ header: serverHeader, commands: [], final: false }, { declaration: true })).toMatch(/^<\?xml version="1.0" encoding="UTF-8"\?><SyncML/);
  });

  it('escapes text Data so it comes back identical, CR, markup-like text and surrounding spaces included', () => {
    const tricky = ' <wap-provisioningdoc>&amp;</wap-provisioningdoc>\r\n]]> ';
    const cmd: SyncMLCommand = { kind: 'Replace', cmdId: '1', items: [{ target: './x', data: tricky }] };
    const xml = encodeSyncMLCommand(cmd);
    expect(xml).toContain('&lt;wap-provisioningdoc&gt;&amp;amp;&lt;/wap-provisioningdoc&gt;&#13;\n]]&gt; ');
    expect(decodeSyncMLCommand(xml)).toEqual(cmd);
  });

  it('refuses what cannot go on the wire, naming where', () => {
    const one = (c: SyncMLCommand) => () => encodeSyncML({ header: serverHeader, commands: [c], final: true });
    expectWindowsError(one({ kind: 'Add', cmdId: '1', items: [] }), 'invalidValue', 'SyncBody/Add/Item');
    expectWindowsError(one({ kind: 'Atomic', cmdId: '1', commands: [] }), 'invalidValue', 'SyncBody/Atomic');
    expectWindowsError(one({ kind: 'Get', cmdId: '', items: [{ target: './a' }] }), 'invalidValue', 'SyncBody/Get/CmdID');
    expectWindowsError(one({ kind: 'Invalid', name: 'Copy', code: 'unknownCommand', reason: 'x' }), 'invalidValue', 'SyncBody/Invalid');
    expectWindowsError(one({ kind: 'Replace', cmdId: '1', items: [{ target: './a', data: '<a><b></a>', dataIsMarkup: true }] }), 'invalidValue', 'SyncBody/Replace/Item[0]/Data');
    expectWindowsError(one({ kind: 'Replace', cmdId: '1', items: [{ target: './a', data: 'bell\u0007' }] }), 'invalidCharacter');
    expectWindowsError(() => encodeSyncML({ header: { ...serverHeader, sessionId: '' }, commands: [], final: true }), 'invalidValue', 'SyncHdr');
    expectWindowsError(one({ kind: 'Status', cmdId: '1', msgRef: '1', cmdRef: '0', cmd: 'SyncHdr', code: Number.NaN, targetRefs: [], sourceRefs: [], items: [] }), 'invalidValue', 'SyncBody/Status/Data');
    expectWindowsError(one({ kind: 'Alert', cmdId: '1', code: 12010, items: [] }), 'invalidValue', 'SyncBody/Alert/Data');
  });
});
