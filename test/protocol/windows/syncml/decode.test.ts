import { describe, expect, it } from 'vitest';
import {
  ALERT,
  DEFAULT_SYNCML_LIMITS,
  decodeSyncML,
  decodeSyncMLCommand,
  isUnenrollmentRequest,
  loginStatusOf,
  type AlertCommand,
  type ContainerCommand,
  type ItemCommand,
  type ResultsCommand,
  type StatusCommand,
} from '../../../../protocol/windows/syncml/index.js';
import { DEVICE_ID, expectWindowsError, msdoc, MSDOCS } from '../fixtures.js';
import { clientFirstMessage, MDM_URL } from './messages.js';

const wrap = (body: string, hdrExtra = '') =>
  `<SyncML xmlns="SYNCML:SYNCML1.2"><SyncHdr><VerDTD>1.2</VerDTD><VerProto>DM/1.2</VerProto><SessionID>1</SessionID><MsgID>2</MsgID>` +
  `<Target><LocURI>${DEVICE_ID}</LocURI></Target><Source><LocURI>${MDM_URL}</LocURI></Source>${hdrExtra}</SyncHdr><SyncBody>${body}</SyncBody></SyncML>`;

describe('decoding a client message', () => {
  it('reads the first message of a session: hex SessionID, LocName, MD5 Cred, MaxMsgSize, alerts, DevInfo', () => {
    const msg = decodeSyncML(clientFirstMessage({ cred: 'Zz6EivR3yeaaENcRN6lpAQ==', unenroll: true }));
    expect(msg.header).toEqual({
      verDtd: '1.2',
      verProto: 'DM/1.2',
      sessionId: '1A',
      msgId: '1',
      target: { locUri: MDM_URL },
      source: { locUri: DEVICE_ID, locName: DEVICE_ID },
      cred: { meta: { format: 'b64', type: 'syncml:auth-md5' }, data: 'Zz6EivR3yeaaENcRN6lpAQ==' },
      meta: { maxMsgSize: 65536 },
    });
    expect(msg.final).toBe(true);
    expect(msg.namespace).toBe('SYNCML:SYNCML1.2');
    expect(msg.commands.map((c) => `${c.kind}:${c.kind === 'Invalid' ? '' : c.cmdId}`)).toEqual(['Alert:2', 'Alert:3', 'Alert:4', 'Replace:5']);
    const [session, login, unenroll, devInfo] = msg.commands as [AlertCommand, AlertCommand, AlertCommand, ItemCommand];
    expect(session).toEqual({ kind: 'Alert', cmdId: '2', code: ALERT.CLIENT_INITIATED_MGMT, items: [] });
    expect(loginStatusOf(login)).toBe('user');
    expect(isUnenrollmentRequest(unenroll)).toBe(true);
    expect(isUnenrollmentRequest(login)).toBe(false);
    expect(devInfo.items.map((i) => [i.source, i.data])).toEqual([
      ['./DevInfo/DevId', DEVICE_ID],
      ['./DevInfo/Man', 'Contoso & Co.'],
      ['./DevInfo/Mod', 'Surface Laptop 4'],
      ['./DevInfo/DmV', '1.3'],
      ['./DevInfo/Lang', 'en-US'],
    ]);
  });

  it("reads Microsoft's 1224 LoginStatus fragment (no namespace at all)", () => {
    const alert = decodeSyncMLCommand(msdoc(MSDOCS.alert1224));
    expect(alert).toEqual({ kind: 'Alert', cmdId: '1', code: 1224, items: [{ meta: { type: 'com.microsoft/MDM/LoginStatus', format: 'chr' }, data: 'user' }] });
    expect(loginStatusOf(alert as AlertCommand)).toBe('user');
  });

  it('does not care about prefixes, SyncML 1.1, where Meta children declare their namespace, or line breaks', () => {
    const plain = decodeSyncML(clientFirstMessage());
    const prefixed = clientFirstMessage()
      .replace('<SyncML xmlns="SYNCML:SYNCML1.2">', '<sml:SyncML xmlns:sml="SYNCML:SYNCML1.2" xmlns:mi="syncml:metinf">')
      .replace(/<(\/?)(?!sml:)([A-Za-z]+)([ >/])/g, '<$1sml:$2$3')
      .replace(/<(\/?)sml:(Type|Format|MaxMsgSize) xmlns="syncml:metinf">/g, '<$1mi:$2>')
      .replace(/<\/sml:(Type|Format|MaxMsgSize)>/g, '</mi:$1>');
    expect(prefixed).toContain('<sml:Alert>');
    expect(prefixed).toContain('<mi:Type>');
    expect(decodeSyncML(prefixed)).toEqual(plain);
    const v11 = decodeSyncML(clientFirstMessage().replace('SYNCML:SYNCML1.2', 'SYNCML:SYNCML1.1'));
    expect(v11.namespace).toBe('SYNCML:SYNCML1.1');
    expect(v11.commands).toEqual(plain.commands);
    // A capture re-serialised by Go puts Meta in no namespace with unqualified children.
    const reserialised = clientFirstMessage().replace('<Meta>\n          <Type xmlns="syncml:metinf">com.microsoft/MDM/LoginStatus</Type>', '<Meta xmlns=""><Type>com.microsoft/MDM/LoginStatus</Type>');
    expect(loginStatusOf(decodeSyncML(reserialised).commands[1] as AlertCommand)).toBe('user');
    const compact = decodeSyncML(clientFirstMessage().replace(/>\s+</g, '><'));
    expect(compact).toEqual(plain);
  });

  it('keeps Data exactly: entities and CDATA resolved, spaces kept, markup as written', () => {
    const msg = decodeSyncML(
      wrap(
        '<Results><CmdID>1</CmdID><MsgRef>1</MsgRef><CmdRef>3</CmdRef><Cmd>Get</Cmd>' +
          '<Item><Source><LocURI>./a</LocURI></Source><Meta><Format xmlns="syncml:metinf">chr</Format></Meta><Data> two  spaces </Data></Item>' +
          '<Item><Source><LocURI>./b</LocURI></Source><Data>&lt;wap-provisioningdoc/&gt;<![CDATA[<x a="1"/>]]></Data></Item>' +
          '<Item><Source><LocURI>./c</LocURI></Source><Data>\n  <MsiInstallJob xmlns="urn:msi" id="{A}"><Product Version="1.0"/></MsiInstallJob>\n</Data></Item>' +
          '<Item><Source><LocURI>./d</LocURI></Source><Data/></Item>' +
          '</Results><Final/>',
      ),
    );
    const results = msg.commands[0] as ResultsCommand;
    expect(results.items).toEqual([
      { source: './a', meta: { format: 'chr' }, data: ' two  spaces ' },
      { source: './b', data: '<wap-provisioningdoc/><x a="1"/>' },
      { source: './c', data: '\n  <MsiInstallJob xmlns="urn:msi" id="{A}"><Product Version="1.0"/></MsiInstallJob>\n', dataIsMarkup: true },
      { source: './d', data: '' },
    ]);
  });

  it('keeps markup Data even when the caller passes its own limits', () => {
    // Regression: limits without keepMarkupOf made the decoder drop the elements inside Data silently.
    const own = { maxBytes: 64 * 1024, maxDepth: 32, maxElements: 1000, maxCommands: 10 };
    const msg = decodeSyncML(wrap('<Results><CmdID>1</CmdID><CmdRef>2</CmdRef><Item><Source><LocURI>./x</LocURI></Source><Data><a xmlns="urn:a">1</a></Data></Item></Results>'), own);
    expect((msg.commands[0] as ResultsCommand).items[0]).toEqual({ source: './x', data: '<a xmlns="urn:a">1</a>', dataIsMarkup: true });
    const cmd = decodeSyncMLCommand('<Exec><CmdID>1</CmdID><Item><Target><LocURI>./y</LocURI></Target><Data><b xmlns="urn:b"/></Data></Item></Exec>', own);
    expect(cmd).toEqual({ kind: 'Exec', cmdId: '1', items: [{ target: './y', data: '<b xmlns="urn:b"/>', dataIsMarkup: true }] });
  });

  it('does not echo an over-long CmdID', () => {
    // Regression: a 128+ character CmdID was kept on the Invalid command and would be sent back as CmdRef.
    const msg = decodeSyncML(wrap(`<Get><CmdID>${'9'.repeat(129)}</CmdID><Item><Target><LocURI>./a</LocURI></Target></Item></Get>`));
    expect(msg.commands).toEqual([{ kind: 'Invalid', name: 'Get', code: 'invalidValue', reason: 'CmdID is longer than 128 characters' }]);
  });

  it('reads Status with its references, challenge and msft:originalerror, and Results defaults', () => {
    const msg = decodeSyncML(
      wrap(
        '<Status><CmdID>1</CmdID><MsgRef>1</MsgRef><CmdRef>0</CmdRef><Cmd>SyncHdr</Cmd>' +
          '<Chal><Meta><Type xmlns="syncml:metinf">syncml:auth-md5</Type><Format xmlns="syncml:metinf">b64</Format><NextNonce xmlns="syncml:metinf">Tm9uY2U=</NextNonce></Meta></Chal><Data> 407 </Data></Status>' +
          '<Status xmlns:msft="http://schemas.microsoft.com/MobileDevice/MDM"><CmdID>2</CmdID><MsgRef>1</MsgRef><CmdRef>7</CmdRef><Cmd>Add</Cmd><TargetRef>./a</TargetRef><TargetRef>./b</TargetRef><Data msft:originalerror="0x86000002">500</Data></Status>' +
          '<Status><CmdID>3</CmdID><MsgRef>1</MsgRef><CmdRef>8</CmdRef><Cmd>Replace</Cmd><Data><msft:x/>418</Data></Status>' +
          '<Results><CmdID>4</CmdID><Item><Source><LocURI>./x</LocURI></Source><Data>1</Data></Item></Results>',
      ),
    );
    const [hdr, add, undeclared, results] = msg.commands as [StatusCommand, StatusCommand, StatusCommand, ResultsCommand];
    expect(hdr).toEqual({ kind: 'Status', cmdId: '1', msgRef: '1', cmdRef: '0', cmd: 'SyncHdr', code: 407, targetRefs: [], sourceRefs: [], items: [], chal: { type: 'syncml:auth-md5', format: 'b64', nextNonce: 'Tm9uY2U=' } });
    expect(add).toMatchObject({ code: 500, originalError: '0x86000002', targetRefs: ['./a', './b'] });
    // The msft prefix undeclared: tolerated by the XML layer, the code still reads.
    expect(undeclared.code).toBe(418);
    expect(results).toMatchObject({ cmdRef: '1', items: [{ source: './x', data: '1' }] });
    expect(results.msgRef).toBeUndefined();
    expect(msg.final).toBe(false);
  });

  it('reads the server side: Atomic and Sequence with nested commands, NoResp, command Meta, Get, Delete, Exec', () => {
    const msg = decodeSyncML(
      wrap(
        '<Atomic><CmdID>10</CmdID><Meta><Type xmlns="syncml:metinf">text/plain</Type></Meta>' +
          '<Add><CmdID>11</CmdID><NoResp/><Item><Target><LocURI>./User/Vendor/MSFT/ActiveSync/Accounts/%7BA%7D</LocURI></Target><Meta><Format xmlns="syncml:metinf">node</Format></Meta></Item></Add>' +
          '<Sequence><CmdID>12</CmdID><Delete><CmdID>13</CmdID><Item><Target><LocURI>./a</LocURI></Target></Item></Delete>' +
          '<Exec><CmdID>14</CmdID><Item><Target><LocURI>./Vendor/MSFT/DMClient/Provider/p/Unenroll</LocURI></Target></Item></Exec></Sequence></Atomic>' +
          '<Get><CmdID>15</CmdID><Item><Target><LocURI>./DevDetail/SwV</LocURI></Target></Item><Item><Target><LocURI>./DevDetail/OEM</LocURI></Target></Item></Get><Final/>',
      ),
    );
    const atomic = msg.commands[0] as ContainerCommand;
    expect(atomic.kind).toBe('Atomic');
    expect(atomic.meta).toEqual({ type: 'text/plain' });
    expect(atomic.commands[0]).toEqual({ kind: 'Add', cmdId: '11', noResp: true, items: [{ target: './User/Vendor/MSFT/ActiveSync/Accounts/%7BA%7D', meta: { format: 'node' } }] });
    const seq = atomic.commands[1] as ContainerCommand;
    expect(seq.commands.map((c) => c.kind)).toEqual(['Delete', 'Exec']);
    expect((msg.commands[1] as ItemCommand).items.map((i) => i.target)).toEqual(['./DevDetail/SwV', './DevDetail/OEM']);
  });

  it('keeps an unreadable command in its place as Invalid, with its CmdID when it has one', () => {
    const msg = decodeSyncML(
      wrap(
        '<Copy><CmdID>1</CmdID><Item><Target><LocURI>./a</LocURI></Target></Item></Copy>' +
          '<Add><Item><Target><LocURI>./a</LocURI></Target></Item></Add>' +
          '<Replace><CmdID>3</CmdID></Replace>' +
          '<Status><CmdID>4</CmdID><MsgRef>1</MsgRef><CmdRef>2</CmdRef><Cmd>Add</Cmd><Data>OK</Data></Status>' +
          '<Atomic><CmdID>5</CmdID><Get><CmdID>6</CmdID><Item><Target><LocURI/></Target></Item></Get><Foo/></Atomic>' +
          '<Alert><CmdID>7</CmdID><Data>1201</Data></Alert>',
      ),
    );
    expect(msg.commands).toEqual([
      { kind: 'Invalid', name: 'Copy', cmdId: '1', code: 'unknownCommand', reason: '<Copy> is not a SyncML DM command' },
      { kind: 'Invalid', name: 'Add', code: 'missingElement', reason: '<CmdID> is required (SyncBody/Add/CmdID)' },
      { kind: 'Invalid', name: 'Replace', cmdId: '3', code: 'missingElement', reason: '<Replace> needs at least one Item' },
      { kind: 'Invalid', name: 'Status', cmdId: '4', code: 'invalidValue', reason: 'a Status code must be three digits, got "OK"' },
      {
        kind: 'Atomic',
        cmdId: '5',
        commands: [
          { kind: 'Get', cmdId: '6', items: [{ target: '' }] },
          { kind: 'Invalid', name: 'Foo', code: 'unknownCommand', reason: '<Foo> is not a SyncML DM command' },
        ],
      },
      { kind: 'Alert', cmdId: '7', code: 1201, items: [] },
    ]);
  });

  it('refuses a message whose header cannot be trusted, naming the element', () => {
    const ok = clientFirstMessage();
    expectWindowsError(() => decodeSyncML(ok.replace(/<SessionID>.*<\/SessionID>/, '')), 'missingElement', 'SyncHdr/SessionID');
    expectWindowsError(() => decodeSyncML(ok.replace(/<MsgID>.*<\/MsgID>/, '<MsgID>two</MsgID>')), 'invalidValue', 'SyncHdr/MsgID');
    expectWindowsError(() => decodeSyncML(ok.replace(/<SessionID>.*<\/SessionID>/, '<SessionID>1 2</SessionID>')), 'invalidValue', 'SyncHdr/SessionID');
    expectWindowsError(() => decodeSyncML(ok.replace(/<VerProto>.*<\/VerProto>/, '')), 'missingElement', 'SyncHdr/VerProto');
    expectWindowsError(() => decodeSyncML(ok.replace(/<Source>[\s\S]*?<\/Source>/, '')), 'missingElement', 'SyncHdr/Source');
    expectWindowsError(() => decodeSyncML(ok.replace(`<LocURI>${MDM_URL}</LocURI>`, '')), 'missingElement', 'SyncHdr/Target/LocURI');
    expectWindowsError(() => decodeSyncML(ok.replace(/<SyncBody>[\s\S]*<\/SyncBody>/, '')), 'missingElement', 'SyncBody');
    expectWindowsError(() => decodeSyncML(ok.replace('<MaxMsgSize xmlns="syncml:metinf">65536', '<MaxMsgSize xmlns="syncml:metinf">big')), 'invalidValue', 'SyncHdr/Meta/MaxMsgSize');
    expectWindowsError(() => decodeSyncML(ok.replace('SYNCML:SYNCML1.2', 'urn:other')), 'wrongRoot');
    expectWindowsError(() => decodeSyncML('<SyncBody/>'), 'wrongRoot');
  });

  it('refuses DOCTYPEs, oversized, over-deep, over-long and truncated messages before trusting anything', () => {
    const ok = clientFirstMessage();
    expectWindowsError(() => decodeSyncML(`<!DOCTYPE SyncML [<!ENTITY x "y">]>${ok}`), 'doctypeRefused');
    expectWindowsError(() => decodeSyncML(ok.replace('en-US', 'x'.repeat(DEFAULT_SYNCML_LIMITS.maxBytes))), 'tooLarge');
    expectWindowsError(() => decodeSyncML(ok.slice(0, ok.length - 40)), 'malformed');
    const many = '<Alert><CmdID>1</CmdID><Data>1201</Data></Alert>'.repeat(DEFAULT_SYNCML_LIMITS.maxCommands + 1);
    expectWindowsError(() => decodeSyncML(wrap(many)), 'tooManyCommands');
    const nested = `${'<Atomic><CmdID>1</CmdID>'.repeat(40)}${'</Atomic>'.repeat(40)}`;
    expectWindowsError(() => decodeSyncML(wrap(nested)), 'tooDeep');
    expectWindowsError(() => decodeSyncML(wrap('<Alert><CmdID>1</CmdID><Data>1201</Data></Alert>'.repeat(3)), { ...DEFAULT_SYNCML_LIMITS, maxCommands: 2 }), 'tooManyCommands');
  });
});
