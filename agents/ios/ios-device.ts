import { EventEmitter } from 'node:events';
import { pino, type Logger } from 'pino';
import type { MailAccount, UserAccountRef, UserAccountRequest } from '../core/mail-account.js';
import { isEmptyChange } from '../core/mail-store.js';
import { removeUserAccount, rulesFor } from '../core/platform-rules.js';
import type { UserAddResult, UserRemoveResult } from '../core/rule-outcomes.js';
import { ticketOf, type EnrollmentTicket, type SimulatedDevice, type SimulatedDeviceEvents } from '../device.js';
import { profileIdFromIdentifier } from '../../protocol/apple/email-profile.js';
import { KeyPool, sharedKeyPool } from '../identity/key-pool.js';
import type { PushClient } from '../push/push-client.js';
import { SeededRandom } from '../random/seeded-random.js';
import { Activity } from '../runtime/activity.js';
import { Mutex } from '../runtime/mutex.js';
import { sharedHttpClient, type HttpClient } from '../transport/http.js';
import { MemoryIosStateStore, type DeviceCertificate, type EnrolledIdentity, type InstalledProfile } from './device-state.js';
import { forgetEnrollment, installEnrollmentProfile, loadEnrolledIdentity, removeManagement, sendTokenUpdate } from './enrollment-flow.js';
import { IosDeviceError } from './errors.js';
import { generateHardware, type IosHardware } from './hardware.js';
import { connectDevicePush } from './device-push.js';
import { MdmClient, type SignedRequest } from './mdm-client.js';
import { runSession } from './mdm-session.js';
import { PollScheduler } from './poll-scheduler.js';
import { commandContext, ruleContext, takeKey, TrustAnchors, type IosRuntime } from './runtime.js';
import { SqliteIosStateStore } from './sqlite-state-store.js';

/**
 * A simulated iOS device: a small event-driven state machine (DESIGN.md "agents/"), thousands per
 * process. Events move it: the user (enroll, add/remove an account, sync now, unenroll), a push
 * from the gateway (poll the server), a timer (the slow periodic check-in, so a lost push only
 * delays), the device becoming free after answering NotNow (Apple: it polls again on its own when
 * conditions change, notes/apple.md §2.4). One operation runs at a time (a Mutex); `isIdle()` is
 * true when nothing runs and nothing is due.
 *
 * With `stateDir`, everything lives in `<stateDir>/device.db` and a new object over the same
 * folder resumes the device (enrolled, same UDID, identity, accounts and push token).
 */

export interface IosDeviceOptions {
  /** Name the runners know the device by; default its UDID. */
  id?: string;
  /** Makes UDID, serial number, PushMagic, account ids and timer jitter repeatable. */
  seed?: string | number;
  /** Folder for a persistent device (one device per folder); absent: memory only. */
  stateDir?: string;
  /** Pin parts of the hardware of a new device (ignored when resuming). */
  hardware?: Partial<IosHardware>;
  /** PEM of the CA to trust for https before enrollment (the lab CA); the enrollment profile's roots are added. */
  caPem?: string;
  keyPool?: KeyPool;
  http?: HttpClient;
  /**
   * Lab mode: enroll with a server whose ServerURL / CheckInURL are http:// (an `mdmlab serve`
   * without TLS). Real iOS refuses them (com.apple.mdm.yaml: ServerURL must be https); default false.
   */
  allowHttp?: boolean;
  /** Push gateway URL; default ws(s)://<host of ServerURL>/push. */
  pushUrl?: string;
  /** Periodic check-in interval (±10 % jitter); default 4 h; 0 disables. */
  periodicCheckInMs?: number;
  /** Backoff of failed check-ins and push reconnects alike (default: check-ins 1 s doubling to 60 s, push 0.5 s to 30 s). */
  retry?: { initialMs?: number; maxMs?: number };
  /** How long enrollment waits for the push token (default 10 s). */
  pushTokenTimeoutMs?: number;
  /** Initial network state (default online). */
  online?: boolean;
  /** Parent logger; the device logs as a child with its deviceId. Default: silent. */
  logger?: Logger;
  now?: () => number;
}

const SILENT = pino({ level: 'silent' });
const FOUR_HOURS = 4 * 3600_000;
const IOS_RULE = rulesFor('ios');

export class IosDevice implements SimulatedDevice {
  readonly id: string;
  readonly platform = 'ios' as const;
  readonly #rt: IosRuntime;
  readonly #options: IosDeviceOptions;
  readonly #events = new EventEmitter();
  readonly #activity = new Activity();
  readonly #lock = new Mutex();
  #push: PushClient | undefined;
  #enrolled: EnrolledIdentity | undefined;
  #online: boolean;
  #busy = false;
  #stopped = false;
  #enrolling = false;
  readonly #polls: PollScheduler;

