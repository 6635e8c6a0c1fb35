import type { DevicePlatform, MailAccount, UserAccountRef, UserAccountRequest, WorkApp } from './core/mail-account.js';
import type { UserAddResult, UserRemoveResult } from './core/rule-outcomes.js';

/**
 * What the scenario runner and the fleet runner see of a simulated device, whatever its platform
 * (docs/scenarios.md, "Steps": enroll, unenroll, user addAccount / removeAccount / installApp / checkIn,
 * offline / online, settle, expect mailAccounts). Each platform agent (agents/ios, later
 * agents/windows, agents/knox, agents/android) implements it over its own protocol.
 *
 * Devices are event driven, not threads: every method returns once the device has done what a
 * person would wait for (an enrollment, a sync), and background work (a push that makes the
 * device poll) is visible through `isIdle()` / `whenIdle()` and the events.
 */
export interface SimulatedDevice {
  /** The name the runner knows the device by (scenario `devices[].id`, or a generated one). */
  readonly id: string;
  readonly platform: DevicePlatform;
  /** The platform's own identifier the server knows it by (Apple UDID, Windows DeviceID, Android id). */
  readonly hardwareId: string;

  /**
   * Enrolls with the server and picks up what the server queued. Rejects with a typed error. The
   * ticket is the admin API's enrollment-token answer (or its equivalent for another server); a
   * string is an iOS enrollment URL.
   */
  enroll(ticket: EnrollmentTicket | string): Promise<void>;
  /** The user removes management: managed profiles and their accounts go, user accounts stay. */
  unenroll(): Promise<void>;
  isEnrolled(): boolean;

  /** The user sets up an account by hand; the platform rule decides (agents/core/platform-rules.ts). */
  addAccount(request: UserAccountRequest): Promise<UserAddResult>;
  /** The user deletes an account by hand; an enrolled device then syncs (company portal behaviour). */
  removeAccount(ref: UserAccountRef): Promise<UserRemoveResult>;
  /** androidForWork: an app arrives in the work profile. Absent on platforms without apps. */
  installApp?(app: WorkApp): Promise<void>;
  /** The user asks the device to sync now; resolves when the exchange with the server is over. */
  checkIn(): Promise<void>;

  /** Offline: no push, no check-ins. Online again: reconnects, and a held push makes it sync. */
  setOnline(online: boolean): Promise<void>;
  isOnline(): boolean;

  /** No request in flight and nothing due to run now. */
  isIdle(): boolean;
  /** Resolves when idle; rejects after `timeoutMs`. */
  whenIdle(timeoutMs: number): Promise<void>;

  /** The device's whole local mail store. */
  mailAccounts(): Promise<MailAccount[]>;
  /**
   * The server's ids of the email profiles the device holds (from its own store), when the platform
   * can tell: what the scenario runner cross-checks against the server's report.
   */
  managedProfileIds?(): Promise<string[]>;
  /** The server's id of the profile that manages `account` (each platform names its managed accounts its own way). */
  profileIdOf(account: MailAccount): string | undefined;
  /**
   * The server's report of this device (the admin API's `GET /devices/{id}`), for a platform whose
   * device cannot tell by itself which server profile a managed account belongs to (Windows: the
   * ActiveSync account GUID is the server's choice and the protocol never names the profile). The
   * runners hand it over before they compare the device's store with the server's report.
   */
  learnFromServer?(report: Record<string, unknown>): void;

  on<E extends keyof SimulatedDeviceEvents>(event: E, listener: (...args: SimulatedDeviceEvents[E]) => void): this;
  off<E extends keyof SimulatedDeviceEvents>(event: E, listener: (...args: SimulatedDeviceEvents[E]) => void): this;

  /** Disconnects, cancels timers and closes local storage; the object is unusable afterwards. */
  stop(): Promise<void>;
}

/**
 * What a device needs to enroll: the fields of the admin API's enrollment-token answer its platform
 * uses (iOS `enrollUrl`; Windows `discoveryUrl`, `upn` and the token as password; Android `qrCode`),
 * or the same given by an operator for a server that is not mdmlab's.
 */
export interface EnrollmentTicket {
  /** The one-time enrollment secret (Windows: the password of the on-premise authentication). */
  token?: string;
  /** iOS: where the enrollment profile is downloaded. */
  enrollUrl?: string;
  /** iOS: the enrollment profile itself (a .mobileconfig an operator saved), instead of `enrollUrl`. */
  enrollmentProfile?: Buffer;
  /** Windows: the MS-MDE2 discovery endpoint and the user who enrolls. */
  discoveryUrl?: string;
  upn?: string;
  /** Android: the QR provisioning payload (JSON text). */
  qrCode?: string;
}

export const ticketOf = (ticket: EnrollmentTicket | string): EnrollmentTicket => (typeof ticket === 'string' ? { enrollUrl: ticket } : ticket);

/** What an answer means, whatever the platform said (the fleet counts these). */
export type CommandOutcome = 'success' | 'failure' | 'deferred';

/** A command (Apple) or a management operation (OMA-DM, Android policy) the device answered. */
export interface CommandHandledEvent {
  /** Platform vocabulary: `InstallProfile`, `RemoveProfile`, `ProfileList`, an OMA-DM verb, … */
  requestType: string;
  /** Platform vocabulary: Apple `Acknowledged` | `Error` | `NotNow` | `CommandFormatError`; a SyncML status code; … */
  status: string;
  /** The same in neutral words: done, refused or failed, or put off (Apple NotNow). */
  outcome: CommandOutcome;
  /** Whether the answer concerned installing or removing a profile, when it did. */
  profileAction?: 'install' | 'remove';
  commandId?: string;
  /** The server's id of the profile concerned, when there is one. */
  profileId?: string;
  /** Human-readable reason of a non-success status. */
  detail?: string;
}

export interface SimulatedDeviceEvents {
  /** The device has nothing running or due (after having had something). */
  idle: [];
  commandHandled: [event: CommandHandledEvent];
  enrolled: [];
  unenrolled: [];
  /** Background work (a push-triggered poll, a periodic check-in) failed; the device carries on. */
  backgroundError: [error: Error];
}
