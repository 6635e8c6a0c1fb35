import { pino } from 'pino';
import { derToPem } from '../../certs/pem.js';
import { unenrollmentAlert } from '../../protocol/windows/syncml/index.js';
import type { DeviceErrorCode } from '../core/device-error.js';
import { ShellDevice } from '../core/device-shell.js';
import type { MailAccount } from '../core/mail-account.js';
import type { MailAccountStore } from '../core/mail-store.js';
import { rulesFor } from '../core/platform-rules.js';
import type { RuleContext } from '../core/rule-outcomes.js';
import { ticketOf, type EnrollmentTicket } from '../device.js';
import { takeKey } from '../identity/key-of-size.js';
import { sharedKeyPool, type KeyPool } from '../identity/key-pool.js';
import { SeededRandom } from '../random/seeded-random.js';
import { sharedHttpClient, type ClientCertificate, type HttpClient } from '../transport/http.js';
import { WindowsPushChannel } from './device-push.js';
import { MemoryWindowsStateStore, type WindowsEnrollment, type WindowsIdentity, type WindowsStateStore } from './device-state.js';
import { loadTree, removeManagement, writeDeviceFacts } from './device-tree.js';
import { windowsDmDefinitions, type WindowsDmDefinitions } from './dm-schema-cache.js';
import type { DmTree } from './dm-tree/index.js';
import { applyProvisioning, enrollmentRecords } from './enrollment/apply-provisioning.js';
import { enrollOverMde2 } from './enrollment/mde2-enrollment.js';
import { WindowsDeviceError } from './errors.js';
import { generateHardware, type WindowsHardware } from './hardware.js';
import type { AccountRecords } from './mail/account-records.js';
import { takeServerAccounts } from './mail/managed-accounts.js';
import { accountsChanged, accountUri } from './mail/tree-accounts.js';
import { WindowsMailStore } from './mail/windows-mail-store.js';
import { DMCLIENT_PROVIDERS } from './omadm/dm-account.js';
import { runDmSession, sessionIdOf, type SessionHooks, type SessionPlan } from './omadm/dm-session.js';
import type { DmTransport } from './omadm/dm-transport.js';
import { DmClientPollTimer, pollScheduleIn } from './poll-schedule.js';
import { ProfileOwners } from './profile-owners.js';
import { SqliteWindowsStateStore } from './sqlite-state-store.js';
import { WINDOWS_VARIANTS, type WindowsVariant } from './variant.js';
import type { WindowsDeviceOptions } from './device-options.js';

export type { WindowsDeviceOptions } from './device-options.js';

/**
 * A simulated Windows 10 or Windows Phone 8.1 device, on the shared device shell
 * (agents/core/device-shell.ts: events, idle tracking, one operation at a time, online/offline,
 * when to talk to the server). What is Windows here:
 * - enrollment by MS-MDE2 (discovery, MS-XCEP policies, MS-WSTEP with its own key and a CSR made as
 *   Windows makes it), then the provisioning document applied to its management tree;
 * - the management tree itself (agents/windows/dm-tree, built from Microsoft's DDF files), which
 *   OMA-DM sessions read and write, and which holds the ActiveSync accounts: the mail store
 *   (mail/windows-mail-store.ts) is a view of those nodes, where the Windows rule decides what a
 *   managed account does to one the user set up;
 * - OMA-DM sessions (omadm/dm-session.ts) on push (Alert 1200), on the provisioned DMClient poll
 *   schedule, when the user syncs and when the device comes back online (Alert 1201), retried with
 *   the shell's backoff; MD5 credentials with nonce chaining, and the client certificate on https;
 * - the WNS-like push channel the server turns on by setting DMClient Push/PFN;
 * - unenrollment announced by Alert 1226 (com.microsoft:mdm.unenrollment.userrequest).
 *
 * With `stateDir`, everything lives in `<stateDir>/device.db` and a new object over the same folder
 * resumes the device (enrolled, same DeviceID, key, tree, accounts and push channel).
 */
const SILENT = pino({ level: 'silent' });

export class WindowsDevice extends ShellDevice {
  readonly platform: WindowsVariant['platform'];
  readonly #variant: WindowsVariant;
  readonly #options: WindowsDeviceOptions;
  readonly #state: WindowsStateStore;
  readonly #hardware: WindowsHardware;
  readonly #random: SeededRandom;
  readonly #http: HttpClient;
  readonly #pool: KeyPool;
  readonly #now: () => number;
  readonly #defs: WindowsDmDefinitions;
  readonly #records: AccountRecords;
  readonly #mail: WindowsMailStore;
  readonly #pollTimer: DmClientPollTimer;
  readonly #pushChannel: WindowsPushChannel;
  /** Accounts the server's commands touched since the mail app last looked. */
  readonly #serverTouched = new Set<string>();
  readonly #profileOwners = new ProfileOwners();
  #tree: DmTree;
  #enrollment: WindowsEnrollment | undefined;
  #identity: WindowsIdentity | undefined;
  #trustPem: string | undefined;
  #clientCertificate: ClientCertificate | undefined;
  #nextAlert = 1201;
  #dirty = false;

