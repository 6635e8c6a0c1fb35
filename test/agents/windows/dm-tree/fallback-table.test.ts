import { describe, expect, it } from 'vitest';
import { DmSchema, DmTree, fallbackDdfNodes, type SchemaNode } from '../../../../agents/windows/dm-tree/index.js';
import type { DdfAllowedValues } from '../../../../protocol/windows/ddf/index.js';
import { accountAdds, add, atomic, ddfSchema, del, deviceAccount, exec, get, replace, userAccount } from './helpers.js';

/** What the tree does with a definition: everything but the prose. */
function semantics(n: SchemaNode) {
  const p = n.def!.properties;
  return {
    unnamed: n.name === undefined,
    title: n.name === undefined ? p.title : undefined,
    format: p.format,
    accessTypes: p.accessTypes,
    scope: p.scope,
    occurrence: p.occurrence.kind,
    defaultValue: p.defaultValue,
    atomicRequired: p.atomicRequired,
    dynamicNaming: p.dynamicNaming?.kind,
    replaceBehavior: p.replaceBehavior,
    allowedValues: allowed(p.allowedValues),
  };
}

function allowed(a: DdfAllowedValues | undefined) {
  if (!a) return undefined;
  const list = a.list?.delimiter;
  switch (a.kind) {
    case 'enum':
    case 'flag':
      return { kind: a.kind, values: a.values.map((v) => v.value), list };
    case 'range':
      return { kind: a.kind, min: a.min, max: a.max, list };
    case 'regex':
      return { kind: a.kind, pattern: a.pattern, list };
    case 'unchecked':
      return { kind: a.kind, valueType: a.valueType, list };
  }
}

describe('the fallback node table', () => {
  const fallback = DmSchema.build(fallbackDdfNodes());
  const nodes = [...fallback.definitions()];

  it('covers what the simulated devices need', () => {
    const paths = new Set(nodes.map((n) => n.path));
    for (const p of [
      './User/Vendor/MSFT/ActiveSync/Accounts/{Account GUID}/Options/ContentTypes/{Content Type GUID}/Enabled',
      './Vendor/MSFT/ActiveSync/Accounts/{Account GUID}/Options/ContentTypes/{Content Type GUID}/Enabled',
      './Vendor/MSFT/DMClient/Provider/{ProviderID}/Poll/IntervalForFirstSetOfRetries',
      './Vendor/MSFT/DMClient/Provider/{ProviderID}/Push/ChannelURI',
      './DevInfo/DevId',
      './DevDetail/Ext/Microsoft/DNSComputerName',
      './SyncML/DMAcc/{AccountUID}/AppAuth/{ObjectName}/AAuthSecret',
      './Vendor/MSFT/CertificateStore/ROOT/System/{CertHash}/EncodedCertificate',
      './Vendor/MSFT/CertificateStore/MY/User/{CertHash}/EncodedCertificate',
      './Vendor/MSFT/CertificateStore/MY/WSTEP/Renew/ROBOSupport',
    ]) {
      expect(paths, p).toContain(p);
    }
    expect(nodes.length).toBeGreaterThan(150);
  });

  it('agrees with the DDF files on every node it defines (path, format, access types, allowed values, scope, occurrence, defaults)', () => {
    const ddf = ddfSchema();
    const disagreements: string[] = [];
    for (const n of nodes) {
      const d = ddf.node(n.path);
      if (!d?.def) {
        disagreements.push(`${n.path}: not in the DDF files`);
        continue;
      }
      const mine = JSON.stringify(semantics(n));
      const theirs = JSON.stringify(semantics(d));
      if (mine !== theirs) disagreements.push(`${n.path}:\n  fallback ${mine}\n  DDF      ${theirs}`);
    }
    expect(disagreements).toEqual([]);
  });

  it('makes a tree that answers a device\'s commands as the DDF-built one does', () => {
    const script = [
      atomic(...accountAdds(userAccount())),
      add(`${deviceAccount()}/EmailAddress`, 'wp@contoso.com'),
      atomic(replace(`${userAccount()}/Options/MailAgeFilter`, '9')),
      atomic(replace(`${userAccount()}/UserName`, 'bob')),
      get(userAccount(), `${userAccount()}/Password`, './DevInfo', './Vendor/MSFT/CertificateStore/Root'),
      add('./Vendor/MSFT/DMClient/Provider/MDMLab/Poll/NumberOfFirstRetries', 'x', 'int'),
      add('./Vendor/MSFT/DMClient/Provider/MDMLab/Poll/NumberOfFirstRetries', '8', 'int'),
      add('./Vendor/MSFT/CertificateStore/My/WSTEP/Renew/RenewPeriod', '5000', 'int'),
      exec('./Vendor/MSFT/DMClient/Provider/MDMLab/Unenroll'),
      replace('./DevDetail/Ext/Microsoft/DNSComputerName', 'PC-1'),
      del(deviceAccount()),
    ];
    const answers = (schema: DmSchema) => {
      const tree = new DmTree(schema);
      tree.setLocal('./DevInfo/DevId', 'F00D');
      return tree.execute(script).map((s) => JSON.stringify({ ...s, reason: undefined, items: s.items.map((i) => i.code) }));
    };
    expect(answers(fallback)).toEqual(answers(ddfSchema()));
  });
});
