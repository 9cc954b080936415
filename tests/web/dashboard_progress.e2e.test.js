// Issue 15 on the dashboard in headless Chromium against the real gateway + service: the data
// report card from a CSV made to have gaps, a short history, a stale product, a closed day,
// duplicates and a negative value; a page at #max_rate=2 that gets summaries and ends with every
// product; then a second manager whose Start meets a 409 and who watches the running job instead:
// ETA, elapsed time, the products in flight and "2 watching" on both pages, Start off on both, and
// Cancel that ends the job cancelled. Exact texts and layouts are in dashboard_insight.e2e.test.js.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { launchBrowser } from './harness/browser.js';
import { Stack, demoCsv } from './harness/stack.js';
import { getJob, listJobs, uploadSales } from '../../web/client/levain-client.js';

const TENANT = 'bakery-a';
const WAIT = { timeout: 180_000, polling: 100 };
const PHONE = { width: 390, height: 844 };
const DESKTOP = { width: 1280, height: 900 };
// The cancelled job must outlast a second page's sign-in and a 409 in any build: scaled from how
// long the first job took here.
const TARGET_JOB_SECONDS = 40;
const LAST_DAY = '2026-06-30';
const CLOSED_DAY = '2026-06-10';
const STOLLEN_LAST = '2026-04-30';
const RYE_GAP = ['2026-04-10', '2026-04-11', '2026-04-12', '2026-04-13', '2026-04-14', '2026-04-15', '2026-04-16'];
const PLAIN = ['Baguette', 'Croissant', 'Pan de molde', 'Magdalena', 'Ensaimada', 'Chapata', 'Napolitana'];
let secondsForFirst = 2;
let stack;
let browser;
let token;
let csvFile;
let secondCsv;

/** 150 days to LAST_DAY of 10 products, each with one thing the report must find. */
function reportCsv() {
  const lines = ['date,product,quantity'];
  const end = Date.parse(`${LAST_DAY}T00:00:00Z`);
  for (let i = 149; i >= 0; i -= 1) {
    const date = new Date(end - i * 86_400_000).toISOString().slice(0, 10);
    const q = (base) => (date === CLOSED_DAY ? 0 : base + new Date(date).getUTCDay() * 2 + (i % 4));
    for (const name of PLAIN) lines.push(`${date},${name},${q(20)}`);
    if (!RYE_GAP.includes(date)) lines.push(`${date},Rye,${q(12)}`);
    if (i < 40) lines.push(`${date},New Cake,${q(5)}`); // under 8 weeks
    if (date <= STOLLEN_LAST) lines.push(`${date},Stollen,${q(8)}`); // nothing sold after April
  }
  return `${lines.join('\n')}\n`;
}

before(async () => {
  // Two threads: with one, nothing is in flight when a product's event goes out.
  stack = await new Stack().start({ serviceArgs: ['--train-threads', '2'] });
  token = await stack.token({ tenants: [TENANT], sub: 'manager@bakery-a' });
  csvFile = path.join(stack.dir, 'report.csv');
  fs.writeFileSync(csvFile, reportCsv());
  // The last upload replaces four stored days and sends one negative row (refused).
  secondCsv = path.join(stack.dir, 'fixes.csv');
  fs.writeFileSync(secondCsv, 'date,product,quantity\n2026-06-01,Baguette,31\n2026-06-02,Baguette,32\n' +
    '2026-06-03,Baguette,33\n2026-06-04,Baguette,34\n2026-06-05,Croissant,-2\n');
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
  await stack?.stop();
});

const rest = () => ({ baseUrl: stack.url, tenantId: TENANT, token });
const data = (page, id) => page.getByTestId(id).evaluate((e) => ({ ...e.dataset }));
const texts = (page, id) => page.getByTestId(id).allTextContents();
const visible = (page, id) => page.getByTestId(id).isVisible();
const waitFor = (page, fn, arg) => page.waitForFunction(fn, arg, WAIT);
const watchers = (page, n) => waitFor(page, (c) =>
  document.querySelector('[data-testid="watchers"]').dataset.watchers === String(c), n);

async function open(viewport, hash = '') {
  const page = await browser.newPage();
  await page.setViewportSize(viewport);
  await page.goto(`${stack.url}/#token=${token}${hash}`);
  await waitFor(page, () => document.querySelector('[data-testid="workspace"]').dataset.loaded);
  return page;
}

