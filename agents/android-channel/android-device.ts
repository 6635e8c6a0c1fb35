import { pino, type Logger } from 'pino';
import type { DeviceReport } from '../../protocol/android/amapi/device.js';
import type { NonComplianceDetail } from '../../protocol/android/amapi/device-parts.js';
import type { ManagementMode, Ownership } from '../../protocol/android/amapi/enums.js';
import { decodePolicy, type Policy } from '../../protocol/android/amapi/policy.js';
import { ANDROID_PUSH_TOPIC, isPolicyChangedPush } from '../../protocol/android/channel.js';
import type { DeviceErrorCode } from '../core/device-error.js';
import { ShellDevice } from '../core/device-shell.js';
import type { MailAccount } from '../core/mail-account.js';
import type { MailAccountStore } from '../core/mail-store.js';
import type { RuleContext } from '../core/rule-outcomes.js';
import { ticketOf, type CommandHandledEvent, type EnrollmentTicket } from '../device.js';
import { sharedKeyPool, type KeyPool } from '../identity/key-pool.js';
import { PushClient } from '../push/push-client.js';
import type { SeededRandom } from '../random/seeded-random.js';
import { sharedHttpClient, type HttpClient } from '../transport/http.js';
import { AndroidDeviceError } from './android-errors.js';
import type { AndroidHardware, AndroidIdentity, AndroidStateStore } from './android-state.js';
import { applicationReports, monotonicClock, nextAppStates, type AccountStateNow } from './app-states.js';
import { ChannelClient, type ChannelCredentials } from './channel-client.js';
import { androidPushUrl, credentialsOf, readTicket, registerDevice } from './enrollment.js';
import { installPolicyCertificates, type KeystoreResult } from './keystore.js';

/** What every simulated Android device is created with (the platform adds its own). */
export interface AndroidDeviceOptions {
  /** Name the runners know the device by; default its serial number. */
  id?: string;
  /** Makes the serial number, account ids and timer jitter repeatable. */
  seed?: string | number;
  /** Folder for a persistent device (one device per folder); absent: memory only. */
  stateDir?: string;
  /** The server this device was set up for: a QR code naming another is refused. */
  serverUrl?: string;
  /** PEM of the CA to trust for https before registration (the lab CA). */
  caPem?: string;
  keyPool?: KeyPool;
  http?: HttpClient;
  /** Push gateway URL; default ws(s)://<host of the server URL>/push. */
  pushUrl?: string;
  /** The DPC's own sync timer (±10 % jitter); default 15 min (AMAPI's default status reporting period is not public: a lab choice); 0 disables. */
  periodicSyncMs?: number;
  retry?: { initialMs?: number; maxMs?: number };
  /** How long enrollment waits for the push token before registering without one (default 10 s). */
  pushTokenTimeoutMs?: number;
  online?: boolean;
  /** Pin parts of the hardware of a new device (ignored when resuming). */
  hardware?: Partial<AndroidHardware>;
  logger?: Logger;
  now?: () => number;
}

/** What applying a policy produced, for the status report. */
export interface PolicyApplication {
  nonCompliance: NonComplianceDetail[];
  states: AccountStateNow[];
  /** Packages to list in applicationReports besides those with states (the DPC, installed mail apps). */
  installedPackages: string[];
  events: CommandHandledEvent[];
}

const SILENT = pino({ level: 'silent' });
const FIFTEEN_MINUTES = 15 * 60_000;

/**
 * The part of a simulated Android device that is the same for Samsung Knox and Android for Work:
 * the DPC's channel with mdmlab (protocol/android; the Android Management API's resource shapes,
 * served by mdmlab). Enrollment from the enrollment token's QR payload, registration with a
 * PKCS#10 and the device's facts; then each sync pulls the policy with If-None-Match, applies it
 * (the platform's part: `applyPolicy`, also when the server answered 304 — a DPC enforces the policy
 * it holds at every sync), and reports in AMAPI's Device shape when the report says something new.
 * Wake-ups come as FCM-like data messages on mdmlab's push gateway (the token is registered in the
 * device's facts and reports, `mdmlab.pushToken`), and the shell's timer syncs on its own, so a
 * lost push only delays. Unenrolling reports the device DELETED, as AMAPI's device does when its
 * work profile or management goes, then drops the managed part.
 */
export abstract class AndroidDevice extends ShellDevice {
  protected readonly state: AndroidStateStore;
  protected readonly random: SeededRandom;
  protected readonly now: () => number;
  readonly #options: AndroidDeviceOptions;
  readonly #channel: ChannelClient;
  readonly #pool: KeyPool;
  readonly #hardware: AndroidHardware;
  #credentials: ChannelCredentials | undefined;
  #enrolling = false;

  abstract readonly managementMode: ManagementMode;
  abstract readonly ownership: Ownership;

