export * from './taxonomy.js';
export * from './doc.js';
export * from './messages.js';
export * from './errors.js';
export * from './hash.js';
export * from './fsutil.js';
