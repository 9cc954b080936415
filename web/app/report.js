// The data report of the Data Analysis step as a card a manager can read: what was analysed,
// then one line per check (gaps, short history, stale products, closed and sold-out days, bad
// values, duplicates), each with the products or days it is about. The numbers come as the
// server sent them; the lists stop at 20 and say how many more there are.

import { byId, el } from './dom.js';

// A few names inline keep the card short on a phone; the rest the server listed are one tap away.
const INLINE = 5;

export class ReportCard {
  constructor() {
    this.node = byId('report');
    this.shown = undefined;
  }

  clear() {
    this.shown = undefined;
    this.node.hidden = true;
    this.node.replaceChildren();
    for (const key of Object.keys(this.node.dataset)) if (key !== 'testid') delete this.node.dataset[key];
  }

  render(report) {
    if (report === this.shown) return; // a long job must not redraw it per product
    this.shown = report;
    if (!report) return this.clear();
    const r = report;
    Object.assign(this.node.dataset, {
      products: r.products, days: r.days, firstDate: r.firstDate ?? '', lastDate: r.lastDate ?? '',
      rowsMin: r.rowsPerProduct.min ?? '', rowsMedian: r.rowsPerProduct.median ?? '', rowsMax: r.rowsPerProduct.max ?? '',
      productsWithGaps: r.productsWithGaps, missingDays: r.missingDays, shortHistory: r.shortHistoryCount,
      stale: r.staleCount, closedDays: r.closedDaysCount, soldOutDays: r.soldOutDaysCount,
      negativeValues: r.negativeValues, unknownValues: r.unknownValues, duplicatesReplaced: r.duplicatesReplaced,
    });
    const rows = r.rowsPerProduct;
    this.node.replaceChildren(
      el('h3', {}, 'Your data'),
      el('p', { 'data-testid': 'report-overview' },
        `${r.products} ${plural(r.products, 'product')} over ${r.days} ${plural(r.days, 'day')}` +
        (r.firstDate && r.lastDate ? `, ${r.firstDate} to ${r.lastDate}` : '') + '. ' +
        `Rows per product: min ${rows.min ?? '—'}, median ${rows.median ?? '—'}, max ${rows.max ?? '—'}.`),
      el('ul', { class: 'checks' },
        check('report-gaps', r.productsWithGaps,
          r.productsWithGaps === 0 ? 'No gaps: every product has a row for every day between its first and last.'
            : `Gaps: ${r.productsWithGaps} ${r.productsWithGaps === 1 ? 'product misses' : 'products miss'} ${r.missingDays} ` +
              `${plural(r.missingDays, 'day')} in all: `,
          r.gaps.map((g) => item('report-gap', { product: g.name, missingDays: g.missingDays },
            `${g.name} (${g.missingDays} ${plural(g.missingDays, 'day')})`)), r.productsWithGaps),
        check('report-short-history', r.shortHistoryCount,
          r.shortHistoryCount === 0 ? 'Every product has at least 8 weeks of history.'
            : 'Under 8 weeks of history (these use a simple fallback forecast): ',
          r.shortHistory.map((n) => item('report-short', { product: n }, n)), r.shortHistoryCount),
        check('report-stale', r.staleCount,
          r.staleCount === 0 ? 'Every product sold in the last 4 weeks.' : 'No sale in the 4 weeks before the last day: ',
          r.stale.map((s) => item('report-stale-product', { product: s.name, lastSale: s.lastSale ?? '' },
            s.lastSale ? `${s.name} (last sale ${s.lastSale})` : s.name)), r.staleCount),
        check('report-closed', r.closedDaysCount,
          r.closedDaysCount === 0 ? 'No day with the whole shop at zero.' : 'Looks closed (the whole shop at zero): ',
          r.closedDays.map((d) => item('report-closed-day', { date: d }, d)), r.closedDaysCount),
        check('report-sold-out', r.soldOutDaysCount,
          r.soldOutDaysCount === 0 ? 'No day that looks sold out.'
            : 'Looks sold out (a zero on a weekday that is never zero otherwise): ',
          r.soldOutDays.map((d) => item('report-sold-out-day', { product: d.name, date: d.date }, `${d.name} on ${d.date}`)),
          r.soldOutDaysCount),
        check('report-values', r.negativeValues + r.unknownValues,
          r.negativeValues + r.unknownValues === 0 ? 'No negative or unknown values.'
            : `Negative values: ${r.negativeValues}; unknown (empty) values: ${r.unknownValues}.`, [], 0),
        check('report-duplicates', r.duplicatesReplaced,
          r.duplicatesReplaced === 0 ? 'No duplicated rows.'
            : `${r.duplicatesReplaced} duplicated ${plural(r.duplicatesReplaced, 'row')} replaced by the last upload.`, [], 0)));
    this.node.hidden = false;
    return undefined;
  }
}

/**
 * One line of the card: `warn` when it found something; the first items inline, the rest of the
 * list behind "N more", and a count of those the server did not list (its lists stop at 20).
 */
function check(testid, found, text, items, total) {
  const li = el('li', { class: found > 0 ? 'warn' : 'ok', 'data-testid': testid, 'data-count': found }, text);
  const join = (parent, nodes) => nodes.forEach((node, i) => parent.append(...(i ? [', ', node] : [node])));
  join(li, items.slice(0, INLINE));
  const unlisted = Math.max(0, total - items.length);
  if (items.length > INLINE) {
    const rest = el('span');
    join(rest, items.slice(INLINE));
    if (unlisted) rest.append(` and ${unlisted} more not listed`);
    li.append(el('details', { class: 'more' }, el('summary', {}, `${total - INLINE} more`), rest));
  } else if (unlisted && items.length > 0) {
    li.append(` and ${unlisted} more`);
  }
  if (items.length > 0 && items.length <= INLINE) li.append('.');
  return li;
}

function item(testid, data, text) {
  const attrs = { 'data-testid': testid };
  for (const [k, v] of Object.entries(data)) attrs[`data-${k.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`] = v;
  return el('span', attrs, text);
}

function plural(n, word) {
  return n === 1 ? word : `${word}s`;
}
