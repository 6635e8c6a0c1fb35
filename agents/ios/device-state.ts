import type { KeyObject } from 'node:crypto';
import type { ProfileListSource, ProfilePayload } from '../../protocol/apple/configuration-profile.js';
import type { MailAccountStore } from '../core/mail-store.js';
import { MemoryMailStore } from '../core/memory-mail-store.js';
import type { IosHardware } from './hardware.js';

/**
 * Everything a simulated iOS device remembers, and where it keeps it: in memory for fleets, or
 * in one SQLite file of a state folder (sqlite-state-store.ts) so a restarted device resumes
 * enrolled, with the same identity, accounts and push token.
 *
 * The methods are synchronous (better-sqlite3 is); the mail store keeps the async interface of
 * agents/core. Values handed out are the store's own: callers must not mutate them.
 */

/**
 * The MDM identity from the enrollment profile's SCEP payload (Apple YAML
 * mdm/profiles/com.apple.security.scep.yaml; Apple MDM Protocol Reference, "Structure of MDM
 * Payloads": the identity is the TLS client certificate).
 */
export interface DeviceIdentity {
  keyPem: string;
  certDer: Buffer;
}

/** The identity as node:crypto objects, what requests are signed with (parsed once per device). */
export interface SigningIdentity {
  privateKey: KeyObject;
  certDer: Buffer;
}

/** An enrolled device's enrollment with its identity. */
export interface EnrolledIdentity {
  enrollment: Enrollment;
  identity: DeviceIdentity;
  signing: SigningIdentity;
}

/**
 * What the com.apple.mdm payload told the device (Apple YAML mdm/profiles/com.apple.mdm.yaml), plus
 * where its push gateway is.
 */
export interface Enrollment {
  /** Top-level PayloadIdentifier of the enrollment profile (the "MDM profile"). */
  profileIdentifier: string;
  serverUrl: string;
  checkInUrl: string;
  topic: string;
  accessRights: number;
  checkOutWhenRemoved: boolean;
  signMessage: boolean;
  identityCertificateUuid: string;
  /** The push gateway the device keeps a connection to; absent: the device has no push service and polls. */
  pushUrl?: string;
  enrolledAt: number;
}

export interface PushState {
  /** The gateway's token (hex), kept across reconnects and restarts; without push, the one the device made up. */
  token?: string;
  /**
   * The string the device made up and sent in TokenUpdate; a push must carry it (Apple Developer,
   * "Sending MDM commands to a device": the push payload is {"mdm": PushMagic}).
   */
  pushMagic?: string;
}

/**
 * One payload of an installed profile, as ProfileList reports it (Apple YAML
 * mdm/commands/profile.list.yaml): its common keys.
 */
export type InstalledPayload = Omit<ProfilePayload, 'dict'>;

/** What the device keeps of an installed profile: what ProfileList reports, and how it got there. */
export interface InstalledProfile extends ProfileListSource {
  payloads: InstalledPayload[];
  /** Installed through MDM InstallProfile (ProfileList IsManaged); false for the enrollment profile the user installed. */
  managed: boolean;
  /** The CMS signer's certificate (DER) when the profile was signed: a replacement must have the same (4008). */
  signerCertDer?: Buffer;
  installedAt: number;
}

/** A certificate a profile put on the device: a SCEP identity (with its key) or a trusted root. */
export interface DeviceCertificate {
  profileIdentifier: string;
  payloadIdentifier: string;
  payloadUuid: string;
  kind: 'identity' | 'root';
  certDer: Buffer;
  /** PKCS#8 PEM; identities only. */
  keyPem?: string;
  subject: string;
}

export interface IosStateStore {
  readonly mail: MailAccountStore;
  /** True when the store already held a device (a restart), false for a fresh one. */
  readonly resumed: boolean;
  getHardware(): IosHardware | undefined;
  setHardware(hardware: IosHardware): void;
  getIdentity(): DeviceIdentity | undefined;
  setIdentity(identity: DeviceIdentity | undefined): void;
  getEnrollment(): Enrollment | undefined;
  setEnrollment(enrollment: Enrollment | undefined): void;
  getPush(): PushState;
  setPush(push: PushState): void;
  listProfiles(): InstalledProfile[];
  getProfile(identifier: string): InstalledProfile | undefined;
  /** Installs or replaces the profile and replaces all certificates it owned by `certificates`, atomically. */
  putProfile(profile: InstalledProfile, certificates: DeviceCertificate[]): void;
  /** Removes the profile and its certificates. */
  deleteProfile(identifier: string): void;
  listCertificates(): DeviceCertificate[];
  /** A counter that survives restarts (account ids). */
  nextSequence(name: string): number;
  close(): void;
}

/** State of one device in memory (fleets): gone when the process ends. */
export class MemoryIosStateStore implements IosStateStore {
  readonly mail: MailAccountStore = new MemoryMailStore();
  readonly resumed = false;
  #hardware: IosHardware | undefined;
  #identity: DeviceIdentity | undefined;
  #enrollment: Enrollment | undefined;
  #push: PushState = {};
  readonly #profiles = new Map<string, InstalledProfile>();
  readonly #certificates = new Map<string, DeviceCertificate[]>();
  readonly #sequences = new Map<string, number>();

  getHardware(): IosHardware | undefined {
    return this.#hardware;
  }
  setHardware(hardware: IosHardware): void {
    this.#hardware = hardware;
  }
  getIdentity(): DeviceIdentity | undefined {
    return this.#identity;
  }
  setIdentity(identity: DeviceIdentity | undefined): void {
    this.#identity = identity;
  }
  getEnrollment(): Enrollment | undefined {
    return this.#enrollment;
  }
  setEnrollment(enrollment: Enrollment | undefined): void {
    this.#enrollment = enrollment;
  }
  getPush(): PushState {
    return this.#push;
  }
  setPush(push: PushState): void {
    this.#push = { ...push };
  }
  listProfiles(): InstalledProfile[] {
    return [...this.#profiles.values()];
  }
  getProfile(identifier: string): InstalledProfile | undefined {
    return this.#profiles.get(identifier);
  }
  putProfile(profile: InstalledProfile, certificates: DeviceCertificate[]): void {
    this.#profiles.set(profile.identifier, profile);
    this.#certificates.set(profile.identifier, [...certificates]);
  }
  deleteProfile(identifier: string): void {
    this.#profiles.delete(identifier);
    this.#certificates.delete(identifier);
  }
  listCertificates(): DeviceCertificate[] {
    return [...this.#certificates.values()].flat();
  }
  nextSequence(name: string): number {
    const n = (this.#sequences.get(name) ?? 0) + 1;
    this.#sequences.set(name, n);
    return n;
  }
  close(): void {}
}
