// An EventSource for Node (which has none), enough of the WHATWG one for the client and the
// tests: fetch + the text/event-stream format (id/event/data/retry fields, comments, dispatch on a
// blank line), readyState, addEventListener and on* handlers, close(), and its own reconnect with
// Last-Event-ID after the stream ends, as a browser does, so a client that forgets to close it
// shows up as an extra request. Each instance counts its requests in `requests`.

const CONNECTING = 0;
const OPEN = 1;
const CLOSED = 2;

export class NodeEventSource extends EventTarget {
  static CONNECTING = CONNECTING;
  static OPEN = OPEN;
  static CLOSED = CLOSED;

  /** init: {headers, gate: a promise awaited before the first request, retryMs} */
  constructor(url, init = {}) {
    super();
    this.url = String(url);
    this.readyState = CONNECTING;
    this.withCredentials = false;
    this.onopen = this.onmessage = this.onerror = null;
    this.requests = 0;
    this.lastEventId = '';
    this.retryMs = init.retryMs ?? 1000;
    this.headers = init.headers ?? {};
    this.abort = null;
    this.timer = null;
    Promise.resolve(init.gate).then(() => this.#request());
  }

  close() {
    this.readyState = CLOSED;
    clearTimeout(this.timer);
    this.abort?.abort();
  }

  #emit(type, props = {}) {
    if (this.readyState === CLOSED && type !== 'error') return;
    const event = type === 'open' || type === 'error' ? new Event(type) : new MessageEvent(type, props);
    this.dispatchEvent(event);
    const handler = this[`on${type}`];
    if ((type === 'open' || type === 'message' || type === 'error') && typeof handler === 'function') {
      handler.call(this, event);
    }
  }

  async #request() {
    if (this.readyState === CLOSED) return;
    this.requests += 1;
    const abort = new AbortController();
    this.abort = abort;
    const headers = { Accept: 'text/event-stream', 'Cache-Control': 'no-cache', ...this.headers };
    if (this.lastEventId) headers['Last-Event-ID'] = this.lastEventId;
    let res;
    try {
      res = await fetch(this.url, { headers, signal: abort.signal });
    } catch {
      return this.#dropped();
    }
    const type = res.headers.get('content-type') ?? '';
    if (res.status !== 200 || !/^text\/event-stream\b/i.test(type)) {
      // "Fail the connection": no reconnect after a wrong answer.
      abort.abort();
      if (this.readyState === CLOSED) return;
      this.readyState = CLOSED;
      this.#emit('error');
      return;
    }
    if (this.readyState === CLOSED) return abort.abort();
    this.readyState = OPEN;
    this.#emit('open');
    try {
      await this.#read(res.body);
    } catch {
      // a reset or an abort: the same as the end of the stream
    }
    this.#dropped();
  }

  #dropped() {
    if (this.readyState === CLOSED) return;
    this.readyState = CONNECTING;
    this.#emit('error');
    if (this.readyState === CLOSED) return; // the error handler closed it
    this.timer = setTimeout(() => this.#request(), this.retryMs);
  }

  /** Parses the stream as it comes, dispatching each event on its blank line. */
  async #read(body) {
    const decoder = new TextDecoder();
    let buffer = '';
    let data = '';
    let eventType = '';
    let id = null;
    const line = (text) => {
      if (text === '') {
        if (id !== null) this.lastEventId = id;
        id = null;
        if (data !== '') {
          this.#emit(eventType || 'message', { data: data.slice(0, -1), lastEventId: this.lastEventId, origin: new URL(this.url).origin });
        }
        data = '';
        eventType = '';
        return;
      }
      if (text.startsWith(':')) return; // a comment (the server's `: ping`)
      const colon = text.indexOf(':');
      const field = colon < 0 ? text : text.slice(0, colon);
      let value = colon < 0 ? '' : text.slice(colon + 1);
      if (value.startsWith(' ')) value = value.slice(1);
      if (field === 'data') data += `${value}\n`;
      else if (field === 'event') eventType = value;
      else if (field === 'id' && !value.includes('\0')) id = value;
      else if (field === 'retry' && /^\d+$/.test(value)) this.retryMs = Number(value);
    };
    for await (const chunk of body) {
      if (this.readyState === CLOSED) return;
      buffer += decoder.decode(chunk, { stream: true });
      // Lines end in CRLF, LF or CR; a CR at the very end may be the first half of a CRLF.
      let m;
      const re = /\r\n|\n|\r(?!$)/g;
      let start = 0;
      while ((m = re.exec(buffer)) !== null) {
        line(buffer.slice(start, m.index));
        if (this.readyState === CLOSED) return;
        start = m.index + m[0].length;
      }
      buffer = buffer.slice(start);
    }
    // The stream ended: a half-received event is dropped, as the standard says.
  }
}
