import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

// Vitest's default for `run` is one worker fewer than the cores, which is a single worker on CI's
// two cores. Many files here spend their time waiting on sockets and child processes (CLI, SCEP
// clients, device fleets), so one worker more than the cores keeps both busy: 103 s → 65 s on 2 cores.
// No isolation between files of one worker: the code keeps no module-level state (everything is
// built by factories, a rule of the project), so re-importing it for every file only cost time: 65 s → 39 s.
const workers = availableParallelism() + 1;

// Microsoft's DDF files, when the workspace has them beside the repository (they may not be copied
// into it): the simulated Windows devices of the suite, and the CLI processes tests start, then
// build their DM tree from them (agents/windows/dm-tree/ddf-loader.ts); elsewhere the built-in table.
const ddf = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../shared/specs/windows/ddf');

export default defineConfig({
  test: {
    env: existsSync(ddf) ? { MDMLAB_WINDOWS_DDF: ddf } : {},
    include: ['test/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
    maxWorkers: workers,
    isolate: false,
  },
});