async function assertFits(page, viewport, view) {
  const width = await page.evaluate(() => document.documentElement.scrollWidth);
  assert.ok(width <= viewport.width, `${view} is ${width} px wide at ${viewport.width} px`);
}

async function startJob(page) {
  const known = (await listJobs(rest())).map((j) => j.job_id);
  await page.getByTestId('start-training').click();
  await waitFor(page, (old) => {
    const id = document.querySelector('[data-testid="job-id"]').dataset.jobId;
    return id && !old.includes(id);
  }, known);
  return page.getByTestId('job-id').getAttribute('data-job-id');
}

/** Runs in the page before its scripts: keeps every ETA and in-flight list the page ever showed. */
function recordInsight() {
  window.__seen = { eta: [], inFlight: [] };
  new MutationObserver(() => {
    const eta = document.querySelector('[data-testid="eta"]');
    if (eta && !eta.hidden && eta.dataset.etaS) window.__seen.eta.push({ s: Number(eta.dataset.etaS), text: eta.textContent });
    const names = [...document.querySelectorAll('[data-testid="in-flight-product"]')].map((e) => e.textContent);
    if (names.length) window.__seen.inFlight.push(names);
  }).observe(document, { subtree: true, childList: true, attributes: true, characterData: true });
}

test('the data report card shows what the analysis found; #max_rate=2 ends with every product', async () => {
  const page = await open(DESKTOP, '&max_rate=2');
  const frames = [];
  page.on('websocket', (ws) => {
    frames.push({ url: ws.url(), types: [] });
    const mine = frames.at(-1);
    ws.on('framereceived', (f) => {
      const m = JSON.parse(f.payload);
      mine.types.push(m.type === 'product_completed' ? `product_completed:${m.data.status}` : m.type);
    });
  });
  await page.getByTestId('csv-input').setInputFiles(csvFile);
  await page.getByTestId('upload-result').filter({ hasText: 'accepted' }).waitFor(WAIT);
  await page.getByTestId('csv-input').setInputFiles(secondCsv);
  await page.getByTestId('upload-result').filter({ hasText: '4 updated' }).waitFor(WAIT);
  const t0 = Date.now();
  const jobId = await startJob(page);
  await page.getByTestId('data-report').waitFor({ ...WAIT, state: 'visible' });
  await waitFor(page, () => document.querySelector('[data-testid="progress"]').getAttribute('aria-valuenow') === '100');
  secondsForFirst = (Date.now() - t0) / 1000;

  const { report } = await getJob({ ...rest(), jobId });
  const card = await data(page, 'data-report');
  const expect = {
    products: report.products, days: report.days, firstDate: report.first_date, lastDate: report.last_date,
    rowsMin: report.rows_per_product.min, rowsMedian: report.rows_per_product.median, rowsMax: report.rows_per_product.max,
    productsWithGaps: report.products_with_gaps, missingDays: report.missing_days, shortHistory: report.short_history_count,
    stale: report.stale_count, closedDays: report.closed_days_count, soldOutDays: report.sold_out_days_count,
    negativeValues: report.negative_values, unknownValues: report.unknown_values, duplicatesReplaced: report.duplicates_replaced,
  };
  for (const [k, v] of Object.entries(expect)) assert.equal(card[k], String(v), `card ${k} is the server's`);
  // What the CSV was made to have.
  assert.equal(card.products, '10');
  assert.equal(card.lastDate, LAST_DAY);
  assert.deepEqual(await page.getByTestId('report-gap').evaluateAll((l) => l.map((e) => [e.dataset.product, e.dataset.missingDays])),
    [['Rye', '7']]);
  assert.deepEqual(await texts(page, 'report-short'), ['New Cake']);
  assert.deepEqual(await page.getByTestId('report-stale-product').evaluateAll((l) => l.map((e) => [e.dataset.product, e.dataset.lastSale])),
    [['Stollen', STOLLEN_LAST]]);
  assert.deepEqual(await texts(page, 'report-closed-day'), [CLOSED_DAY]);
  assert.equal(card.duplicatesReplaced, '4', 'four stored days replaced by the last upload');
  assert.equal(card.negativeValues, '1', 'the negative row of the last upload');

  await page.getByTestId('summary').filter({ hasText: 'Training completed.' }).waitFor(WAIT);
  await waitFor(page, () => document.querySelectorAll('[data-testid="product-row"]').length === 10);
  const acc = await data(page, 'accuracy');
  const { summary } = await getJob({ ...rest(), jobId });
  assert.equal(acc.fallbacks, String(summary.fallbacks));
  assert.equal(acc.failed, String(summary.failed));
  assert.deepEqual(await page.getByTestId('accuracy-worst').locator('li').evaluateAll((l) => l.map((e) => e.dataset.product)),
    summary.worst.map((w) => w.product_name));
  const live = frames.find((f) => f.url.includes(`/jobs/${encodeURIComponent(jobId)}/live`));
  assert.equal(new URL(live.url).searchParams.get('max_rate'), '2');
  assert.ok(live.types.includes('progress_summary'), `summaries came: ${live.types}`);
  assert.ok(!live.types.includes('product_completed:succeeded'), 'no successful product came on its own');
  await page.getByTestId('data-report').scrollIntoViewIfNeeded();
  await browser.screenshot(page, 'progress-report-desktop', { fullPage: true });
  await page.close();
});

