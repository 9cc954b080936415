// The Accuracy card in headless Chromium against the real gateway + service (issue 17 item 7).
// The bakery is trained on all but the last two weeks of its demo sales; those two weeks are then
// uploaded through the page with one product's sales tripled, so its forecasts miss and it
// drifts. Checked: the empty note while no forecast has met its sales, the upload's drift count,
// the table in the server's numbers with drifted products first and the overall row, a 390 px
// phone with no sideways page scroll and the product column on screen, and Retrain drifted
// starting a job with products "drifted" that retrains just those.
// The tests run in order: each builds on the sales and models the one before left.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { launchBrowser } from './harness/browser.js';
import { Stack, demoCsv, waitFor } from './harness/stack.js';
import { EMPTY_NOTE, driftedSentence, formatPercent, sortProducts } from '../../web/app/accuracy.js';
import { formatNumber } from '../../web/app/dom.js';
import { getAccuracy, getJob, startTraining, uploadSales } from '../../web/client/levain-client.js';

const TENANT = 'bakery-a';
const WAIT = { timeout: 180_000, polling: 100 };
const PHONE = { width: 390, height: 844 };
const DESKTOP = { width: 1280, height: 900 };
const LATE_DAYS = 14; // the forecast log keeps leads 1..14: two weeks meet every logged forecast
// Last by name, so "drifted first" is not just the alphabet.
const DRIFTER = 'Pan de pueblo';
let stack;
let browser;
let token;
let lateCsv; // the last LATE_DAYS days, DRIFTER's tripled

const rest = () => ({ baseUrl: stack.url, tenantId: TENANT, token });
const pageWidth = (page) => page.evaluate(() => document.documentElement.scrollWidth);
const cardState = (page) => page.getByTestId('accuracy-view').evaluate((e) => ({ ...e.dataset }));
const waitForCard = (page, state) => page.waitForFunction(
  (s) => document.querySelector('[data-testid="accuracy-view"]').dataset.state === s, state, WAIT);

/** Splits the demo CSV at its last LATE_DAYS days; those have DRIFTER's quantities tripled. */
function split(csv) {
  const [header, ...lines] = csv.trimEnd().split('\n');
  const dates = [...new Set(lines.map((l) => l.split(',')[0]))].sort();
  const cut = dates[dates.length - LATE_DAYS];
  const early = lines.filter((l) => l.split(',')[0] < cut);
  const late = lines.filter((l) => l.split(',')[0] >= cut).map((l) => {
    const [date, product, quantity] = l.split(',');
    return product === DRIFTER ? `${date},${product},${Number(quantity) * 3}` : l;
  });
  assert.ok(late.some((l) => l.includes(`,${DRIFTER},`)), `the demo data has ${DRIFTER}`);
  return { early: `${header}\n${early.join('\n')}\n`, late: `${header}\n${late.join('\n')}\n` };
}

async function waitForJob(jobId) {
  let status = '';
  await waitFor(async () => {
    status = (await getJob({ ...rest(), jobId })).status;
    if (status === 'failed' || status === 'cancelled') throw new Error(`the training job ${status}`);
    return status === 'completed';
  }, 'the training job to complete', { timeoutMs: 600_000, intervalMs: 100, onTimeout: () => `job is ${status}` });
}

before(async () => {
  stack = await new Stack().start({ serviceArgs: ['--train-threads', '1'] });
  token = await stack.token({ tenants: [TENANT], sub: 'baker@bakery-a' });
  const { early, late } = split(await demoCsv(3, 400));
  lateCsv = late;
  await uploadSales({ ...rest(), csv: early });
  await waitForJob((await startTraining(rest())).job_id);
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
  await stack?.stop();
});

async function signIn(page, viewport) {
  await page.setViewportSize(viewport);
  await page.goto(`${stack.url}/`);
  await page.getByTestId('token-input').fill(token);
  await page.getByTestId('sign-in').click();
  await page.waitForFunction(() => document.querySelector('[data-testid="workspace"]').dataset.loaded, null, WAIT);
}

