// "Tomorrow's bake" and the forecast's explanation in headless Chromium against the real gateway +
// service (issue 17): the plan the server made is the table the page shows, sorted by product, on
// a 390 px phone with the product and the quantity on screen and no sideways page scroll, and at
// desktop width; Download CSV saves the server's CSV under its name; a bakery without a model gets
// the server's message; "Explain each day" says each forecast day as a sum that adds up.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { after, before, test } from 'node:test';
import { launchBrowser } from './harness/browser.js';
import { Stack, demoCsv, waitFor } from './harness/stack.js';
import { explainSentence, shortDay } from '../../web/app/explain.js';
import {
  LevainError, bakePlan, getForecasts, getJob, startTraining, uploadSales,
} from '../../web/client/levain-client.js';

const TENANT = 'bakery-a';
const EMPTY = 'bakery-b'; // granted by the token, never trained
const WAIT = { timeout: 180_000, polling: 100 };
const PHONE = { width: 390, height: 844 };
const DESKTOP = { width: 1280, height: 900 };
// The contract's CSV header (notes/bake-plan-contract.md, issue 17).
const CSV_HEADER = 'date,product,quantity,service_level,median,expected_sold,expected_waste,expected_lost_sales,' +
  'expected_profit,unit_cost,price,economics,model_version';
const PRICED = 'Baguette'; // the one product given a price and cost: the others use the default share
let stack;
let browser;
let token;
let plan; // what the server plans for "tomorrow", the truth the page is checked against

const rest = (tenantId = TENANT) => ({ baseUrl: stack.url, tenantId, token });
const byName = (a, b) => (a < b ? -1 : a > b ? 1 : 0);
const nextDay = (iso) => new Date(Date.parse(`${iso}T00:00:00Z`) + 86_400_000).toISOString().slice(0, 10);

