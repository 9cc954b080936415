// WebSocket and EventSource classes to hand to watchTraining that record every connection: its
// URL and each message it delivered. A test can cut a connection (the client then sees what a
// network drop looks like: 1006, or an EventSource `error`) and hold the next connection back
// until something happened (e.g. the job ended), to test resuming without racing the job.

import { WebSocket } from './deps.js';
import { NodeEventSource } from './event_source.js';

export function recordingTransports() {
  const connections = [];
  let gate = null; // held for the next connection only
  let cutWhen = null; // cuts the connection right after the first message it matches, once

  const maybeCut = (c, message) => {
    if (cutWhen?.(message)) {
      cutWhen = null;
      c.cut();
    }
  };

  const record = (kind, url) => {
    const c = { kind, url, received: [], cut: null, closedByClient: false };
    connections.push(c);
    const held = gate;
    gate = null;
    return { c, held };
  };

  /** A stand-in for a WebSocket that opens the real one (from `ws`) once its gate opens. */
  class RecordingWebSocket {
    constructor(url) {
      const { c, held } = record('websocket', url);
      this.c = c;
      this.readyState = 0;
      this.onopen = this.onmessage = this.onerror = this.onclose = null;
      let cut = false;
      c.cut = () => {
        // Nothing after the cut reaches the client, whatever was already in flight.
        cut = true;
        this.ws?.terminate();
      };
      Promise.resolve(held).then(() => {
        if (this.readyState === 3) return;
        const ws = new WebSocket(url);
        this.ws = ws;
        ws.onopen = (e) => {
          if (cut) return;
          this.readyState = 1;
          this.onopen?.(e);
        };
        ws.onmessage = (e) => {
          if (cut) return;
          const message = JSON.parse(e.data);
          c.received.push(message);
          this.onmessage?.(e);
          maybeCut(c, message);
        };
        ws.onerror = (e) => this.onerror?.(e);
        ws.onclose = (e) => {
          this.readyState = 3;
          this.onclose?.(cut ? { code: 1006, reason: '' } : e);
        };
      });
    }

    send(data) {
      this.ws?.send(data);
    }

    close(code, reason) {
      this.c.closedByClient = true;
      if (this.ws) this.ws.close(code, reason);
      else this.readyState = 3;
    }
  }

  class RecordingEventSource extends NodeEventSource {
    constructor(url) {
      const { c, held } = record('sse', url);
      super(url, { gate: held });
      this.c = c;
      let cut = false;
      let cutPending = false;
      c.cut = () => {
        cut = true;
        this.abort?.abort(); // the stream breaks: the EventSource reports `error`
      };
      // Seen before the client's own listeners, which are added after the constructor returns.
      for (const type of ['connected', 'started', 'progress', 'product_completed', 'progress_summary', 'completed', 'failed',
        'watchers', 'message', 'close']) {
        this.addEventListener(type, (e) => {
          if (cut) return e.stopImmediatePropagation();
          if (cutPending) {
            c.cut();
            return e.stopImmediatePropagation();
          }
          const message = type === 'close' ? { type: 'close', ...JSON.parse(e.data) } : JSON.parse(e.data);
          c.received.push(message);
          // The client's listeners come after this one: the cut waits until they had this message,
          // and stops the next one should it come in the same chunk.
          if (cutWhen?.(message)) {
            cutWhen = null;
            cutPending = true;
            queueMicrotask(() => cut || c.cut());
          }
        });
      }
    }

    close() {
      this.c.closedByClient = true;
      super.close();
    }
  }

  return {
    WebSocket: RecordingWebSocket,
    EventSource: RecordingEventSource,
    connections,
    /** The next connection waits for `promise` before it reaches the server. */
    holdNext(promise) {
      gate = promise;
    },
    /** Cuts whichever connection first delivers a message for which `predicate` holds. */
    cutWhen(predicate) {
      cutWhen = predicate;
    },
  };
}
