import type { SeededRandom } from '../random/seeded-random.js';
import type { AndroidHardware } from './android-state.js';

const SERIAL_ALPHABET = '0123456789ABCDEFGHJKLMNPQRSTUVWXYZ';

/**
 * A new device's hardware: a serial number from the seed (Samsung serials are 11 characters
 * starting with R, e.g. R58M12ABCDE; Pixels' are 12 alphanumerics), and the model and versions of
 * the platform's defaults unless pinned.
 */
export function generateAndroidHardware(random: SeededRandom, defaults: Omit<AndroidHardware, 'serial'>, pinned: Partial<AndroidHardware> = {}): AndroidHardware {
  const serial = defaults.brand === 'samsung' ? `R${random.chars(10, SERIAL_ALPHABET)}` : random.chars(12, SERIAL_ALPHABET);
  return { ...defaults, serial, ...pinned };
}
