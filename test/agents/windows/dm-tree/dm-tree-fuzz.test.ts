import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CspHandlerSet, DmStatus, type DmCommand, type DmCommandStatus, type DmItem } from '../../../../agents/windows/dm-tree/index.js';
import { accountAdds, atomic, newTree, userAccount } from './helpers.js';

/**
 * Whatever a server sends, the tree answers every command with a known status and never throws;
 * a failed Atomic leaves the tree exactly as it was.
 */
const KNOWN = new Set<number>(Object.values(DmStatus));

const segment = fc.oneof(
  fc.constantFrom('Vendor', 'MSFT', 'ActiveSync', 'Accounts', 'Options', 'ContentTypes', 'EmailAddress', 'UseSSL', 'DevInfo', 'DevId', 'DMClient', 'Provider', 'Poll', 'SyncML', 'DMAcc', 'EMAIL2', 'CertificateStore', 'Root', 'System'),
  fc.constantFrom('%7BC556E16F-56C4-4EDB-9C64-D9469EE1FBE0%7D', '%7Bc6d47067-6e92-480e-b0fc-4ba82182fac7%7D', '{raw}', '%ZZ', '%2F', '*', '.', '..', '', 'a b', 'caf%C3%A9'),
  fc.string({ maxLength: 8 }),
);
const randomUri = fc.tuple(fc.constantFrom('./', './User/', './Device/', '', '/', './user/'), fc.array(segment, { maxLength: 9 })).map(([prefix, parts]) => prefix + parts.join('/'));
// Nodes that exist or can be created, so that commands succeed often enough for rollbacks to matter.
const a = userAccount();
const d = './Vendor/MSFT/ActiveSync/Accounts/%7B0A3F2D10-1234-4ABC-8DEF-001122334455%7D';
const realUri = fc.constantFrom(
  a,
  `${a}/EmailAddress`,
  `${a}/AccountName`,
  `${a}/Options`,
  `${a}/Options/UseSSL`,
  `${a}/Options/Logging`,
  `${a}/Options/ContentTypes/%7Bc6d47067-6e92-480e-b0fc-4ba82182fac7%7D/Enabled`,
  d,
  `${d}/EmailAddress`,
  `${d}/Options/Schedule`,
  './Vendor/MSFT/DMClient/Provider/P/Poll/NumberOfFirstRetries',
  './Vendor/MSFT/DMClient/Provider/P',
  './DevInfo/DevId',
  './SyncML/DMAcc/x/AppAddr/1/Addr',
);
const uri = fc.oneof({ arbitrary: realUri, weight: 3 }, { arbitrary: randomUri, weight: 1 });
const item: fc.Arbitrary<DmItem> = fc.record(
  {
    target: uri,
    format: fc.constantFrom('chr', 'chr', 'chr', 'int', 'bool', 'node', 'node', 'b64', 'null', 'xml', 'float', 'weird', ' chr '),
    data: fc.oneof(fc.constantFrom('1', '0', '-1', 'true', 'TRUE', 'x', '', 'TUlJ', '4294967296'), fc.string({ maxLength: 12 })),
  },
  { requiredKeys: [] },
);
const leafKind = fc.constantFrom('Add', 'Replace', 'Delete', 'Get', 'Exec') as fc.Arbitrary<'Add' | 'Replace' | 'Delete' | 'Get' | 'Exec'>;
const cmdId = fc.option(fc.constantFrom('1', '2', ' ', 'x'), { nil: undefined });
const command: fc.Arbitrary<DmCommand> = fc.letrec<{ command: DmCommand }>((tie) => ({
  command: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.record({ kind: leafKind, cmdId, items: fc.array(item, { maxLength: 3 }) }),
    fc.record({ kind: fc.constantFrom('Atomic', 'Sequence') as fc.Arbitrary<'Atomic' | 'Sequence'>, cmdId, commands: fc.array(tie('command'), { maxLength: 4 }) }),
    fc.record({ kind: fc.constantFrom('Copy', 'Unknown') as fc.Arbitrary<'Copy' | 'Unknown'>, cmdId }),
  ),
})).command;

function allCodes(s: DmCommandStatus): number[] {
  return [s.code, ...s.items.map((i) => i.code), ...(s.children ?? []).flatMap(allCodes)];
}

describe('Windows DM tree under arbitrary commands', () => {
  it('answers every command with a known status and never throws', () => {
    fc.assert(
      fc.property(fc.array(command, { maxLength: 6 }), (commands) => {
        const tree = newTree();
        tree.execute([atomic(...accountAdds(userAccount()))]);
        const statuses = tree.execute(commands);
        expect(statuses).toHaveLength(commands.length);
        for (const s of statuses) for (const code of allCodes(s)) expect(KNOWN.has(code as never), String(code)).toBe(true);
      }),
      { numRuns: 300 },
    );
  });

  it('leaves the tree exactly as it was when an Atomic fails (CSP quirks aside)', () => {
    fc.assert(
      fc.property(fc.array(command, { minLength: 1, maxLength: 5 }), (commands) => {
        const tree = newTree({ handlers: new CspHandlerSet([]) });
        tree.execute([atomic(...accountAdds(userAccount()))]);
        tree.setLocal('./DevInfo/DevId', 'F00D');
        const before = JSON.stringify(tree.snapshot());
        const count = tree.nodeCount;
        const [s] = tree.execute([{ kind: 'Atomic', cmdId: '99', commands }]);
        if (s!.code === DmStatus.atomicFailed) {
          expect(JSON.stringify(tree.snapshot())).toBe(before);
          expect(tree.nodeCount).toBe(count);
        }
      }),
      { numRuns: 300 },
    );
  });
});
