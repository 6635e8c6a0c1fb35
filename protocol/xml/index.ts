export * from './xml-element.js';
export * from './xml-error.js';
export * from './xml-parse.js';
export * from './xml-write.js';
