import { MemoryMailStore } from '../core/memory-mail-store.js';
import type { MailAccountStore } from '../core/mail-store.js';
import type { WorkApp } from '../core/mail-account.js';

/**
 * What a simulated Android device (Samsung Knox or Android for Work) keeps between syncs: its
 * hardware, the identity its registration gave it, the push token, the last policy it applied
 * (a DPC enforces the policy it holds at every sync, not only when a new one arrives), its
 * keystore, the keyed app states it reports, the apps of its work profile, and its mail store.
 * In memory for fleets (MemoryAndroidStateStore), in SQLite for a device that resumes from a
 * state folder (sqlite-android-state.ts). Values are plain JSON.
 */

export interface AndroidHardware {
  /** Build.getSerial(): the id the server knows the device by. */
  serial: string;
  brand: string;
  manufacturer: string;
  model: string;
  androidVersion: string;
  apiLevel: number;
  /** Samsung Knox devices only. */
  knoxVersion?: string;
  knoxApiLevel?: number;
}

export interface AndroidIdentity {
  /** The server the QR code named (scheme, host, port). */
  serverUrl: string;
  deviceName: string;
  policyName: string;
  /** PKCS#8 PEM of the device key; the certificate's key. */
  keyPem: string;
  /** The device certificate, DER base64. */
  certificate: string;
  /** The server's CA (PEM), trusted for https and mutual TLS. */
  caPem: string;
  /** RFC 9421 keyid: the certificate's SHA-256 fingerprint. */
  keyId: string;
}

/** The last policy the device applied: its ETag (for If-None-Match), version and document. */
export interface HeldPolicy {
  etag: string;
  version: string;
  body: string;
}

/** A keystore entry installed from the policy (CA certificate, or a key pair opened from its PKCS#12). */
export interface KeystoreEntry {
  alias: string;
  kind: 'caCertificate' | 'keyPair';
  /** DER base64 of the (leaf) certificate. */
  certificate: string;
  /** SHA-256 of what the policy sent (certificate, or PKCS#12 + password): an unchanged entry is not opened again. */
  source: string;
}

/** A keyed app state the device reports until it changes (AMAPI KeyedAppState, app-states.ts vocabulary). */
export interface HeldAppState {
  packageName: string;
  key: string;
  state: string;
  message?: string;
  createTime: string;
  lastUpdateTime: string;
}

export interface AndroidStateStore {
  readonly mail: MailAccountStore;
  getHardware(): AndroidHardware | undefined;
  setHardware(h: AndroidHardware): void;
  getIdentity(): AndroidIdentity | undefined;
  setIdentity(i: AndroidIdentity | undefined): void;
  getPushToken(): string | undefined;
  setPushToken(t: string | undefined): void;
  getPolicy(): HeldPolicy | undefined;
  setPolicy(p: HeldPolicy | undefined): void;
  getKeystore(): KeystoreEntry[];
  setKeystore(entries: KeystoreEntry[]): void;
  getAppStates(): HeldAppState[];
  setAppStates(states: HeldAppState[]): void;
  /** Apps installed in the work profile (Android for Work). */
  getWorkApps(): WorkApp[];
  setWorkApps(apps: WorkApp[]): void;
  /** The managed configuration each work app last applied (Gmail re-creates its account when an account-defining key changes). */
  getAppConfigs(): Record<string, Record<string, unknown>>;
  setAppConfigs(configs: Record<string, Record<string, unknown>>): void;
  /** The text of the last report the server accepted (a sync that changes nothing sends none). */
  getLastReport(): string | undefined;
  setLastReport(text: string | undefined): void;
  nextSequence(name: string): number;
  close(): void;
}

type Key = 'hardware' | 'identity' | 'pushToken' | 'policy' | 'keystore' | 'appStates' | 'workApps' | 'appConfigs' | 'lastReport';

/** Both stores over one key-value shape: JSON values under fixed keys. */
export abstract class KeyValueAndroidState implements AndroidStateStore {
  abstract readonly mail: MailAccountStore;
  protected abstract read(key: string): unknown;
  protected abstract write(key: string, value: unknown): void;
  abstract close(): void;

  #get<T>(key: Key): T | undefined {
    return this.read(key) as T | undefined;
  }
  getHardware(): AndroidHardware | undefined {
    return this.#get('hardware');
  }
  setHardware(h: AndroidHardware): void {
    this.write('hardware', h);
  }
  getIdentity(): AndroidIdentity | undefined {
    return this.#get('identity');
  }
  setIdentity(i: AndroidIdentity | undefined): void {
    this.write('identity', i);
  }
  getPushToken(): string | undefined {
    return this.#get('pushToken');
  }
  setPushToken(t: string | undefined): void {
    this.write('pushToken', t);
  }
  getPolicy(): HeldPolicy | undefined {
    return this.#get('policy');
  }
  setPolicy(p: HeldPolicy | undefined): void {
    this.write('policy', p);
  }
  getKeystore(): KeystoreEntry[] {
    return this.#get('keystore') ?? [];
  }
  setKeystore(entries: KeystoreEntry[]): void {
    this.write('keystore', entries.length > 0 ? entries : undefined);
  }
  getAppStates(): HeldAppState[] {
    return this.#get('appStates') ?? [];
  }
  setAppStates(states: HeldAppState[]): void {
    this.write('appStates', states.length > 0 ? states : undefined);
  }
  getWorkApps(): WorkApp[] {
    return this.#get('workApps') ?? [];
  }
  setWorkApps(apps: WorkApp[]): void {
    this.write('workApps', apps.length > 0 ? apps : undefined);
  }
  getAppConfigs(): Record<string, Record<string, unknown>> {
    return this.#get('appConfigs') ?? {};
  }
  setAppConfigs(configs: Record<string, Record<string, unknown>>): void {
    this.write('appConfigs', Object.keys(configs).length > 0 ? configs : undefined);
  }
  getLastReport(): string | undefined {
    return this.#get('lastReport');
  }
  setLastReport(text: string | undefined): void {
    this.write('lastReport', text);
  }
  nextSequence(name: string): number {
    const key = `seq:${name}`;
    const n = ((this.read(key) as number | undefined) ?? 0) + 1;
    this.write(key, n);
    return n;
  }
}

/** A fleet device's state: nothing on disk. */
export class MemoryAndroidStateStore extends KeyValueAndroidState {
  readonly mail = new MemoryMailStore();
  readonly #values = new Map<string, unknown>();
  protected read(key: string): unknown {
    return this.#values.get(key);
  }
  protected write(key: string, value: unknown): void {
    if (value === undefined) this.#values.delete(key);
    else this.#values.set(key, value);
  }
  close(): void {}
}
