import { availableParallelism } from 'node:os';
import { defineConfig } from 'vitest/config';

// Vitest's default for `run` is one worker fewer than the cores, which is a single worker on CI's
// two cores. Many files here spend their time waiting on sockets and child processes (CLI, SCEP
// clients, device fleets), so one worker more than the cores keeps both busy: 103 s → 65 s on 2 cores.
// No isolation between files of one worker: the code keeps no module-level state (everything is
// built by factories, a rule of the project), so re-importing it for every file only cost time: 65 s → 39 s.
const workers = availableParallelism() + 1;

export default defineConfig({
  test: {
    setupFiles: ['test/setup/windows-ddf.ts'],
    include: ['test/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
    maxWorkers: workers,
    isolate: false,
  },
});