  /** Creates (or, over an existing state folder, resumes) a device. */
  static async create(options: IosDeviceOptions = {}): Promise<IosDevice> {
    const device = new IosDevice(options);
    device.#resume();
    return device;
  }

  private constructor(options: IosDeviceOptions) {
    this.#options = options;
    const state = options.stateDir ? new SqliteIosStateStore(options.stateDir) : new MemoryIosStateStore();
    const random = new SeededRandom(options.seed);
    let hardware = state.getHardware();
    if (!hardware) {
      hardware = generateHardware(random.fork('hardware'), options.hardware);
      state.setHardware(hardware);
    }
    this.id = options.id ?? hardware.udid;
    const http = options.http ?? sharedHttpClient();
    const trust = new TrustAnchors(options.caPem, state);
    const pool = options.keyPool ?? sharedKeyPool();
    this.#rt = {
      hardware,
      state,
      http,
      mdm: new MdmClient(http, () => trust.pem()),
      random,
      log: (options.logger ?? SILENT).child({ deviceId: this.id }),
      now: options.now ?? Date.now,
      trust,
      takeKey: (bits) => takeKey(pool, bits),
    };
    this.#online = options.online ?? true;
    this.#polls = new PollScheduler({
      activity: this.#activity,
      poll: () => this.#lock.lock(() => this.#session()),
      failed: (err, retryInMs) => this.#checkInFailed(err, retryInMs),
      gate: () => (this.#stopped || !this.#enrolled ? 'never' : this.#online ? 'now' : 'offline'),
      random: random.fork('polls'),
      log: this.#rt.log,
      periodicMs: options.periodicCheckInMs ?? FOUR_HOURS,
      retry: options.retry,
    });
    this.#activity.onIdle(() => this.#maybeIdle());
    this.#events.setMaxListeners(0); // every whenIdle() waiter is a listener
  }

  /** The signed Idle report this device would send now (undefined before enrollment): for load tools. */
  idleRequest(): SignedRequest | undefined {
    const e = this.#enrolled;
    return e && this.#rt.mdm.idleRequest(e.enrollment, e.signing, this.udid);
  }

  get hardwareId(): string {
    return this.udid;
  }

  get udid(): string {
    return this.#rt.hardware.udid;
  }
  get hardware(): IosHardware {
    return { ...this.#rt.hardware };
  }
  get pushToken(): string | undefined {
    return this.#rt.state.getPush().token;
  }
  isEnrolled(): boolean {
    return this.#enrolled !== undefined;
  }
  isOnline(): boolean {
    return this.#online;
  }
  isBusy(): boolean {
    return this.#busy;
  }
  isIdle(): boolean {
    return this.#activity.isIdle() && this.#push?.state !== 'connecting';
  }

  on<E extends keyof SimulatedDeviceEvents>(event: E, listener: (...args: SimulatedDeviceEvents[E]) => void): this {
    this.#events.on(event, listener as (...args: unknown[]) => void);
    return this;
  }
  off<E extends keyof SimulatedDeviceEvents>(event: E, listener: (...args: SimulatedDeviceEvents[E]) => void): this {
    this.#events.off(event, listener as (...args: unknown[]) => void);
    return this;
  }
  #emit<E extends keyof SimulatedDeviceEvents>(event: E, ...args: SimulatedDeviceEvents[E]): void {
    this.#events.emit(event, ...args);
  }

  whenIdle(timeoutMs: number): Promise<void> {
    if (this.isIdle()) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const onIdle = () => {
        if (!this.isIdle()) return;
        clearTimeout(timer);
        this.off('idle', onIdle);
        resolve();
      };
      const timer = setTimeout(() => {
        this.off('idle', onIdle);
        reject(new Error(`device ${this.id} not idle after ${timeoutMs} ms`));
      }, timeoutMs);
      this.on('idle', onIdle);
    });
  }

  /** Installs the enrollment profile at the ticket's `enrollUrl` (SCEP, Authenticate, push token, TokenUpdate), then polls once. */
  enroll(ticket: EnrollmentTicket | string): Promise<void> {
    const { enrollUrl } = ticketOf(ticket);
    return this.#exclusive(async () => {
      if (!enrollUrl) throw new IosDeviceError('enrollmentProfileRefused', 'an iOS device enrolls from an enrollment profile URL (enrollUrl)');
      if (this.#enrolled) throw new IosDeviceError('alreadyEnrolled', `device ${this.id} is already enrolled`);
      if (!this.#online) throw new IosDeviceError('offline', `device ${this.id} is offline`);
      const rt = this.#rt;
      this.#enrolling = true;
      let installed: EnrolledIdentity | undefined;
      try {
        installed = await installEnrollmentProfile(rt, enrollUrl, { pushUrl: this.#options.pushUrl, allowHttp: this.#options.allowHttp });
        const push = this.#startPush(installed, undefined);
        let token: string;
        try {
          token = await push.waitForToken(this.#options.pushTokenTimeoutMs ?? 10_000);
        } catch (err) {
          throw new IosDeviceError('pushUnavailable', `${(err as Error).message}`, { cause: err });
        }
        const pushMagic = rt.random.uuid();
        rt.state.setPush({ token, pushMagic });
        await sendTokenUpdate(rt, installed, token, pushMagic);
        this.#enrolled = installed;
      } catch (err) {
        if (installed) {
          this.#stopPush();
          forgetEnrollment(rt, installed);
        }
        throw err;
      } finally {
        this.#enrolling = false;
      }
      rt.log.info({ udid: this.udid, topic: installed.enrollment.topic }, 'enrolled');
      this.#polls.startPeriodic();
      this.#emit('enrolled');
      await this.#sessionReportingErrors();
    });
  }

  /** The user removes the MDM profile: managed profiles and accounts go, user accounts stay, CheckOut is sent. */
  unenroll(): Promise<void> {
    return this.#exclusive(async () => {
      const e = this.#enrolled;
      if (!e) throw new IosDeviceError('notEnrolled', `device ${this.id} is not enrolled`);
      this.#enrolled = undefined;
      this.#polls.cancel();
      const checkOutError = await removeManagement(this.#rt, e, { online: this.#online });
      this.#stopPush();
      if (checkOutError) {
        this.#rt.log.warn({ err: checkOutError }, 'CheckOut failed');
        this.#emit('backgroundError', checkOutError);
      }
      this.#emit('unenrolled');
    });
  }

  /** The user sets up an account by hand: refused (store unchanged) when it already exists, managed or not. */
  addAccount(request: UserAccountRequest): Promise<UserAddResult> {
    return this.#exclusive(async () => {
      const outcome = IOS_RULE.addUserAccount(await this.#rt.state.mail.list(), request, ruleContext(this.#rt));
      if (!isEmptyChange(outcome.change)) await this.#rt.state.mail.apply(outcome.change);
      return outcome;
    });
  }

  /** The user deletes an account by hand; an enrolled device then checks in (the company portal's nudge). */
  async removeAccount(ref: UserAccountRef): Promise<UserRemoveResult> {
    const outcome = await this.#exclusive(async () => {
      const result = removeUserAccount(await this.#rt.state.mail.list(), ref);
      if (!isEmptyChange(result.change)) await this.#rt.state.mail.apply(result.change);
      return result;
    });
    if (outcome.kind === 'removed' && this.#enrolled) {
      this.#polls.request('userRemovedAccount');
      await this.#polls.running;
    }
    return outcome;
  }

  /** The user asks to sync now: Idle, then every queued command. Offline: done when back online. */
  async checkIn(): Promise<void> {
    if (!this.#enrolled) throw new IosDeviceError('notEnrolled', `device ${this.id} is not enrolled`);
    if (!this.#online) {
      this.#polls.request('user');
      return;
    }
    await this.#exclusive(() => this.#session());
  }

  async setOnline(online: boolean): Promise<void> {
    if (online === this.#online || this.#stopped) return;
    this.#online = online;
    this.#push?.setOnline(online);
    if (online) this.#polls.backOnline();
    else this.#polls.wentOffline();
  }

  /** Busy (locked): profile commands are answered NotNow; when free again the device polls if it last said NotNow. */
  setBusy(busy: boolean): void {
    this.#busy = busy;
    if (!busy) this.#polls.freed();
  }

  mailAccounts(): Promise<MailAccount[]> {
    return this.#rt.state.mail.list();
  }
  /** The PayloadIdentifiers of the installed configuration profiles (the enrollment profile included). */
  async profileIdentifiers(): Promise<string[]> {
    return this.#rt.state.listProfiles().map((p) => p.identifier);
  }
  async managedProfileIds(): Promise<string[]> {
    return this.#rt.state.listProfiles().flatMap((p) => profileIdFromIdentifier(p.identifier) ?? []);
  }
  /** iOS names a managed account by its configuration profile's PayloadIdentifier (`com.mdmlab.email.<id>`). */
  profileIdOf(account: MailAccount): string | undefined {
    return account.managed && account.managedBy ? (profileIdFromIdentifier(account.managedBy) ?? account.managedBy) : undefined;
  }
  installedProfiles(): InstalledProfile[] {
    return this.#rt.state.listProfiles();
  }
  certificates(): DeviceCertificate[] {
    return this.#rt.state.listCertificates();
  }

  async stop(): Promise<void> {
    if (this.#stopped) return;
    this.#stopped = true;
    this.#polls.cancel();
    this.#stopPush();
    await this.#lock.lock(async () => {}); // the running operation ends; sessions see #stopped
    await this.#polls.running;
    this.#rt.state.close();
  }

  // --- internals -------------------------------------------------------------------------

  #exclusive<T>(work: () => Promise<T>): Promise<T> {
    if (this.#stopped) return Promise.reject(new IosDeviceError('stopped', `device ${this.id} is stopped`));
    return this.#activity.run(() => this.#lock.lock(work));
  }

  #resume(): void {
    const enrolled = loadEnrolledIdentity(this.#rt);
    if (!enrolled) return;
    this.#enrolled = enrolled;
    this.#startPush(enrolled, this.#rt.state.getPush().token);
    this.#polls.startPeriodic();
    this.#rt.log.info({ udid: this.udid }, 'resumed enrolled');
  }

  #startPush(e: EnrolledIdentity, token: string | undefined): PushClient {
    this.#stopPush();
    this.#push = connectDevicePush(this.#rt, e, { token, online: this.#online, backoff: this.#options.retry }, {
      wake: () => {
        if (this.#enrolled === e) this.#polls.request('push');
      },
      tokenChanged: (newToken) => {
        if (this.#enrolling || this.#enrolled !== e) return; // enrollment sends its own TokenUpdate
        // Apple: TokenUpdate whenever the token changes (notes §2.3).
        const push = { ...this.#rt.state.getPush(), token: newToken };
        this.#rt.state.setPush(push);
        this.#background(() => this.#lock.lock(() => sendTokenUpdate(this.#rt, e, newToken, push.pushMagic ?? this.#rt.random.uuid())));
      },
      stateChanged: () => this.#maybeIdle(),
    });
    return this.#push;
  }

  #stopPush(): void {
    this.#push?.close();
    this.#push?.removeAllListeners();
    this.#push = undefined;
  }

  /** One exchange with the server. Must run under the lock. */
  async #session(): Promise<void> {
    const e = this.#enrolled;
    if (!e || this.#stopped || !this.#online) return;
    try {
      const result = await runSession(this.#rt, e, commandContext(this.#rt, e, () => this.#busy), {
        shouldContinue: () => this.#online && !this.#stopped && this.#enrolled === e,
        onHandled: (r) => {
          const profileId = r.profileIdentifier ? profileIdFromIdentifier(r.profileIdentifier) : undefined;
          const action = r.requestType === 'InstallProfile' ? 'install' : r.requestType === 'RemoveProfile' ? 'remove' : undefined;
          this.#emit('commandHandled', {
            requestType: r.requestType,
            status: r.report.Status,
            outcome: r.report.Status === 'Acknowledged' ? 'success' : r.report.Status === 'NotNow' ? 'deferred' : 'failure',
            ...(action ? { profileAction: action } : {}),
            ...(r.report.CommandUUID ? { commandId: r.report.CommandUUID } : {}),
            ...(profileId ? { profileId } : {}),
            ...(r.detail ? { detail: r.detail } : {}),
          });
        },
      });
      if (!result.completed) {
        if (this.#enrolled === e && !this.#stopped) this.#polls.interrupted();
      } else {
        this.#polls.completed(result.lastStatus, this.#busy);
      }
    } finally {
      this.#rt.trust.invalidate();
    }
  }

  /** The exchange that ends enrollment: a failure is reported, and retried when the server was unreachable. */
  async #sessionReportingErrors(): Promise<void> {
    try {
      await this.#session();
    } catch (err) {
      this.#polls.pollFailed(err);
    }
  }

  #checkInFailed(err: unknown, retryInMs: number | undefined): void {
    if (retryInMs === undefined) this.#rt.log.warn({ err }, 'check-in failed');
    else this.#rt.log.info({ err, retryInMs }, 'check-in failed; retrying');
    this.#emit('backgroundError', err as Error);
  }

  #background(work: () => Promise<unknown>): void {
    this.#activity.run(work).catch((err: Error) => {
      this.#rt.log.warn({ err }, 'background work failed');
      this.#emit('backgroundError', err);
    });
  }

  #maybeIdle(): void {
    if (this.isIdle()) this.#emit('idle');
  }
}
