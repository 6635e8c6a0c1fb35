import { randomBytes } from 'node:crypto';
import { DEVICE_PLATFORMS, type DevicePlatform } from '../../protocol/admin/platforms.js';
import type { ObjectSchema } from '../../protocol/admin/schema.js';
import { parseBody } from '../domain/validate.js';
import { isoNow } from '../domain/context.js';
import { MdmlabError } from '../errors/mdmlab-error.js';
import { ProtocolError } from '../errors/protocol-error.js';
import type { Repositories } from '../store/port.js';
import type { EnrollmentTokenRecord } from '../store/records.js';
import { addMinutes, APPLE_PATHS, type AppleContext } from './apple-context.js';

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

const ENROLLABLE: readonly DevicePlatform[] = ['ios'];

export interface EnrollmentTokenView extends EnrollmentTokenRecord {
  enrollUrl: string;
}

/** Enrollment tokens: what stands for "the user signed in to the enrollment portal". */
export class EnrollmentTokenService {
  constructor(private readonly ctx: AppleContext) {}

  async create(body: unknown): Promise<EnrollmentTokenView> {
    const input = parseBody<{ userId: string; platform?: DevicePlatform; expiresInMinutes?: number; reusable?: boolean }>(CreateEnrollmentToken, body);
    const platform = input.platform ?? 'ios';
    if (!ENROLLABLE.includes(platform)) {
      throw new MdmlabError('platformNotSupported', `${platform} devices cannot enroll yet (supported: ${ENROLLABLE.join(', ')})`, 'platform');
    }
    if (!(await this.ctx.store.users.get(input.userId))) throw new MdmlabError('unknownMember', `user ${input.userId} does not exist`, 'userId');
    const now = this.ctx.now();
    const record: EnrollmentTokenRecord = {
      token: randomBytes(18).toString('base64url'),
      userId: input.userId,
      platform,
      createdAt: now.toISOString(),
      expiresAt: addMinutes(now, input.expiresInMinutes ?? 1440),
      reusable: input.reusable ?? false,
    };
    await this.ctx.store.enrollmentTokens.insert(record);
    return { ...record, enrollUrl: `${this.ctx.baseUrl()}${APPLE_PATHS.enroll}?token=${record.token}` };
  }

  /** The token a device presents: valid, unexpired, and unused unless reusable. Marks it used. */
  async redeem(tx: Repositories, token: string): Promise<EnrollmentTokenRecord> {
    const record = await tx.enrollmentTokens.get(token);
    const at = isoNow(this.ctx);
    if (!record || record.expiresAt < at || (!record.reusable && record.usedAt)) throw new ProtocolError('enrollmentTokenInvalid');
    await tx.enrollmentTokens.markUsed(token, at);
    return record;
  }
}
