/**
 * What the device knows about each ActiveSync account beyond its nodes: who created it (the user in
 * the mail app, or the management server) and the mail-store facts of agents/core (when it was
 * created, whether it took a user account's place). Windows keeps that in the mail app's own
 * store, not in the management tree; the simulation keeps it beside the tree, saved with it.
 * Keys are account node LocURIs in lower case (tree-accounts.ts accountKey).
 */
export interface AccountRecord {
  managed: boolean;
  createdAt: number;
  replacedUserAccount?: boolean;
}

export type AccountRecords = Record<string, AccountRecord>;
