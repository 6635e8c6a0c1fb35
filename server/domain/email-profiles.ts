import {
  validateEmailProfile,
  validateEmailProfileUpdate,
  type EmailProfileDefinition,
} from '../../protocol/admin/email-profile-validation.js';
import { IMMUTABLE_ONCE_DEPLOYED } from '../../protocol/admin/email-profile-settings.js';
import { certificatePlatformOf } from '../../protocol/admin/platforms.js';
import { MdmlabError, notFound } from '../errors/mdmlab-error.js';
import { StoreConflict, type Repositories } from '../store/port.js';
import type { EmailProfileRecord } from '../store/records.js';
import { isoNow, type DomainContext } from './context.js';
import { reviewDeployment, type DeploymentReview } from './deployments.js';
import type { Reconciler } from './reconciler.js';
import { profileViolation } from './validate.js';

const CERT_FIELDS = ['identityCertificateProfileId', 'signingCertificateProfileId'] as const;

/**
 * Email profiles: the rules of docs/email-profiles.md ("Rules the server enforces"). Body-only rules live in
 * protocol/admin/email-profile-validation.ts; here are the ones that need the store.
 */
export class EmailProfileService {
  constructor(
    private readonly ctx: DomainContext,
    private readonly reconciler: Reconciler,
    private readonly reviews: readonly DeploymentReview[] = [],
  ) {}

  async create(body: unknown): Promise<EmailProfileRecord> {
    const checked = validateEmailProfile(body);
    if (!checked.ok) throw profileViolation(checked.violation);
    await this.checkCertificates(this.ctx.store, checked.value);
    const at = isoNow(this.ctx);
    const record: EmailProfileRecord = {
      id: this.ctx.newId('eml'),
      definition: checked.value,
      version: 1,
      everDeployed: false,
      createdAt: at,
      updatedAt: at,
    };
    await this.named(() => this.ctx.store.emailProfiles.insert(record));
    return record;
  }

  list(): Promise<EmailProfileRecord[]> {
    return this.ctx.store.emailProfiles.list();
  }

  async get(id: string): Promise<EmailProfileRecord> {
    const p = await this.ctx.store.emailProfiles.get(id);
    if (!p) throw notFound('email profile', id);
    return p;
  }

  /**
   * An accepted edit makes a new version that devices holding the profile receive again.
   * Host and email source of a profile that was ever deployed are frozen (409).
   */
  async update(id: string, patch: unknown): Promise<EmailProfileRecord> {
    const at = isoNow(this.ctx);
    const { record, toWake } = await this.named(() =>
      this.ctx.store.transaction(async (tx) => {
        const current = await tx.emailProfiles.get(id);
        if (!current) throw notFound('email profile', id);
        const checked = validateEmailProfileUpdate(current.definition, patch);
        if (!checked.ok) throw profileViolation(checked.violation);
        if (current.everDeployed) {
          for (const key of IMMUTABLE_ONCE_DEPLOYED) {
            if (checked.value[key] !== current.definition[key]) {
              throw new MdmlabError('immutableSetting', `${key} of a deployed profile cannot change; delete the profile and create a new one`, key);
            }
          }
        }
        await this.checkCertificates(tx, checked.value);
        if (JSON.stringify(checked.value) === JSON.stringify(current.definition)) return { record: current, toWake: [] };
        const record: EmailProfileRecord = { ...current, definition: checked.value, version: current.version + 1, updatedAt: at };
        await tx.emailProfiles.update(record);
        const groups = await tx.deployments.groupsOf(id);
        // A deployed profile's new settings must still be deployable where it is (KNOX useSsl needs a trusted root).
        if (groups.length > 0) await reviewDeployment(this.reviews, tx, record, groups, at);
        const devices = await tx.groups.devicesInGroups(groups);
        const { toWake } = await this.reconciler.reconcile(tx, devices, at);
        return { record, toWake };
      }),
    );
    await this.reconciler.wake(toWake);
    return record;
  }

  /** Deleting withdraws the profile from every device that has it, in the same transaction. */
  async delete(id: string): Promise<void> {
    const at = isoNow(this.ctx);
    const toWake = await this.ctx.store.transaction(async (tx) => {
      const profile = await tx.emailProfiles.get(id);
      if (!profile) throw notFound('email profile', id);
      // Its deployment goes with it: what the platforms said about that deployment is moot.
      await reviewDeployment(this.reviews, tx, profile, [], at);
      const holders = new Set([
        ...(await tx.groups.devicesInGroups(await tx.deployments.groupsOf(id))),
        ...(await tx.profileStates.forProfile(id)).map((s) => s.deviceId),
      ]);
      await tx.emailProfiles.delete(id);
      return (await this.reconciler.reconcile(tx, holders, at)).toWake;
    });
    await this.reconciler.wake(toWake);
  }

  private async checkCertificates(repos: Pick<Repositories, 'certificateProfiles'>, def: EmailProfileDefinition): Promise<void> {
    for (const field of CERT_FIELDS) {
      const certId = def[field];
      if (!certId) continue;
      const cert = await repos.certificateProfiles.get(certId);
      if (!cert) throw new MdmlabError('certificateProfileNotFound', `certificate profile ${certId} does not exist`, field);
      if (cert.kind !== 'scep') {
        throw new MdmlabError('certificateProfileWrongKind', `${field} must name a scep certificate profile, ${certId} is ${cert.kind}`, field);
      }
      const want = certificatePlatformOf(def.platform);
      if (cert.platform !== want) {
        throw new MdmlabError('certificateProfileWrongPlatform', `${field} must name a ${want} certificate profile, ${certId} is for ${cert.platform}`, field);
      }
    }
  }

  private async named<T>(step: () => Promise<T>): Promise<T> {
    try {
      return await step();
    } catch (err) {
      if (err instanceof StoreConflict) throw new MdmlabError('nameTaken', 'an email profile with this name already exists', 'name');
      throw err;
    }
  }
}
