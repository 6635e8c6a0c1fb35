import { pino, type Logger } from 'pino';
import { profileIdFromIdentifier } from '../../protocol/apple/email-profile.js';
import type { DeviceErrorCode } from '../core/device-error.js';
import { ShellDevice } from '../core/device-shell.js';
import type { MailAccount } from '../core/mail-account.js';
import type { MailAccountStore } from '../core/mail-store.js';
import type { RuleContext } from '../core/rule-outcomes.js';
import { ticketOf, type EnrollmentTicket } from '../device.js';
import { KeyPool, sharedKeyPool } from '../identity/key-pool.js';
import { SeededRandom } from '../random/seeded-random.js';
import { sharedHttpClient, type HttpClient } from '../transport/http.js';
import { MemoryIosStateStore, type DeviceCertificate, type EnrolledIdentity, type InstalledProfile, type IosStateStore } from './device-state.js';
import type { PushClient } from '../push/push-client.js';
import { forgetEnrollment, installEnrollmentProfile, loadEnrolledIdentity, removeManagement, sendTokenUpdate } from './enrollment-flow.js';
import { IosDeviceError } from './errors.js';
import { generateHardware, type IosHardware } from './hardware.js';
import { connectDevicePush } from './device-push.js';
import { MdmClient, type SignedRequest } from './mdm-client.js';
import { runSession } from './mdm-session.js';
import { commandContext, ruleContext, takeKey, TrustAnchors, type IosRuntime } from './runtime.js';
import { SqliteIosStateStore } from './sqlite-state-store.js';

