import type { EmailProfileDefinition } from '../../protocol/admin/email-profile-validation.js';
import type { CertificateProfileKind, DevicePlatform } from '../../protocol/admin/platforms.js';
import type { ManagementMode } from '../../protocol/android/amapi/enums.js';
import type { ManagedEmailApp } from '../../protocol/android/apps.js';

/** Rows the store keeps, in domain terms. Timestamps are ISO-8601 strings (UTC). */

export interface UserRecord {
  id: string;
  upn: string;
  primarySmtp: string;
  username: string;
  createdAt: string;
}

export interface GroupRecord {
  id: string;
  name: string;
  description?: string;
  createdAt: string;
}

export type MemberKind = 'user' | 'device';
export interface GroupMember {
  kind: MemberKind;
  id: string;
}

export interface ScepSettings {
  /** X.500 subject the device puts in its request, with `{{upn}}`, `{{email}}`, `{{deviceId}}` variables. */
  subject: string;
  keySize: 1024 | 2048 | 4096;
  validityDays: number;
}

export interface CertificateProfileRecord {
  id: string;
  name: string;
  kind: CertificateProfileKind;
  platform: DevicePlatform;
  scep?: ScepSettings;
  trustedRoot?: { pem: string; fingerprintSha256: string; subject: string };
  createdAt: string;
  updatedAt: string;
}

export interface EmailProfileRecord {
  id: string;
  definition: EmailProfileDefinition;
  /** Grows with every edit, so a device can be told a newer version of the same profile. */
  version: number;
  /** Once true never false again: host and email source are then frozen (docs/email-profiles.md, "Rules the server enforces"). */
  everDeployed: boolean;
  createdAt: string;
  updatedAt: string;
}

export type EnrollmentStatus = 'enrolled' | 'unenrolled';

export interface DeviceRecord {
  id: string;
  platform: DevicePlatform;
  /** The platform's own identifier: Apple UDID, Windows DeviceID, Android device id. */
  hardwareId: string;
  userId?: string;
  name?: string;
  model?: string;
  osVersion?: string;
  serialNumber?: string;
  status: EnrollmentStatus;
  enrolledAt: string;
  unenrolledAt?: string;
  lastSeenAt?: string;
  /**
   * Until then, one new identity may enroll the device although another is bound to it (an
   * administrator's allowance: the device was erased, or its CheckOut never arrived). Spent by
   * that enrollment.
   */
  reenrollmentAllowedUntil?: string;
}

/** Per device and profile, as docs/scenarios.md ("Profile states") lists them. */
export const PROFILE_STATES = ['pending', 'installed', 'blocked', 'failed', 'waitingForApp', 'notApplicable', 'removed'] as const;
export type ProfileState = (typeof PROFILE_STATES)[number];

export interface ProfileStateRecord {
  deviceId: string;
  profileId: string;
  state: ProfileState;
  /** Why, for failed/blocked states: the device's own words (ErrorChain, SyncML status, …). */
  detail?: string;
  /** The profile version the state refers to. */
  profileVersion: number;
  /**
   * The version the device last confirmed holding; absent when nothing of the profile is on it. A
   * blocked or failed re-delivery (new version, or the user's new address) leaves the earlier copy
   * installed, so taking the profile away must still send a removal.
   */
  installedVersion?: number;
  updatedAt: string;
}

/**
 * appNotDeployed: an Android for Work email profile reaches users whose work profile does not get
 * the app it configures (Gmail, Nine Work): "deploy the app as well as the profile".
 */
export const ALERT_KINDS = ['duplicateAccount', 'conflictingProfiles', 'overlappingKnoxProfiles', 'enrollmentConflict', 'appNotDeployed'] as const;
export type AlertKind = (typeof ALERT_KINDS)[number];

export interface AlertRecord {
  id: string;
  kind: AlertKind;
  deviceId?: string;
  profileId?: string;
  message: string;
  details: Record<string, unknown>;
  createdAt: string;
  resolvedAt?: string;
}

