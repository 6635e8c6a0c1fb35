import type { Policy } from '../../protocol/android/amapi/policy.js';
import { ACCOUNT_STATE_KEY } from '../../protocol/android/app-states.js';
import { EMAIL_APP_PACKAGES, MDMLAB_DPC_PACKAGE } from '../../protocol/android/apps.js';
import { AndroidDevice, type AndroidDeviceOptions, type PolicyApplication } from '../android-channel/android-device.js';
import { AndroidDeviceError } from '../android-channel/android-errors.js';
import { MemoryAndroidStateStore, type AndroidHardware, type AndroidStateStore } from '../android-channel/android-state.js';
import { generateAndroidHardware } from '../android-channel/hardware.js';
import type { KeystoreResult } from '../android-channel/keystore.js';
import { SqliteAndroidStateStore } from '../android-channel/sqlite-android-state.js';
import { androidProfileOf, type MailAccount, type WorkApp } from '../core/mail-account.js';
import type { RuleContext } from '../core/rule-outcomes.js';
import { SeededRandom } from '../random/seeded-random.js';
import { applyWorkApps } from './work-apps.js';

/**
 * An Android for Work device: a personal phone with a work profile that mdmlab's DPC owns
 * (PROFILE_OWNER, personally owned). Two account stores in one mail store, told apart by
 * `androidProfile`: the personal profile (the user's; the DPC never touches it, and the user may set
 * up there the very account the work profile manages) and the work profile, whose apps (Gmail,
 * Nine Work) take their managed configurations from the policy (work-apps.ts). Removing the work
 * profile removes every account and app in it; the personal profile's stay.
 *
 * Default hardware: a Pixel 7 on Android 13 (API 33).
 */
export const AFW_DEFAULT_HARDWARE: Omit<AndroidHardware, 'serial'> = {
  brand: 'google',
  manufacturer: 'Google',
  model: 'Pixel 7',
  androidVersion: '13',
  apiLevel: 33,
};

export class AfwDevice extends AndroidDevice {
  readonly platform = 'androidForWork' as const;
  readonly managementMode = 'PROFILE_OWNER' as const;
  readonly ownership = 'PERSONALLY_OWNED' as const;

  /** Creates (or, over an existing state folder, resumes) a device. */
  static async create(options: AndroidDeviceOptions = {}): Promise<AfwDevice> {
    const state: AndroidStateStore = options.stateDir ? new SqliteAndroidStateStore(options.stateDir) : new MemoryAndroidStateStore();
    const random = new SeededRandom(options.seed);
    let hardware = state.getHardware();
    if (!hardware) {
      hardware = generateAndroidHardware(random.fork('hardware'), AFW_DEFAULT_HARDWARE, options.hardware);
      state.setHardware(hardware);
    }
    const device = new AfwDevice(options, state, random, hardware);
    device.resume();
    return device;
  }

  /** The apps installed in the work profile. */
  workApps(): WorkApp[] {
    return this.state.getWorkApps();
  }

  /**
   * The user installs Gmail or Nine Work in the work profile (from the managed Play Store). An
   * enrolled device then syncs, so a configuration waiting for the app applies at once.
   */
  override installApp(app: WorkApp): Promise<void> {
    if (!Object.hasOwn(EMAIL_APP_PACKAGES, app)) return Promise.reject(new AndroidDeviceError('badTicket', `unknown work app ${String(app)}`));
    return this.exclusive(async () => {
      if (!this.state.getWorkApps().includes(app)) this.state.setWorkApps([...this.state.getWorkApps(), app]);
      if (this.isEnrolled() && this.isOnline()) await this.session();
      else if (this.isEnrolled()) this.polls.request('appInstalled');
    });
  }

  /**
   * A work-profile app's account is managed by its app's configuration, which does not name the
   * server's profile (AMAPI managed configurations are per app): the device cannot tell the profile.
   */
  profileIdOf(_account: MailAccount): string | undefined {
    return undefined;
  }

  protected override ruleContext(): RuleContext {
    return { ...super.ruleContext(), installedApps: this.state.getWorkApps() };
  }

  protected async applyPolicy(policy: Policy, keystore: KeystoreResult): Promise<PolicyApplication> {
    const held = this.state.getAppStates();
    const applied = await applyWorkApps(policy, {
      store: this.state.mail,
      installedApps: () => this.state.getWorkApps(),
      install: (app) => this.state.setWorkApps([...this.state.getWorkApps(), app]),
      appliedConfigs: this.state.getAppConfigs(),
      keystore,
      rule: () => this.ruleContext(),
      heldState: (pkg) => held.find((s) => s.packageName === pkg && s.key === ACCOUNT_STATE_KEY)?.state,
    });
    this.state.setAppConfigs(applied.appliedConfigs);
    return {
      nonCompliance: applied.nonCompliance,
      states: applied.states,
      events: applied.events,
      installedPackages: [MDMLAB_DPC_PACKAGE, ...this.state.getWorkApps().map((a) => EMAIL_APP_PACKAGES[a])],
    };
  }

  /** The work profile is removed: its accounts (managed or the user's) and apps go; the personal profile stays. */
  protected async dropManagedPart(): Promise<void> {
    const work = (await this.state.mail.list()).filter((a) => androidProfileOf(a) === 'work');
    if (work.length > 0) await this.state.mail.apply({ remove: work.map((a) => a.id), add: [] });
    this.state.setWorkApps([]);
    this.state.setAppConfigs({});
  }
}
