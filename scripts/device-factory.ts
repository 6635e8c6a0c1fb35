/** The runners' device factory lives with the one list of simulated platforms (agents/platforms.ts). */
export { createSimulatedDevice, type DeviceFactoryOptions } from '../agents/platforms.js';
