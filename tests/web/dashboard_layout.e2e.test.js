// The dashboard fed by what the server stored, at desktop and phone widths, in headless Chromium
// against the real gateway + service: the summary card shows the server's counts on the first
// view after sign-in, the chart draws the served history (a row the server rejected never shows,
// missing days stay gaps), and no view is wider than a 390 px phone screen.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { launchBrowser } from './harness/browser.js';
import { Stack } from './harness/stack.js';
import { getSalesHistory, getSalesSummary } from '../../web/client/levain-client.js';

const TENANT = 'bakery-a';
const WAIT = { timeout: 180_000, polling: 100 };
const PHONE = { width: 390, height: 844 };
const DESKTOP = { width: 1280, height: 900 };
// Baguette has no row on these days; the CSV's row for the first of them is one the server
// rejects (a negative quantity), so only a chart drawn from the browser's copy would show it.
const GAP = ['2026-05-10', '2026-05-11', '2026-05-12'];
let stack;
let browser;
let token;
let csvFile;

/** 150 days (to 2026-06-30) of two products, Baguette without the GAP days, plus one bad row. */
function gapCsv() {
  const lines = ['date,product,quantity'];
  const end = Date.parse('2026-06-30T00:00:00Z');
  for (let i = 149; i >= 0; i -= 1) {
    const date = new Date(end - i * 86_400_000).toISOString().slice(0, 10);
    const weekday = new Date(date).getUTCDay();
    if (!GAP.includes(date)) lines.push(`${date},Baguette,${40 + (weekday === 6 ? 25 : 0) + (i % 3)}`);
    lines.push(`${date},Croissant,${20 + (weekday === 0 ? 12 : 0) + (i % 2)}`);
  }
  lines.push(`${GAP[0]},Baguette,-5`);
  return `${lines.join('\n')}\n`;
}

before(async () => {
  stack = await new Stack().start({ serviceArgs: ['--train-threads', '1'] });
  token = await stack.token({ tenants: [TENANT], sub: 'manager@bakery-a' });
  csvFile = path.join(stack.dir, 'with-gap.csv');
  fs.writeFileSync(csvFile, gapCsv());
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
  await stack?.stop();
});

const rest = () => ({ baseUrl: stack.url, tenantId: TENANT, token });
const pageWidth = (page) => page.evaluate(() => document.documentElement.scrollWidth);

async function assertFits(page, viewport, view) {
  const width = await pageWidth(page);
  assert.ok(width <= viewport.width, `${view} view is ${width} px wide at a ${viewport.width} px viewport`);
}

async function signIn(page) {
  await page.getByTestId('token-input').fill(token);
  await page.getByTestId('sign-in').click();
  await page.waitForFunction(() => document.querySelector('[data-testid="workspace"]').dataset.loaded, null, WAIT);
}

async function waitForChart(page) {
  await page.getByTestId('forecast-chart').locator('canvas').first().waitFor(WAIT);
  await page.waitForFunction(
    () => Number(document.querySelector('[data-testid="forecast-chart"]').dataset.points) > 0, null, WAIT);
}

async function summaryData(page) {
  return page.getByTestId('sales-summary').evaluate((e) => ({ ...e.dataset }));
}

test('desktop: the summary card and the chart show what the server stored, gaps as gaps', async () => {
  const page = await browser.newPage();
  await page.setViewportSize(DESKTOP);
  await page.goto(`${stack.url}/`);
  await assertFits(page, DESKTOP, 'sign-in');
  await signIn(page);
  await page.getByTestId('stored-empty').waitFor(WAIT);

  await page.getByTestId('csv-input').setInputFiles(csvFile);
  await page.getByTestId('upload-result').filter({ hasText: 'accepted' }).waitFor(WAIT);
  assert.match(await page.getByTestId('upload-result').textContent(), /297 rows accepted.*1 rejected/);
  const held = await getSalesSummary(rest());
  await page.waitForFunction((n) => document.querySelector('[data-testid="sales-summary"]').dataset.rows === n,
    String(held.rows), WAIT);
  const card = await summaryData(page);
  assert.equal(card.products, '2');
  assert.equal(card.rows, '297');
  assert.equal(card.firstDate, held.first_date);
  assert.equal(card.lastDate, '2026-06-30');
  assert.equal(card.lastUpload, held.last_upload.at);
  assert.match(await page.getByTestId('stored-range').textContent(), /2026-02-01 to 2026-06-30/);

  await page.getByTestId('start-training').click();
  await page.waitForFunction(
    () => document.querySelector('[data-testid="progress"]').getAttribute('aria-valuenow') === '100', null, WAIT);
  await waitForChart(page);
  const chart = await page.getByTestId('forecast-chart').evaluate((e) => ({ ...e.dataset }));
  assert.equal(chart.product, 'Baguette');
  // The history drawn is exactly the server's stored days in the window the chart asked for.
  const served = await getSalesHistory({ ...rest(), product: 'Baguette', from: chart.historyFrom });
  assert.equal(Number(chart.history), served.points.length);
  assert.equal(chart.historyTo, '2026-06-30');
  assert.ok(!served.points.some((p) => GAP.includes(p.date)), 'the rejected row was not stored');
  assert.equal(chart.gaps, String(GAP.length), 'each missing day is a gap, the rejected row is not drawn');
  await assertFits(page, DESKTOP, 'forecast');
  await browser.screenshot(page, 'layout-desktop-1280', { fullPage: true });
  await page.close();
});

test('phone (390 px): sign-in, training and forecast views fit the screen', async () => {
  const page = await browser.newPage();
  await page.setViewportSize(PHONE);
  await page.goto(`${stack.url}/`);
  await assertFits(page, PHONE, 'sign-in');
  await browser.screenshot(page, 'layout-phone-signin');

  // The first view after sign-in already shows what the server holds, and the last job.
  await signIn(page);
  const card = await summaryData(page);
  assert.equal(card.products, '2');
  assert.equal(card.rows, '297');
  await page.getByTestId('stored-last-upload').waitFor(WAIT);
  await page.waitForFunction(() => document.querySelectorAll('[data-testid="product-row"]').length === 2, null, WAIT);
  await page.locator('[data-testid="job-row"]').first().waitFor(WAIT);
  await page.locator('#stored-table summary').click(); // open the stored products' table too
  await assertFits(page, PHONE, 'training');
  await browser.screenshot(page, 'layout-phone-training', { fullPage: true });

  await waitForChart(page);
  await page.getByTestId('forecast-chart').scrollIntoViewIfNeeded();
  await assertFits(page, PHONE, 'forecast');
  const box = await page.getByTestId('forecast-chart').locator('canvas').first().boundingBox();
  assert.ok(box.x >= 0 && box.x + box.width <= PHONE.width, `the chart fits: ${JSON.stringify(box)}`);
  await browser.screenshot(page, 'layout-phone-forecast');
  await page.close();
});
