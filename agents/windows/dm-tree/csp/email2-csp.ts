import { DmStatus } from '../dm-command.js';
import type { CspHandler } from '../csp-handler.js';

/**
 * The EMAIL2 CSP (IMAP4/POP3 accounts; Microsoft, "EMAIL2 CSP" page and its DDF). Quirks beyond
 * the DDF:
 *
 * - "All Add and Replace commands need to be wrapped in an Atomic section" (500 otherwise, like
 *   MSFT:AtomicRequired: see dm-item-ops.ts).
 * - "For the EMAIL2 CSP, Configuration Manager implicitly adds the missing part of the node to be
 *   replaced or any segment in the path": Replace creates what is missing.
 * - "The EMAIL2 Configuration Service Provider does not support the OMA DM Replace command on the
 *   parameters SERVICENAME and SERVICETYPE" once set (405; the account must be deleted and created
 *   anew).
 * - An Add of an existing account GUID "does not create the new account and Add command will
 *   fail" — the tree's 418, nothing more.
 * - The DDF: "we can only have 6 additional email accounts" (a 7th is refused, 500).
 */

export const EMAIL2_CSP_ID = 'email2';
export const EMAIL2_MAX_ACCOUNTS = 6;

export function email2Csp(): CspHandler {
  return {
    id: EMAIL2_CSP_ID,
    roots: ['./User/Vendor/MSFT/EMAIL2', './Vendor/MSFT/EMAIL2'],
    replaceCreatesPath: true,
    atomicRequired: ['Add', 'Replace'],

    checkWrite(write, ctx) {
      if (write.op === 'Replace' && write.previous !== undefined && /^\*\/(SERVICENAME|SERVICETYPE)$/i.test(write.template)) {
        return { code: DmStatus.commandNotAllowed, reason: `${write.names[1]} cannot be replaced: delete the account and create it again` };
      }
      if (write.op !== 'Delete' && write.template === '*' && (ctx.childrenAt(write.rootPath.split('/').slice(1))?.length ?? 0) >= EMAIL2_MAX_ACCOUNTS) {
        return { code: DmStatus.commandFailed, reason: `EMAIL2 holds at most ${EMAIL2_MAX_ACCOUNTS} accounts` };
      }
      return undefined;
    },
  };
}