export interface EnrollmentTokenRecord {
  token: string;
  userId: string;
  platform: DevicePlatform;
  createdAt: string;
  expiresAt: string;
  /** A reusable token enrolls any number of devices of the user (fleet runs); else one. */
  reusable: boolean;
  usedAt?: string;
}

export type ChallengePurpose = 'enrollment' | 'certificateProfile';

/** A one-time SCEP challenge password (RFC 8894 §2.3): spent by the first request that uses it. */
export interface ScepChallengeRecord {
  challenge: string;
  purpose: ChallengePurpose;
  enrollmentToken?: string;
  userId?: string;
  deviceId?: string;
  certificateProfileId?: string;
  createdAt: string;
  expiresAt: string;
  spentAt?: string;
}

/**
 * Why a certificate was issued: the SCEP purposes, plus an Android device's identity (issued at
 * registration from its PKCS#10, never usable as an Apple identity: those must be `enrollment`).
 */
export type CertificatePurpose = ChallengePurpose | 'androidDevice';

export interface IssuedCertificateRecord {
  serial: string;
  fingerprintSha256: string;
  subject: string;
  purpose: CertificatePurpose;
  challenge: string;
  userId?: string;
  deviceId?: string;
  certificateProfileId?: string;
  issuedAt: string;
  notAfter: string;
}

/** The Apple side of an enrolled device (Apple MDM Protocol Reference, "MDM Check-in Protocol": Authenticate, TokenUpdate; Apple YAML mdm/checkin/*.yaml). */
export interface AppleDeviceRecord {
  deviceId: string;
  udid: string;
  /** SHA-256 of the identity certificate bound at Authenticate; later requests must present it. */
  identityFingerprint: string;
  /**
   * When the device's CheckOut arrived: it left management, and its identity speaks for it no
   * more (only a new Authenticate, by any identity, enrolls it again). Absent while bound.
   */
  checkedOutAt?: string;
  topic: string;
  pushMagic?: string;
  /** Hex of the APNs token. */
  pushToken?: string;
  tokenUpdateCount: number;
  authenticatedAt: string;
  /** The device's last answer to ProfileList: what it says it has installed. */
  profileList?: { identifier: string; uuid: string; displayName?: string; managed?: boolean }[];
}

/** What a Windows device said of itself when it enrolled (MS-MDE2 AdditionalContext) or reported since (./DevInfo). */
export type WindowsFacts = Record<string, string>;

/**
 * The Windows side of a device (MS-MDE2 enrollment, OMA-DM sessions per MS-MDM): the identity and
 * the DM credentials issued at enrollment, and what the device reported since.
 */
export interface WindowsDeviceRecord {
  deviceId: string;
  /** The DM client's DeviceID: the enrollment's DeviceID, ./DevInfo/DevId, the SyncHdr Source of its sessions. */
  dmDeviceId: string;
  /** `Full` (user enrollment: the client certificate in My/User) or `Device` (My/System). */
  enrollmentType: 'Full' | 'Device';
  /** SHA-256 (hex) of the client certificate issued at enrollment: the identity a TLS client presents. */
  identityFingerprint: string;
  identityNotAfter: string;
  /**
   * base64 of MD5(DeviceID ":" secret), the credential of the provisioned CLIENT APPAUTH
   * (syncml:auth-md5, OMA-TS-DM_Security §5.3): what a digest is checked against; the secret itself is not kept.
   */
  credentialHash: string;
  /** The nonce (base64) the device's next digest must use; the Chal of every accepted message replaces it. */
  nonce: string;
  /** The nonce before it, kept only to recognise a retransmission of the last message. */
  previousNonce?: string;
  /** The enrollment request's AdditionalContext (DeviceType, OSVersion, …), as sent. */
  enrollmentContext: WindowsFacts;
  /** When the enrollment was issued (RequestSecurityTokenResponse). */
  enrolledAt: string;
  /** When the device's unenrollment alert arrived: it left management. */
  leftAt?: string;
  firstSessionAt?: string;
  lastSessionAt?: string;
  /** ./DevInfo/* (and DMClient HWDevID) as the device last reported them by Replace. */
  devInfo: WindowsFacts;
  /** The 1224 LoginStatus alert's value: user, others or none. */
  loginStatus?: string;
  /** The push gateway token of the device's ChannelURI (`{base}/push/wns/{token}`). */
  pushToken?: string;
  channelUri?: string;
  channelReadAt?: string;
  /** When the device confirmed DMClient Push/PFN; until then sessions set it. */
  pfnSetAt?: string;
  /** The device's last refusal of Push/PFN: retried a day later rather than every session. */
  pfnRefused?: { status: number; at: string };
}

