import type {
  AndroidDeviceRecord,
  AndroidKeyPairRecord,
  ManagedAppDeployment,
  AppleDeviceRecord,
  CommandHistoryRecord,
  CommandRecord,
  EnrollmentTokenRecord,
  IssuedCertificateRecord,
  ScepChallengeRecord,
  AlertKind,
  AlertRecord,
  CertificateProfileRecord,
  DeviceRecord,
  EmailProfileRecord,
  GroupMember,
  GroupRecord,
  ProfileState,
  ProfileStateRecord,
  UserRecord,
  WindowsAccountRecord,
  WindowsDeviceRecord,
  WindowsSentCommandRecord,
  WindowsSessionRecord,
} from './records.js';
import type { DevicePlatform } from '../../protocol/admin/platforms.js';
import type { ManagedEmailApp } from '../../protocol/android/apps.js';

/**
 * The storage port (Lucia's adapter shape): one async interface that every driver implements
 * and one contract suite (test/server/store/store.contract.ts) that every driver must pass.
 * Services depend on this file only, never on a driver. Unique-key clashes surface as
 * `StoreConflict` so services can turn them into 409s without knowing the database.
 */

export class StoreConflict extends Error {
  constructor(readonly constraint: string) {
    super(`unique constraint ${constraint}`);
    this.name = 'StoreConflict';
  }
}

export interface UserRepository {
  insert(user: UserRecord): Promise<void>;
  get(id: string): Promise<UserRecord | undefined>;
  getByUpn(upn: string): Promise<UserRecord | undefined>;
  list(): Promise<UserRecord[]>;
  update(user: UserRecord): Promise<void>;
  delete(id: string): Promise<boolean>;
}

export interface GroupRepository {
  insert(group: GroupRecord): Promise<void>;
  get(id: string): Promise<GroupRecord | undefined>;
  getByName(name: string): Promise<GroupRecord | undefined>;
  list(): Promise<GroupRecord[]>;
  update(group: GroupRecord): Promise<void>;
  /** Deletes the group with its memberships and deployment targets. */
  delete(id: string): Promise<boolean>;
  addMembers(groupId: string, members: readonly GroupMember[]): Promise<void>;
  removeMembers(groupId: string, members: readonly GroupMember[]): Promise<number>;
  members(groupId: string): Promise<GroupMember[]>;
  /** Groups holding the device directly or through its user. */
  groupsOfDevice(deviceId: string, userId: string | undefined): Promise<string[]>;
  /** Enrolled devices that are in any of the groups, directly or through their user. */
  devicesInGroups(groupIds: readonly string[]): Promise<string[]>;
}

export interface CertificateProfileRepository {
  insert(profile: CertificateProfileRecord): Promise<void>;
  get(id: string): Promise<CertificateProfileRecord | undefined>;
  list(): Promise<CertificateProfileRecord[]>;
  delete(id: string): Promise<boolean>;
}

export interface EmailProfileRepository {
  insert(profile: EmailProfileRecord): Promise<void>;
  get(id: string): Promise<EmailProfileRecord | undefined>;
  list(): Promise<EmailProfileRecord[]>;
  update(profile: EmailProfileRecord): Promise<void>;
  delete(id: string): Promise<boolean>;
  /** Email profiles that reference a certificate profile (identity or signing). */
  referencing(certificateProfileId: string): Promise<string[]>;
}

export interface DeploymentRepository {
  groupsOf(profileId: string): Promise<string[]>;
  /** Replaces the profile's deployment with exactly these groups. */
  set(profileId: string, groupIds: readonly string[]): Promise<void>;
  /** Every (profile, group) pair: the input of the desired-state function. */
  all(): Promise<{ profileId: string; groupId: string }[]>;
}

export interface DeviceRepository {
  insert(device: DeviceRecord): Promise<void>;
  get(id: string): Promise<DeviceRecord | undefined>;
  getByHardwareId(platform: DevicePlatform, hardwareId: string): Promise<DeviceRecord | undefined>;
  list(filter?: { platform?: DevicePlatform; userId?: string; status?: DeviceRecord['status'] }): Promise<DeviceRecord[]>;
  update(device: DeviceRecord): Promise<void>;
}

export interface ProfileStateRepository {
  upsert(state: ProfileStateRecord): Promise<void>;
  get(deviceId: string, profileId: string): Promise<ProfileStateRecord | undefined>;
  forDevice(deviceId: string): Promise<ProfileStateRecord[]>;
  forProfile(profileId: string): Promise<ProfileStateRecord[]>;
  /** Every device's states in one read, for fleet-wide views (compliance of all devices). */
  all(): Promise<ProfileStateRecord[]>;
  /** Counts per profile and state: the status overview. */
  counts(): Promise<{ profileId: string; state: ProfileState; count: number }[]>;
  delete(deviceId: string, profileId: string): Promise<void>;
}

