import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { DdfError, parseDdf, walkDdf, type DdfDocument, type DdfNode } from '../../../../protocol/windows/ddf/index.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const DDF_DIR = path.resolve(here, '../../../../../shared/specs/windows/ddf');
const files = readdirSync(DDF_DIR).filter((f) => f.endsWith('.xml'));
const load = (file: string): DdfDocument => parseDdf(readFileSync(path.join(DDF_DIR, file)));
const byPath = (doc: DdfDocument, p: string): DdfNode => {
  const n = [...walkDdf(doc.roots)].find((x) => x.path === p);
  if (!n) throw new Error(`no ${p}`);
  return n;
};

const code = (f: () => unknown): string | undefined => {
  try {
    f();
  } catch (err) {
    return err instanceof DdfError ? err.code : `not a DdfError: ${String(err)}`;
  }
  return undefined;
};

const MSFT = 'xmlns:MSFT="http://schemas.microsoft.com/MobileDevice/DM"';
const DOCTYPE = '<!DOCTYPE MgmtTree PUBLIC " -//OMA//DTD-DM-DDF 1.2//EN" "http://www.openmobilealliance.org/tech/DTD/DM_DDF-V1_2.dtd" [<?oma-dm-ddf-ver supported-versions="1.2"?>]>';
const props = (inner = '', access = '<Get />', format = '<node />') =>
  `<DFProperties><AccessType>${access}</AccessType><DFFormat>${format}</DFFormat>${inner}</DFProperties>`;
const ddf = (nodes: string, prolog = DOCTYPE) => `<?xml version="1.0" encoding="UTF-8"?>\n${prolog}\n<MgmtTree ${MSFT}><VerDTD>1.2</VerDTD>${nodes}</MgmtTree>`;
const top = (children = '', p = props()) => `<Node><NodeName>Csp</NodeName><Path>./Vendor/MSFT</Path>${p}${children}</Node>`;

