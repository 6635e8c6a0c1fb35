import type { KeyObject } from 'node:crypto';
import type { Logger } from 'pino';
import { derToPem } from '../../certs/pem.js';
import { importPrivateKey } from '../../certs/keys.js';
import type { RuleContext } from '../core/rule-outcomes.js';
import type { SeededRandom } from '../random/seeded-random.js';
import type { HttpClient } from '../transport/http.js';
import type { CommandContext } from './command-handler.js';
import type { DeviceIdentity, EnrolledIdentity, IosStateStore, SigningIdentity } from './device-state.js';
import type { IosHardware } from './hardware.js';
import { scepIdentity } from './identity-payloads.js';
import type { MdmClient } from './mdm-client.js';

/**
 * What the parts of the simulated iOS device share (enrollment, the command session, profile
 * installation): its stores, its network clients, its randomness and clock. One per device.
 */
export interface IosRuntime {
  /** Every field filled (hardware.ts completeHardware). */
  readonly hardware: Required<IosHardware>;
  readonly state: IosStateStore;
  readonly http: HttpClient;
  readonly mdm: MdmClient;
  readonly random: SeededRandom;
  readonly log: Logger;
  readonly now: () => number;
  readonly trust: TrustAnchors;
  /** A key pair for a SCEP request of `bits` (from the pool when it has that size). */
  takeKey(bits: number): Promise<{ privateKey: KeyObject; publicKey: KeyObject; pem: string }>;
}

export { takeKey } from '../identity/key-of-size.js';

/**
 * The CAs the device trusts for https: the one given at creation (the lab CA, so the enrollment
 * URL itself can be fetched) and every root certificate a profile installed (the enrollment
 * profile's com.apple.security.root). Kept as one PEM text so the HTTP client keeps one agent.
 */
export class TrustAnchors {
  #pem: string | undefined;
  #stale = true;

  constructor(
    private readonly configured: string | undefined,
    private readonly state: IosStateStore,
  ) {}

  pem(): string | undefined {
    if (this.#stale) {
      this.#pem = this.#join(this.state.listCertificates().filter((c) => c.kind === 'root').map((c) => c.certDer));
      this.#stale = false;
    }
    return this.#pem;
  }

  /** Call after profiles (and so root certificates) changed. */
  invalidate(): void {
    this.#stale = true;
  }

  /** Trust these too, before they are stored (the enrollment profile's roots during enrollment). */
  withExtra(certs: Buffer[]): string | undefined {
    return this.#join([...this.state.listCertificates().filter((c) => c.kind === 'root').map((c) => c.certDer), ...certs]);
  }

  #join(roots: Buffer[]): string | undefined {
    const all = [...(this.configured ? [`${this.configured.trim()}\n`] : []), ...roots.map((c) => derToPem(c, 'CERTIFICATE'))];
    return all.length > 0 ? [...new Set(all)].join('') : undefined;
  }
}

/** The identity as node:crypto objects (parsed once per device, not per request). */
export function signingIdentity(identity: DeviceIdentity): SigningIdentity {
  return { privateKey: importPrivateKey(identity.keyPem), certDer: identity.certDer };
}

/** New accounts get `acct-<n>` from a counter in the device state: repeatable, unique per device. */
export function ruleContext(rt: IosRuntime): RuleContext {
  return { newId: () => `acct-${rt.state.nextSequence('account')}`, now: rt.now() };
}

/** What command handling needs from the device: its stores, its rights, its busy state, its SCEP, what it is. */
export function commandContext(rt: IosRuntime, e: EnrolledIdentity, isBusy: () => boolean): CommandContext {
  return {
    state: rt.state,
    rule: () => ruleContext(rt),
    now: rt.now,
    accessRights: e.enrollment.accessRights,
    isBusy,
    hardware: rt.hardware,
    enrollmentProfileIdentifier: e.enrollment.profileIdentifier,
    obtainCertificate: (profileIdentifier, payload, scep) => scepIdentity(rt, profileIdentifier, payload, scep, rt.trust.pem()),
  };
}