export interface AlertFilter {
  /** One alert. */
  id?: string;
  deviceId?: string;
  profileId?: string;
  kind?: AlertKind;
  /** true: only unresolved alerts. */
  active?: boolean;
}

export interface AlertRepository {
  insert(alert: AlertRecord): Promise<void>;
  list(filter?: AlertFilter): Promise<AlertRecord[]>;
  /** Marks matching active alerts resolved; returns how many. */
  resolve(filter: AlertFilter, at: string): Promise<number>;
}

export interface SettingsRepository {
  get(key: string): Promise<string | undefined>;
  set(key: string, value: string): Promise<void>;
}

export interface EnrollmentTokenRepository {
  insert(token: EnrollmentTokenRecord): Promise<void>;
  get(token: string): Promise<EnrollmentTokenRecord | undefined>;
  markUsed(token: string, at: string): Promise<void>;
}

export interface ScepChallengeRepository {
  insert(challenge: ScepChallengeRecord): Promise<void>;
  get(challenge: string): Promise<ScepChallengeRecord | undefined>;
  /** Spends an unspent challenge; false when it was already spent (a replay). */
  spend(challenge: string, at: string): Promise<boolean>;
  /** Drops expired challenges, spent or not. */
  deleteExpired(before: string): Promise<number>;
}

export interface IssuedCertificateRepository {
  insert(cert: IssuedCertificateRecord): Promise<void>;
  getByFingerprint(fingerprintSha256: string): Promise<IssuedCertificateRecord | undefined>;
  forDevice(deviceId: string): Promise<IssuedCertificateRecord[]>;
  /**
   * Ties a certificate issued without a device (an enrollment identity) to the device it enrolled,
   * for good. False when it is unknown or already tied to a device (that one, or another).
   */
  bindDevice(fingerprintSha256: string, deviceId: string): Promise<boolean>;
}

export interface AppleDeviceRepository {
  upsert(device: AppleDeviceRecord): Promise<void>;
  getByUdid(udid: string): Promise<AppleDeviceRecord | undefined>;
  getByDevice(deviceId: string): Promise<AppleDeviceRecord | undefined>;
  getByIdentity(fingerprintSha256: string): Promise<AppleDeviceRecord | undefined>;
}

export interface WindowsDeviceRepository {
  upsert(device: WindowsDeviceRecord): Promise<void>;
  getByDevice(deviceId: string): Promise<WindowsDeviceRecord | undefined>;
  getByDmDeviceId(dmDeviceId: string): Promise<WindowsDeviceRecord | undefined>;
  /** The nonce chain moves on (every message a digest authenticated): the one write of an idle OMA-DM message. */
  rotateNonce(deviceId: string, nonce: string, previousNonce: string): Promise<void>;
}

export interface WindowsSessionRepository {
  get(deviceId: string): Promise<WindowsSessionRecord | undefined>;
  upsert(session: WindowsSessionRecord): Promise<void>;
}

export interface WindowsSentCommandRepository {
  insert(commands: readonly WindowsSentCommandRecord[]): Promise<void>;
  /** The commands of one server message, by CmdID. */
  forMessage(deviceId: string, sessionId: string, msgId: number): Promise<WindowsSentCommandRecord[]>;
  /** Every command sent in the session and not answered yet. */
  forSession(deviceId: string, sessionId: string): Promise<WindowsSentCommandRecord[]>;
  deleteForCommand(deviceId: string, commandUuid: string): Promise<number>;
  /** Drops the session's own (non-queue) commands sent in one message, once answered. */
  delete(deviceId: string, sessionId: string, msgId: number, cmdId: string): Promise<boolean>;
  /** Drops everything sent to the device: a new session (or enrollment) resends what is still queued. */
  deleteForDevice(deviceId: string): Promise<number>;
}

export interface WindowsAccountRepository {
  get(deviceId: string, profileId: string): Promise<WindowsAccountRecord | undefined>;
  forDevice(deviceId: string): Promise<WindowsAccountRecord[]>;
  upsert(account: WindowsAccountRecord): Promise<void>;
  delete(deviceId: string, profileId: string): Promise<boolean>;
  deleteForDevice(deviceId: string): Promise<number>;
}

