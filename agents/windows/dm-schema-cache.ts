import { CspHandlerSet, defaultCspHandlers, loadWindowsDmSchema, type DmSchema } from './dm-tree/index.js';
import type { WindowsVariant } from './variant.js';

/**
 * The node definitions every simulated Windows device of the process shares, built once from the
 * DDF files (agents/windows/dm-tree/ddf-loader.ts says where they come from): one schema with the
 * `./User` scope (Windows 10) and one without it (Windows Phone 8.1 has no per-user tree, so a
 * `./User/…` command finds no node: 404), and one set of CSP handlers.
 */
export interface WindowsDmDefinitions {
  schema: DmSchema;
  handlers: CspHandlerSet;
  source: 'ddf' | 'fallback';
  warnings: readonly string[];
}

let cached: { full: WindowsDmDefinitions; deviceScope: WindowsDmDefinitions } | undefined;

export function windowsDmDefinitions(variant: Pick<WindowsVariant, 'userScope'>): WindowsDmDefinitions {
  if (!cached) {
    const handlers = new CspHandlerSet(defaultCspHandlers());
    const full = loadWindowsDmSchema();
    const deviceScope = loadWindowsDmSchema({ include: (root) => !/^\.\/user(\/|$)/i.test(root.path) });
    cached = {
      full: { schema: full.schema, handlers, source: full.source, warnings: full.warnings },
      deviceScope: { schema: deviceScope.schema, handlers, source: deviceScope.source, warnings: [] },
    };
  }
  return variant.userScope ? cached.full : cached.deviceScope;
}
