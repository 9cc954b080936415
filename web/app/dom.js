// Small DOM helpers shared by the dashboard's views: lookups, element building, the error area.

import { describeError } from '../client/levain-client.js';

export function byId(id) {
  const node = document.getElementById(id);
  if (!node) throw new Error(`dashboard: #${id} is missing from index.html`);
  return node;
}

/** el('td', {class: 'num'}, '3.2') — attributes as strings; children as nodes or text. */
export function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === null || v === false) continue;
    if (k.startsWith('on') && typeof v === 'function') node.addEventListener(k.slice(2), v);
    else node.setAttribute(k, v === true ? '' : String(v));
  }
  for (const c of children) node.append(c instanceof Node ? c : String(c ?? ''));
  return node;
}

/** The one error area (role="alert"): the last message a person needs to act on. */
export class ErrorArea {
  constructor(node) {
    this.node = node;
  }

  /**
   * `kind` (e.g. 'unreachable') lets a later recovery clear just that message. `action`
   * ({label, testid, onClick}) is the one thing to do about it, as a button.
   */
  show(message, details = [], kind = '', action = null) {
    this.kind = kind;
    this.node.dataset.kind = kind;
    this.node.replaceChildren(el('p', {}, message));
    if (details.length) this.node.append(el('ul', {}, ...details.map((d) => el('li', {}, d))));
    if (action) {
      this.node.append(el('div', { class: 'actions' }, el('button', { type: 'button', 'data-testid': action.testid,
        onclick: action.onClick }, action.label)));
    }
    this.node.hidden = false;
  }

  clear() {
    this.kind = '';
    delete this.node.dataset.kind;
    this.node.replaceChildren();
    this.node.hidden = true;
  }

  /** A failed request's message, tagged with its kind. */
  showError(err) {
    this.show(describeError(err), [], err?.kind ?? '');
  }

  /** Clears the message only if it is of this kind (a recovered connection clears "unreachable"). */
  clearKind(kind) {
    if (!this.node.hidden && this.kind === kind) this.clear();
  }
}

export function formatNumber(x, digits = 1) {
  return Number.isFinite(x) ? x.toFixed(digits) : '—';
}

export function formatTime(iso) {
  const t = Date.parse(iso ?? '');
  return Number.isFinite(t) ? new Date(t).toLocaleString() : '—';
}

export function formatDuration(seconds) {
  if (!Number.isFinite(seconds)) return '—';
  if (seconds < 60) return `${seconds.toFixed(1)} s`;
  return `${Math.floor(seconds / 60)} min ${Math.round(seconds % 60)} s`;
}
