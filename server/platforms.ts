import { createAndroidModule } from './android/android-module.js';
import { createAppleModule } from './apple/apple-module.js';
import type { PlatformModuleFactory } from './platform/platform-module.js';
import { createWindowsModule } from './windows/windows-module.js';

/**
 * The platforms this server speaks, one module each (server/platform/platform-module.ts). The only
 * list: the composition root, the reconciler's channels, enrollment tokens, the admin routes and
 * the device facts all come from it.
 */
export const PLATFORM_MODULES: readonly PlatformModuleFactory[] = [createAppleModule, createWindowsModule, createAndroidModule];
