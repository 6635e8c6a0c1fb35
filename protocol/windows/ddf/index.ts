export * from './ddf-allowed-values.js';
export * from './ddf-doctype.js';
export * from './ddf-error.js';
export * from './ddf-parse.js';
export * from './ddf-types.js';
export * from './ddf-values.js';
