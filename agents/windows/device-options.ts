import type { Logger } from 'pino';
import type { KeyPool } from '../identity/key-pool.js';
import type { HttpClient } from '../transport/http.js';
import type { WindowsHardware } from './hardware.js';
import type { WindowsVariant } from './variant.js';

/** What a simulated Windows device is made with (windows-device.ts). */
export interface WindowsDeviceOptions {
  /** windows10 (default) or windowsPhone81. */
  platform?: WindowsVariant['platform'];
  /** Name the runners know the device by; default its DeviceID. */
  id?: string;
  /** Makes DeviceID, names, request GUIDs, account GUIDs and timer jitter repeatable. */
  seed?: string | number;
  /** Folder for a persistent device (one device per folder); absent: memory only. */
  stateDir?: string;
  /** Pin parts of the hardware of a new device (ignored when resuming). */
  hardware?: Partial<WindowsHardware>;
  /** PEM of the CA to trust for https before enrollment (the lab CA); the provisioned roots are added. */
  caPem?: string;
  keyPool?: KeyPool;
  http?: HttpClient;
  /** A fixed interval of unprompted sessions instead of the provisioned DMClient poll schedule; 0 = none. */
  pollIntervalMs?: number;
  /** Push gateway URL; default ws(s)://<host of the OMA-DM server>/push. */
  pushUrl?: string;
  /**
   * false: no push service at all (a server that is not mdmlab's has no gateway): the device never
   * opens a channel, even when the server sets DMClient Push/PFN, and learns of commands only in
   * its scheduled sessions (DMClient poll schedule, or `pollIntervalMs`) and its user's syncs.
   */
  pushChannel?: boolean;
  /** Backoff of failed sessions and push reconnects alike (default: the shell's 1 s doubling to 60 s). */
  retry?: { initialMs?: number; maxMs?: number };
  /** Initial network state (default online). */
  online?: boolean;
  /** Parent logger; the device logs as a child with its deviceId. Default: silent. */
  logger?: Logger;
  now?: () => number;
}