describe('parseDdf on every file Microsoft publishes here', () => {
  it.each(files)('%s parses without warnings, every node with a full path', (file) => {
    const doc = load(file);
    expect(doc.verDtd).toBe('1.2');
    expect(doc.warnings).toEqual([]);
    const nodes = [...walkDdf(doc.roots)];
    expect(nodes.length).toBeGreaterThan(5);
    for (const n of nodes) {
      expect(n.path).toMatch(/^\.\/[^/]/);
      expect(n.path.endsWith(`/${n.name ?? ''}`) || n.name === undefined).toBe(true);
      expect(n.properties.format === 'node' || n.children.length === 0).toBe(true);
    }
  });

  it('reads the ActiveSync account node with every DDF v2 extension it carries', () => {
    const doc = load('ActiveSync.ddfv2.xml');
    expect(doc.roots.map((r) => r.path)).toEqual(['./User/Vendor/MSFT/ActiveSync']);
    const account = byPath(doc, './User/Vendor/MSFT/ActiveSync/Accounts/{Account GUID}');
    expect(account.name).toBeUndefined();
    expect(account.properties).toMatchObject({
      accessTypes: ['Add', 'Delete', 'Get', 'Replace'],
      format: 'node',
      occurrence: { kind: 'ZeroOrMore' },
      scope: 'Dynamic',
      title: 'Account GUID',
      dynamicNaming: { kind: 'ServerGeneratedUniqueIdentifier' },
      allowedValues: { kind: 'regex', pattern: '\\{[0-9A-Fa-f]{8}\\-[0-9A-Fa-f]{4}\\-[0-9A-Fa-f]{4}\\-[0-9A-Fa-f]{4}\\-[0-9A-Fa-f]{12}\\}' },
      atomicRequired: true,
    });
    expect(byPath(doc, './User/Vendor/MSFT/ActiveSync').properties).toMatchObject({
      scope: 'Permanent',
      applicability: { osBuildVersion: '10.0.10240', cspVersion: '1.0' },
    });
    expect(byPath(doc, './User/Vendor/MSFT/ActiveSync').properties.applicability!.editionAllowList).toContain(0x30);
    expect(byPath(doc, './User/Vendor/MSFT/ActiveSync/Accounts/{Account GUID}/Options/Schedule').properties).toMatchObject({
      format: 'chr',
      defaultValue: '-1',
      allowedValues: { kind: 'range', min: -1, max: 4294967295 },
    });
    const mailAge = byPath(doc, './User/Vendor/MSFT/ActiveSync/Accounts/{Account GUID}/Options/MailAgeFilter').properties.allowedValues;
    expect(mailAge).toMatchObject({ kind: 'enum' });
    expect(mailAge?.kind === 'enum' && mailAge.values.map((v) => v.value)).toEqual(['0', '1', '2', '3', '4', '5', '6']);
    const contentType = byPath(doc, './User/Vendor/MSFT/ActiveSync/Accounts/{Account GUID}/Options/ContentTypes/{Content Type GUID}');
    expect(contentType.properties.occurrence).toEqual({ kind: 'OneOrN' });
    expect(contentType.properties.dynamicNaming).toMatchObject({ kind: 'UniqueName' });
  });

  it('reads the older device-path ActiveSync DDF (v1: MIME types, an OneOrN count, no extensions)', () => {
    const doc = load('ActiveSyncCSP_DDF.v1-devicepath.xml');
    expect(doc.roots.map((r) => r.path)).toEqual(['./Vendor/MSFT/ActiveSync']);
    expect(byPath(doc, './Vendor/MSFT/ActiveSync').properties.mimeTypes).toEqual(['com.microsoft/1.0/MDM/ActiveSync']);
    expect(byPath(doc, './Vendor/MSFT/ActiveSync/Accounts/{Account GUID}/EmailAddress').properties.mimeTypes).toEqual(['text/plain']);
    expect(byPath(doc, './Vendor/MSFT/ActiveSync/Accounts/{Account GUID}/Options/ContentTypes/{Content Type GUID}').properties.occurrence).toEqual({
      kind: 'OneOrN',
      max: 1,
    });
    expect(byPath(doc, './Vendor/MSFT/ActiveSync/Accounts/{Account GUID}').properties.atomicRequired).toBe(false);
  });

  it('reads files with several roots, root-level paths and the other allowed-value kinds', () => {
    const dmclient = load('DMClient.ddfv2.xml');
    expect(dmclient.roots.map((r) => r.path)).toEqual(['./User/Vendor/MSFT/DMClient', './Device/Vendor/MSFT/DMClient']);
    const provider = byPath(dmclient, './Device/Vendor/MSFT/DMClient/Provider/{ProviderID}');
    expect(provider.properties.occurrence).toEqual({ kind: 'ZeroOrOne' });
    expect(byPath(dmclient, './Device/Vendor/MSFT/DMClient/Provider/{ProviderID}/Unenroll').properties).toMatchObject({
      accessTypes: ['Exec', 'Get'],
      format: 'null',
      scope: 'Permanent',
    });
    expect(byPath(dmclient, './Device/Vendor/MSFT/DMClient/Provider/{ProviderID}/SyncApplicationVersion').properties.allowedValues).toEqual({
      kind: 'regex',
      pattern: '^(\\d\\.)?(\\d)$',
    });
    const list = byPath(dmclient, './Device/Vendor/MSFT/DMClient/UpdateManagementServiceAddress').properties.allowedValues;
    expect(list).toEqual({ kind: 'unchecked', valueType: 'None', list: { delimiter: ';' } });
    // Delimiter="\xF000" is the character U+F000.
    const expected = byPath(dmclient, './User/Vendor/MSFT/DMClient/Provider/{ProviderID}/FirstSyncStatus/ExpectedPolicies').properties.allowedValues;
    expect(expected?.list?.delimiter).toBe('\uF000');
    const address = byPath(dmclient, './Device/Vendor/MSFT/DMClient/Provider/{ProviderID}/ManagementServiceAddress').properties;
    expect(address.dependencies?.[0]).toMatchObject({ friendlyId: 'ManageServerAddressListBlock', dependencies: [{ type: 'Not' }] });
    expect(byPath(dmclient, './User/Vendor/MSFT/DMClient/Provider/{ProviderID}/FirstSyncStatus/AllowCollectLogsButton').properties.caseSense).toBe('CIS');

    expect(load('DevInfo.ddfv2.xml').roots.map((r) => r.path)).toEqual(['./DevInfo']);
    expect(load('DMAcc.ddfv2.xml').roots.map((r) => r.path)).toEqual(['./SyncML/DMAcc']);
    const role = byPath(load('DMAcc.ddfv2.xml'), './SyncML/DMAcc/{AccountUID}/Ext/Microsoft/Role').properties;
    expect(role.allowedValues).toMatchObject({ kind: 'flag' });
    expect(byPath(load('DMAcc.ddfv2.xml'), './SyncML/DMAcc/{AccountUID}/AppAuth/{ObjectName}').properties.occurrence).toEqual({ kind: 'OneOrMore' });
    const email2 = load('EMAIL2.ddfv2.xml');
    expect(byPath(email2, './User/Vendor/MSFT/EMAIL2/{Account GUID}').properties.occurrence).toEqual({ kind: 'ZeroOrN' });
    expect(byPath(email2, './User/Vendor/MSFT/EMAIL2/{Account GUID}/SYNCINGCONTENTTYPES').properties.allowedValues).toMatchObject({ kind: 'flag' });
    const certs = load('CertificateStore.ddfv2.xml');
    expect(byPath(certs, './Device/Vendor/MSFT/CertificateStore/MY/WSTEP/Renew/LastRenewalAttemptTime').properties.format).toBe('time');
    expect(byPath(certs, './Device/Vendor/MSFT/CertificateStore/MY/WSTEP/Renew').properties.atomicRequired).toBe(true);
    expect(byPath(load('DevDetail.ddfv2.xml'), './DevDetail/Ext/Microsoft/DeviceName').properties.rebootBehavior).toBe('Automatic');
    expect([...walkDdf(certs.roots)].some((n) => n.properties.deprecated?.osBuildDeprecated === '10.0.22000')).toBe(true);
  });

  it('reads a Buffer or a string, with or without a BOM', () => {
    const raw = readFileSync(path.join(DDF_DIR, 'DevInfo.ddfv2.xml'));
    expect(raw[0]).toBe(0xef);
    const fromString = parseDdf(raw.toString('utf8'));
    expect(fromString).toEqual(parseDdf(raw));
    expect(parseDdf(raw.subarray(3))).toEqual(parseDdf(raw));
  });
});

