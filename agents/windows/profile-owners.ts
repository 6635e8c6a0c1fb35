/**
 * Which server profile each managed ActiveSync account belongs to. A Windows device knows its
 * accounts by node name (`{GUID}`) only: the GUID is the server's choice, and OMA-DM never names the
 * profile behind it (ActiveSync CSP). The runners learn the pairs from the server's report of the
 * device (mdmlab lists them under `windows.accounts` in `GET /devices/{id}`) and tell the device, so
 * its store can be compared with the server's profile states.
 */
export class ProfileOwners {
  readonly #byGuid = new Map<string, string>();

  /** `{GUID}` or a bare GUID, any case. */
  learn(accountGuid: string, profileId: string): void {
    this.#byGuid.set(key(accountGuid), profileId);
  }

  /** The pairs of a server report (GET /devices/{id}); anything else in it is ignored. */
  learnFromReport(report: Record<string, unknown>): void {
    const accounts = (report.windows as { accounts?: unknown } | undefined)?.accounts;
    if (!Array.isArray(accounts)) return;
    for (const a of accounts as { profileId?: unknown; accountGuid?: unknown }[]) {
      if (typeof a?.profileId === 'string' && typeof a.accountGuid === 'string') this.learn(a.accountGuid, a.profileId);
    }
  }

  of(accountGuid: string): string | undefined {
    return this.#byGuid.get(key(accountGuid));
  }
}

const key = (guid: string): string => guid.replace(/^\{|\}$/g, '').toLowerCase();
