// The accuracy view's pure parts (issue 17 item 7), in node on fixtures shaped like
// GET …/accuracy: drifted products first whatever order the server sends, "—" wherever nothing
// was checked yet, coverage as a percent, the upload's drift sentence; and the client's requests
// (getAccuracy's path, startTraining's 'drifted') through a recording fetch.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  EMPTY_NOTE, accuracyTable, driftedSentence, formatPercent, sortProducts,
} from '../../web/app/accuracy.js';
import { getAccuracy, startTraining } from '../../web/client/levain-client.js';

const lead = (forecasts, mae, mase, coverage) => ({ forecasts, mae, mase, coverage_80: coverage });
const none = () => lead(0, null, null, null);
const product = (name, { drifted = false, version = 1, recent = 2, holdout = 2, leads } = {}) => ({
  product: name, model_version: version, holdout_mae: holdout, recent_mae: recent, recent_days: 14, drifted,
  leads: leads ?? { 1: lead(14, 2.04, 0.81, 0.857), 7: lead(8, 2.5, 0.9, 0.75), 14: lead(1, 3, 1.1, 1) },
});
const report = (products, overall) => ({
  tenant: 'bakery-a', leads: [1, 7, 14], drift_ratio: 1.5, drift_window_days: 14,
  overall: overall ?? { 1: lead(20, 3.2, 0.8, 0.85), 7: lead(10, 4, 1, 0.8), 14: lead(2, 5, 1.2, 0.5) },
  products, drifted: products.filter((p) => p.drifted).map((p) => p.product),
});

/** A fetch that answers `body` and keeps what it was asked. */
function recordingFetch(body = {}) {
  const calls = [];
  const fetch = async (url, init) => {
    calls.push({ url: String(url), ...init });
    return new Response(JSON.stringify(body), { status: 200, headers: { 'Content-Type': 'application/json' } });
  };
  return { calls, fetch };
}
const base = (fetch) => ({ baseUrl: 'http://127.0.0.1:9', tenantId: 'bakery a', token: 't', fetch });

test('drifted products come first, then by name, whatever order the server sent', () => {
  const sent = [product('Croissant'), product('Pan de centeno', { drifted: true }), product('Baguette'),
    product('Ensaimada', { drifted: true })];
  assert.deepEqual(sortProducts(sent).map((p) => p.product), ['Ensaimada', 'Pan de centeno', 'Baguette', 'Croissant']);
  assert.deepEqual(sent.map((p) => p.product), ['Croissant', 'Pan de centeno', 'Baguette', 'Ensaimada'],
    'the answer itself is left as it was');
  const table = accuracyTable(report(sent));
  assert.deepEqual(table.rows.map((r) => [r.product, r.drifted]),
    [['Ensaimada', true], ['Pan de centeno', true], ['Baguette', false], ['Croissant', false]]);
  assert.deepEqual(table.drifted, ['Ensaimada', 'Pan de centeno']);
  // Only `true` is drifted: a missing or odd flag is not.
  assert.deepEqual(sortProducts([{ product: 'B', drifted: 'yes' }, { product: 'A' }, { product: 'C', drifted: true }])
    .map((p) => p.product), ['C', 'A', 'B']);
  assert.deepEqual(sortProducts(undefined), []);
});

test('a row says the numbers to the digits a baker reads', () => {
  const [row] = accuracyTable(report([product('Baguette', { drifted: true, version: 2, recent: 5.24, holdout: 3.1 })])).rows;
  assert.deepEqual(row, {
    product: 'Baguette', drifted: true, version: 'v2', mae: ['2.0', '2.5', '3.0'], forecasts: [14, 8, 1],
    mase1: '0.81', coverage1: '86%', recentVsHoldout: '5.2 / 3.1', verdict: 'drifted',
  });
  const overall = accuracyTable(report([product('Baguette')])).overall;
  assert.deepEqual(overall, { mae: ['3.2', '4.0', '5.0'], forecasts: [20, 10, 2], mase1: '0.80', coverage1: '85%' });
});

