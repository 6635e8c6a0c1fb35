import type { ObjectSchema, Schema } from '../../protocol/admin/schema.js';
import { CERTIFICATE_PROFILE_KINDS, DEVICE_PLATFORMS } from '../../protocol/admin/platforms.js';

/** Request bodies of the admin API (documented in openapi.json from these same objects). */

const EMAIL = '^[^\\s@]+@[^\\s@]+\\.[^\\s@]+$';
const text = (max: number, description?: string): Schema => ({ type: 'string', minLength: 1, maxLength: max, ...(description ? { description } : {}) });
const id: Schema = { type: 'string', minLength: 1, maxLength: 64 };

export const CreateUser: ObjectSchema = {
  type: 'object',
  required: ['upn'],
  properties: {
    upn: { type: 'string', pattern: EMAIL, format: 'user principal name', maxLength: 256, description: 'User principal name, unique' },
    primarySmtp: { type: 'string', pattern: EMAIL, format: 'email address', maxLength: 256, description: 'Defaults to the upn' },
    username: { ...text(128), description: "On-premises user name; defaults to the upn's local part" } as Schema,
  },
};

export const UpdateUser: ObjectSchema = { ...CreateUser, required: [] };

export const CreateGroup: ObjectSchema = {
  type: 'object',
  required: ['name'],
  properties: { name: text(128, 'Unique group name'), description: { type: 'string', maxLength: 1024, nullable: true } },
};
export const UpdateGroup: ObjectSchema = { ...CreateGroup, required: [] };

export const GroupMembers: ObjectSchema = {
  type: 'object',
  properties: {
    users: { type: 'array', items: id, maxItems: 10_000, description: 'User ids' },
    devices: { type: 'array', items: id, maxItems: 10_000, description: 'Device ids' },
  },
};

export const CreateCertificateProfile: ObjectSchema = {
  type: 'object',
  required: ['name', 'kind', 'platform'],
  properties: {
    name: text(128, 'Unique name'),
    kind: { type: 'string', enum: CERTIFICATE_PROFILE_KINDS },
    platform: { type: 'string', enum: DEVICE_PLATFORMS },
    subject: { ...text(512), description: 'scep: X.500 subject, e.g. CN={{upn}},O=Contoso; variables {{upn}} {{email}} {{username}} {{deviceId}}' } as Schema,
    keySize: { type: 'integer', enum: [1024, 2048, 4096], description: 'scep: RSA key size (default 2048)' },
    validityDays: { type: 'integer', minimum: 1, maximum: 3650, description: 'scep: certificate lifetime (default 365)' },
    pem: { type: 'string', minLength: 1, maxLength: 65_536, description: 'trustedRoot: the certificate, PEM' },
  },
};

/** How long an administrator's re-enrollment allowance lasts: long enough to erase and set up a device, no longer. */
export const REENROLLMENT_DEFAULT_MINUTES = 60;
export const AllowReenrollment: ObjectSchema = {
  type: 'object',
  properties: {
    expiresInMinutes: {
      type: 'integer',
      minimum: 1,
      maximum: 1440,
      description: `How long the allowance lasts unused (default ${REENROLLMENT_DEFAULT_MINUTES}, at most a day); the enrollment that uses it spends it`,
    },
  },
};

export const Deployment: ObjectSchema = {
  type: 'object',
  required: ['groupIds'],
  properties: { groupIds: { type: 'array', items: id, uniqueItems: true, maxItems: 1000, description: 'Exactly the groups the profile goes to; [] undeploys' } },
};
