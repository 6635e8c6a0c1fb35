import type { KeyPair } from '../../protocol/android/amapi/mdmlab-extension.js';
import { encodePolicy, type Policy } from '../../protocol/android/amapi/policy.js';
import type { AndroidDeviceRecord, DeviceRecord } from '../store/records.js';
import { androidNames, type AndroidContext } from './android-context.js';
import type { KeyPairIssuer } from './key-pairs.js';
import { parsePlan } from './policy-plan.js';
import { replan } from './policy-versions.js';

/** What the device is asked to report (AMAPI StatusReportingSettings): its apps with their keyed states, and its software. */
const STATUS_REPORTING = { applicationReportsEnabled: true, softwareInfoEnabled: true } as const;

export interface RenderedPolicy {
  /** The JSON body (it holds PKCS#12 passwords: never logged, never cached by intermediaries). */
  body: string;
  version: number;
}

/**
 * The AMAPI Policy a device pulls, from the plan of its current version: `applications` (package,
 * installType, the managed configuration), `statusReportingSettings`, and mdmlab's extension with
 * the Knox Exchange accounts, the CA certificates and the key pairs (PKCS#12 from stored key pairs,
 * made on first need). A key pair found expired is made again, and since the device must learn of
 * it the policy gets a new version first: a version's document never changes once served.
 */
export class PolicyRenderer {
  constructor(
    private readonly ctx: AndroidContext,
    private readonly keyPairs: KeyPairIssuer,
  ) {}

  async render(device: DeviceRecord, android: AndroidDeviceRecord): Promise<RenderedPolicy> {
    let current = android;
    for (let attempt = 0; ; attempt++) {
      const plan = parsePlan(current.plan);
      const pairs: KeyPair[] = [];
      let renewed = false;
      for (const kp of plan.keyPairs) {
        const made = await this.keyPairs.ensure(device, kp.certificateProfileId);
        if (!made) {
          this.ctx.log.warn({ deviceId: device.id, certificateProfileId: kp.certificateProfileId }, 'no key pair for the policy: the certificate profile is gone or not a SCEP profile');
          continue;
        }
        renewed ||= made.renewed;
        pairs.push({ alias: kp.alias, pkcs12: made.keyPair.pkcs12, password: made.keyPair.password });
      }
      if (renewed && attempt === 0) {
        current = await this.newVersion(device, current);
        continue;
      }
      const { policyName } = androidNames(this.ctx, device.id);
      const mdmlab = {
        ...(plan.knoxAccounts.length > 0 ? { knoxExchangeAccounts: plan.knoxAccounts.map((a) => a.account) } : {}),
        ...(plan.caCertificates.length > 0 ? { caCertificates: plan.caCertificates.map(({ alias, certificate }) => ({ alias, certificate })) } : {}),
        ...(pairs.length > 0 ? { keyPairs: pairs } : {}),
      };
      const policy: Policy = {
        name: policyName,
        version: String(current.policyVersion),
        ...(plan.applications.length > 0
          ? {
              applications: plan.applications.map((a) => ({
                packageName: a.packageName,
                installType: a.installType,
                ...(a.managedConfiguration ? { managedConfiguration: a.managedConfiguration } : {}),
              })),
            }
          : {}),
        statusReportingSettings: { ...STATUS_REPORTING },
        ...(Object.keys(mdmlab).length > 0 ? { mdmlab } : {}),
      };
      return { body: encodePolicy(policy), version: current.policyVersion };
    }
  }

  private async newVersion(device: DeviceRecord, android: AndroidDeviceRecord): Promise<AndroidDeviceRecord> {
    const at = this.ctx.now().toISOString();
    const record = await this.ctx.store.transaction(async (tx) => {
      const fresh = (await tx.androidDevices.getByDevice(device.id)) ?? android;
      return (await replan(this.ctx, tx, (await tx.devices.get(device.id)) ?? device, fresh, at, { force: true })).record;
    });
    this.ctx.log.info({ deviceId: device.id, policyVersion: record.policyVersion }, 'key pair renewed: new policy version');
    return record;
  }
}