test('nulls, missing leads and missing fields read "—", never 0 or NaN', () => {
  const fresh = product('Baguette', { version: null, recent: null, holdout: null, leads: { 1: none(), 7: none() } });
  const odd = { product: 'Croissant', leads: null };
  const table = accuracyTable(report([fresh, odd], { 1: lead(3, 1.5, null, null) }));
  for (const row of table.rows) {
    assert.deepEqual(row.mae, ['—', '—', '—']);
    assert.equal(row.mase1, '—');
    assert.equal(row.coverage1, '—');
    assert.equal(row.recentVsHoldout, '— / —');
    assert.equal(row.verdict, '—');
    assert.deepEqual(row.forecasts, [0, 0, 0]);
    assert.ok(!JSON.stringify(row).includes('NaN'), JSON.stringify(row));
  }
  assert.equal(table.rows[0].version, '—');
  assert.deepEqual(table.overall, { mae: ['1.5', '—', '—'], forecasts: [3, 0, 0], mase1: '—', coverage1: '—' });
  assert.equal(table.checked, 3);
  assert.equal(table.empty, false);
  // A product checked but not drifted says so.
  assert.equal(accuracyTable(report([product('Baguette')])).rows[0].verdict, 'ok');
});

test('nothing checked and nothing drifted is the empty state', () => {
  const fresh = product('Baguette', { recent: null, leads: { 1: none(), 7: none(), 14: none() } });
  const empty = accuracyTable(report([fresh], { 1: none(), 7: none(), 14: none() }));
  assert.equal(empty.checked, 0);
  assert.equal(empty.empty, true);
  assert.equal(accuracyTable(report([])).rows.length, 0);
  assert.equal(accuracyTable({}).empty, true);
  assert.equal(accuracyTable(null).empty, true);
  // Without `overall`, the products' own counts say whether anything was checked.
  assert.equal(accuracyTable({ products: [product('Baguette')] }).checked, 23);
  // A drifted product is worth showing even if no lead shown here was checked.
  assert.equal(accuracyTable(report([{ ...fresh, drifted: true }], {})).empty, false);
  assert.match(EMPTY_NOTE, /^No forecast has met its sales yet: accuracy appears after the next sales upload/);
});

test('coverage is a percent of a share 0..1', () => {
  assert.equal(formatPercent(0.85), '85%');
  assert.equal(formatPercent(0.5), '50%');
  assert.equal(formatPercent(1), '100%');
  assert.equal(formatPercent(0), '0%');
  assert.equal(formatPercent(2 / 3), '67%');
  assert.equal(formatPercent(0.005), '1%');
  for (const x of [null, undefined, NaN, Infinity, '0.5']) assert.equal(formatPercent(x), '—', String(x));
});

test('the upload says how many products drifted', () => {
  assert.equal(driftedSentence(1), '1 product drifted: retrain it');
  assert.equal(driftedSentence(2), '2 products drifted: retrain them');
});

test('getAccuracy asks GET …/accuracy of the bakery with the token', async () => {
  const { calls, fetch } = recordingFetch(report([product('Baguette')]));
  const got = await getAccuracy(base(fetch));
  assert.equal(got.products[0].product, 'Baguette');
  assert.equal(calls.length, 1);
  assert.equal(calls[0].method, 'GET');
  assert.equal(calls[0].url, 'http://127.0.0.1:9/api/v1/tenants/bakery%20a/accuracy');
  assert.equal(calls[0].headers.Authorization, 'Bearer t');
  await getAccuracy({ ...base(fetch), days: 56 });
  assert.equal(calls[1].url, 'http://127.0.0.1:9/api/v1/tenants/bakery%20a/accuracy?days=56');
  assert.throws(() => getAccuracy({ ...base(fetch), tenantId: '' }), /getAccuracy: option "tenantId"/);
});

test('startTraining sends products "drifted" as the string, a list as a list, and refuses a lone name', async () => {
  const { calls, fetch } = recordingFetch({ job_id: 'j', status: 'pending', live_url: '/x' });
  await startTraining({ ...base(fetch), products: 'drifted' });
  await startTraining({ ...base(fetch), products: ['Baguette'] });
  await startTraining(base(fetch));
  assert.deepEqual(calls.map((c) => JSON.parse(c.body)), [{ products: 'drifted' }, { products: ['Baguette'] }, {}]);
  assert.ok(calls.every((c) => c.method === 'POST' && c.url.endsWith('/api/v1/tenants/bakery%20a/training/jobs')));
  assert.throws(() => startTraining({ ...base(fetch), products: 'Baguette' }),
    /startTraining: option "products" must be a list of product names or "drifted"/);
  assert.equal(calls.length, 3, 'refused before any request');
});
