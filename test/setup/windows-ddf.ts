import { existsSync } from 'node:fs';
import path from 'node:path';
import { WINDOWS_DDF_ENV } from '../../agents/windows/dm-tree/ddf-loader.js';
import { windowsSpecs } from '../protocol/windows/fixtures.js';

/**
 * Microsoft's DDF v2 files (Microsoft Learn, "Configuration service provider DDF files"), when the
 * test machine has them where the Windows protocol tests read Microsoft's samples: the simulated
 * Windows devices of the suite, and the CLI processes tests start (they inherit the environment),
 * then build their DM tree from them (agents/windows/dm-tree/ddf-loader.ts); elsewhere the
 * built-in table.
 */
const ddf = path.join(windowsSpecs, 'ddf');
if (existsSync(ddf)) process.env[WINDOWS_DDF_ENV] = ddf;