/** One device's OMA-DM session bookkeeping (MS-MDM §2.2.3): kept in the store, so any server instance (or a restarted one) continues it. */
export interface WindowsSessionRecord {
  deviceId: string;
  /** As the device wrote it (decimal or hex). */
  sessionId: string;
  /** The device's last MsgID processed in this session. */
  clientMsgId: number;
  /** The MsgID of the server's last message in this session. */
  serverMsgId: number;
  /** The next CmdID the server gives: unique within the session, hence within every message. */
  nextCmdId: number;
  /** SHA-256 (hex) of the device's last message, and the reply it got: a retransmission of it gets the same reply. */
  lastRequestHash?: string;
  lastReply?: string;
  startedAt: string;
  updatedAt: string;
  /** The server's last message carried no command: the session is over. */
  endedAt?: string;
}

/** What a SyncML command the server sent stands for, to match the device's Status by MsgRef and CmdRef. */
export type WindowsSentRole = 'operation' | 'part' | 'pushPfn' | 'pushChannel';

export interface WindowsSentCommandRecord {
  deviceId: string;
  sessionId: string;
  /** The server's MsgID the command went out in. */
  msgId: number;
  cmdId: string;
  /** The queued command it carries; absent for the session's own DMClient Push commands. */
  commandUuid?: string;
  /** operation: the top-level command of a queued command (its Status decides it); part: one inside its Atomic. */
  role: WindowsSentRole;
  /** Add, Replace, Delete, Get, Atomic. */
  verb: string;
  target?: string;
  /** For an operation: what it changes on the device, recorded once the device confirms it. */
  payload?: Record<string, unknown>;
}

/** The ActiveSync account one profile has on one device (one GUID per device and profile, kept by the server). */
export interface WindowsAccountRecord {
  deviceId: string;
  profileId: string;
  /** Bare GUID, upper case. */
  accountGuid: string;
  /** The profile's platform, which places the account: `./User/Vendor/MSFT/ActiveSync` (windows10) or `./Vendor/MSFT/ActiveSync` (windowsPhone81). */
  platform: 'windows10' | 'windowsPhone81';
  /** The node values (path below the account node → value) the device confirmed; absent while none are. */
  confirmed?: Record<string, string>;
  updatedAt: string;
}

/**
 * A command waiting in a device's queue, whatever the platform: Apple MDM commands (InstallProfile,
 * RemoveProfile, ProfileList), OMA-DM operations on the device's DM tree, … The body is the
 * platform's own encoding and opaque to everything but its channel. Answered commands leave the
 * queue for the command history.
 */
export interface CommandRecord {
  uuid: string;
  deviceId: string;
  /** Platform vocabulary: `InstallProfile`, `RemoveProfile`, `ProfileList`, … */
  requestType: string;
  /**
   * The command in the platform's wire form once rendered (Apple: the XML plist). Empty while the
   * command is still a recipe: some bodies are costly to build (a signed profile) and are built when
   * the device comes to fetch the command, outside the transaction that queued it.
   */
  body: string;
  profileId?: string;
  profileVersion?: number;
  /** notNow: the device could not run it yet (Apple's NotNow); it goes out again on a later poll. */
  status: 'queued' | 'sent' | 'notNow';
  priority: number;
  createdAt: string;
  sentAt?: string;
  notNowCount: number;
}