  protected constructor(options: AndroidDeviceOptions, state: AndroidStateStore, random: SeededRandom, hardware: AndroidHardware) {
    const id = options.id ?? hardware.serial;
    const log = (options.logger ?? SILENT).child({ deviceId: id });
    super({ id, log, random, periodicMs: options.periodicSyncMs ?? FIFTEEN_MINUTES, retry: options.retry, online: options.online });
    this.#options = options;
    this.state = state;
    this.random = random;
    this.now = options.now ?? Date.now;
    this.#channel = new ChannelClient(options.http ?? sharedHttpClient(), this.now);
    this.#pool = options.keyPool ?? sharedKeyPool();
    this.#hardware = hardware;
  }

  // --- what each Android platform brings ---------------------------------------------------

  /** Applies the policy to the device's stores; never throws for what the policy holds (problems are reported). */
  protected abstract applyPolicy(policy: Policy, keystore: KeystoreResult): Promise<PolicyApplication>;
  /** Management goes: the managed part of the device (accounts, work profile) is removed. */
  protected abstract dropManagedPart(): Promise<void>;

  // --- SimulatedDevice ---------------------------------------------------------------------

  get hardwareId(): string {
    return this.hardware.serial;
  }
  get hardware(): AndroidHardware {
    return { ...this.#hardware };
  }
  get identity(): AndroidIdentity | undefined {
    return this.state.getIdentity();
  }
  get pushToken(): string | undefined {
    return this.state.getPushToken();
  }
  isEnrolled(): boolean {
    return this.#credentials !== undefined;
  }
  mailAccounts(): Promise<MailAccount[]> {
    return this.state.mail.list();
  }

  /** Scans the QR code of the ticket, registers, and syncs once. */
  enroll(ticket: EnrollmentTicket | string): Promise<void> {
    return this.exclusive(async () => {
      if (this.#credentials) throw new AndroidDeviceError('alreadyEnrolled', `device ${this.id} is already enrolled`);
      const qr = readTicket(ticketOf(ticket), this.#options.serverUrl);
      if (!this.isOnline()) throw new AndroidDeviceError('offline', `device ${this.id} is offline`);
      this.#enrolling = true;
      try {
        const push = this.#startPush(androidPushUrl(qr.serverUrl, this.#options.pushUrl), undefined);
        // FCM hands out its registration token asynchronously and a DPC does not wait for it to enroll:
        // without one in time the device registers without it, syncs on its timer, and reports the
        // token when the gateway gives it (the token handler below).
        const token = await push.waitForToken(this.#options.pushTokenTimeoutMs ?? 10_000).catch((err: Error) => {
          this.log.warn({ err }, 'no push token yet: registering without one');
          return undefined;
        });
        this.state.setPushToken(token);
        const key = await this.#pool.takeOne();
        const identity = await registerDevice(this.#channel, qr, key, this.facts(), this.#options.caPem);
        this.state.setIdentity(identity);
        this.#credentials = credentialsOf(identity);
        // A token that came while registering: the first report carries it.
        if (token === undefined && push.token !== undefined) this.state.setPushToken(push.token);
      } catch (err) {
        this.detachPush();
        this.state.setPushToken(undefined);
        throw err;
      } finally {
        this.#enrolling = false;
      }
      this.log.info({ serial: this.hardwareId }, 'enrolled');
      this.polls.startPeriodic();
      this.emit('enrolled');
      await this.sessionReportingErrors();
    });
  }

  /** The user removes the work profile / device administration: reported as DELETED, then the managed part goes. */
  unenroll(): Promise<void> {
    return this.exclusive(async () => {
      const credentials = this.#credentials;
      const identity = this.state.getIdentity();
      if (!credentials || !identity) throw new AndroidDeviceError('notEnrolled', `device ${this.id} is not enrolled`);
      this.#credentials = undefined;
      this.polls.cancel();
      let farewell: unknown;
      if (this.isOnline()) {
        try {
          await this.#channel.report(credentials, { ...this.#reportBase(identity), state: 'DELETED', appliedState: 'DELETED' });
        } catch (err) {
          farewell = err;
        }
      }
      await this.dropManagedPart();
      this.state.setIdentity(undefined);
      this.state.setPolicy(undefined);
      this.state.setKeystore([]);
      this.state.setAppStates([]);
      this.state.setLastReport(undefined);
      this.state.setPushToken(undefined);
      this.detachPush();
      this.#channel.close();
      if (farewell) {
        this.log.warn({ err: farewell }, 'the DELETED report did not reach the server');
        this.emit('backgroundError', farewell as Error);
      }
      this.emit('unenrolled');
    });
  }

  // --- the shell's hooks -------------------------------------------------------------------

  protected mailStore(): MailAccountStore {
    return this.state.mail;
  }
  protected ruleContext(): RuleContext {
    return { newId: () => `acct-${this.state.nextSequence('account')}`, now: this.now() };
  }
  protected closeState(): void {
    this.#channel.close();
    this.state.close();
  }
  protected override deviceError(code: DeviceErrorCode, message: string): Error {
    return new AndroidDeviceError(code, message);
  }

  /** One sync: pull the policy (304 when unchanged), apply what the device holds, report what is new. */
  protected async session(): Promise<void> {
    const credentials = this.#credentials;
    const identity = this.state.getIdentity();
    if (!credentials || !identity || this.stopped || !this.isOnline()) return;
    const held = this.state.getPolicy();
    const answer = await this.#channel.fetchPolicy(credentials, held?.etag);
    let policy: Policy;
    let fresh = false;
    if (answer.kind === 'policy') {
      policy = answer.policy;
      fresh = held?.version !== policy.version;
      this.state.setPolicy({ etag: answer.etag, version: policy.version, body: answer.body });
    } else {
      const decoded = held ? decodePolicy(held.body) : undefined;
      if (!decoded?.ok) {
        // Nothing usable held for the ETag the server matched: fetch the document again.
        this.state.setPolicy(undefined);
        return this.session();
      }
      policy = decoded.value;
    }
    if (this.#credentials !== credentials) return; // unenrolled meanwhile
    const keystore = installPolicyCertificates(this.state.getKeystore(), policy.mdmlab);
    this.state.setKeystore(keystore.entries);
    const applied = await this.applyPolicy(policy, keystore);
    const heldStates = this.state.getAppStates();
    const clock = monotonicClock(this.now, () => heldStates.map((s) => s.lastUpdateTime).sort().at(-1));
    const states = nextAppStates(heldStates, applied.states, clock);
    this.state.setAppStates(states);
    const report: DeviceReport = {
      ...this.#reportBase(identity),
      appliedPolicyName: identity.policyName,
      appliedPolicyVersion: policy.version,
      appliedState: 'ACTIVE',
      state: 'ACTIVE',
      policyCompliant: applied.nonCompliance.length === 0,
      ...(applied.nonCompliance.length > 0 ? { nonComplianceDetails: applied.nonCompliance } : {}),
      applicationReports: applicationReports(applied.installedPackages, states),
    };
    const text = JSON.stringify(report);
    if (fresh || text !== this.state.getLastReport()) {
      const at = new Date(this.now()).toISOString();
      await this.#channel.report(credentials, { ...report, lastPolicySyncTime: at, lastStatusReportTime: at });
      this.state.setLastReport(text);
    }
    for (const e of applied.events) this.emit('commandHandled', e);
    this.polls.completed(false, this.isBusy());
  }

  /** The device's facts as registration and every report carry them. */
  protected facts(): DeviceReport {
    const h = this.hardware;
    const token = this.state.getPushToken();
    const knox = h.knoxVersion !== undefined ? { knoxVersion: h.knoxVersion, ...(h.knoxApiLevel !== undefined ? { knoxApiLevel: h.knoxApiLevel } : {}) } : {};
    return {
      managementMode: this.managementMode,
      ownership: this.ownership,
      apiLevel: h.apiLevel,
      hardwareInfo: { brand: h.brand, manufacturer: h.manufacturer, model: h.model, serialNumber: h.serial },
      softwareInfo: { androidVersion: h.androidVersion },
      ...(token !== undefined || h.knoxVersion !== undefined ? { mdmlab: { ...knox, ...(token !== undefined ? { pushToken: token } : {}) } } : {}),
    };
  }

  /** Picks the state up again over a state folder of an enrolled device. */
  protected resume(): void {
    const identity = this.state.getIdentity();
    if (!identity) return;
    this.#credentials = credentialsOf(identity);
    this.#startPush(androidPushUrl(identity.serverUrl, this.#options.pushUrl), this.state.getPushToken());
    this.polls.startPeriodic();
    this.log.info({ serial: this.hardwareId }, 'resumed enrolled');
  }

  // --- internals -------------------------------------------------------------------------

  #reportBase(identity: AndroidIdentity): DeviceReport {
    return { ...this.facts(), name: identity.deviceName };
  }

  #startPush(url: string, token: string | undefined): PushClient {
    const caPem = this.state.getIdentity()?.caPem ?? this.#options.caPem;
    const push = new PushClient({
      url,
      ...(token ? { token } : {}),
      ...(caPem ? { caPem } : {}),
      ...(this.#options.retry?.initialMs !== undefined ? { initialBackoffMs: this.#options.retry.initialMs } : {}),
      ...(this.#options.retry?.maxMs !== undefined ? { maxBackoffMs: this.#options.retry.maxMs } : {}),
      random: this.random.fork('push'),
    });
    push.on('notification', (topic, payload) => {
      if (!isPolicyChangedPush(topic, payload)) {
        this.log.debug({ topic }, `push ignored: not a policy change for ${ANDROID_PUSH_TOPIC}`);
        return;
      }
      if (this.#credentials) this.polls.request('push');
    });
    push.on('token', (newToken, changed) => {
      if (this.#enrolling || !this.#credentials || (!changed && this.state.getPushToken() === newToken)) return;
      // FCM: a new registration token goes to the server at once (FirebaseMessagingService.onNewToken);
      // here it travels in the next report, which a changed token makes differ from the last one.
      this.state.setPushToken(newToken);
      this.polls.request('pushTokenChanged');
    });
    push.on('connectionError', (err) => this.log.debug({ err }, 'push connection error'));
    this.attachPush(push);
    return push;
  }
}