before(async () => {
  stack = await new Stack().start({ serviceArgs: ['--train-threads', '1'] });
  token = await stack.token({ tenants: [TENANT, EMPTY], sub: 'baker@bakery-a' });
  await uploadSales({ ...rest(), csv: await demoCsv(3, 400) });
  const put = await fetch(`${stack.url}/api/v1/tenants/${TENANT}/products`, {
    method: 'PUT', headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'text/csv' },
    body: `product,unit_cost,price\n${PRICED},0.42,1.20\n`,
  });
  assert.equal(put.status, 200, `PUT …/products: ${await put.text()}`);
  const { job_id: jobId } = await startTraining(rest());
  let status = '';
  await waitFor(async () => {
    status = (await getJob({ ...rest(), jobId })).status;
    if (status === 'failed' || status === 'cancelled') throw new Error(`the training job ${status}`);
    return status === 'completed';
  }, 'the training job to complete', { timeoutMs: 600_000, intervalMs: 100, onTimeout: () => `job is ${status}` });
  plan = await bakePlan(rest());
  assert.ok(plan.plan.length >= 1, `the server plans something: ${JSON.stringify(plan)}`);
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

const bakeState = (page) => page.getByTestId('bake-plan').evaluate((e) => ({ ...e.dataset }));
const waitForPlan = (page, date) => page.waitForFunction((d) => {
  const box = document.querySelector('[data-testid="bake-plan"]').dataset;
  return box.state === 'ready' && (d === null || box.date === d);
}, date, WAIT);
const pageWidth = (page) => page.evaluate(() => document.documentElement.scrollWidth);
const rowsShown = (page) => page.getByTestId('bake-row').evaluateAll((rows) => rows.map((r) => ({
  product: r.dataset.product, date: r.dataset.date, quantity: Number(r.dataset.quantity),
  cells: [...r.cells].map((c) => c.textContent.trim()) })));

/** The page's rows are the server's lines, sorted by product; the null profit reads "—". */
function assertSameAsServer(shown, served) {
  const expected = [...served.plan].sort((a, b) => byName(a.product, b.product) || byName(a.date, b.date));
  assert.deepEqual(shown.map((r) => [r.product, r.date, r.quantity]),
    expected.map((l) => [l.product, l.date, l.quantity]));
  for (const [i, l] of expected.entries()) {
    const cells = shown[i].cells;
    assert.equal(cells[0], l.product);
    assert.equal(cells[1], String(l.quantity));
    assert.equal(cells[2], l.median.toFixed(1));
    assert.equal(cells[6], l.expected_profit === null ? '—' : l.expected_profit.toFixed(2), `${l.product}'s profit`);
    assert.equal(cells[7], `${Math.round(l.service_level * 100)}%`);
    assert.equal(cells[8], `v${l.model_version}`);
  }
  const priced = served.plan.find((l) => l.product === PRICED);
  assert.equal(priced?.economics, 'product', 'the priced product plans with its own economics');
  assert.equal(shown.find((r) => r.product === PRICED).cells[6], priced.expected_profit.toFixed(2));
}

test('phone (390 px): the plan\'s product and quantity are on screen, the page does not scroll sideways', async () => {
  const page = await browser.newPage();
  await signIn(page, PHONE);
  await waitForPlan(page, plan.date);
  const state = await bakeState(page);
  assert.equal(state.products, String(plan.plan.length));
  assert.equal(state.skipped, String(plan.skipped.length));
  assert.equal(await page.getByTestId('bake-date').inputValue(), plan.date);
  assertSameAsServer(await rowsShown(page), plan);
  assert.deepEqual(await page.getByTestId('bake-skipped-product').evaluateAll((l) => l.map((e) => e.dataset.product)),
    plan.skipped.map((s) => s.product));

  await page.getByTestId('bake-table').scrollIntoViewIfNeeded();
  assert.ok(await pageWidth(page) <= PHONE.width, `the page is ${await pageWidth(page)} px wide`);
  const scroller = await page.locator('#bake-table-box').boundingBox();
  assert.ok(scroller.x >= 0 && scroller.x + scroller.width <= PHONE.width, `the table's box fits: ${JSON.stringify(scroller)}`);
  // Every row's product and quantity lie inside the phone's screen and the table's own box, and are
  // what is drawn there (nothing covers them).
  for (const row of await page.getByTestId('bake-row').all()) {
    await row.scrollIntoViewIfNeeded();
    for (const cell of [row.locator('td').nth(0), row.locator('td').nth(1)]) {
      const box = await cell.boundingBox();
      assert.ok(box.x >= scroller.x && box.x + box.width <= scroller.x + scroller.width + 0.5,
        `${await cell.textContent()} is inside the table's box: ${JSON.stringify(box)} in ${JSON.stringify(scroller)}`);
      assert.ok(await cell.evaluate((td) => {
        const r = td.getBoundingClientRect();
        const hit = document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2);
        return hit === td || td.contains(hit);
      }), `${await cell.textContent()} is visible where it is`);
    }
  }
  await browser.screenshot(page, 'bake-phone-390');

  // Another day, then back to the server's "tomorrow".
  const day = nextDay(plan.date);
  await page.getByTestId('bake-date').fill(day);
  await waitForPlan(page, day);
  assertSameAsServer(await rowsShown(page), await bakePlan({ ...rest(), date: day }));
  assert.match(await page.getByTestId('bake-note').textContent(), /^Plan for \w+day \d{1,2} \w+ \d{4}\.$/);
  await page.getByTestId('bake-tomorrow').click();
  await waitForPlan(page, plan.date);
  assert.match(await page.getByTestId('bake-note').textContent(), /, the day after the latest sales\.$/);
  assert.ok(await pageWidth(page) <= PHONE.width);
  await page.close();
});

test('Download CSV saves the server\'s CSV under its file name', async () => {
  const page = await browser.newPage();
  await signIn(page, PHONE);
  await waitForPlan(page, plan.date);
  const [download] = await Promise.all([page.waitForEvent('download', WAIT), page.getByTestId('bake-csv').click()]);
  assert.equal(download.suggestedFilename(), `bake-plan-${plan.date}.csv`);
  const saved = fs.readFileSync(await download.path(), 'utf8');
  const lines = saved.trimEnd().split('\n');
  assert.equal(lines[0].replace(/\r$/, ''), CSV_HEADER);
  assert.equal(lines.length - 1, plan.plan.length, 'one line per planned product');
  // Byte for byte what the server answers to Accept: text/csv.
  const res = await fetch(`${stack.url}/api/v1/tenants/${TENANT}/bake-plan`,
    { headers: { Authorization: `Bearer ${token}`, Accept: 'text/csv' } });
  assert.equal(res.status, 200);
  assert.equal(saved, await res.text());
  await page.waitForFunction((n) => document.querySelector('[data-testid="bake-plan"]').dataset.downloaded === n,
    `bake-plan-${plan.date}.csv`, WAIT);
  assert.equal(await page.getByTestId('error').isVisible(), false);
  await page.close();
});

test('desktop: the plan is a table with every column on screen', async () => {
  const page = await browser.newPage();
  await signIn(page, DESKTOP);
  await waitForPlan(page, plan.date);
  assertSameAsServer(await rowsShown(page), plan);
  assert.ok(await page.getByTestId('bake-table').isVisible());
  const fits = await page.locator('#bake-table-box').evaluate((e) => e.scrollWidth <= e.clientWidth);
  assert.ok(fits, 'no column is hidden behind a sideways scroll at desktop width');
  assert.ok(await pageWidth(page) <= DESKTOP.width);
  await page.getByTestId('bake-table').scrollIntoViewIfNeeded();
  await browser.screenshot(page, 'bake-desktop-1280');
  await page.close();
});

