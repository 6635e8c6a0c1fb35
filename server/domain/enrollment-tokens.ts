import { randomBytes } from 'node:crypto';
import { DEVICE_PLATFORMS, type DevicePlatform } from '../../protocol/admin/platforms.js';
import type { ObjectSchema } from '../../protocol/admin/schema.js';
import { MdmlabError } from '../errors/mdmlab-error.js';
import { ProtocolError } from '../errors/protocol-error.js';
import type { Repositories } from '../store/port.js';
import type { EnrollmentTokenRecord } from '../store/records.js';
import { isoNow, type DomainContext } from './context.js';
import { parseBody } from './validate.js';

export const CreateEnrollmentToken: ObjectSchema = {
  type: 'object',
  required: ['userId'],
  properties: {
    userId: { type: 'string', minLength: 1, description: 'The user the enrolling device belongs to' },
    platform: { type: 'string', enum: DEVICE_PLATFORMS, description: 'Default ios' },
    expiresInMinutes: { type: 'integer', minimum: 1, maximum: 43_200, description: 'Default 1440 (one day)' },
    reusable: { type: 'boolean', description: 'Enroll any number of devices with it (fleet runs); default one device' },
  },
};

const MINUTE = 60_000;

/** What the platform a token is for adds to it: how the device uses it (an enrollment URL, a QR payload, …). */
export type EnrollmentInfo = (token: EnrollmentTokenRecord) => Record<string, unknown> | Promise<Record<string, unknown>>;

export type EnrollmentTokenView = EnrollmentTokenRecord & Record<string, unknown>;

/**
 * Enrollment tokens, for every platform: what stands for "the user signed in to the enrollment
 * portal". One token enrolls one device of its platform (or any number, when reusable) and is spent
 * when the device presents it; how a device presents it is its platform's business.
 */
export class EnrollmentTokenService {
  private readonly platforms = new Map<DevicePlatform, EnrollmentInfo>();

  constructor(private readonly ctx: DomainContext) {}

  /** A platform module makes its platforms enrollable. */
  register(platforms: readonly DevicePlatform[], info: EnrollmentInfo): void {
    for (const p of platforms) this.platforms.set(p, info);
  }

  enrollable(): DevicePlatform[] {
    return DEVICE_PLATFORMS.filter((p) => this.platforms.has(p));
  }

  async create(body: unknown): Promise<EnrollmentTokenView> {
    const input = parseBody<{ userId: string; platform?: DevicePlatform; expiresInMinutes?: number; reusable?: boolean }>(CreateEnrollmentToken, body);
    const platform = input.platform ?? 'ios';
    const info = this.platforms.get(platform);
    if (!info) {
      throw new MdmlabError('platformNotSupported', `${platform} devices cannot enroll yet (supported: ${this.enrollable().join(', ')})`, 'platform');
    }
    if (!(await this.ctx.store.users.get(input.userId))) throw new MdmlabError('unknownMember', `user ${input.userId} does not exist`, 'userId');
    const now = this.ctx.now();
    const record: EnrollmentTokenRecord = {
      token: randomBytes(18).toString('base64url'),
      userId: input.userId,
      platform,
      createdAt: now.toISOString(),
      expiresAt: new Date(now.getTime() + (input.expiresInMinutes ?? 1440) * MINUTE).toISOString(),
      reusable: input.reusable ?? false,
    };
    await this.ctx.store.enrollmentTokens.insert(record);
    return { ...record, ...(await info(record)) };
  }

  /**
   * The token a device presents: valid, unexpired, for one of `platforms`, and unused unless
   * reusable. Marks it used (inside the caller's transaction, so a refused enrollment spends nothing).
   */
  async redeem(tx: Repositories, token: string, platforms: readonly DevicePlatform[]): Promise<EnrollmentTokenRecord> {
    const record = await this.check(tx, token, platforms);
    if (!record) throw new ProtocolError('enrollmentTokenInvalid');
    await tx.enrollmentTokens.markUsed(token, isoNow(this.ctx));
    return record;
  }

  /**
   * The token if `redeem` would take it, without spending it: for a platform that must judge the
   * enrollment (an identity conflict) before deciding whether the token is spent. Undefined when not.
   */
  async check(tx: Repositories, token: string, platforms: readonly DevicePlatform[]): Promise<EnrollmentTokenRecord | undefined> {
    const record = await tx.enrollmentTokens.get(token);
    const at = isoNow(this.ctx);
    if (!record || record.expiresAt < at || (!record.reusable && record.usedAt) || !platforms.includes(record.platform)) return undefined;
    return record;
  }
}