test('a second manager meets a 409, watches the job: ETA, in flight, 2 watching, Start off; Cancel ends it', async () => {
  const BIG = Math.min(1000, Math.max(100, Math.round((10 * TARGET_JOB_SECONDS) / secondsForFirst)));
  await uploadSales({ ...rest(), csv: await demoCsv(BIG, 730) });
  // The second manager's page is open before the job starts: its Start is on.
  const second = await open(PHONE);
  await waitFor(second, () => !document.querySelector('[data-testid="start-training"]').disabled);

  const first = await browser.newPage();
  await first.addInitScript(recordInsight);
  await first.setViewportSize(DESKTOP);
  await first.goto(`${stack.url}/#token=${token}`);
  await waitFor(first, () => document.querySelector('[data-testid="workspace"]').dataset.loaded);
  const jobId = await startJob(first);
  assert.equal(await first.getByTestId('start-training').isDisabled(), true, 'one job at a time');

  await second.getByTestId('start-training').click();
  await second.getByTestId('error').filter({ hasText: 'Not started' }).waitFor(WAIT);
  await second.getByTestId('watch-running').click();
  await waitFor(second, (id) => document.querySelector('[data-testid="job-id"]').dataset.jobId === id, jobId);
  await watchers(second, 2);
  await watchers(first, 2);
  assert.equal(await second.getByTestId('start-training').isDisabled(), true);
  assert.equal(await visible(second, 'start-note'), true);
  assert.ok(Number(await second.getByTestId('progress').getAttribute('aria-valuenow')) < 100, 'still running');
  await waitFor(first, () => document.querySelector('[data-testid="eta"]').dataset.etaS !== undefined);
  await second.getByTestId('data-report').waitFor({ ...WAIT, state: 'visible' });
  await assertFits(second, PHONE, 'the second manager\'s page mid-job');
  await browser.screenshot(second, 'progress-phone-mid-job', { fullPage: true });

  second.once('dialog', (d) => d.accept());
  await second.getByTestId('cancel-training').click();
  for (const page of [first, second]) {
    await page.getByTestId('summary').filter({ hasText: 'Training was cancelled' }).waitFor(WAIT);
    assert.equal(await page.getByTestId('progress').getAttribute('data-status'), 'cancelled');
    assert.equal(await visible(page, 'cancel-training'), false);
    await waitFor(page, () => !document.querySelector('[data-testid="start-training"]').disabled);
  }
  assert.equal((await getJob({ ...rest(), jobId })).status, 'cancelled');

  const seen = await first.evaluate(() => window.__seen);
  assert.ok(seen.eta.length > 0, 'an ETA was shown');
  for (const e of seen.eta) {
    assert.match(e.text, /^(about \d+ (s|min|h( \d+ min)?) left|a few seconds left|almost done)$/, `ETA text "${e.text}"`);
  }
  assert.ok(seen.inFlight.length > 0, 'the products in flight were shown');
  assert.ok(seen.inFlight.every((names) => names.length <= 2), 'two threads: at most two at a time');
  await browser.screenshot(first, 'progress-desktop-cancelled', { fullPage: true });
  await first.close();
  await second.close();
});