  /** Creates (or, over an existing state folder, resumes) a device. */
  static async create(options: WindowsDeviceOptions = {}): Promise<WindowsDevice> {
    const device = new WindowsDevice(options);
    device.#resume();
    return device;
  }

  private constructor(options: WindowsDeviceOptions) {
    const variant = WINDOWS_VARIANTS[options.platform ?? 'windows10'];
    const state = options.stateDir ? new SqliteWindowsStateStore(options.stateDir) : new MemoryWindowsStateStore();
    const random = new SeededRandom(options.seed);
    let hardware = state.getHardware();
    if (!hardware) {
      hardware = generateHardware(random.fork('hardware'), variant, options.hardware);
      state.setHardware(hardware);
    }
    const id = options.id ?? hardware.deviceId;
    const log = (options.logger ?? SILENT).child({ deviceId: id });
    // Unprompted sessions follow the provisioned schedule (DmClientPollTimer), not the shell's fixed period.
    super({ id, log, random, periodicMs: 0, retry: options.retry, online: options.online });
    this.platform = variant.platform;
    this.#variant = variant;
    this.#options = options;
    this.#state = state;
    this.#hardware = hardware;
    this.#random = random;
    this.#http = options.http ?? sharedHttpClient();
    this.#pool = options.keyPool ?? sharedKeyPool();
    this.#now = options.now ?? Date.now;
    this.#defs = windowsDmDefinitions(variant);
    if (this.#defs.warnings.length > 0) log.debug({ warnings: this.#defs.warnings.slice(0, 5) }, 'DDF warnings');
    const saved = state.getTree();
    this.#records = saved?.accounts ?? {};
    this.#tree = this.#newTree(saved?.snapshot);
    this.#mail = new WindowsMailStore({
      tree: () => this.#tree,
      records: this.#records,
      userScope: variant.activeSyncScope,
      changed: () => (this.#dirty = true),
    });
    const provider = () => this.#enrollment && `${DMCLIENT_PROVIDERS}/${encodeURIComponent(this.#enrollment.providerId)}`;
    this.#pollTimer = new DmClientPollTimer({
      schedule: () => {
        const uri = provider();
        return uri ? pollScheduleIn(this.#tree, uri) : undefined;
      },
      done: () => state.sequence('scheduledPolls'),
      advance: () => state.setSequence('scheduledPolls', state.sequence('scheduledPolls') + 1),
      overrideMs: options.pollIntervalMs,
      random: random.fork('schedule'),
      fire: () => this.polls.request('periodic'),
    });
    this.#pushChannel = new WindowsPushChannel({
      tree: () => this.#tree,
      enrollment: () => (this.#enrollment ? { providerUri: provider()!, serverUrl: this.#enrollment.serverUrl } : undefined),
      pushUrl: options.pushUrl,
      enabled: options.pushChannel !== false,
      caPem: () => this.#trustPem,
      backoff: options.retry,
      random: random.fork('push'),
      storedToken: () => state.getPush().token,
      storeToken: (token) => state.setPush({ token }),
      attach: (push) => this.attachPush(push),
      detach: () => this.detachPush(),
      wake: () => {
        this.#nextAlert = 1200;
        this.polls.request('push');
      },
      channelChanged: () => {
        this.#dirty = true;
        this.#save();
        this.polls.request('channelUri');
      },
      log,
    });
  }

  get hardwareId(): string {
    return this.#hardware.deviceId;
  }
  get deviceId(): string {
    return this.#hardware.deviceId;
  }
  get hardware(): WindowsHardware {
    return { ...this.#hardware, macAddresses: [...this.#hardware.macAddresses], imeis: [...this.#hardware.imeis] };
  }
  /** The device's management tree (tests and tools read it; the server writes it over OMA-DM). */
  get tree(): DmTree {
    return this.#tree;
  }
  get enrollment(): Readonly<WindowsEnrollment> | undefined {
    return this.#enrollment;
  }
  /** The client certificate enrollment issued (DER), while enrolled. */
  get certificate(): Buffer | undefined {
    return this.#identity?.certDer;
  }
  get pushToken(): string | undefined {
    return this.#state.getPush().token;
  }
  isEnrolled(): boolean {
    return this.#enrollment !== undefined;
  }

  /** MS-MDE2 enrollment with the ticket's discovery URL, UPN and token, then the first OMA-DM session. */
  enroll(ticket: EnrollmentTicket | string): Promise<void> {
    const { discoveryUrl, upn, token } = ticketOf(ticket);
    return this.exclusive(async () => {
      if (!discoveryUrl || !upn || !token) throw new WindowsDeviceError('badTicket', 'a Windows device enrolls with a discovery URL, the user\'s UPN and an enrollment token');
      if (this.#enrollment) throw new WindowsDeviceError('alreadyEnrolled', `device ${this.id} is already enrolled`);
      if (!this.isOnline()) throw new WindowsDeviceError('offline', `device ${this.id} is offline`);
      const outcome = await enrollOverMde2(
        {
          http: this.#http,
          caPem: this.#options.caPem,
          userAgent: this.#variant.enrollmentUserAgent,
          random: this.#random.fork(`enrollment:${this.#state.nextSequence('enrollment')}`),
          takeKey: (bits) => takeKey(this.#pool, bits),
        },
        { variant: this.#variant, hardware: this.#hardware, discoveryUrl, upn, token },
      );
      const refused = applyProvisioning(this.#tree, outcome, this.#variant.clientCertificateStore);
      if (refused.length > 0) this.log.debug({ refused }, 'provisioning document nodes the tree does not hold');
      const { enrollment, identity } = enrollmentRecords(outcome, { upn, discoveryUrl, enrolledAt: this.#now() });
      this.#state.setIdentity(identity);
      this.#state.setEnrollment(enrollment);
      this.#state.setSequence('scheduledPolls', 0);
      this.#adopt(enrollment, identity);
      this.#save(true);
      this.log.info({ deviceId: this.deviceId, server: enrollment.serverUrl }, 'enrolled');
      this.emit('enrolled');
      await this.sessionReportingErrors();
    });
  }

  /** The user removes the work account: Alert 1226 tells the server, managed accounts go, the user's stay. */
  unenroll(): Promise<void> {
    return this.exclusive(async () => {
      const e = this.#enrollment;
      if (!e) throw new WindowsDeviceError('notEnrolled', `device ${this.id} is not enrolled`);
      this.polls.cancel();
      this.#pollTimer.stop();
      let failure: Error | undefined;
      if (this.isOnline()) {
        try {
          await this.#runSession({ extraAlerts: [unenrollmentAlert('0')] }, () => this.isOnline() && !this.stopped);
        } catch (err) {
          failure = err as Error;
        }
      } else failure = new WindowsDeviceError('offline', `device ${this.id} was offline: the server did not hear of the unenrollment`);
      this.#pushChannel.close();
      this.#enrollment = undefined;
      removeManagement(this.#tree, this.#records, e, this.#identity);
      this.#identity = undefined;
      this.#clientCertificate = undefined;
      this.#trustPem = this.#options.caPem;
      this.#state.setEnrollment(undefined);
      this.#state.setIdentity(undefined);
      this.#state.setPush({});
      this.#save(true);
      if (failure) {
        this.log.warn({ err: failure }, 'the unenrollment alert did not reach the server');
        this.emit('backgroundError', failure);
      }
      this.emit('unenrolled');
    });
  }

  mailAccounts(): Promise<MailAccount[]> {
    return this.#mail.list();
  }

  /** The server's id of the profile a managed account belongs to, once the device learnt it (profile-owners.ts). */
  profileIdOf(account: MailAccount): string | undefined {
    return account.managed && account.managedBy ? this.#profileOwners.of(account.managedBy) : undefined;
  }

  /** The server's profile id for an ActiveSync account GUID (`{…}` or bare). */
  learnProfileOwner(accountGuid: string, profileId: string): void {
    this.#profileOwners.learn(accountGuid, profileId);
  }

  learnFromServer(report: Record<string, unknown>): void {
    this.#profileOwners.learnFromReport(report);
  }

  /** The server's ids of the profiles whose accounts the device holds, as far as it learnt them. */
  override async managedProfileIds(): Promise<string[]> {
    return [...new Set((await this.#mail.list()).flatMap((a) => this.profileIdOf(a) ?? []))];
  }

  /** Back online, a Windows device syncs on its own (a push the gateway held would also bring it). */
  override async setOnline(online: boolean): Promise<void> {
    const wasOffline = !this.isOnline();
    await super.setOnline(online);
    if (online && wasOffline && this.isEnrolled()) this.polls.request('backOnline');
  }

  // --- the shell's hooks -------------------------------------------------------------------

  protected mailStore(): MailAccountStore {
    return this.#mail;
  }
  protected ruleContext(): RuleContext {
    return {
      // A new account node's GUID: from the seed and a counter that survives restarts (never one in use).
      newId: () => accountUri(this.#variant.activeSyncScope, new SeededRandom(`${this.deviceId}:account:${this.#state.nextSequence('account')}`).uuid()),
      now: this.#now(),
    };
  }
  protected closeState(): void {
    this.#pollTimer.stop();
    this.#save();
    this.#state.close();
  }
  protected override deviceError(code: DeviceErrorCode, message: string): Error {
    return new WindowsDeviceError(code, message);
  }
  protected override exclusive<T>(work: () => Promise<T>): Promise<T> {
    return super.exclusive(async () => {
      try {
        return await work();
      } finally {
        this.#save();
      }
    });
  }

  /** One OMA-DM session. Runs under the lock. */
  protected async session(): Promise<void> {
    const e = this.#enrollment;
    if (!e || this.stopped || !this.isOnline()) return;
    const completed = await this.#runSession({}, () => this.isOnline() && !this.stopped && this.#enrollment === e);
    if (!completed) {
      if (this.#enrollment === e && !this.stopped) this.polls.interrupted();
    } else this.polls.completed(false, false);
  }

  // --- internals -------------------------------------------------------------------------

  async #runSession(plan: Partial<SessionPlan>, shouldContinue: () => boolean): Promise<boolean> {
    const e = this.#enrollment!;
    const alert = plan.alert ?? this.#nextAlert;
    this.#nextAlert = 1201;
    const transport: DmTransport = {
      http: this.#http,
      caPem: () => this.#trustPem,
      clientCertificate: () => this.#clientCertificate,
      userAgent: this.#variant.dmUserAgent,
    };
    const hooks: SessionHooks = {
      shouldContinue,
      executed: () => this.#afterServerCommands(),
      handled: (event) => this.emit('commandHandled', event),
    };
    try {
      const result = await runDmSession(
        {
          transport,
          tree: this.#tree,
          accountUid: e.accountUid,
          deviceId: this.deviceId,
          log: this.log,
          profileIdOf: (guid) => this.#profileOwners.of(guid),
        },
        {
          sessionId: sessionIdOf(this.#state.nextSequence('session')),
          alert,
          ...(this.#variant.loginStatus ? { loginStatus: 'user' as const } : {}),
          ...plan,
        },
        hooks,
      );
      return result.completed;
    } finally {
      this.#dirty = true;
    }
  }

  /** After the server's commands of a message ran: the mail app takes the accounts, the push channel follows PFN. */
  async #afterServerCommands(): Promise<void> {
    this.#dirty = true;
    if (this.#serverTouched.size > 0) {
      const touched = [...this.#serverTouched];
      this.#serverTouched.clear();
      const outcomes = await takeServerAccounts(this.#mail, this.#tree, this.#records, touched, rulesFor(this.platform), this.#now());
      for (const o of outcomes) this.log.debug({ outcome: o.kind, account: 'account' in o ? o.account.id : o.key }, 'ActiveSync account taken');
    }
    this.#pushChannel.follow();
  }

  #newTree(snapshot: Parameters<typeof loadTree>[1]): DmTree {
    const tree = loadTree(this.#defs, snapshot, this.log);
    writeDeviceFacts(tree, this.#hardware, this.#variant);
    tree.subscribe((event) => {
      if (event.origin === 'server') for (const key of accountsChanged(event)) this.#serverTouched.add(key);
    });
    return tree;
  }

  #resume(): void {
    const enrollment = this.#state.getEnrollment();
    const identity = this.#state.getIdentity();
    if (!enrollment || !identity) return;
    this.#adopt(enrollment, identity);
    this.log.info({ deviceId: this.deviceId }, 'resumed enrolled');
  }

  /** Becomes the enrolled device: trust, TLS identity, scheduled sessions, push channel. */
  #adopt(enrollment: WindowsEnrollment, identity: WindowsIdentity): void {
    this.#enrollment = enrollment;
    this.#identity = identity;
    this.#trustPem = trustPemOf(this.#options.caPem, identity.rootCertDers);
    this.#clientCertificate = { certPem: derToPem(identity.certDer, 'CERTIFICATE'), keyPem: identity.keyPem };
    this.#pollTimer.start();
    this.#pushChannel.follow();
  }

  #save(force = false): void {
    if (!this.#state.persistent || (!this.#dirty && !force)) return;
    this.#dirty = false;
    this.#state.setTree({ snapshot: this.#tree.snapshot(), accounts: this.#records });
  }
}

/** The CAs trusted for https: the one given at creation (the lab CA) and the provisioned roots, as one PEM text. */
function trustPemOf(configured: string | undefined, roots: Buffer[]): string | undefined {
  const all = [...(configured ? [`${configured.trim()}\n`] : []), ...roots.map((der) => derToPem(der, 'CERTIFICATE'))];
  return all.length > 0 ? [...new Set(all)].join('') : undefined;
}
