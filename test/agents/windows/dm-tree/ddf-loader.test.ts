import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { DmTree, loadWindowsDmSchema, WINDOWS_DDF_ENV } from '../../../../agents/windows/dm-tree/index.js';
import { DDF_DIR, get, run } from './helpers.js';

const temps: string[] = [];
const tempDir = (files: Record<string, string> = {}): string => {
  const dir = mkdtempSync(path.join(tmpdir(), 'mdmlab-ddf-'));
  temps.push(dir);
  for (const [name, text] of Object.entries(files)) writeFileSync(path.join(dir, name), text);
  return dir;
};
afterEach(() => {
  for (const d of temps.splice(0)) rmSync(d, { recursive: true, force: true });
});

const tiny = (name: string) =>
  `<MgmtTree><VerDTD>1.2</VerDTD><Node><NodeName>${name}</NodeName><Path>./Vendor/MSFT</Path><DFProperties><AccessType><Get/></AccessType><DFFormat><node/></DFFormat><Scope><Permanent/></Scope></DFProperties></Node></MgmtTree>`;

describe('loading the Windows DM schema', () => {
  it('reads every DDF file of a directory given as an option, or by MDMLAB_WINDOWS_DDF', () => {
    const byOption = loadWindowsDmSchema({ directory: DDF_DIR, env: {} });
    expect(byOption.source).toBe('ddf');
    expect(byOption.files).toEqual(readdirSync(DDF_DIR).filter((f) => f.endsWith('.xml')).sort());
    expect(byOption.warnings).toEqual([]);
    expect(byOption.schema.size).toBe(353);
    const byEnv = loadWindowsDmSchema({ env: { [WINDOWS_DDF_ENV]: DDF_DIR } });
    expect(byEnv.directory).toBe(DDF_DIR);
    expect(byEnv.schema.size).toBe(353);
    // The option wins over the environment.
    expect(loadWindowsDmSchema({ directory: tempDir({ 'a.xml': tiny('Only') }), env: { [WINDOWS_DDF_ENV]: DDF_DIR } }).schema.size).toBe(1);
  });

  it('uses the built-in table, with a warning naming the setting, when no folder is given', () => {
    const loaded = loadWindowsDmSchema({ env: {} });
    expect(loaded.source).toBe('fallback');
    expect(loaded.directory).toBeUndefined();
    expect(loaded.warnings).toHaveLength(1);
    expect(loaded.warnings[0]).toContain(WINDOWS_DDF_ENV);
    const tree = new DmTree(loaded.schema);
    expect(run(tree, get('./User/Vendor/MSFT/ActiveSync/Accounts')).code).toBe(200);
    expect(run(tree, get('./User/Vendor/MSFT/EMAIL2')).code).toBe(404);
    // An empty setting is no setting.
    expect(loadWindowsDmSchema({ env: { [WINDOWS_DDF_ENV]: '' } }).source).toBe('fallback');
  });

  it('the test run names the DDF folder (test/setup/windows-ddf.ts), so every simulated Windows device in the suite has the full tree', () => {
    expect(process.env[WINDOWS_DDF_ENV]).toBe(DDF_DIR);
    expect(loadWindowsDmSchema()).toMatchObject({ source: 'ddf', directory: DDF_DIR });
  });

  it('refuses a directory named explicitly that is missing, empty, or holds a broken or clashing DDF', () => {
    const missing = path.join(tmpdir(), 'mdmlab-no-such-ddf-dir');
    expect(() => loadWindowsDmSchema({ directory: missing })).toThrow(/does not exist/);
    expect(() => loadWindowsDmSchema({ env: { [WINDOWS_DDF_ENV]: missing } })).toThrow(WINDOWS_DDF_ENV);
    expect(() => loadWindowsDmSchema({ directory: tempDir({ 'notes.txt': 'x' }) })).toThrow(/no \.xml file/);
    expect(() => loadWindowsDmSchema({ directory: tempDir({ 'ok.xml': tiny('A'), 'broken.xml': '<MgmtTree><VerDTD>' }) })).toThrow(/broken\.xml/);
    expect(() => loadWindowsDmSchema({ directory: tempDir({ 'one.xml': tiny('A'), 'two.xml': tiny('a') }) })).toThrow(/clash/);
  });

  it('can leave out the user scope (a Windows Phone 8.1 device has no ./User tree)', () => {
    const { schema } = loadWindowsDmSchema({ directory: DDF_DIR, include: (root) => !root.path.startsWith('./User/') });
    const tree = new DmTree(schema);
    expect(run(tree, get('./User/Vendor/MSFT/ActiveSync/Accounts')).code).toBe(404);
    expect(run(tree, get('./Vendor/MSFT/ActiveSync/Accounts')).code).toBe(200);
    expect(run(tree, get('.')).results[0]!.data.split('/')).not.toContain('User');
  });
});
