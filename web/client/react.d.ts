// Types of the React hook (react.js). React is a peer dependency.
import type { CloseInfo, TrainingState, WatchOptions } from './levain-client.js';

export interface TrainingProgress {
  /**
   * null until the first update; `state.transport` says whether it came by WebSocket or SSE.
   * It has the whole folded view: `etaSeconds`, `elapsedSeconds`, `inFlight`, `accuracy`,
   * `report`, `watchers`, `etaError` besides progress and products, and `quota` while a watcher
   * quota (close 4029) holds the watch back: it goes on, so `closeInfo` stays null meanwhile.
   */
  state: TrainingState | null;
  /** null while the watch goes on. */
  closeInfo: CloseInfo | null;
}

/**
 * Watches the job while mounted; empty tenantId/jobId/token means "not watching". A change of
 * `maxRate` re-subscribes at the new rate. `transport` ('auto' by default), `WebSocket` and
 * `EventSource` are taken from the first render of a watch.
 */
export function useTrainingProgress(options: Partial<WatchOptions>): TrainingProgress;