/** What an answer means, whatever the platform said: the command did its work or it did not. */
export const COMMAND_OUTCOMES = ['success', 'failure'] as const;
export type CommandOutcome = (typeof COMMAND_OUTCOMES)[number];

/**
 * An answered command, kept after it left the queue: what was asked, when, and what the device
 * said. Profile states keep only the verdict; this keeps the device's own words for the admin.
 */
export interface CommandHistoryRecord {
  uuid: string;
  deviceId: string;
  requestType: string;
  /** The platform's own answer: Apple `Acknowledged` | `Error` | `CommandFormatError`; OMA-DM a SyncML status code. */
  status: string;
  outcome: CommandOutcome;
  /**
   * The device's own words in the platform's shape, exactly as decoded: Apple `{ errorChain }`
   * (outer → inner), OMA-DM `{ statuses }`. Absent when the device said nothing more.
   */
  detail?: Record<string, unknown>;
  profileId?: string;
  profileVersion?: number;
  queuedAt: string;
  /** Absent only for a result to a command the server never marked sent (not expected, kept honest). */
  sentAt?: string;
  answeredAt: string;
}

/**
 * The Android side of an enrolled Samsung Knox or Android for Work device: its identity (the
 * certificate issued at registration, which every later request proves), its push token, and the
 * policy it pulls. The policy is rebuilt by the channel (server/android) from the device's desired
 * profiles and apps; `plan` is the channel's own record of what `policyVersion` holds (opaque JSON
 * here), so a report can be read against exactly what the device was given.
 */
export interface AndroidDeviceRecord {
  deviceId: string;
  /** Lower-case hex SHA-256 of the device certificate: the RFC 9421 keyid, the mutual-TLS identity. */
  identityFingerprint: string;
  /** The device certificate, DER, base64. */
  certificate: string;
  certificateNotAfter: string;
  managementMode: ManagementMode;
  apiLevel?: number;
  knoxVersion?: string;
  knoxApiLevel?: number;
  /** The push gateway token the device listens on (FCM's registration token's role). */
  pushToken?: string;
  /** AMAPI Policy.version: grows whenever what the device should hold changes. */
  policyVersion: number;
  /** When policyVersion last grew. */
  policyChangedAt: string;
  /** Channel-owned JSON: what policyVersion holds. */
  plan: string;
  planFingerprint: string;
  /** The newest Policy.version the device reported applying (Device.appliedPolicyVersion). */
  appliedPolicyVersion?: number;
  /** Channel-owned JSON: Knox account replacements counted, profiles withheld after flapping. */
  knoxFlips?: string;
  /** Channel-owned JSON: the apps the device last reported. */
  reportedApps?: string;
  registeredAt: string;
  lastReportAt?: string;
  /** When the device left management: its identity speaks for it no more. */
  unregisteredAt?: string;
}

/**
 * A client identity the server made for an Android device from a SCEP certificate profile
 * (certificate authentication, S/MIME): key pair, certificate from the lab CA, as PKCS#12 with its
 * password, delivered in the policy's `mdmlab.keyPairs` (DevicePolicyManager.installKeyPair's role).
 */
export interface AndroidKeyPairRecord {
  deviceId: string;
  certificateProfileId: string;
  alias: string;
  /** PKCS#12, base64. */
  pkcs12: string;
  password: string;
  certificateFingerprint: string;
  notAfter: string;
  createdAt: string;
}

/** One group a managed app (Gmail, Nine Work) is deployed to: FORCE_INSTALLED in the work profile. */
export interface ManagedAppDeployment {
  app: ManagedEmailApp;
  groupId: string;
}
