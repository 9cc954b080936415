// Types of the React hook (react.js). React is a peer dependency.
import type { CloseInfo, TrainingState, WatchOptions } from './levain-client.js';

export interface TrainingProgress {
  /** null until the first update. */
  state: TrainingState | null;
  /** null while the watch goes on. */
  closeInfo: CloseInfo | null;
}

/** Watches the job while mounted; empty tenantId/jobId/token means "not watching". */
export function useTrainingProgress(options: Partial<WatchOptions>): TrainingProgress;
