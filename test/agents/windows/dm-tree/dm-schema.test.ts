import { describe, expect, it } from 'vitest';
import { DmSchema, DmTree } from '../../../../agents/windows/dm-tree/index.js';
import { DdfError, parseDdf } from '../../../../protocol/windows/ddf/index.js';
import { add, atomic, ddfSchema, get, replace, run } from './helpers.js';

const props = (access: string, format: string, extra = '') =>
  `<DFProperties><AccessType>${access
    .split('')
    .map((l) => `<${{ A: 'Add', D: 'Delete', G: 'Get', R: 'Replace', E: 'Exec' }[l]}/>`)
    .join('')}</AccessType><DFFormat><${format}/></DFFormat>${extra}</DFProperties>`;
const doc = (nodes: string) => parseDdf(`<MgmtTree xmlns:MSFT="http://schemas.microsoft.com/MobileDevice/DM"><VerDTD>1.2</VerDTD>${nodes}</MgmtTree>`);
const csp = (name: string, at: string, children = '', extra = '<Scope><Permanent/></Scope>') =>
  `<Node><NodeName>${name}</NodeName><Path>${at}</Path>${props('G', 'node', extra)}${children}</Node>`;

describe('the DM schema', () => {
  it('stores ./Device/Vendor paths where ./Vendor names them, and finds a definition by any spelling', () => {
    const schema = ddfSchema();
    const byDevice = schema.node('./Device/Vendor/MSFT/DMClient/Provider/{ProviderID}/Push/PFN');
    expect(byDevice?.path).toBe('./Vendor/MSFT/DMClient/Provider/{ProviderID}/Push/PFN');
    expect(schema.node('./vendor/msft/dmclient/provider/{providerid}/push/pfn')).toBe(byDevice);
    expect(schema.node('./User/Vendor/MSFT/DMClient/Provider/{ProviderID}')).not.toBe(schema.node('./Vendor/MSFT/DMClient/Provider/{ProviderID}'));
    // The ancestors a <Path> names are Get-only permanent interior nodes without a definition.
    const vendor = schema.node('./User/Vendor')!;
    expect([vendor.def, vendor.format, vendor.permanent]).toEqual([undefined, 'node', true]);
    expect([...schema.definitions()]).toHaveLength(schema.size);
  });

  it('marks every node below an MSFT:AtomicRequired node as needing an Atomic', () => {
    const schema = ddfSchema();
    expect(schema.node('./User/Vendor/MSFT/ActiveSync/Accounts')!.atomicRequired).toBe(false);
    expect(schema.node('./User/Vendor/MSFT/ActiveSync/Accounts/{Account GUID}/Options/ContentTypes/{Content Type GUID}/Enabled')!.atomicRequired).toBe(true);
    expect(schema.node('./Vendor/MSFT/ActiveSync/Accounts/{Account GUID}/EmailAddress')!.atomicRequired).toBe(false);
  });

  it('refuses two files defining one node, and a node where another file put a leaf', () => {
    const a = doc(csp('X', './Vendor/MSFT'));
    expect(() => DmSchema.build([a, doc(csp('x', './Device/Vendor/MSFT'))])).toThrow(DdfError);
    const leafFile = doc(`<Node><NodeName>Leaf</NodeName><Path>./Vendor/MSFT</Path>${props('G', 'chr')}</Node>`);
    expect(() => DmSchema.build([leafFile, doc(csp('Below', './Vendor/MSFT/Leaf'))])).toThrow(DdfError);
    // Files may add CSPs under each other's paths, in either order.
    const outer = doc(csp('Outer', './Vendor/MSFT'));
    const inner = doc(csp('Inner', './Vendor/MSFT/Outer'));
    for (const order of [[outer, inner], [inner, outer]]) {
      const schema = DmSchema.build(order);
      expect(schema.node('./Vendor/MSFT/Outer/Inner')?.def?.name).toBe('Inner');
      expect(schema.node('./Vendor/MSFT/Outer')?.def?.name).toBe('Outer');
    }
  });

  it('appends a Replace to the value where MSFT:ReplaceBehavior says Append', () => {
    const list = `<MSFT:AllowedValues ValueType="ENUM"><MSFT:Enum><MSFT:Value>a</MSFT:Value></MSFT:Enum><MSFT:Enum><MSFT:Value>b</MSFT:Value></MSFT:Enum><MSFT:List Delimiter=";"/></MSFT:AllowedValues><MSFT:ReplaceBehavior>Append</MSFT:ReplaceBehavior>`;
    const schema = DmSchema.build([doc(csp('Csp', './Vendor/MSFT', `<Node><NodeName>Items</NodeName>${props('ADGR', 'chr', list)}</Node>`))]);
    const tree = new DmTree(schema);
    expect(run(tree, add('./Vendor/MSFT/Csp/Items', 'a')).code).toBe(200);
    expect(run(tree, replace('./Vendor/MSFT/Csp/Items', 'b')).code).toBe(200);
    expect(run(tree, get('./Vendor/MSFT/Csp/Items')).results[0]!.data).toBe('a;b');
    expect(run(tree, replace('./Vendor/MSFT/Csp/Items', 'c')).code).toBe(500);
    expect(tree.value('./Vendor/MSFT/Csp/Items')).toBe('a;b');
  });

  it('keeps a dynamic node\'s allowed names and single occurrence from its DDF', () => {
    const named = `<Node><NodeName/>${props('ADGR', 'node', '<Occurrence><ZeroOrOne/></Occurrence><DFTitle>Id</DFTitle><MSFT:AllowedValues ValueType="RegEx"><MSFT:Value>[a-z]+</MSFT:Value></MSFT:AllowedValues>')}<Node><NodeName>V</NodeName>${props('ADGR', 'int')}</Node></Node>`;
    const tree = new DmTree(DmSchema.build([doc(csp('Csp', './Vendor/MSFT', named))]));
    expect(run(tree, atomic(add('./Vendor/MSFT/Csp/ABC/V', '1', 'int'))).children![0]!.items[0]!.reason).toContain('cannot name ./Vendor/MSFT/Csp/{Id}');
    expect(run(tree, add('./Vendor/MSFT/Csp/abc/V', '1', 'int')).code).toBe(200);
    expect(run(tree, add('./Vendor/MSFT/Csp/def/V', '1', 'int')).code).toBe(500);
  });
});
