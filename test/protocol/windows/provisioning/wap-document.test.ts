import { describe, expect, it } from 'vitest';
import {
  characteristic,
  characteristicsAt,
  decodeProvisioningDoc,
  encodeProvisioningDoc,
  parm,
  parmOf,
  type WapProvisioningDoc,
} from '../../../../protocol/windows/provisioning/index.js';
import { expectWindowsError, msdoc, MSDOCS, spec } from '../fixtures.js';

describe('wap-provisioningdoc', () => {
  it("decodes Microsoft's sample: two CertificateStore characteristics, flag parms, datatypes, interleaved parms", () => {
    const doc = decodeProvisioningDoc(msdoc(MSDOCS.provisioningDoc));
    expect(doc.version).toBe('1.1');
    expect(doc.characteristics.map((c) => c.type)).toEqual(['CertificateStore', 'CertificateStore', 'APPLICATION', 'DMClient']);
    expect(characteristicsAt(doc, ['CertificateStore', 'Root', 'System']).map((c) => c.children[0]!)).toEqual([
      characteristic('031336C933CC7E228B88880D78824FB2909A0A2F', parm('EncodedCertificate', 'B64 encoded cert insert here')),
    ]);
    const app = doc.characteristics[2]!;
    expect(parmOf(app, 'BACKCOMPATRETRYDISABLED')).toEqual({ kind: 'parm', name: 'BACKCOMPATRETRYDISABLED' });
    // The sample double-escapes its ampersand; one level of escaping is XML's, the other stays in the value.
    expect(parmOf(app, 'SSLCLIENTCERTSEARCHCRITERIA')?.value).toBe('Subject=DC%3dcom%2cDC%3dmicrosoft%2cCN%3dUsers%2cCN%3dAdministrator&amp;Stores=My%5CUser');
    const provider = characteristicsAt(doc, ['DMClient', 'Provider', 'TestMDMServer'])[0]!;
    expect(provider.children.map((n) => (n.kind === 'parm' ? `parm ${n.name}` : `characteristic ${n.type}`))).toEqual(['characteristic Poll', 'parm EntDeviceName']);
    expect(parmOf(characteristicsAt(doc, ['DMClient', 'Provider', 'TestMDMServer', 'Poll'])[0]!, 'PollOnLogin')).toEqual({ kind: 'parm', name: 'PollOnLogin', value: 'true', datatype: 'boolean' });
  });

  it('decodes the WSO2 templates for Windows 10 and Windows Phone 8.1 (licence comment, empty types)', () => {
    const win10 = decodeProvisioningDoc(spec('provisioning', 'wso2-win10-wap-provisioning.template.xml'));
    expect(win10.characteristics).toHaveLength(4);
    const wp81 = decodeProvisioningDoc(spec('provisioning', 'wso2-wp81-wap-provisioning.template.xml'));
    expect(wp81.characteristics.map((c) => c.type)).toEqual(['CertificateStore', 'APPLICATION', 'DMClient']);
    expect(characteristicsAt(wp81, ['CertificateStore', 'Root', 'System'])[0]!.children[0]).toEqual(characteristic('', parm('EncodedCertificate', '')));
  });

  it('round-trips exactly, order and flag parms included, and escapes values', () => {
    const doc: WapProvisioningDoc = {
      version: '1.1',
      characteristics: [
        characteristic(
          'APPLICATION',
          parm('APPID', 'w7'),
          parm('BACKCOMPATRETRYDISABLED'),
          parm('SSLCLIENTCERTSEARCHCRITERIA', 'Subject=CN%3DX&Stores=My%5CUser'),
          characteristic('APPAUTH', parm('AAUTHSECRET', 'a "quoted" <secret> & more\n')),
          parm('LAST', 1),
        ),
        characteristic('DMClient', characteristic('Provider', characteristic('p', characteristic('Poll', parm('PollOnLogin', true, 'boolean')), parm('UPN', 'u@x', 'string')))),
      ],
    };
    const xml = encodeProvisioningDoc(doc);
    expect(xml.startsWith('<?xml version="1.0" encoding="utf-8"?><wap-provisioningdoc version="1.1">')).toBe(true);
    expect(xml).toContain('<parm name="BACKCOMPATRETRYDISABLED"/>');
    expect(decodeProvisioningDoc(xml)).toEqual(doc);
    expect(decodeProvisioningDoc(encodeProvisioningDoc(doc, { declaration: false }))).toEqual(doc);
  });

  it('names what is wrong and refuses what it does not apply', () => {
    expectWindowsError(() => decodeProvisioningDoc('<wap-provisioning version="1.1"/>'), 'wrongRoot');
    expectWindowsError(() => decodeProvisioningDoc('<wap-provisioningdoc><characteristic/></wap-provisioningdoc>'), 'missingElement', '/@type');
    expectWindowsError(() => decodeProvisioningDoc('<wap-provisioningdoc><characteristic type="A"><parm value="1"/></characteristic></wap-provisioningdoc>'), 'missingElement', '/A/parm/@name');
    expectWindowsError(() => decodeProvisioningDoc('<wap-provisioningdoc><characteristic type="A"><nocharacteristic type="B"/></characteristic></wap-provisioningdoc>'), 'invalidValue', '/A/nocharacteristic');
    expectWindowsError(() => decodeProvisioningDoc('<wap-provisioningdoc><characteristic-query type="A"/></wap-provisioningdoc>'), 'invalidValue');
    expectWindowsError(() => decodeProvisioningDoc('<!DOCTYPE wap-provisioningdoc SYSTEM "x"><wap-provisioningdoc/>'), 'doctypeRefused');
    expectWindowsError(() => decodeProvisioningDoc(`<wap-provisioningdoc>${'<characteristic type="x"/>'.repeat(2500)}</wap-provisioningdoc>`), 'tooManyElements');
    expectWindowsError(() => decodeProvisioningDoc(`<wap-provisioningdoc><characteristic type="${'x'.repeat(200_000)}"/></wap-provisioningdoc>`), 'tooLarge');
    expectWindowsError(() => encodeProvisioningDoc({ version: '1.1', characteristics: [characteristic('A', parm('B', 'nul\u0000'))] }), 'invalidCharacter');
  });
});
