import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Worker, type WorkerOptions } from 'node:worker_threads';

/**
 * Starts a worker thread on a module next to the caller, wherever the code runs from. Compiled
 * (dist/…/x.js): the sibling .js file. From TypeScript sources (tsx, vitest): Node 20 workers do not
 * inherit the parent's `--import tsx` hooks ("Unknown file extension .ts"), so a tiny evaluated
 * bootstrap registers tsx's ESM loader in the worker and then imports the .ts module. (The key
 * pool's generator threads start the same way: agents/identity/key-pool.ts.)
 *
 * `callerUrl` is the caller's `import.meta.url`; `name` the module's file name without extension.
 */
export function startThread(callerUrl: string, name: string, options: Omit<WorkerOptions, 'eval'> = {}): Worker {
  if (!callerUrl.endsWith('.ts')) return new Worker(new URL(`./${name}.js`, callerUrl), options);
  const module = new URL(`./${name}.ts`, callerUrl).href;
  const tsx = tsxEsmApiUrl(callerUrl);
  const bootstrap = `import(${JSON.stringify(tsx)}).then((m) => { m.register(); return import(${JSON.stringify(module)}); })`;
  return new Worker(bootstrap, { ...options, eval: true });
}

/** tsx's ESM `register()` entry, found through its package.json (the CommonJS build cannot register from a worker). */
function tsxEsmApiUrl(from: string): string {
  const pkgPath = createRequire(from).resolve('tsx/package.json');
  const pkg = JSON.parse(readFileSync(pkgPath, 'utf8')) as { exports?: Record<string, { import?: string | { default?: string } }> };
  const entry = pkg.exports?.['./esm/api']?.import;
  const file = typeof entry === 'string' ? entry : entry?.default;
  if (!file) throw new Error('tsx has no ./esm/api export: cannot start a worker thread from TypeScript sources');
  return pathToFileURL(join(dirname(pkgPath), file)).href;
}
