export { startReviewServer, type ReviewServer, type ReviewServerOptions } from './server.js';
export { buildQueue, filterQueue, type QueueItem, type Filters } from './queue.js';