export interface CommandRepository {
  /** Appends to the device's queue (after everything already queued at the same priority). */
  enqueue(command: Omit<CommandRecord, 'status' | 'notNowCount' | 'sentAt'>): Promise<void>;
  get(uuid: string): Promise<CommandRecord | undefined>;
  /**
   * The command to hand out next: the oldest queued or sent-but-unanswered, by priority. With
   * `skipNotNow`, commands the device answered NotNow are left for a later poll (Apple's rule:
   * after a NotNow the device re-polls on its own only if nothing else is sent).
   */
  next(deviceId: string, opts: { skipNotNow: boolean }): Promise<CommandRecord | undefined>;
  markSent(uuid: string, at: string): Promise<void>;
  /** Stores the rendered wire form of a command queued as a recipe (empty body); false when it is gone. */
  setBody(uuid: string, body: string): Promise<boolean>;
  markNotNow(uuid: string): Promise<void>;
  /** Removes an answered or cancelled command. */
  delete(uuid: string): Promise<boolean>;
  forDevice(deviceId: string): Promise<CommandRecord[]>;
  deleteForDevice(deviceId: string): Promise<number>;
  /** Commands still waiting for devices, fleet-wide. */
  countPending(): Promise<number>;
  /** Devices with at least one command waiting (queued, sent and unanswered, or NotNow), longest-waiting first. */
  devicesWithPending(): Promise<string[]>;
}

/**
 * How many answered commands each device keeps. A device answers a few commands per profile edit
 * and per ProfileList, so 100 spans many deployment rounds, which is what an admin looks back
 * through; a bound keeps a fleet run (thousands of simulated devices re-polling for days) from
 * growing the table without end, and the profile states already hold the current verdicts.
 */
export const COMMAND_HISTORY_PER_DEVICE = 100;

export interface CommandHistoryRepository {
  /**
   * Records an answered command and drops the device's entries beyond its newest
   * COMMAND_HISTORY_PER_DEVICE, as one write (inside the caller's transaction when there is one).
   */
  append(entry: CommandHistoryRecord): Promise<void>;
  /** The device's answered commands, newest (last appended) first. */
  forDevice(deviceId: string): Promise<CommandHistoryRecord[]>;
}

export interface AndroidDeviceRepository {
  upsert(device: AndroidDeviceRecord): Promise<void>;
  getByDevice(deviceId: string): Promise<AndroidDeviceRecord | undefined>;
  /** The device an identity (certificate fingerprint) belongs to; one identity, one device. */
  getByIdentity(fingerprintSha256: string): Promise<AndroidDeviceRecord | undefined>;
  /** Registered devices that have not reported applying their current policy version, longest-waiting first. */
  withPolicyPending(): Promise<string[]>;
}

export interface AndroidKeyPairRepository {
  get(deviceId: string, certificateProfileId: string): Promise<AndroidKeyPairRecord | undefined>;
  /** Stores the key pair, replacing the device's earlier one for the same certificate profile. */
  put(keyPair: AndroidKeyPairRecord): Promise<void>;
  forDevice(deviceId: string): Promise<AndroidKeyPairRecord[]>;
  deleteForDevice(deviceId: string): Promise<number>;
}

export interface ManagedAppRepository {
  groupsOf(app: ManagedEmailApp): Promise<string[]>;
  /** Replaces the app's deployment with exactly these groups. */
  set(app: ManagedEmailApp, groupIds: readonly string[]): Promise<void>;
  all(): Promise<ManagedAppDeployment[]>;
}

/** The repositories, as seen inside or outside a transaction. */
export interface Repositories {
  users: UserRepository;
  groups: GroupRepository;
  certificateProfiles: CertificateProfileRepository;
  emailProfiles: EmailProfileRepository;
  deployments: DeploymentRepository;
  devices: DeviceRepository;
  profileStates: ProfileStateRepository;
  alerts: AlertRepository;
  settings: SettingsRepository;
  enrollmentTokens: EnrollmentTokenRepository;
  scepChallenges: ScepChallengeRepository;
  issuedCertificates: IssuedCertificateRepository;
  appleDevices: AppleDeviceRepository;
  windowsDevices: WindowsDeviceRepository;
  windowsSessions: WindowsSessionRepository;
  windowsSentCommands: WindowsSentCommandRepository;
  windowsAccounts: WindowsAccountRepository;
  commands: CommandRepository;
  commandHistory: CommandHistoryRepository;
  androidDevices: AndroidDeviceRepository;
  androidKeyPairs: AndroidKeyPairRepository;
  managedApps: ManagedAppRepository;
}

export interface Store extends Repositories {
  /**
   * Runs `work` with repositories bound to one transaction: all its writes land or none do.
   * While it runs, other callers' operations wait, so they never see half of it. Inside, use
   * only the `tx` repositories (calling the outer store would wait for itself).
   */
  transaction<T>(work: (tx: Repositories) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}
