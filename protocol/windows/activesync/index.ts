/** protocol/windows/activesync: email profiles as ActiveSync CSP nodes and back. */
export * from './account-nodes.js';