describe('parseDdf semantics and defaults', () => {
  it('defaults Scope to Dynamic and Occurrence to One (OMA DM TND 1.2), and names unnamed nodes by their DFTitle', () => {
    const doc = parseDdf(ddf(top(`<Node><NodeName/>${props('<DFTitle>{Slot/Id}</DFTitle>')}<Node><NodeName>Value</NodeName>${props('', '<Get /><Replace />', '<int />')}</Node></Node>`)));
    const slot = doc.roots[0]!.children[0]!;
    expect(slot.path).toBe('./Vendor/MSFT/Csp/{Slot-Id}');
    expect(slot.properties).toMatchObject({ scope: 'Dynamic', occurrence: { kind: 'One' }, title: '{Slot/Id}', mimeTypes: [] });
    expect(slot.children[0]!.path).toBe('./Vendor/MSFT/Csp/{Slot-Id}/Value');
    expect(slot.children[0]!.properties.accessTypes).toEqual(['Get', 'Replace']);
  });

  it('accepts a document without the DOCTYPE, with comments around it, and an MSFT prefix it forgot to declare', () => {
    expect(parseDdf(ddf(top(), '')).roots).toHaveLength(1);
    expect(parseDdf(ddf(top(), `<!-- c -->\n${DOCTYPE}\n<!-- d -->`)).roots).toHaveLength(1);
    const sysOnly = '<!DOCTYPE MgmtTree SYSTEM "DM_DDF-V1_2.dtd">';
    expect(parseDdf(ddf(top(), sysOnly)).roots).toHaveLength(1);
    const undeclared = `<MgmtTree><VerDTD>1.2</VerDTD>${top('', props('<MSFT:AtomicRequired/>'))}</MgmtTree>`;
    expect(parseDdf(undeclared).roots[0]!.properties.atomicRequired).toBe(true);
  });

  it('keeps ReplaceBehavior and warns about what it cannot read instead of refusing the file', () => {
    const doc = parseDdf(
      ddf(
        top(
          [
            `<Node><NodeName>A</NodeName>${props('<MSFT:AllowedValues ValueType="Range"><MSFT:Value>[a-b]</MSFT:Value></MSFT:AllowedValues><MSFT:ReplaceBehavior>Append</MSFT:ReplaceBehavior>', '<Get />', '<chr />')}</Node>`,
            `<Node><NodeName>B</NodeName>${props('<MSFT:AllowedValues ValueType="RegEx"><MSFT:Value>([a-</MSFT:Value></MSFT:AllowedValues>', '<Get />', '<chr />')}</Node>`,
            `<Node><NodeName>C</NodeName>${props('<MSFT:AllowedValues ValueType="XSD"><MSFT:Value>&lt;xs:schema/&gt;</MSFT:Value></MSFT:AllowedValues>', '<Get />', '<chr />')}</Node>`,
          ].join(''),
        ),
      ),
    );
    const [a, b, c] = doc.roots[0]!.children;
    expect(a!.properties.replaceBehavior).toBe('Append');
    expect(a!.properties.allowedValues).toEqual({ kind: 'unchecked', valueType: 'Range', text: '[a-b]' });
    expect(b!.properties.allowedValues).toMatchObject({ kind: 'unchecked', valueType: 'RegEx' });
    expect(c!.properties.allowedValues).toEqual({ kind: 'unchecked', valueType: 'XSD', text: '<xs:schema/>' });
    expect(doc.warnings).toHaveLength(2);
    expect(doc.warnings[0]).toContain('./Vendor/MSFT/Csp/A');
  });
});

