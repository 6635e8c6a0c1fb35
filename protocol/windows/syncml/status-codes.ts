/**
 * SyncML status codes (OMA-TS-SyncML_RepPro §10, the subset OMA DM and Windows use; meanings from
 * Microsoft's "OMA DM protocol support" table, which notes what Windows CSPs return).
 */

export const STATUS = {
  OK: 200,
  ACCEPTED_FOR_PROCESSING: 202,
  AUTHENTICATION_ACCEPTED: 212,
  CHUNKED_ITEM_ACCEPTED: 213,
  OPERATION_CANCELLED: 214,
  NOT_EXECUTED: 215,
  ATOMIC_ROLLBACK_OK: 216,
  BAD_REQUEST: 400,
  INVALID_CREDENTIALS: 401,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  COMMAND_NOT_ALLOWED: 405,
  OPTIONAL_FEATURE_NOT_SUPPORTED: 406,
  MISSING_CREDENTIALS: 407,
  INCOMPLETE_COMMAND: 412,
  REQUEST_ENTITY_TOO_LARGE: 413,
  URI_TOO_LONG: 414,
  UNSUPPORTED_MEDIA_TYPE_OR_FORMAT: 415,
  REQUESTED_SIZE_TOO_BIG: 416,
  ALREADY_EXISTS: 418,
  SIZE_MISMATCH: 424,
  PERMISSION_DENIED: 425,
  COMMAND_FAILED: 500,
  PROCESSING_ERROR: 506,
  ATOMIC_FAILED: 507,
  ATOMIC_ROLLBACK_FAILED: 516,
} as const;

export type StatusName = keyof typeof STATUS;

const MEANINGS: Readonly<Record<number, string>> = {
  200: 'OK: the command completed successfully',
  202: 'accepted for processing (asynchronous, e.g. an Exec that runs later)',
  212: 'authentication accepted: no further credentials are needed in this session',
  213: 'chunked item accepted and buffered',
  214: 'operation cancelled: the command completed but no more commands are processed in this session',
  215: 'not executed: the user cancelled the command',
  216: 'Atomic rollback OK: the command was rolled back because its Atomic failed',
  400: 'bad request: the command is malformed',
  401: 'invalid credentials',
  403: 'forbidden: the recipient understood the command but refuses it',
  404: 'not found: the target node does not exist',
  405: 'command not allowed on this node (e.g. a write to a read-only node)',
  406: 'optional feature not supported',
  407: 'missing credentials: authentication is required',
  412: 'incomplete command',
  413: 'request entity too large',
  414: 'URI too long',
  415: 'unsupported media type or format',
  416: 'requested size too big',
  418: 'already exists: Add of a node that exists',
  424: 'size mismatch',
  425: 'permission denied by the node access control list',
  500: 'command failed',
  506: 'processing error',
  507: 'Atomic failed: one of the commands in the Atomic failed',
  516: 'Atomic rollback failed',
};

/** What a status code means, for logs and command history. */
export function statusMeaning(code: number): string {
  return MEANINGS[code] ?? (code >= 200 && code < 300 ? `success (${code})` : code >= 400 && code < 500 ? `originator error (${code})` : `recipient error (${code})`);
}

/** 2xx: the command took effect (or was accepted to take effect later). */
export function isSuccessStatus(code: number): boolean {
  return code >= 200 && code < 300;
}
