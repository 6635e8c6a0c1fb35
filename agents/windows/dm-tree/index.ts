/**
 * The simulated Windows device's OMA DM management tree.
 *
 *   // Once per process: the node definitions, from Microsoft's DDF files (or the fallback table).
 *   const { schema, warnings } = loadWindowsDmSchema();      // MDMLAB_WINDOWS_DDF, else the built-in table
 *   const handlers = new CspHandlerSet(defaultCspHandlers()); // ActiveSync and EMAIL2 quirks
 *
 *   // Per device: values only.
 *   const tree = new DmTree(schema, { handlers });
 *   tree.setLocal('./DevInfo/DevId', deviceId);               // the device's own facts
 *   tree.subscribe((event) => mailApp.accountsTouched(event));             // agents/windows/mail reads them
 *   const statuses = tree.execute(commandsFromSyncML);        // one DmCommandStatus per command
 *   store.save(tree.snapshot());                              // JSON; DmTree.restore(schema, json) brings it back
 */
export * from './csp-handler.js';
export * from './csp/activesync-csp.js';
export * from './csp/default-handlers.js';
export * from './csp/email2-csp.js';
export * from './ddf-loader.js';
export * from './dm-command.js';
export { DEFAULT_DM_TREE_LIMITS, type DmTreeLimits } from './dm-context.js';
export type { DmExecution, DmTreeChange } from './dm-node.js';
export * from './dm-schema.js';
export * from './dm-snapshot.js';
export * from './dm-tree.js';
export { fallbackDdfNodes } from './fallback/index.js';
export * from './loc-uri.js';