describe('parseDdf refusals', () => {
  it('refuses any document type declaration but the OMA DDF one, before parsing', () => {
    expect(code(() => parseDdf(ddf(top(), '<!DOCTYPE MgmtTree [<!ENTITY x "boom">]>')))).toBe('doctypeRefused');
    expect(code(() => parseDdf(ddf(top(), '<!DOCTYPE MgmtTree SYSTEM "x.dtd" [<!ENTITY % p SYSTEM "file:///etc/passwd"> %p;]>')))).toBe('doctypeRefused');
    expect(code(() => parseDdf(ddf(top(), '<!DOCTYPE Other PUBLIC "a" "b">')))).toBe('doctypeRefused');
    expect(code(() => parseDdf(ddf(top(), '<!DOCTYPE MgmtTree PUBLIC "a">')))).toBe('doctypeRefused');
    // A second declaration further down is the XML layer's to refuse.
    expect(code(() => parseDdf(ddf(top(`<Node><NodeName>X</NodeName>${props('<Description><![CDATA[<!ENTITY y "z">]]></Description>')}</Node>`))))).toBe('xml');
  });

  it('refuses what is not a DDF', () => {
    expect(code(() => parseDdf('<a/>'))).toBe('malformed');
    expect(code(() => parseDdf(`<MgmtTree><Node><NodeName>A</NodeName>${props()}</Node></MgmtTree>`))).toBe('malformed');
    expect(code(() => parseDdf('<MgmtTree><VerDTD>1.2</VerDTD></MgmtTree>'))).toBe('malformed');
    expect(code(() => parseDdf('<MgmtTree><VerDTD>1.2</VerDTD>'))).toBe('xml');
    expect(code(() => parseDdf(Buffer.from('<?xml version="1.0" encoding="ISO-8859-1"?><MgmtTree/>')))).toBe('xml');
    expect(code(() => parseDdf(ddf(top()), { limits: { maxBytes: 100 } }))).toBe('xml');
  });

  it.each([
    ['a node without NodeName', `<Node>${props()}</Node>`],
    ['a node without DFProperties', '<Node><NodeName>X</NodeName></Node>'],
    ['DFProperties without AccessType', '<Node><NodeName>X</NodeName><DFProperties><DFFormat><chr/></DFFormat></DFProperties></Node>'],
    ['DFProperties without DFFormat', '<Node><NodeName>X</NodeName><DFProperties><AccessType><Get/></AccessType></DFProperties></Node>'],
    ['an unknown format', `<Node><NodeName>X</NodeName>${props('', '<Get />', '<string />')}</Node>`],
    ['two formats', `<Node><NodeName>X</NodeName>${props('', '<Get />', '<chr /><int />')}</Node>`],
    ['an unknown access type', `<Node><NodeName>X</NodeName>${props('', '<Get /><Write />')}</Node>`],
    ['an unknown occurrence', `<Node><NodeName>X</NodeName>${props('<Occurrence><Many/></Occurrence>')}</Node>`],
    ['a bad OneOrN count', `<Node><NodeName>X</NodeName>${props('<Occurrence><OneOrN>zero</OneOrN></Occurrence>')}</Node>`],
    ['a leaf with children', `<Node><NodeName>X</NodeName>${props('', '<Get />', '<chr />')}<Node><NodeName>Y</NodeName>${props()}</Node></Node>`],
    ['a name holding a slash', `<Node><NodeName>a/b</NodeName>${props()}</Node>`],
    ['a name that is only an asterisk', `<Node><NodeName>*</NodeName>${props()}</Node>`],
    ['an unknown dynamic naming', `<Node><NodeName/>${props('<MSFT:DynamicNodeNaming><MSFT:Random/></MSFT:DynamicNodeNaming>')}</Node>`],
  ])('refuses %s', (_what, child) => {
    expect(code(() => parseDdf(ddf(top(child))))).toBe('malformed');
  });

  it('refuses a Path that is not rooted at "."', () => {
    expect(code(() => parseDdf(ddf(`<Node><NodeName>X</NodeName><Path>Vendor/MSFT</Path>${props()}</Node>`)))).toBe('malformed');
    expect(code(() => parseDdf(ddf(`<Node><NodeName>X</NodeName><Path>./Vendor/../MSFT</Path>${props()}</Node>`)))).toBe('malformed');
    const normalized = parseDdf(ddf(`<Node><NodeName>X</NodeName><Path>./Vendor/MSFT/</Path>${props()}</Node>`));
    expect(normalized.roots[0]!.path).toBe('./Vendor/MSFT/X');
  });

  it('refuses siblings with one name (case does not make them different) and two unnamed siblings', () => {
    const twice = (a: string, b: string) => top(`<Node><NodeName>${a}</NodeName>${props()}</Node><Node><NodeName>${b}</NodeName>${props()}</Node>`);
    expect(code(() => parseDdf(ddf(twice('Name', 'name'))))).toBe('duplicateNode');
    expect(code(() => parseDdf(ddf(twice('', ''))))).toBe('duplicateNode');
    expect(parseDdf(ddf(twice('A', ''))).roots[0]!.children).toHaveLength(2);
    // Two top-level nodes under different paths may share a name (DMClient's user and device roots).
    const two = `<Node><NodeName>X</NodeName><Path>./User/Vendor/MSFT</Path>${props()}</Node><Node><NodeName>X</NodeName><Path>./Device/Vendor/MSFT</Path>${props()}</Node>`;
    expect(parseDdf(ddf(two)).roots).toHaveLength(2);
    expect(code(() => parseDdf(ddf(`${two}<Node><NodeName>x</NodeName><Path>./user/Vendor/MSFT</Path>${props()}</Node>`)))).toBe('duplicateNode');
  });
});
