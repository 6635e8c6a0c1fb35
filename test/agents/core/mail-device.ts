import { expect } from 'vitest';
import type {
  DevicePlatform,
  MailAccount,
  MailAccountSettings,
  UserAccountRef,
  UserAccountRequest,
  WorkApp,
} from '../../../agents/core/mail-account.js';
import { MemoryMailStore } from '../../../agents/core/memory-mail-store.js';
import { removeManaged, removeUserAccount, rulesFor } from '../../../agents/core/platform-rules.js';
import type { RuleContext } from '../../../agents/core/rule-outcomes.js';

/**
 * Test harness: a device's mail store driven through the platform rule table, the way a platform
 * agent will drive it (snapshot → rule → apply the returned change). Tests then read like the
 * platform rules of docs/email-profiles.md and assert on the store, in the docs/scenarios.md
 * `mailAccounts` shape.
 */
export class MailDevice {
  readonly store = new MemoryMailStore();
  readonly installedApps: WorkApp[];
  #nextId = 0;
  #clock = 0;

  constructor(
    readonly platform: DevicePlatform,
    options: { apps?: WorkApp[] } = {},
  ) {
    this.installedApps = [...(options.apps ?? [])];
  }

  /** Ids are deterministic (`<platform>-1`, `-2`, …) as in a seeded scenario. */
  ctx(): RuleContext {
    return { newId: () => `${this.platform}-${++this.#nextId}`, now: ++this.#clock, installedApps: this.installedApps };
  }

  async snapshot(): Promise<MailAccount[]> {
    return this.store.list();
  }

  async installProfile(profileId: string, account: ProfileAccount) {
    const result = rulesFor(this.platform).installManaged(
      await this.snapshot(),
      {
        profileId,
        email: account.email,
        host: account.host,
        settings: account.settings ?? { accountName: 'Corp mail', daysToSync: 7, useSsl: true },
        ...(account.app && { app: account.app }),
      },
      this.ctx(),
    );
    await this.store.apply(result.change);
    return result;
  }

  async userAdds(request: UserAccountRequest) {
    const result = rulesFor(this.platform).addUserAccount(await this.snapshot(), request, this.ctx());
    await this.store.apply(result.change);
    return result;
  }

  async userRemoves(ref: UserAccountRef) {
    const result = removeUserAccount(await this.snapshot(), ref);
    await this.store.apply(result.change);
    return result;
  }

  async removeProfile(profileId: string) {
    const result = removeManaged(await this.snapshot(), profileId);
    await this.store.apply(result.change);
    return result;
  }

  installApp(app: WorkApp): void {
    this.installedApps.push(app);
  }

  /** The whole store, order-free, in the shape of a scenario's `mailAccounts` expectation. */
  async expectAccounts(expected: AccountView[]): Promise<void> {
    const actual = (await this.snapshot()).map(view);
    expect(sortViews(actual)).toEqual(sortViews(expected));
  }
}

export interface ProfileAccount {
  email: string;
  host: string;
  app?: WorkApp;
  settings?: MailAccountSettings;
}

export interface AccountView {
  email: string;
  host: string;
  managed: boolean;
  profile?: string;
  androidProfile?: 'personal' | 'work';
  app?: WorkApp;
  replacedUserAccount?: true;
}

function view(a: MailAccount): AccountView {
  return {
    email: a.email,
    host: a.host,
    managed: a.managed,
    ...(a.managedBy !== undefined && { profile: a.managedBy }),
    ...(a.androidProfile !== undefined && { androidProfile: a.androidProfile }),
    ...(a.app !== undefined && { app: a.app }),
    ...(a.replacedUserAccount === true && { replacedUserAccount: true as const }),
  };
}

function sortViews(views: AccountView[]): AccountView[] {
  const key = (v: AccountView): string =>
    [v.email, v.host, v.managed, v.profile, v.androidProfile, v.app, v.replacedUserAccount].join('|');
  return [...views].sort((x, y) => key(x).localeCompare(key(y)));
}
