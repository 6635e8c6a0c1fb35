import type { Policy } from '../../protocol/android/amapi/policy.js';
import { MDMLAB_DPC_PACKAGE, SAMSUNG_EMAIL_PACKAGE } from '../../protocol/android/apps.js';
import { AndroidDevice, type AndroidDeviceOptions, type PolicyApplication } from '../android-channel/android-device.js';
import { MemoryAndroidStateStore, type AndroidHardware, type AndroidStateStore } from '../android-channel/android-state.js';
import { generateAndroidHardware } from '../android-channel/hardware.js';
import type { KeystoreResult } from '../android-channel/keystore.js';
import { SqliteAndroidStateStore } from '../android-channel/sqlite-android-state.js';
import type { MailAccount } from '../core/mail-account.js';
import { SeededRandom } from '../random/seeded-random.js';
import { applyKnoxAccounts } from './exchange-account-policy.js';

/**
 * A Samsung phone managed by mdmlab's DPC as device owner, with Knox Standard: the native Samsung
 * Email app's account store (one store, no work profile) filled through ExchangeAccountPolicy
 * (exchange-account-policy.ts), the keystore filled from the policy's certificates. The user's own
 * accounts live in the same store, so the KNOX rule applies (agents/core/platform-rules.ts): a
 * managed account replaces any account with its address, and an account the user sets up again is
 * accepted until the next sync replaces it again.
 *
 * Default hardware: a Galaxy S10 (SM-G973F) on Android 9 with Knox 3.2.1 (Knox API 27, the last
 * level before Samsung deprecated ExchangeAccountPolicy; Knox SDK "Knox version mapping").
 */
export const KNOX_DEFAULT_HARDWARE: Omit<AndroidHardware, 'serial'> = {
  brand: 'samsung',
  manufacturer: 'samsung',
  model: 'SM-G973F',
  androidVersion: '9',
  apiLevel: 28,
  knoxVersion: '3.2.1',
  knoxApiLevel: 27,
};

export class KnoxDevice extends AndroidDevice {
  readonly platform = 'samsungKnox' as const;
  readonly managementMode = 'DEVICE_OWNER' as const;
  readonly ownership = 'COMPANY_OWNED' as const;

  /** Creates (or, over an existing state folder, resumes) a device. */
  static async create(options: AndroidDeviceOptions = {}): Promise<KnoxDevice> {
    const state: AndroidStateStore = options.stateDir ? new SqliteAndroidStateStore(options.stateDir) : new MemoryAndroidStateStore();
    const random = new SeededRandom(options.seed);
    let hardware = state.getHardware();
    if (!hardware) {
      hardware = generateAndroidHardware(random.fork('hardware'), KNOX_DEFAULT_HARDWARE, options.hardware);
      state.setHardware(hardware);
    }
    const device = new KnoxDevice(options, state, random, hardware);
    device.resume();
    return device;
  }

  /** Knox names a managed account by the server's account id, which is the email profile's id. */
  profileIdOf(account: MailAccount): string | undefined {
    return account.managed ? account.managedBy : undefined;
  }
  override async managedProfileIds(): Promise<string[]> {
    return [...new Set((await this.state.mail.list()).flatMap((a) => (a.managed && a.managedBy ? [a.managedBy] : [])))];
  }

  protected async applyPolicy(policy: Policy, keystore: KeystoreResult): Promise<PolicyApplication> {
    const applied = await applyKnoxAccounts(policy.mdmlab?.knoxExchangeAccounts ?? [], this.state.mail, keystore, this.state.getAppStates(), () => this.ruleContext());
    // Samsung Email is a system app on Samsung devices; the DPC reports its accounts' states.
    return { ...applied, installedPackages: [MDMLAB_DPC_PACKAGE, SAMSUNG_EMAIL_PACKAGE] };
  }

  /** Device administration removed: the DPC's accounts go with it (Knox deletes accounts it created), the user's stay. */
  protected async dropManagedPart(): Promise<void> {
    const managed = (await this.state.mail.list()).filter((a) => a.managed);
    if (managed.length > 0) await this.state.mail.apply({ remove: managed.map((a) => a.id), add: [] });
  }
}
