import type { ObjectSchema, Schema } from '../../../protocol/admin/schema.js';
import { EMAIL_PROFILE_SETTINGS } from '../../../protocol/admin/email-profile-settings.js';
import { DEVICE_PLATFORMS, EMAIL_PROFILE_PLATFORMS } from '../../../protocol/admin/platforms.js';
import { COMMAND_HISTORY_PER_DEVICE } from '../../store/port.js';
import { ALERT_KINDS, PROFILE_STATES } from '../../store/records.js';

/** Shapes of what the admin API returns, for openapi.json only (responses are not re-validated). */

const s = (description?: string): Schema => ({ type: 'string', ...(description ? { description } : {}) });
const obj = (properties: Record<string, Schema>, required: string[] = []): ObjectSchema => ({
  type: 'object',
  properties,
  required,
  additionalProperties: true,
});
const list = (items: Schema): Schema => ({ type: 'array', items });

export const User = obj({ id: s(), upn: s(), primarySmtp: s(), username: s(), createdAt: s() }, ['id', 'upn', 'primarySmtp', 'username']);
export const Group = obj({ id: s(), name: s(), description: s(), createdAt: s() }, ['id', 'name']);
export const Member = obj({ kind: { type: 'string', enum: ['user', 'device'] }, id: s() }, ['kind', 'id']);
export const GroupDetail = obj({ ...Group.properties, members: list(Member) }, ['id', 'name', 'members']);
export const CertificateProfile = obj(
  {
    id: s(),
    name: s(),
    kind: { type: 'string', enum: ['scep', 'trustedRoot'] },
    platform: { type: 'string', enum: DEVICE_PLATFORMS },
    scep: obj({ subject: s(), keySize: { type: 'integer' }, validityDays: { type: 'integer' } }),
    trustedRoot: obj({ pem: s(), fingerprintSha256: s(), subject: s() }),
  },
  ['id', 'name', 'kind', 'platform'],
);

/** One body shape per platform: exactly the settings that platform has (docs/email-profiles.md, "Settings"). */
export function emailProfileBody(requiredSettings: boolean): Schema {
  return {
    oneOf: EMAIL_PROFILE_PLATFORMS.map((platform) => {
      const properties: Record<string, Schema> = { platform: { type: 'string', enum: [platform] } };
      const required = ['platform'];
      for (const [key, rule] of Object.entries(EMAIL_PROFILE_SETTINGS)) {
        if (!rule.platforms.includes(platform)) continue;
        properties[key] = { ...rule.schema(platform), description: rule.description } as Schema;
        if (rule.required && requiredSettings) required.push(key);
      }
      return { type: 'object', properties, required, description: `${platform} email profile` } satisfies ObjectSchema;
    }),
  };
}

export const EmailProfile = obj(
  { id: s(), definition: emailProfileBody(true), version: { type: 'integer' }, everDeployed: { type: 'boolean' }, createdAt: s(), updatedAt: s() },
  ['id', 'definition', 'version', 'everDeployed'],
);
export const DeploymentWarning = obj(
  { code: s('overlappingKnoxProfiles, appNotDeployed, …'), message: s(), profileIds: list(s()), groupIds: list(s()) },
  ['code', 'message'],
);
export const DeploymentView = obj(
  { profileId: s(), groupIds: list(s()), warnings: { ...list(DeploymentWarning), description: 'what will not go as expected; absent when nothing' } },
  ['profileId', 'groupIds'],
);
const ProfileStateView = obj({
  profileId: s(),
  profileName: s(),
  state: { type: 'string', enum: PROFILE_STATES },
  detail: s(),
  profileVersion: { type: 'integer' },
  installedVersion: { type: 'integer', description: 'the version the device last confirmed holding; absent when nothing of it is on the device' } as Schema,
  updatedAt: s(),
});
export const Alert = obj(
  { id: s(), kind: { type: 'string', enum: ALERT_KINDS }, deviceId: s(), profileId: s(), message: s(), details: obj({}), createdAt: s(), resolvedAt: s() },
  ['id', 'kind', 'message'],
);
const deviceFields = {
  id: s(),
  platform: { type: 'string', enum: DEVICE_PLATFORMS } as Schema,
  hardwareId: s('UDID, Windows DeviceID or Android id'),
  userId: s(),
  name: s(),
  model: s(),
  osVersion: s(),
  status: { type: 'string', enum: ['enrolled', 'unenrolled'] } as Schema,
  enrolledAt: s(),
  lastSeenAt: s(),
  reenrollmentAllowedUntil: s('set while an administrator allows one new identity to enroll the device (allow-reenrollment)'),
  compliance: { type: 'string', enum: ['compliant', 'nonCompliant'] } as Schema,
};
export const Device = obj(deviceFields, ['id', 'platform', 'status', 'compliance']);
export const DeviceDetail = obj({ ...deviceFields, userUpn: s(), profiles: list(ProfileStateView), alerts: list(Alert) }, ['id', 'platform', 'profiles']);
export const ReenrollmentAllowance = obj({ deviceId: s(), allowedUntil: s('the allowance is void after this time') }, ['deviceId', 'allowedUntil']);
export const Status = obj({
  profiles: list(
    obj({
      profileId: s(),
      name: s(),
      platform: s(),
      version: { type: 'integer' },
      groupIds: list(s()),
      counts: obj(Object.fromEntries(PROFILE_STATES.map((st) => [st, { type: 'integer' } as Schema]))),
    }),
  ),
  devices: obj({ enrolled: { type: 'integer' }, compliant: { type: 'integer' }, nonCompliant: { type: 'integer' } }),
  activeAlerts: { type: 'integer' },
});
/** One ErrorChain item with Apple's key names, as the device sent it (outer → inner). */
const ErrorChainItem = obj(
  { ErrorDomain: s(), ErrorCode: { type: 'integer' }, LocalizedDescription: s(), USEnglishDescription: s() },
  ['ErrorDomain', 'ErrorCode'],
);
const QueuedCommand = obj(
  {
    uuid: s(),
    requestType: s(),
    status: { type: 'string', enum: ['queued', 'sent', 'notNow'] },
    profileId: s(),
    profileVersion: { type: 'integer' },
    queuedAt: s(),
    sentAt: s(),
    notNowCount: { type: 'integer' },
  },
  ['uuid', 'requestType', 'status', 'queuedAt'],
);
const AnsweredCommand = obj(
  {
    uuid: s(),
    deviceId: s(),
    requestType: s(),
    status: s("the platform's own answer: Apple Acknowledged, Error or CommandFormatError; OMA-DM a SyncML status code"),
    errorChain: { ...list(ErrorChainItem), description: 'Apple: the ErrorChain as the device sent it; absent when it sent none' },
    profileId: s(),
    profileVersion: { type: 'integer' },
    queuedAt: s(),
    sentAt: s(),
    answeredAt: s(),
  },
  ['uuid', 'requestType', 'status', 'queuedAt', 'answeredAt'],
);
export const DeviceCommands = obj(
  {
    queued: { ...list(QueuedCommand), description: 'in the order the device gets them' },
    history: { ...list(AnsweredCommand), description: `answered commands, newest first; the newest ${COMMAND_HISTORY_PER_DEVICE} are kept` },
  },
  ['queued', 'history'],
);
export const ErrorBody = obj(
  { error: obj({ code: s('catalogue code (server/errors/catalogue.ts)'), message: s(), field: s('the offending field, for body errors') }, ['code', 'message']) },
  ['error'],
);
export { list };