const rowsShown = (page) => page.getByTestId('accuracy-row').evaluateAll((rows) => rows.map((r) => ({
  product: r.dataset.product, drifted: r.dataset.drifted, cells: [...r.cells].map((c) => c.textContent.trim()) })));

/** The page's rows and overall row are the server's report: its numbers, drifted first, then by name. */
async function assertSameAsServer(page, report) {
  const expected = sortProducts(report.products);
  assert.deepEqual(report.products.map((p) => p.product), expected.map((p) => p.product),
    'the server itself sends drifted first, then by name');
  const shown = await rowsShown(page);
  assert.deepEqual(shown.map((r) => [r.product, r.drifted]), expected.map((p) => [p.product, String(p.drifted)]));
  for (const [i, p] of expected.entries()) {
    const cells = shown[i].cells;
    assert.deepEqual(cells, [p.product, formatNumber(p.leads['1'].mae), formatNumber(p.leads['7'].mae),
      formatNumber(p.leads['14'].mae), formatNumber(p.leads['1'].mase, 2), formatPercent(p.leads['1'].coverage_80),
      `${formatNumber(p.recent_mae)} / ${formatNumber(p.holdout_mae)}`, `v${p.model_version}`,
      p.drifted ? 'drifted' : (p.recent_mae === null ? '—' : 'ok')], p.product);
  }
  const o = report.overall;
  assert.deepEqual(await page.getByTestId('accuracy-overall').locator('td').allTextContents(), ['All products',
    formatNumber(o['1'].mae), formatNumber(o['7'].mae), formatNumber(o['14'].mae), formatNumber(o['1'].mase, 2),
    formatPercent(o['1'].coverage_80), '', '', '']);
  const state = await cardState(page);
  assert.equal(state.drifted, String(report.drifted.length));
  assert.equal(state.checked, String(o['1'].forecasts + o['7'].forecasts + o['14'].forecasts));
}

test('before any sales meet a forecast, the card says so and shows no table', async () => {
  const report = await getAccuracy(rest());
  assert.deepEqual(report.products, [], `nothing checked yet: ${JSON.stringify(report)}`);
  assert.ok(Object.values(report.overall).every((l) => l.forecasts === 0 && l.mae === null));
  const page = await browser.newPage();
  await signIn(page, DESKTOP);
  await waitForCard(page, 'empty');
  assert.equal(await page.getByTestId('accuracy-note').textContent(), EMPTY_NOTE);
  assert.equal(await page.getByTestId('accuracy-table').isVisible(), false);
  assert.equal(await page.getByTestId('accuracy-retrain').isVisible(), false);
  assert.equal(await page.getByTestId('error').isVisible(), false);
  await page.close();
});

test('desktop: the upload says how many drifted; the table shows them first, then the overall row', async () => {
  const page = await browser.newPage();
  await signIn(page, DESKTOP);
  await waitForCard(page, 'empty');
  await page.getByTestId('csv-input').setInputFiles({ name: 'late.csv', mimeType: 'text/csv', buffer: Buffer.from(lateCsv) });
  await page.getByTestId('upload-result').filter({ hasText: 'accepted' }).waitFor(WAIT);
  await waitForCard(page, 'ready');
  const report = await getAccuracy(rest());
  assert.ok(report.drifted.includes(DRIFTER), `${DRIFTER}'s tripled sales drift it: ${JSON.stringify(report)}`);
  assert.equal(report.products[0].drifted, true);

  assert.equal(await page.getByTestId('upload-result').getAttribute('data-drifted'), String(report.drifted.length));
  assert.equal(await page.getByTestId('upload-drifted').textContent(), `${driftedSentence(report.drifted.length)}.`);
  assert.ok(await page.getByTestId('upload-retrain').isEnabled());
  await assertSameAsServer(page, report);
  assert.ok(await page.getByTestId('accuracy-drifted').first().isVisible());
  assert.ok(await page.getByTestId('accuracy-retrain').isEnabled());
  assert.match(await page.getByTestId('accuracy-note').textContent(),
    new RegExp(`^\\d+ forecasts checked .*${driftedSentence(report.drifted.length)}\\.$`));
  const fits = await page.locator('#acc-table-box').evaluate((e) => e.scrollWidth <= e.clientWidth);
  assert.ok(fits, 'every column is on screen at desktop width');
  assert.ok(await pageWidth(page) <= DESKTOP.width);
  await page.getByTestId('accuracy-view').scrollIntoViewIfNeeded();
  await browser.screenshot(page, 'accuracy-desktop-1280');
  await page.close();
});

