// One watch of a job through the client, for the tests against the real service: every state it
// went through, and once it ends its close info.

import { WebSocket } from './deps.js';
import { NodeEventSource } from './event_source.js';
import { watchTraining } from '../../../web/client/levain-client.js';

/** Resolves `done` with {updates, info} when the watch ends; `handle` closes it early. */
export function watchRun(rest, jobId, extra = {}) {
  const updates = [];
  let handle;
  const done = new Promise((resolve) => {
    handle = watchTraining({
      ...rest, jobId, WebSocket, EventSource: NodeEventSource,
      reconnect: { initialBackoffMs: 50, maxBackoffMs: 500 },
      ...extra,
      onUpdate: (s) => updates.push(s),
      onClose: (info) => resolve({ updates, info }),
    });
  });
  return { done, updates, handle };
}
