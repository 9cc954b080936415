// EventSources for watchTraining that play a script each, with no network: what a server stream
// does (an event per message, `event: close` at the end, or a break), to test the client's SSE
// logic without a server.

/** EventSources that play scripts[i](source) for the i-th one (the last repeats); no network. */
export function scriptedEventSources(scripts) {
  const made = [];
  class ScriptedEventSource {
    constructor(url) {
      this.url = url;
      this.readyState = 0;
      this.closed = false;
      this.listeners = new Map();
      made.push(this);
      const script = scripts[Math.min(made.length - 1, scripts.length - 1)];
      setTimeout(() => {
        this.readyState = 1;
        script(this);
      }, 0);
    }

    addEventListener(type, fn) {
      if (!this.listeners.has(type)) this.listeners.set(type, []);
      this.listeners.get(type).push(fn);
    }

    close() {
      this.closed = true;
      this.readyState = 2;
    }

    // What a server stream does: an event per message, `event: close` at the end, or a break.
    emit(type, data) {
      if (this.closed) return;
      for (const fn of this.listeners.get(type) ?? []) fn({ type, data });
    }

    send(message) {
      this.emit(message.type, JSON.stringify(message));
    }

    end(code, reason) {
      this.emit('close', JSON.stringify({ code, reason }));
      this.closedAtOnce = this.closed; // the client must close it before EventSource reconnects
    }

    drop() {
      this.readyState = 0; // a browser's EventSource would now reconnect by itself
      this.emit('error', undefined);
    }
  }
  return { EventSource: ScriptedEventSource, made };
}
