// Levain's JavaScript client: live training progress over WebSocket or Server-Sent Events, and
// small REST helpers. An ES module for browsers and Node 20+ (pass a WebSocket implementation in
// Node, e.g. `ws`, and an EventSource-compatible class for SSE there).
// Types: levain-client.d.ts. Contract: docs/live-protocol.md; usage: docs/client.md.

export { watchTraining, backoffDelay } from './watch.js';
export { TrainingFold, isTerminalStatus } from './fold.js';
export {
  uploadSales, startTraining, listJobs, getJob, cancelJob, getForecasts, listModels, getSalesHistory,
  getSalesSummary, bakePlan, bakePlanCsv, getAccuracy,
} from './rest.js';
export {
  LevainError, describeError, describeClose, describeEta, describeJobEnd, closeAction,
} from './messages.js';
export { readTokenClaims, tokenExpired } from './token.js';
export { apiUrl, liveUrl } from './urls.js';
