import type { DmTreeSnapshot } from './dm-tree/index.js';
import type { WindowsHardware } from './hardware.js';
import type { AccountRecords } from './mail/account-records.js';

/**
 * Everything a simulated Windows device remembers, and where it keeps it: in memory for fleets, or
 * in one SQLite file of a state folder (sqlite-state-store.ts) so a restarted device resumes
 * enrolled, with the same DeviceID, identity, management tree (accounts, DM account, nonce) and
 * push channel.
 *
 * The DM tree is the device's store of record for what the server can reach: certificates,
 * ./SyncML/DMAcc (the OMA-DM server's address and both sides' credentials, the latest nonce),
 * DMClient (provider, poll schedule, push) and the ActiveSync accounts. What lives beside it is what
 * Windows keeps outside the management tree: the private key, the enrollment's endpoints, and which
 * accounts the server created (account-records.ts).
 */

/** The enrollment's client identity: the key the CSR was made with and the certificate issued for it. */
export interface WindowsIdentity {
  keyPem: string;
  certDer: Buffer;
  /** The provisioning document's Root/System certificates (trusted for https from now on). */
  rootCertDers: Buffer[];
}

/** What enrollment established, beyond the tree. */
export interface WindowsEnrollment {
  /** w7 PROVIDER-ID = DMClient Provider name. */
  providerId: string;
  /** ./SyncML/DMAcc/{AccountUID}: SHA-256 of the PROVIDER-ID (DMAcc CSP). */
  accountUid: string;
  /** The OMA-DM endpoint (w7 ADDR). */
  serverUrl: string;
  upn: string;
  discoveryUrl: string;
  enrolledAt: number;
}

export interface WindowsPushState {
  /** The push gateway's token, kept across reconnects and restarts. */
  token?: string;
}

/** The tree and the records beside it, saved together. */
export interface WindowsTreeState {
  snapshot: DmTreeSnapshot;
  accounts: AccountRecords;
}

export interface WindowsStateStore {
  /** True when the store already held a device (a restart), false for a fresh one. */
  readonly resumed: boolean;
  /** Whether saving is worth it (SQLite); a memory store's device never takes tree snapshots. */
  readonly persistent: boolean;
  getHardware(): WindowsHardware | undefined;
  setHardware(hardware: WindowsHardware): void;
  getIdentity(): WindowsIdentity | undefined;
  setIdentity(identity: WindowsIdentity | undefined): void;
  getEnrollment(): WindowsEnrollment | undefined;
  setEnrollment(enrollment: WindowsEnrollment | undefined): void;
  getTree(): WindowsTreeState | undefined;
  setTree(tree: WindowsTreeState): void;
  getPush(): WindowsPushState;
  setPush(push: WindowsPushState): void;
  /** A counter that survives restarts (OMA-DM SessionIDs, scheduled polls). */
  nextSequence(name: string): number;
  /** The counter's current value (0 when never advanced). */
  sequence(name: string): number;
  setSequence(name: string, value: number): void;
  close(): void;
}

/** State of one device in memory (fleets): gone when the process ends. */
export class MemoryWindowsStateStore implements WindowsStateStore {
  readonly resumed = false;
  readonly persistent = false;
  #hardware: WindowsHardware | undefined;
  #identity: WindowsIdentity | undefined;
  #enrollment: WindowsEnrollment | undefined;
  #tree: WindowsTreeState | undefined;
  #push: WindowsPushState = {};
  readonly #sequences = new Map<string, number>();

  getHardware(): WindowsHardware | undefined {
    return this.#hardware;
  }
  setHardware(hardware: WindowsHardware): void {
    this.#hardware = hardware;
  }
  getIdentity(): WindowsIdentity | undefined {
    return this.#identity;
  }
  setIdentity(identity: WindowsIdentity | undefined): void {
    this.#identity = identity;
  }
  getEnrollment(): WindowsEnrollment | undefined {
    return this.#enrollment;
  }
  setEnrollment(enrollment: WindowsEnrollment | undefined): void {
    this.#enrollment = enrollment;
  }
  getTree(): WindowsTreeState | undefined {
    return this.#tree;
  }
  setTree(tree: WindowsTreeState): void {
    this.#tree = tree;
  }
  getPush(): WindowsPushState {
    return this.#push;
  }
  setPush(push: WindowsPushState): void {
    this.#push = { ...push };
  }
  nextSequence(name: string): number {
    const n = (this.#sequences.get(name) ?? 0) + 1;
    this.#sequences.set(name, n);
    return n;
  }
  sequence(name: string): number {
    return this.#sequences.get(name) ?? 0;
  }
  setSequence(name: string, value: number): void {
    this.#sequences.set(name, value);
  }
  close(): void {}
}
