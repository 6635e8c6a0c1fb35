import { describe, expect, it } from 'vitest';
import { CspHandlerSet, defaultCspHandlers, DmStatus, type CspHandler, type DmTreeEvent } from '../../../../agents/windows/dm-tree/index.js';
import { accountAdds, add, atomic, codes, del, deviceAccount, get, GUID2, newTree, replace, run, sequence, userAccount } from './helpers.js';

describe('Windows DM tree: Atomic and Sequence', () => {
  it('commits an Atomic whole: 200 for it and each command', () => {
    const tree = newTree();
    const s = run(tree, atomic(...accountAdds(userAccount())));
    expect(codes(s)).toEqual(Array(10).fill(200));
    expect(tree.value(`${userAccount()}/EmailAddress`)).toBe('alice@contoso.com');
  });

  it('rolls everything back when one command fails: 507, 216 for the others, the failure keeps its code', () => {
    const tree = newTree();
    const a = deviceAccount();
    run(tree, add(`${a}/EmailAddress`, 'before@contoso.com'));
    const before = JSON.stringify(tree.snapshot());
    const count = tree.nodeCount;
    const s = run(
      tree,
      atomic(
        replace(`${a}/EmailAddress`, 'after@contoso.com'),
        add(`${a}/ServerName`, 'mail.contoso.com'),
        del(`${a}/EmailAddress`),
        add(`${deviceAccount(GUID2)}/Options/UseSSL`, '1'),
        add('./DevInfo/DevId', 'x'),
        add(`${a}/AccountName`, 'Mail'),
      ),
    );
    expect(codes(s)).toEqual([507, 216, 216, 216, 216, 405, 216]);
    expect(s.children![4]!.items[0]!.code).toBe(405);
    expect(s.children![0]!.items[0]!.code).toBe(216);
    expect(JSON.stringify(tree.snapshot())).toBe(before);
    expect(tree.nodeCount).toBe(count);
    expect(tree.value(`${a}/EmailAddress`)).toBe('before@contoso.com');
  });

  it('runs every command of a failing Atomic, so each failure is reported with its own code', () => {
    const tree = newTree();
    const a = deviceAccount();
    const s = run(tree, atomic(add('./DevInfo/DevId', 'x'), add(`${a}/EmailAddress`, 'a@b.c'), add(`${a}/Nope`, 'x'), add(`${a}/Options/Logging`, '1', 'int')));
    expect(codes(s)).toEqual([507, 405, 216, 404, 415]);
  });

  it('restores the order of an interior node\'s children after rolling back a Delete', () => {
    const tree = newTree();
    const accounts = ['{00000000-0000-0000-0000-000000000001}', '{00000000-0000-0000-0000-000000000002}', '{00000000-0000-0000-0000-000000000003}'];
    for (const g of accounts) run(tree, add(deviceAccount(g), undefined, 'node'));
    expect(codes(run(tree, atomic(del(deviceAccount(accounts[0])), del(deviceAccount(accounts[1])), get('./DevInfo'))))).toEqual([507, 216, 216, 500]);
    expect(tree.children('./Vendor/MSFT/ActiveSync/Accounts')).toEqual(accounts);
  });

  it('gives each command of a multi-item command its item codes; in a failed Atomic the successful items are 216', () => {
    const tree = newTree();
    const a = deviceAccount();
    const s = run(tree, atomic({ kind: 'Add', cmdId: '9', items: [{ target: `${a}/EmailAddress`, data: 'a@b.c' }, { target: './DevInfo/Mod', data: 'x' }] }));
    expect(s.code).toBe(507);
    expect(s.children![0]!.code).toBe(405);
    expect(s.children![0]!.items.map((i) => i.code)).toEqual([216, 405]);
    // Outside an Atomic the items are independent.
    const plain = run(tree, { kind: 'Add', cmdId: '10', items: [{ target: `${a}/EmailAddress`, data: 'a@b.c' }, { target: './DevInfo/Mod', data: 'x' }] });
    expect(plain.code).toBe(405);
    expect(plain.items.map((i) => i.code)).toEqual([200, 405]);
    expect(tree.value(`${a}/EmailAddress`)).toBe('a@b.c');
  });

  it('runs a Sequence in order, each command on its own; an Atomic inside it commits or rolls back alone', () => {
    const tree = newTree();
    const a = deviceAccount();
    const s = run(
      tree,
      sequence(
        add(`${a}/EmailAddress`, 'a@b.c'),
        replace(`${a}/EmailAddress`, 'c@d.e'),
        add('./DevInfo/DevId', 'x'),
        atomic(add(`${a}/ServerName`, 'h'), add(`${a}/Nope`, 'x')),
        get(`${a}/EmailAddress`),
      ),
    );
    expect(codes(s)).toEqual([200, 200, 200, 405, 507, 216, 404, 200]);
    expect(s.children![4]!.results[0]!.data).toBe('c@d.e');
    expect(tree.exists(`${a}/ServerName`)).toBe(false);
  });

  it('answers 516 when a CSP cannot roll its side back (the tree itself is always restored)', () => {
    const failing: CspHandler = {
      id: 'broken',
      roots: ['./Vendor/MSFT/DMClient'],
      rollback() {
        throw new Error('state store unavailable');
      },
    };
    const tree = newTree({ handlers: new CspHandlerSet([...defaultCspHandlers(), failing]) });
    const s = run(tree, atomic(add('./Vendor/MSFT/DMClient/Provider/P/EntDMID', 'x'), add('./DevInfo/DevId', 'x')));
    expect(s.code).toBe(DmStatus.atomicRollbackFailed);
    expect(s.reason).toContain('state store unavailable');
    expect(codes(s)).toEqual([516, 216, 405]);
    expect(tree.exists('./Vendor/MSFT/DMClient/Provider/P')).toBe(false);
    // A CSP the Atomic did not write to is not asked to roll back.
    expect(run(tree, atomic(add(`${deviceAccount()}/EmailAddress`, 'a@b.c'), add('./DevInfo/DevId', 'x'))).code).toBe(507);
  });

  it('lets a CSP answer an Exec 202 (accepted, finished later) and still run it; one Status per item when codes differ', () => {
    const later: CspHandler = { id: 'later', roots: ['./Vendor/MSFT/DMClient'], exec: (node) => (node.template.endsWith('Unenroll') ? { code: 202, reason: 'queued' } : undefined) };
    const tree = newTree({ handlers: new CspHandlerSet([...defaultCspHandlers(), later]) });
    const events: DmTreeEvent[] = [];
    tree.subscribe((e) => events.push(e));
    tree.setLocal('./Vendor/MSFT/DMClient/Provider/P/EntDMID', 'x');
    tree.setLocal('./Vendor/MSFT/CertificateStore/My/WSTEP/CertThumprint', 'AB');
    const s = run(tree, {
      kind: 'Exec',
      cmdId: '4',
      items: [{ target: './Vendor/MSFT/DMClient/Provider/P/Unenroll' }, { target: './Vendor/MSFT/CertificateStore/My/WSTEP/Renew/RenewNow' }],
    });
    expect(s.items.map((i) => i.code)).toEqual([202, 200]);
    expect(s.code).toBe(202);
    expect(events.at(-1)!.executions.map((e) => e.uri)).toEqual(['./Vendor/MSFT/DMClient/Provider/P/Unenroll', './Vendor/MSFT/CertificateStore/My/WSTEP/Renew/RenewNow']);
  });

  it('tells subscribers what committed, once per command, never what was rolled back', () => {
    const tree = newTree();
    const events: DmTreeEvent[] = [];
    tree.subscribe((e) => events.push(e));
    const a = userAccount();
    run(tree, atomic(...accountAdds(a)));
    expect(events).toHaveLength(1);
    expect(events[0]!.changes.map((c) => c.uri)).toEqual([a]);
    expect(events[0]!.changes[0]).toMatchObject({ scope: 'user', segments: ['User', 'Vendor', 'MSFT', 'ActiveSync', 'Accounts', '{C556E16F-56C4-4EDB-9C64-D9469EE1FBE0}'] });
    run(tree, atomic(replace(`${a}/AccountName`, 'New'), add('./DevInfo/DevId', 'x')));
    run(tree, get(a));
    expect(events).toHaveLength(1);
    run(tree, atomic(replace(`${a}/AccountName`, 'New'), replace(`${a}/Options/UseSSL`, '0')));
    expect(events[1]!.changes.map((c) => c.uri)).toEqual([`${a}/AccountName`, `${a}/Options/UseSSL`]);
    run(tree, atomic(replace(`${a}/AccountName`, 'New')));
    expect(events).toHaveLength(2);
    run(tree, del(a));
    expect(events[2]).toMatchObject({ origin: 'server', changes: [{ uri: a }], executions: [] });
  });

  it('reports Execs, keeps the tree usable when a listener throws, and stops after unsubscribe', () => {
    const errors: unknown[] = [];
    const tree = newTree({ onListenerError: (err) => errors.push(err) });
    const seen: DmTreeEvent[] = [];
    tree.subscribe(() => {
      throw new Error('listener bug');
    });
    const off = tree.subscribe((e) => seen.push(e));
    tree.setLocal('./Vendor/MSFT/DMClient/Provider/MDMLab/EntDMID', 'x');
    const s = run(tree, { kind: 'Exec', cmdId: '1', items: [{ target: './Vendor/MSFT/DMClient/Provider/MDMLab/Unenroll', data: 'MDMLab' }] });
    expect(s.code).toBe(200);
    expect(seen.at(-1)).toEqual({
      origin: 'server',
      changes: [],
      executions: [{ uri: './Vendor/MSFT/DMClient/Provider/MDMLab/Unenroll', segments: ['Vendor', 'MSFT', 'DMClient', 'Provider', 'MDMLab', 'Unenroll'], data: 'MDMLab' }],
    });
    expect(seen[0]).toMatchObject({ origin: 'device', changes: [{ uri: './Vendor/MSFT/DMClient/Provider/MDMLab' }] });
    expect(errors).toHaveLength(2);
    off();
    tree.setLocal('./DevInfo/DevId', 'x');
    expect(seen).toHaveLength(2);
  });
});
