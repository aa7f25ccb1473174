export { startReviewServer, type ReviewServer, type ReviewServerOptions } from './server.js';
export { Queue, filtersSchema, type Entry, type Filters } from './queue.js';
export { plan, withoutRule, type BulkOp } from './bulk.js';