test('a bakery without a model: the view says what the server said, and nothing is an error', async () => {
  const refusal = await bakePlan(rest(EMPTY)).then(() => null, (e) => e);
  assert.ok(refusal instanceof LevainError, `the server refuses a plan without a model: ${refusal}`);
  assert.equal(refusal.status, 404);
  assert.equal(refusal.code, 'no_models');
  const page = await browser.newPage();
  await signIn(page, PHONE);
  await page.getByTestId('tenant-select').selectOption(EMPTY);
  await page.waitForFunction((t) => document.querySelector('[data-testid="workspace"]').dataset.loaded === t, EMPTY, WAIT);
  await page.waitForFunction(() => document.querySelector('[data-testid="bake-plan"]').dataset.state === 'none', null, WAIT);
  const note = await page.getByTestId('bake-note').textContent();
  const sentence = (t) => t.toLowerCase().replace(/\.$/, '');
  assert.equal(sentence(note), sentence(refusal.message), 'the server\'s own words');
  assert.equal((await bakeState(page)).errorCode, 'no_models');
  assert.equal(await page.getByTestId('bake-table').isVisible(), false);
  assert.equal(await page.getByTestId('bake-csv').isDisabled(), true);
  assert.equal(await page.getByTestId('error').isVisible(), false);
  await page.close();
});

test('Explain each day: a sentence per forecast day, trend first, that adds up', async () => {
  const page = await browser.newPage();
  await signIn(page, PHONE);
  await page.waitForFunction(() => Number(document.querySelector('[data-testid="forecast-chart"]').dataset.points) > 0,
    null, WAIT);
  assert.equal(await page.getByTestId('forecast-explain').isVisible(), false, 'shown only when asked');
  const product = await page.getByTestId('forecast-chart').getAttribute('data-product');
  await page.getByTestId('explain-toggle').click();
  const served = await getForecasts({ ...rest(), product, explain: true });
  assert.ok(served.points.every((p) => p.components && typeof p.components === 'object'), 'explain=1 sends parts');
  await page.waitForFunction((n) => document.querySelectorAll('[data-testid="explain-day"]').length === n,
    served.points.length, WAIT);
  const sentences = await page.getByTestId('explain-day').evaluateAll((l) => l.map((e) => [e.dataset.date, e.textContent]));
  let weekdays = 0;
  for (const [i, [date, text]] of sentences.entries()) {
    const point = served.points[i];
    assert.equal(date, point.date);
    assert.equal(text, explainSentence(point));
    // "Sat 12 Apr: 31 + Saturday 12 + Easter 18 = 61": the terms add up to the forecast, rounded.
    const m = /^(\w{3} \d{1,2} \w{3}): (.+) = (-?\d+)$/.exec(text);
    assert.ok(m, `a sentence: ${text}`);
    assert.equal(m[1], shortDay(point.date));
    const terms = m[2].split(/ (?=[+−] )/).map((t) => {
      const n = Number(/(\d+)$/.exec(t)[1]);
      return /^−/.test(t) ? -n : n;
    });
    assert.equal(terms.reduce((a, b) => a + b, 0), Number(m[3]), text);
    assert.ok(Math.abs(Number(m[3]) - point.yhat) <= 1, `${text} for a forecast of ${point.yhat}`);
    const c = point.components;
    if (served.fallback) {
      assert.match(m[2], /^−?last week \d+$/, 'a seasonal-naive fallback is last week\'s sales');
      continue;
    }
    assert.match(m[2], /^−?\d+( |$)/, 'the trend comes first, unnamed');
    const weekday = new Date(`${point.date}T00:00:00Z`).toLocaleDateString('en-GB', { weekday: 'long', timeZone: 'UTC' });
    if (Math.abs(c.weekday ?? 0) >= 1.5) {
      assert.ok(text.includes(` ${weekday} `), `${text} names the weekday`);
      weekdays += 1;
    }
  }
  if (!served.fallback) assert.ok(weekdays > 0, 'the demo bakery\'s weekdays differ: some day names its weekday');
  await page.getByTestId('forecast-explain').scrollIntoViewIfNeeded();
  assert.ok(await pageWidth(page) <= PHONE.width, `the page is ${await pageWidth(page)} px wide`);
  await browser.screenshot(page, 'explain-phone-390');

  await page.getByTestId('explain-toggle').click();
  await page.getByTestId('forecast-explain').waitFor({ state: 'hidden', timeout: WAIT.timeout });
  await page.close();
});
