/**
 * The layering the README's "Layout" section promises, checked on the import graph of every source
 * file git tracks (tests excluded): the server and the simulated devices never import each other;
 * codecs (protocol/) import neither the layers above them nor any module that does I/O; certs/
 * stays below server/ and agents/; and no file reaches itself through its imports (type-only imports
 * included: a cycle of types is still two files that cannot be read apart).
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot } from '../helpers/cli.js';

interface Edge {
  from: string;
  to: string;
  /** The specifier as written (relative ones resolved into `to`). */
  spec: string;
}

const IMPORT = /(?:^|[\n;])\s*(?:import|export)\s+(?:type\s+)?(?:[^'";]*?\sfrom\s+)?['"]([^'"]+)['"]|\bimport\(\s*['"]([^'"]+)['"]\s*\)/g;

/** Every import of every tracked .ts file outside test/, relative ones resolved to repository paths. */
function importGraph(root: string): { files: string[]; edges: Edge[] } {
  const files = execFileSync('git', ['ls-files', '*.ts'], { cwd: root, encoding: 'utf8' })
    .split('\n')
    .filter((f) => f && !f.startsWith('test/') && !f.endsWith('.d.ts'));
  const edges: Edge[] = [];
  for (const from of files) {
    const source = readFileSync(path.join(root, from), 'utf8');
    for (const m of source.matchAll(IMPORT)) {
      const spec = (m[1] ?? m[2])!;
      const to = spec.startsWith('.') ? path.posix.normalize(path.posix.join(path.posix.dirname(from), spec)).replace(/\.js$/, '.ts') : spec;
      edges.push({ from, to, spec });
    }
  }
  return { files, edges };
}

/** Cycles of the graph, each as the path that closes it (depth-first, one per back edge). */
function cyclesOf(files: readonly string[], edges: readonly Edge[]): string[][] {
  const out = new Map<string, string[]>();
  for (const e of edges) if (files.includes(e.to)) out.set(e.from, [...(out.get(e.from) ?? []), e.to]);
  const state = new Map<string, 'open' | 'done'>();
  const stack: string[] = [];
  const cycles: string[][] = [];
  const visit = (node: string): void => {
    state.set(node, 'open');
    stack.push(node);
    for (const next of out.get(node) ?? []) {
      if (state.get(next) === 'open') cycles.push([...stack.slice(stack.indexOf(next)), next]);
      else if (!state.has(next)) visit(next);
    }
    stack.pop();
    state.set(node, 'done');
  };
  for (const f of files) if (!state.has(f)) visit(f);
  return cycles;
}

const layerOf = (file: string): string => file.split('/')[0]!;

/** Node modules and packages that reach the disk, the network or other processes. */
const IO_MODULES = /^(?:node:)?(?:fs|fs\/promises|net|http|https|http2|tls|dgram|dns|child_process|cluster|worker_threads|readline)$|^(?:better-sqlite3|pg|ws|express)$/;

describe('the layers', () => {
  const { files, edges } = importGraph(repoRoot);

  it('finds the source files and their imports (the check below is not vacuous)', () => {
    expect(files.filter((f) => f.startsWith('server/')).length).toBeGreaterThan(50);
    expect(files.filter((f) => f.startsWith('agents/')).length).toBeGreaterThan(50);
    expect(edges.some((e) => e.from === 'server/platforms.ts' && e.to.startsWith('server/'))).toBe(true);
  });

  it('the server and the simulated devices never import each other', () => {
    const crossing = edges.filter((e) => (layerOf(e.from) === 'server' && layerOf(e.to) === 'agents') || (layerOf(e.from) === 'agents' && layerOf(e.to) === 'server'));
    expect(crossing.map((e) => `${e.from} → ${e.to}`)).toEqual([]);
  });

  it('codecs (protocol/) import no layer above them and do no I/O', () => {
    const wrong = edges.filter((e) => layerOf(e.from) === 'protocol' && (['server', 'agents', 'scripts', 'certs'].includes(layerOf(e.to)) || IO_MODULES.test(e.spec)));
    expect(wrong.map((e) => `${e.from} → ${e.spec}`)).toEqual([]);
  });

  it('certs/ stays below the server and the devices', () => {
    const wrong = edges.filter((e) => layerOf(e.from) === 'certs' && ['server', 'agents', 'scripts'].includes(layerOf(e.to)));
    expect(wrong.map((e) => `${e.from} → ${e.to}`)).toEqual([]);
  });

  it('no file reaches itself through its imports', () => {
    expect(cyclesOf(files, edges).map((c) => c.join(' → '))).toEqual([]);
  });
});

describe('the checks themselves', () => {
  it('see a cycle, a type-only one included, and a crossing', () => {
    const files = ['a.ts', 'b.ts', 'c.ts'];
    expect(cyclesOf(files, [{ from: 'a.ts', to: 'b.ts', spec: './b.js' }, { from: 'b.ts', to: 'a.ts', spec: './a.js' }])).toEqual([['a.ts', 'b.ts', 'a.ts']]);
    expect(cyclesOf(files, [{ from: 'a.ts', to: 'b.ts', spec: './b.js' }, { from: 'b.ts', to: 'c.ts', spec: './c.js' }])).toEqual([]);
    const source = "import type { X } from './x.js';\nexport { y } from '../y.js';\nconst z = await import('./z.js');\nimport 'node:fs';";
    expect([...source.matchAll(IMPORT)].map((m) => m[1] ?? m[2])).toEqual(['./x.js', '../y.js', './z.js', 'node:fs']);
    expect(IO_MODULES.test('node:fs')).toBe(true);
    expect(IO_MODULES.test('node:crypto')).toBe(false);
  });
});