test('phone (390 px): no sideways page scroll; each product, its next-day error and its verdict are on screen', async () => {
  const page = await browser.newPage();
  await signIn(page, PHONE);
  await waitForCard(page, 'ready');
  await assertSameAsServer(page, await getAccuracy(rest()));
  await page.getByTestId('accuracy-table').scrollIntoViewIfNeeded();
  assert.ok(await pageWidth(page) <= PHONE.width, `the page is ${await pageWidth(page)} px wide`);
  const scroller = await page.locator('#acc-table-box').boundingBox();
  assert.ok(scroller.x >= 0 && scroller.x + scroller.width <= PHONE.width, `the table's box fits: ${JSON.stringify(scroller)}`);
  const rows = [...await page.getByTestId('accuracy-row').all(), page.getByTestId('accuracy-overall')];
  for (const row of rows) {
    await row.scrollIntoViewIfNeeded();
    // The product (first) and the verdict (last) stay put while the numbers scroll between them;
    // the next-day error, first of those, shows too before any scrolling.
    for (const cell of [row.locator('td').first(), row.locator('td').nth(1), row.locator('td').last()]) {
      const box = await cell.boundingBox();
      assert.ok(box.x >= scroller.x - 0.5 && box.x + box.width <= scroller.x + scroller.width + 0.5,
        `${await cell.textContent()} is inside the table's box: ${JSON.stringify(box)} in ${JSON.stringify(scroller)}`);
      assert.ok(await cell.evaluate((td) => {
        const r = td.getBoundingClientRect();
        const hit = document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2);
        return hit === td || td.contains(hit);
      }), `${await cell.textContent()} is visible where it is`);
    }
  }
  await browser.screenshot(page, 'accuracy-phone-390');
  await page.close();
});

test('Retrain drifted starts a job with products "drifted", which retrains just those', async () => {
  const before = await getAccuracy(rest());
  const page = await browser.newPage();
  await signIn(page, DESKTOP);
  await waitForCard(page, 'ready');
  const [request] = await Promise.all([
    page.waitForRequest((r) => r.method() === 'POST' && r.url().endsWith(`/tenants/${TENANT}/training/jobs`), WAIT),
    page.getByTestId('accuracy-retrain').click(),
  ]);
  assert.deepEqual(request.postDataJSON(), { products: 'drifted' });
  const started = await (await request.response()).json();
  const job = await getJob({ ...rest(), jobId: started.job_id });
  assert.deepEqual([...job.requested_products].sort(), [...before.drifted].sort());
  await page.waitForFunction((id) => document.querySelector('[data-testid="job-id"]').dataset.jobId === id,
    started.job_id, WAIT);
  await waitForJob(started.job_id);

  // Once the job ends the card is redrawn: the retrained products serve a new version, not yet
  // checked against any sales, so nothing has drifted and Retrain drifted is gone.
  const versions = Object.fromEntries(before.products.map((p) => [p.product, p.model_version]));
  await page.waitForFunction((name) => document.querySelector(`[data-testid="accuracy-row"][data-product="${name}"]`)
    ?.dataset.drifted === 'false', DRIFTER, WAIT);
  const now = await getAccuracy(rest());
  assert.deepEqual(now.drifted, []);
  for (const p of now.products) {
    const retrained = before.drifted.includes(p.product);
    assert.equal(p.model_version, retrained ? versions[p.product] + 1 : versions[p.product], p.product);
  }
  await assertSameAsServer(page, now);
  assert.equal(await page.getByTestId('accuracy-retrain').isVisible(), false);
  await page.close();
});
