import { describe, expect, it } from 'vitest';
import { DmStatus, type DmCommand } from '../../../../agents/windows/dm-tree/index.js';
import {
  accountAdds,
  add,
  atomic,
  del,
  deviceAccount,
  enc,
  exec,
  get,
  newTree,
  replace,
  run,
  userAccount,
  USER_ACCOUNTS,
} from './helpers.js';

/** A device-path account (no AtomicRequired there) with the given leaves, added outside an Atomic. */
function withDeviceAccount() {
  const tree = newTree();
  const a = deviceAccount();
  for (const s of tree.execute([add(`${a}/EmailAddress`, 'alice@contoso.com'), add(`${a}/ServerName`, 'mail.contoso.com')])) expect(s.code).toBe(200);
  return { tree, a };
}

describe('Windows DM tree: status codes', () => {
  describe('200 OK', () => {
    it('for Add, Replace, Get, Delete and Exec that succeed, with Results for Get', () => {
      const { tree, a } = withDeviceAccount();
      expect(run(tree, replace(`${a}/ServerName`, 'mail2.contoso.com')).code).toBe(200);
      const got = run(tree, get(`${a}/ServerName`));
      expect(got.code).toBe(200);
      expect(got.results).toEqual([{ source: `${a}/ServerName`, format: 'chr', type: 'text/plain', data: 'mail2.contoso.com' }]);
      expect(run(tree, del(`${a}/ServerName`)).code).toBe(200);
      expect(run(tree, get(`${a}/ServerName`)).code).toBe(404);
      expect(tree.setLocal('./Vendor/MSFT/DMClient/Provider/MDMLab/EntDMID', 'x').code).toBe(200);
      expect(run(tree, exec('./Vendor/MSFT/DMClient/Provider/MDMLab/Unenroll')).code).toBe(200);
    });

    it('answers a Get of an executable node (Format null) with empty Data while its parent exists', () => {
      const tree = newTree();
      tree.setLocal('./Vendor/MSFT/DMClient/Provider/MDMLab/EntDMID', 'x');
      expect(run(tree, get('./Vendor/MSFT/DMClient/Provider/MDMLab/Unenroll')).results).toEqual([
        { source: './Vendor/MSFT/DMClient/Provider/MDMLab/Unenroll', format: 'null', type: 'text/plain', data: '' },
      ]);
      expect(run(tree, get('./Vendor/MSFT/DMClient/Provider/Other/Unenroll')).code).toBe(404);
    });

    it('lists an interior node\'s children, URI-encoded and separated by "/", with Format node', () => {
      const { tree, a } = withDeviceAccount();
      const other = deviceAccount('{0A3F2D10-1234-4ABC-8DEF-001122334455}');
      run(tree, add(other, undefined, 'node'));
      const accounts = run(tree, get('./Vendor/MSFT/ActiveSync/Accounts'));
      expect(accounts.results[0]).toEqual({ source: './Vendor/MSFT/ActiveSync/Accounts', format: 'node', data: `${a.split('/').pop()}/${other.split('/').pop()}` });
      expect(run(tree, get(a)).results[0]!.data).toBe('EmailAddress/ServerName');
      // Permanent interior nodes are listed even when empty; an empty interior node answers empty Data.
      expect(run(tree, get('./Vendor/MSFT/ActiveSync')).results[0]!.data).toBe('Accounts');
      expect(run(tree, get(other)).results[0]!.data).toBe('');
      expect(run(tree, get('.')).results[0]!.data.split('/').sort()).toEqual(['DevDetail', 'DevInfo', 'SyncML', 'User', 'Vendor']);
      expect(run(tree, get('./Vendor/MSFT')).results[0]!.data.split('/').sort()).toEqual(['ActiveSync', 'CertificateStore', 'DMClient']);
    });

    it('reaches one device-scope node as ./Device/Vendor/MSFT/X and ./Vendor/MSFT/X, in any case', () => {
      const tree = newTree();
      expect(run(tree, add('./Device/Vendor/MSFT/DMClient/Provider/MDMLab/Poll/NumberOfFirstRetries', '8', 'int')).code).toBe(200);
      expect(run(tree, get('./Vendor/MSFT/DMClient/Provider/MDMLab/Poll/NumberOfFirstRetries')).results[0]!.data).toBe('8');
      expect(run(tree, get('./device/vendor/msft/dmclient/provider/mdmlab/poll/numberoffirstretries')).results[0]!.data).toBe('8');
      expect(run(tree, add('./Vendor/MSFT/DMClient/Provider/mdmlab/Poll/NumberOfFirstRetries', '9', 'int')).code).toBe(418);
      // The dynamic name keeps the case it was created with.
      expect(tree.children('./Vendor/MSFT/DMClient/Provider')).toEqual(['MDMLab']);
      // The CertificateStore DDF names the stores ROOT and MY; enrollment writes Root and My.
      expect(run(tree, add('./Vendor/MSFT/CertificateStore/Root/System/ABCDEF/EncodedCertificate', 'TUlJ', 'b64')).code).toBe(200);
      expect(run(tree, get('./Device/Vendor/MSFT/CertificateStore/ROOT/System')).results[0]!.data).toBe('ABCDEF');
      // ./Device names only the Vendor subtree.
      expect(run(tree, get('./Device/DevInfo')).code).toBe(404);
    });
  });

  describe('400 bad request', () => {
    it.each([
      ['an item without Target', { kind: 'Get', cmdId: '1', items: [{}] } as DmCommand],
      ['a LocURI starting with "/"', get('/DevInfo')],
      ['a LocURI with an empty segment', get('./DevInfo//DevId')],
      ['a LocURI with literal braces', add(`${USER_ACCOUNTS}/{C556E16F-56C4-4EDB-9C64-D9469EE1FBE0}`, undefined, 'node')],
      ['a node named only "*"', get('./Vendor/%2A')],
    ])('for %s', (_what, command) => {
      const s = run(newTree(), command);
      expect(s.code).toBe(DmStatus.badRequest);
      expect(s.items[0]!.reason).toBeDefined();
    });

    it('for a command without CmdID (answered with no CmdRef, not run), without Items, or that is not an OMA DM command', () => {
      const tree = newTree();
      const noId = run(tree, { kind: 'Add', items: [{ target: `${deviceAccount()}/EmailAddress`, data: 'x' }] });
      expect(noId).toMatchObject({ cmdId: undefined, code: 400 });
      expect(tree.exists(deviceAccount())).toBe(false);
      expect(run(tree, { kind: 'Replace', cmdId: '2', items: [] }).code).toBe(400);
      expect(run(tree, { kind: 'Unknown', name: 'Map', cmdId: '3' })).toMatchObject({ code: 400, reason: '<Map> is not an OMA DM command' });
    });
  });

  describe('404 not found', () => {
    it('for a path no DDF defines, and for nodes that do not exist', () => {
      const tree = newTree();
      expect(run(tree, get('./Vendor/MSFT/NoSuchCsp')).code).toBe(404);
      expect(run(tree, get('./DevInfo/Nope')).code).toBe(404);
      expect(run(tree, get('./DevInfo/DevId/Below')).code).toBe(404);
      expect(run(tree, get(deviceAccount())).code).toBe(404);
      expect(run(tree, get('./DevInfo/DevId')).code).toBe(404);
      expect(run(tree, del(deviceAccount())).code).toBe(404);
      expect(run(tree, exec('./Vendor/MSFT/DMClient/Provider/None/Unenroll')).code).toBe(404);
    });

    it('for a Replace whose node or parent does not exist (Replace creates nothing but a setting of an existing node)', () => {
      const { tree, a } = withDeviceAccount();
      expect(run(tree, replace(deviceAccount('{0A3F2D10-1234-4ABC-8DEF-001122334455}'), undefined, 'node')).code).toBe(404);
      expect(run(tree, replace(`${deviceAccount('{0A3F2D10-1234-4ABC-8DEF-001122334455}')}/EmailAddress`, 'x')).code).toBe(404);
      expect(run(tree, replace(`${a}/Options/UseSSL`, '1')).code).toBe(404);
      expect(run(tree, replace(`${a}/UserName`, 'alice')).code).toBe(200);
      expect(tree.value(`${a}/UserName`)).toBe('alice');
    });
  });

  describe('405 command not allowed', () => {
    it.each([
      ['Replace of a Get-only leaf', replace('./DevInfo/DevId', 'x')],
      ['Add of a Get-only leaf', add('./DevInfo/Lang', 'en-US')],
      ['Get of a write-only secret (DMAcc AAuthSecret)', get('./SyncML/DMAcc/acct/AppAuth/srv/AAuthSecret')],
      ['Exec of a node that is not executable', exec('./DevInfo/DevId')],
      ['Add at a permanent CSP root', add('./User/Vendor/MSFT/ActiveSync/Accounts', undefined, 'node')],
      ['Delete of the tree root', del('.')],
    ])('for %s', (_what, command) => {
      expect(run(newTree(), command).code).toBe(DmStatus.commandNotAllowed);
    });

    it('for Delete of a permanent node, whatever its AccessType says', () => {
      const tree = newTree();
      const s = run(tree, del('./Vendor/MSFT/CertificateStore'));
      expect(s.code).toBe(405);
      expect(s.reason).toContain('permanent');
    });

    it('binds the server only: the device writes its own Get-only nodes (origin device)', () => {
      const tree = newTree();
      const facts = [add('./DevInfo/DevId', 'F00D'), add('./Vendor/MSFT/DMClient/Provider/MDMLab/Push/ChannelURI', 'https://push.example/c/1')];
      expect(tree.execute(facts).map((s) => s.code)).toEqual([405, 405]);
      expect(tree.execute(facts, { origin: 'device' }).map((s) => s.code)).toEqual([200, 200]);
      expect(run(tree, get('./Vendor/MSFT/DMClient/Provider/MDMLab/Push/ChannelURI')).results[0]!.data).toBe('https://push.example/c/1');
      // The rest of the rules hold for the device too.
      expect(tree.execute([add('./DevInfo/DevId', 'again')], { origin: 'device' })[0]!.code).toBe(418);
      expect(tree.deleteLocal('./DevInfo').code).toBe(405);
    });

    it('changes nothing', () => {
      const tree = newTree();
      tree.setLocal('./DevInfo/DevId', 'device-1');
      expect(run(tree, replace('./DevInfo/DevId', 'other')).code).toBe(405);
      expect(tree.value('./DevInfo/DevId')).toBe('device-1');
    });
  });

  describe('406 optional feature not supported', () => {
    it('for LocURI queries and the Copy command', () => {
      expect(run(newTree(), get('./DevInfo?list=Struct')).code).toBe(406);
      expect(run(newTree(), { kind: 'Copy', cmdId: '1' }).code).toBe(406);
    });
  });

  describe('413, 414, 420: what a server can make a device hold is bounded', () => {
    it('413 for a value longer than the limit', () => {
      const tree = newTree({ limits: { maxValueLength: 16 } });
      const { code } = run(tree, add(`${deviceAccount()}/EmailAddress`, 'x'.repeat(17)));
      expect(code).toBe(DmStatus.requestEntityTooLarge);
      expect(tree.exists(deviceAccount())).toBe(false);
    });

    it('414 for a URI longer or deeper than the limits', () => {
      expect(run(newTree(), get(`./Vendor/${'a'.repeat(3000)}`)).code).toBe(414);
      expect(run(newTree({ limits: { maxDepth: 4 } }), get('./User/Vendor/MSFT/ActiveSync/Accounts')).code).toBe(414);
    });

    it('420 device full when the tree would hold more nodes than allowed, with nothing created', () => {
      const tree = newTree({ limits: { maxNodes: 10 } });
      const first = run(tree, add(`${deviceAccount()}/EmailAddress`, 'a@b.c'));
      expect(first.code).toBe(200);
      const before = tree.nodeCount;
      const second = run(tree, add(`${deviceAccount('{0A3F2D10-1234-4ABC-8DEF-001122334455}')}/Options/ContentTypes/${enc('{c6d47067-6e92-480e-b0fc-4ba82182fac7}')}/Enabled`, '1'));
      expect(second.code).toBe(DmStatus.deviceFull);
      expect(tree.nodeCount).toBe(before);
      expect(tree.children('./Vendor/MSFT/ActiveSync/Accounts')).toHaveLength(1);
    });
  });

  describe('415 unsupported type or format', () => {
    it.each([
      ['a Format that is not the node\'s', add(`${deviceAccount()}/EmailAddress`, '1', 'int')],
      ['an int that does not parse', add('./Vendor/MSFT/DMClient/Provider/P/Poll/NumberOfFirstRetries', 'ten', 'int')],
      ['an int beyond 32 bits', add('./Vendor/MSFT/DMClient/Provider/P/Poll/NumberOfFirstRetries', '4294967296', 'int')],
      ['a bool that does not parse', add('./Vendor/MSFT/DMClient/Provider/P/Poll/PollOnLogin', 'yes', 'bool')],
      ['an int node written without Format (chr by default)', add('./Vendor/MSFT/DMClient/Provider/P/Poll/NumberOfFirstRetries', '10')],
      ['an interior node added without Format node', add(deviceAccount())],
      ['b64 data that is not base64', add('./Vendor/MSFT/CertificateStore/Root/System/AB/EncodedCertificate', '***', 'b64')],
      ['an unknown Format', add(`${deviceAccount()}/EmailAddress`, 'x', 'string')],
    ])('for %s', (_what, command) => {
      const tree = newTree();
      expect(run(tree, command).code).toBe(DmStatus.unsupportedMediaTypeOrFormat);
      expect(tree.nodeCount).toBe(1);
    });

    it('stores ints and bools in canonical form', () => {
      const tree = newTree();
      expect(run(tree, add('./Vendor/MSFT/DMClient/Provider/P/Poll/NumberOfFirstRetries', '+010', 'int')).code).toBe(200);
      expect(run(tree, add('./Vendor/MSFT/DMClient/Provider/P/Poll/PollOnLogin', 'TRUE', 'bool')).code).toBe(200);
      const [r1, r2] = run(tree, get('./Vendor/MSFT/DMClient/Provider/P/Poll/NumberOfFirstRetries', './Vendor/MSFT/DMClient/Provider/P/Poll/PollOnLogin')).results;
      expect([r1, r2]).toMatchObject([{ format: 'int', data: '10' }, { format: 'bool', data: 'true' }]);
    });
  });

  describe('418 already exists', () => {
    it('for an Add of an existing node or leaf', () => {
      const { tree, a } = withDeviceAccount();
      expect(run(tree, add(`${a}/EmailAddress`, 'other@contoso.com')).code).toBe(DmStatus.alreadyExists);
      expect(tree.value(`${a}/EmailAddress`)).toBe('alice@contoso.com');
      expect(run(tree, add('./Vendor/MSFT/DMClient/Provider/P', undefined, 'node')).code).toBe(200);
      expect(run(tree, add('./Vendor/MSFT/DMClient/Provider/P', undefined, 'node')).code).toBe(418);
    });
  });

  describe('500 command failed', () => {
    it('for a value outside MSFT:AllowedValues (enum, range, regex name, flag)', () => {
      const tree = newTree();
      const a = userAccount();
      const s = run(tree, atomic(...accountAdds(a), add(`${a}/Options/Logging`, '9')));
      expect(s.code).toBe(507);
      const inner = s.children!.find((c) => c.code === 500)!;
      expect(inner.items[0]!.reason).toContain('not one of the allowed values');
      expect(run(tree, atomic(add(`${USER_ACCOUNTS}/${enc('not-a-guid')}`, undefined, 'node'))).children![0]!.code).toBe(500);
      expect(run(tree, atomic(add(`${a}/Options/Schedule`, '-5'))).children![0]!.items[0]!.reason).toContain('outside [(-1)-4294967295]');
      tree.setLocal('./SyncML/DMAcc/acct/ServerID', 'x');
      expect(run(tree, replace('./SyncML/DMAcc/acct/Ext/Microsoft/Role', '32', 'int')).code).toBe(404);
      tree.setLocal('./SyncML/DMAcc/acct/Ext/Microsoft/Role', '4');
      expect(run(tree, replace('./SyncML/DMAcc/acct/Ext/Microsoft/Role', '32', 'int')).code).toBe(500);
      expect(run(tree, replace('./SyncML/DMAcc/acct/Ext/Microsoft/Role', '12', 'int')).code).toBe(200);
    });

    it('for writes to an MSFT:AtomicRequired subtree outside an Atomic (Deletes excepted)', () => {
      const tree = newTree();
      const a = userAccount();
      const outside = run(tree, add(`${a}/EmailAddress`, 'alice@contoso.com'));
      expect(outside.code).toBe(500);
      expect(outside.reason).toContain('MSFT:AtomicRequired');
      expect(tree.exists(a)).toBe(false);
      expect(run(tree, atomic(...accountAdds(a))).code).toBe(200);
      expect(run(tree, replace(`${a}/AccountName`, 'Mail')).code).toBe(500);
      expect(run(tree, del(a)).code).toBe(200);
      // The device itself (provisioning) is not held to it.
      expect(tree.setLocal(`${a}/EmailAddress`, 'alice@contoso.com').code).toBe(200);
    });

    it('for a second instance of a node that occurs at most once (DMClient Provider is ZeroOrOne)', () => {
      const tree = newTree();
      expect(run(tree, add('./Vendor/MSFT/DMClient/Provider/First', undefined, 'node')).code).toBe(200);
      const second = run(tree, add('./Vendor/MSFT/DMClient/Provider/Second/EntDMID', 'x'));
      expect(second.code).toBe(500);
      expect(tree.children('./Vendor/MSFT/DMClient/Provider')).toEqual(['First']);
    });

    it('for a Get, or a nested Atomic, inside an Atomic (the outer one 507)', () => {
      const tree = newTree();
      const withGet = run(tree, atomic(add(`${deviceAccount()}/EmailAddress`, 'a@b.c'), get('./DevInfo')));
      expect([withGet.code, withGet.children![0]!.code, withGet.children![1]!.code]).toEqual([507, 216, 500]);
      const nested = run(tree, atomic(add(`${deviceAccount()}/EmailAddress`, 'a@b.c'), atomic(add(`${deviceAccount()}/ServerName`, 'h'))));
      expect([nested.code, nested.children![0]!.code, nested.children![1]!.code, nested.children![1]!.children![0]!.code]).toEqual([507, 216, 500, 216]);
      expect(tree.exists(deviceAccount())).toBe(false);
    });

    it('for user-scoped commands while no user is signed in (the Atomic 507); device scope is unaffected', () => {
      const tree = newTree();
      tree.setUserSignedIn(false);
      const s = run(tree, atomic(...accountAdds(userAccount())));
      expect(s.code).toBe(507);
      expect(s.children![0]).toMatchObject({ code: 500, reason: expect.stringContaining('no user is signed in') });
      expect(run(tree, get('./User/Vendor/MSFT/ActiveSync/Accounts')).code).toBe(500);
      expect(run(tree, add(`${deviceAccount()}/EmailAddress`, 'a@b.c')).code).toBe(200);
      tree.setUserSignedIn(true);
      expect(tree.userSignedIn).toBe(true);
      expect(run(tree, atomic(...accountAdds(userAccount()))).code).toBe(200);
    });

    it('for a Replace of a node an Add created earlier in the same Atomic', () => {
      const tree = newTree();
      const a = deviceAccount();
      const s = run(tree, atomic(add(`${a}/EmailAddress`, 'a@b.c'), replace(`${a}/EmailAddress`, 'c@d.e')));
      expect([s.code, s.children![0]!.code, s.children![1]!.code]).toEqual([507, 216, 500]);
      expect(run(tree, atomic(add(`${a}/EmailAddress`, 'a@b.c'), replace(`${a}/ServerName`, 'h'))).code).toBe(200);
    });
  });
});
