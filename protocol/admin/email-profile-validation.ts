import {
  EMAIL_PROFILE_SETTINGS,
  platformHasSetting,
  type EmailProfileSettingKey,
  type EmailProfileSettings,
} from './email-profile-settings.js';
import { EMAIL_PROFILE_PLATFORMS, type EmailProfilePlatform } from './platforms.js';
import { checkSchema } from './schema.js';

/**
 * Pure validation of email profile bodies against the settings table (docs/email-profiles.md, "Settings"). Checks
 * that need the database (certificate profiles exist and are of the right kind, unique names,
 * immutable fields of deployed profiles) are the server's; everything decidable from the body
 * alone is here, so the scenario runner can reject a bad file before it talks to a server.
 */

export type EmailProfileDefinition = { platform: EmailProfilePlatform } & EmailProfileSettings;

export type ProfileViolationCode =
  | 'validationFailed'
  | 'unknownField'
  | 'missingField'
  | 'settingNotOnPlatform'
  | 'certificateProfileRequired'
  | 'certificateProfileNotAllowed'
  | 'platformImmutable';

export interface ProfileViolation {
  code: ProfileViolationCode;
  field: string;
  message: string;
}

export type ProfileValidation =
  | { ok: true; value: EmailProfileDefinition }
  | { ok: false; violation: ProfileViolation };

const fail = (code: ProfileViolationCode, field: string, message: string): ProfileValidation => ({
  ok: false,
  violation: { code, field, message },
});

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** A create body: `platform` plus settings; defaults are filled for settings the platform has. */
export function validateEmailProfile(body: unknown): ProfileValidation {
  if (!isRecord(body)) return fail('validationFailed', '', 'the body must be a JSON object');
  const platform = body.platform;
  if (platform === undefined) return fail('missingField', 'platform', 'platform is required');
  if (typeof platform !== 'string' || !(EMAIL_PROFILE_PLATFORMS as readonly string[]).includes(platform)) {
    return fail('validationFailed', 'platform', `platform must be one of ${EMAIL_PROFILE_PLATFORMS.join(', ')}`);
  }
  const settings: Record<string, unknown> = { ...body };
  delete settings.platform;
  return checkSettings(platform as EmailProfilePlatform, settings);
}

/**
 * A PATCH body merged over the current definition. `null` clears an optional setting (for a
 * setting with a default, back to the default). The platform cannot change: it decides which
 * devices hold the profile, so a new platform is a new profile.
 */
export function validateEmailProfileUpdate(current: EmailProfileDefinition, patch: unknown): ProfileValidation {
  if (!isRecord(patch)) return fail('validationFailed', '', 'the body must be a JSON object');
  if (patch.platform !== undefined && patch.platform !== current.platform) {
    return fail('platformImmutable', 'platform', 'the platform of a profile cannot change; create a new profile');
  }
  const unknown = firstForeignKey(current.platform, patch);
  if (unknown) return unknown;
  const merged: Record<string, unknown> = { ...current };
  delete merged.platform;
  for (const [key, value] of Object.entries(patch)) {
    if (key === 'platform') continue;
    if (value === null) {
      const rule = EMAIL_PROFILE_SETTINGS[key as EmailProfileSettingKey];
      if (rule.required) return fail('missingField', key, `${key} is required and cannot be cleared`);
      delete merged[key];
    } else {
      merged[key] = value;
    }
  }
  return checkSettings(current.platform, merged);
}

function firstForeignKey(platform: EmailProfilePlatform, body: Record<string, unknown>): ProfileValidation | undefined {
  for (const key of Object.keys(body)) {
    if (key === 'platform') continue;
    if (!Object.hasOwn(EMAIL_PROFILE_SETTINGS, key)) return fail('unknownField', key, `${key} is not a setting of email profiles`);
    if (!platformHasSetting(platform, key)) {
      return fail('settingNotOnPlatform', key, `${key} is not a setting of ${platform} profiles`);
    }
  }
  return undefined;
}

/** Every setting the platform has: present ones checked, absent ones required or defaulted. */
function checkSettings(platform: EmailProfilePlatform, input: Record<string, unknown>): ProfileValidation {
  const foreign = firstForeignKey(platform, input);
  if (foreign) return foreign;
  const out: Record<string, unknown> = {};
  for (const [key, rule] of Object.entries(EMAIL_PROFILE_SETTINGS) as [EmailProfileSettingKey, (typeof EMAIL_PROFILE_SETTINGS)[EmailProfileSettingKey]][]) {
    if (!rule.platforms.includes(platform)) continue;
    let value = input[key];
    if (value === null) value = undefined;
    if (value === undefined) {
      if (rule.required) return fail('missingField', key, `${key} is required`);
      if (rule.default) out[key] = rule.default(platform);
      continue;
    }
    const violation = checkSchema(rule.schema(platform), value, key);
    if (violation) {
      const message =
        violation.reason === 'value' && key !== 'host' && key !== 'name' && key !== 'accountName'
          ? `${violation.message} for ${platform} profiles`
          : violation.message;
      return fail('validationFailed', violation.field, message);
    }
    out[key] = value;
  }
  const def = { platform, ...out } as EmailProfileDefinition;
  return crossChecks(def);
}

/** "Required exactly when": a certificate profile goes with certificate auth / S/MIME and only then. */
function crossChecks(def: EmailProfileDefinition): ProfileValidation {
  if (def.authMethod !== undefined) {
    const wantsCert = def.authMethod === 'certificate';
    if (wantsCert && !def.identityCertificateProfileId) {
      return fail('certificateProfileRequired', 'identityCertificateProfileId', 'identityCertificateProfileId is required when authMethod is certificate');
    }
    if (!wantsCert && def.identityCertificateProfileId) {
      return fail('certificateProfileNotAllowed', 'identityCertificateProfileId', 'identityCertificateProfileId is only allowed when authMethod is certificate');
    }
  }
  if (def.useSmime !== undefined) {
    if (def.useSmime && !def.signingCertificateProfileId) {
      return fail('certificateProfileRequired', 'signingCertificateProfileId', 'signingCertificateProfileId is required when useSmime is true');
    }
    if (!def.useSmime && def.signingCertificateProfileId) {
      return fail('certificateProfileNotAllowed', 'signingCertificateProfileId', 'signingCertificateProfileId is only allowed when useSmime is true');
    }
  }
  return { ok: true, value: def };
}