/**
 * A simulated iOS device, on the shared device shell (agents/core/device-shell.ts: events, idle
 * tracking, one operation at a time, online/offline, when to poll). What is iOS here: enrollment by
 * an enrollment profile (SCEP, Authenticate, TokenUpdate), the signed check-in and command loop,
 * profile installation with iOS's semantics and error chains, APNs-style pushes carrying PushMagic,
 * NotNow while busy (Apple: the device polls again on its own when conditions change), the slow
 * periodic check-in (4 h by default) so a lost push only delays.
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

export class IosDevice extends ShellDevice {
  readonly platform = 'ios' as const;
  readonly #rt: IosRuntime;
  readonly #options: IosDeviceOptions;
  #enrolled: EnrolledIdentity | undefined;
  #enrolling = false;

  /** Creates (or, over an existing state folder, resumes) a device. */
  static async create(options: IosDeviceOptions = {}): Promise<IosDevice> {
    const state = options.stateDir ? new SqliteIosStateStore(options.stateDir) : new MemoryIosStateStore();
    const random = new SeededRandom(options.seed);
    let hardware = state.getHardware();
    if (!hardware) {
      hardware = generateHardware(random.fork('hardware'), options.hardware);
      state.setHardware(hardware);
    }
    const device = new IosDevice(options, state, random, hardware);
    device.#resume();
    return device;
  }

  private constructor(options: IosDeviceOptions, state: IosStateStore, random: SeededRandom, hardware: IosHardware) {
    const id = options.id ?? hardware.udid;
    const log = (options.logger ?? SILENT).child({ deviceId: id });
    super({ id, log, random, periodicMs: options.periodicCheckInMs ?? FOUR_HOURS, retry: options.retry, online: options.online });
    this.#options = options;
    const http = options.http ?? sharedHttpClient();
    const trust = new TrustAnchors(options.caPem, state);
    const pool = options.keyPool ?? sharedKeyPool();
    this.#rt = {
      hardware,
      state,
      http,
      mdm: new MdmClient(http, () => trust.pem()),
      random,
      log,
      now: options.now ?? Date.now,
      trust,
      takeKey: (bits) => takeKey(pool, bits),
    };
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

  /** Installs the enrollment profile at the ticket's `enrollUrl` (SCEP, Authenticate, push token, TokenUpdate), then polls once. */
  enroll(ticket: EnrollmentTicket | string): Promise<void> {
    const { enrollUrl } = ticketOf(ticket);
    return this.exclusive(async () => {
      if (!enrollUrl) throw new IosDeviceError('enrollmentProfileRefused', 'an iOS device enrolls from an enrollment profile URL (enrollUrl)');
      if (this.#enrolled) throw new IosDeviceError('alreadyEnrolled', `device ${this.id} is already enrolled`);
      if (!this.isOnline()) throw new IosDeviceError('offline', `device ${this.id} is offline`);
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
          this.detachPush();
          forgetEnrollment(rt, installed);
        }
        throw err;
      } finally {
        this.#enrolling = false;
      }
      rt.log.info({ udid: this.udid, topic: installed.enrollment.topic }, 'enrolled');
      this.polls.startPeriodic();
      this.emit('enrolled');
      await this.sessionReportingErrors();
    });
  }

  /** The user removes the MDM profile: managed profiles and accounts go, user accounts stay, CheckOut is sent. */
  unenroll(): Promise<void> {
    return this.exclusive(async () => {
      const e = this.#enrolled;
      if (!e) throw new IosDeviceError('notEnrolled', `device ${this.id} is not enrolled`);
      this.#enrolled = undefined;
      this.polls.cancel();
      const checkOutError = await removeManagement(this.#rt, e, { online: this.isOnline() });
      this.detachPush();
      if (checkOutError) {
        this.#rt.log.warn({ err: checkOutError }, 'CheckOut failed');
        this.emit('backgroundError', checkOutError);
      }
      this.emit('unenrolled');
    });
  }

  mailAccounts(): Promise<MailAccount[]> {
    return this.#rt.state.mail.list();
  }
  /** The PayloadIdentifiers of the installed configuration profiles (the enrollment profile included). */
  async profileIdentifiers(): Promise<string[]> {
    return this.#rt.state.listProfiles().map((p) => p.identifier);
  }
  override async managedProfileIds(): Promise<string[]> {
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

  // --- the shell's hooks -------------------------------------------------------------------

  protected mailStore(): MailAccountStore {
    return this.#rt.state.mail;
  }
  protected ruleContext(): RuleContext {
    return ruleContext(this.#rt);
  }
  protected closeState(): void {
    this.#rt.state.close();
  }
  protected override deviceError(code: DeviceErrorCode, message: string): Error {
    return new IosDeviceError(code === 'badTicket' || code === 'enrollmentRefused' ? 'enrollmentProfileRefused' : code, message);
  }

  /** One check-in with the server: Idle, then every command it hands out. Runs under the lock. */
  protected async session(): Promise<void> {
    const e = this.#enrolled;
    if (!e || this.stopped || !this.isOnline()) return;
    try {
      const result = await runSession(this.#rt, e, commandContext(this.#rt, e, () => this.isBusy()), {
        shouldContinue: () => this.isOnline() && !this.stopped && this.#enrolled === e,
        onHandled: (r) => {
          const profileId = r.profileIdentifier ? profileIdFromIdentifier(r.profileIdentifier) : undefined;
          const action = r.requestType === 'InstallProfile' ? 'install' : r.requestType === 'RemoveProfile' ? 'remove' : undefined;
          this.emit('commandHandled', {
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
        if (this.#enrolled === e && !this.stopped) this.polls.interrupted();
      } else {
        this.polls.completed(result.lastStatus === 'NotNow', this.isBusy());
      }
    } finally {
      this.#rt.trust.invalidate();
    }
  }

  // --- internals -------------------------------------------------------------------------

  #resume(): void {
    const enrolled = loadEnrolledIdentity(this.#rt);
    if (!enrolled) return;
    this.#enrolled = enrolled;
    this.#startPush(enrolled, this.#rt.state.getPush().token);
    this.polls.startPeriodic();
    this.#rt.log.info({ udid: this.udid }, 'resumed enrolled');
  }

  #startPush(e: EnrolledIdentity, token: string | undefined): PushClient {
    const push = connectDevicePush(this.#rt, e, { token, backoff: this.#options.retry }, {
      wake: () => {
        if (this.#enrolled === e) this.polls.request('push');
      },
      tokenChanged: (newToken) => {
        if (this.#enrolling || this.#enrolled !== e) return; // enrollment sends its own TokenUpdate
        // Apple: TokenUpdate whenever the token changes ("Check-in", TokenUpdate).
        const state = { ...this.#rt.state.getPush(), token: newToken };
        this.#rt.state.setPush(state);
        this.background(() => this.lock.lock(() => sendTokenUpdate(this.#rt, e, newToken, state.pushMagic ?? this.#rt.random.uuid())));
      },
    });
    this.attachPush(push);
    return push;
  }
}
