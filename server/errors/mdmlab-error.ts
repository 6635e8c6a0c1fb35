import { ERRORS, type ErrorCode } from './catalogue.js';

/** A domain error: a catalogue code, a human message and, for body errors, the field at fault. */
export class MdmlabError extends Error {
  readonly code: ErrorCode;
  readonly field: string | undefined;

  constructor(code: ErrorCode, message?: string, field?: string) {
    super(message ?? ERRORS[code].message);
    this.name = 'MdmlabError';
    this.code = code;
    this.field = field;
  }
}

export const notFound = (what: string, id: string): MdmlabError => new MdmlabError('notFound', `${what} ${id} does not exist`);
