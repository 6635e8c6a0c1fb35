import { describe, expect, it } from 'vitest';
import { DmSchema, DmSnapshotError, DmTree, fallbackDdfNodes } from '../../../../agents/windows/dm-tree/index.js';
import { accountAdds, add, atomic, codes, ddfSchema, enc, get, newTree, replace, run, userAccount } from './helpers.js';

function populated(): DmTree {
  const tree = newTree();
  tree.setLocal('./DevInfo/DevId', 'F00DFACE');
  tree.setLocal('./DevInfo/Lang', 'en-US');
  tree.setLocal('./Vendor/MSFT/CertificateStore/Root/System/0A1B/EncodedCertificate', 'TUlJ');
  tree.setLocal('./SyncML/DMAcc/MDMLab/AppAddr/1/Addr', 'https://mdm.example/ManagementServer/MDM.svc');
  tree.setLocal('./EMAIL2-ignored', 'x');
  run(tree, atomic(...accountAdds(userAccount()), add(`${userAccount()}/Password`, 'pw')));
  run(tree, add('./Vendor/MSFT/DMClient/Provider/MDMLab/Poll/NumberOfFirstRetries', '8', 'int'));
  return tree;
}

describe('Windows DM tree snapshots', () => {
  it('restores from JSON exactly what was stored: values, dynamic names, child order, node count, CSP state', () => {
    const tree = populated();
    const json = JSON.stringify(tree.snapshot());
    const { tree: back, dropped } = DmTree.restore(ddfSchema(), JSON.parse(json));
    expect(dropped).toEqual([]);
    expect(JSON.stringify(back.snapshot())).toBe(json);
    expect(back.nodeCount).toBe(tree.nodeCount);
    expect(back.value('./DevInfo/DevId')).toBe('F00DFACE');
    expect(back.value(`${userAccount()}/Password`)).toBe('pw');
    expect(run(back, get(`${userAccount()}/Options/ContentTypes`)).results[0]!.data).toBe(enc('{c6d47067-6e92-480e-b0fc-4ba82182fac7}'));
    // The account had synced before the snapshot: its UserName is still fixed after the restore.
    expect(codes(run(back, atomic(replace(`${userAccount()}/UserName`, 'other'))))).toEqual([507, 405]);
    // And the restored tree is a tree like any other.
    expect(run(back, atomic(...accountAdds(userAccount('{0A3F2D10-1234-4ABC-8DEF-001122334455}')))).code).toBe(200);
  });

  it('lists each stored node once, parents before children, permanent interior nodes left out', () => {
    const { nodes } = populated().snapshot();
    expect(nodes[0]).toEqual(['./DevInfo/DevId', 'F00DFACE']);
    const uris = nodes.map(([u]) => u);
    expect(new Set(uris).size).toBe(uris.length);
    expect(uris).not.toContain('./DevInfo');
    expect(uris).not.toContain('./Vendor/MSFT/ActiveSync/Accounts');
    expect(uris.indexOf(userAccount())).toBeLessThan(uris.indexOf(`${userAccount()}/EmailAddress`));
    expect(nodes).toContainEqual([userAccount(), null]);
  });

  it('leaves out what the schema does not define, and says so', () => {
    const tree = populated();
    const small = DmSchema.build(fallbackDdfNodes());
    const full = tree.snapshot();
    full.nodes.push(['./Vendor/MSFT/Nope/X', 'y'], ['./DevInfo/DevId/Below', 'z'], ['.', null], ['./DevInfo/Lang', null], ['./DevInfo', 'v']);
    const { tree: back, dropped } = DmTree.restore(small, full);
    // Unknown paths, the root, and a leaf stored as interior (or the reverse) are not restored.
    expect(dropped).toEqual(['./Vendor/MSFT/Nope/X', './DevInfo/DevId/Below', '.', './DevInfo/Lang', './DevInfo']);
    expect(back.value('./DevInfo/DevId')).toBe('F00DFACE');
  });

  it('refuses a snapshot that is not one, or that holds more nodes than the tree may', () => {
    expect(() => DmTree.restore(ddfSchema(), null)).toThrow(DmSnapshotError);
    expect(() => DmTree.restore(ddfSchema(), { format: 'other', version: 1, nodes: [] })).toThrow(DmSnapshotError);
    expect(() => DmTree.restore(ddfSchema(), { format: 'mdmlab.windows.dm-tree', version: 2, nodes: [] })).toThrow(DmSnapshotError);
    expect(() => DmTree.restore(ddfSchema(), { format: 'mdmlab.windows.dm-tree', version: 1, nodes: [['./DevInfo/DevId', 5]], csp: {} })).toThrow(DmSnapshotError);
    expect(() => DmTree.restore(ddfSchema(), { format: 'mdmlab.windows.dm-tree', version: 1, nodes: [], csp: [] })).toThrow(DmSnapshotError);
    expect(() => DmTree.restore(ddfSchema(), populated().snapshot(), { limits: { maxNodes: 5 } })).toThrow(/more than 5 nodes/);
  });
});
