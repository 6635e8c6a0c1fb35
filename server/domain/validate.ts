import { checkSchema, type ObjectSchema } from '../../protocol/admin/schema.js';
import type { ProfileViolation } from '../../protocol/admin/email-profile-validation.js';
import { MdmlabError } from '../errors/mdmlab-error.js';

/** Checks a body against its schema; the first violation becomes a 400 naming the field. */
export function parseBody<T>(schema: ObjectSchema, body: unknown): T {
  const v = checkSchema(schema, body);
  if (v) {
    const code = v.reason === 'unknown' ? 'unknownField' : v.reason === 'required' ? 'missingField' : 'validationFailed';
    throw new MdmlabError(code, v.message, v.field || undefined);
  }
  return body as T;
}

export function profileViolation(v: ProfileViolation): MdmlabError {
  return new MdmlabError(v.code, v.message, v.field || undefined);
}
