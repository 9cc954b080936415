// The dashboard in headless Chromium against the real gateway + service, started here: sign in,
// upload, train to 100%, a second page mid-job, a gateway restart mid-job, failures a person
// can meet, and the forecast chart. Screenshots go to LEVAIN_WEB_ARTIFACTS.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { launchBrowser } from './harness/browser.js';
import { Stack, demoCsv, waitFor } from './harness/stack.js';
import { cancelJob, getJob, listJobs, uploadSales } from '../../web/client/levain-client.js';

const TENANT = 'bakery-a';
// Poll on a timer, not on animation frames: a page in a background tab gets none.
const WAIT = { timeout: 180_000, polling: 100 };
// The job restarted mid-way must outlast a second page's load and a gateway restart in any build
// (sanitized or optimised): its size is scaled from how long the 12-product job took here.
const TARGET_JOB_SECONDS = 30;
let secondsFor12 = 2;
let stack;
let browser;
let token;
let files;
const foreignRequests = [];

before(async () => {
  stack = await new Stack().start({ serviceArgs: ['--train-threads', '1'] });
  token = await stack.token({ tenants: [TENANT, 'bakery-b'], sub: 'manager@bakery-a' });
  files = { small: path.join(stack.dir, 'demo-12.csv') };
  fs.writeFileSync(files.small, await demoCsv(12));
  browser = await launchBrowser();
  // Everything the dashboard loads must come from the gateway itself (no CDN).
  browser.context.on('request', (r) => {
    if (!new URL(r.url()).host.startsWith('127.0.0.1')) foreignRequests.push(r.url());
  });
});
after(async () => {
  await browser?.close();
  await stack?.stop();
});

const progress = (page) => page.getByTestId('progress').getAttribute('aria-valuenow').then(Number);
const waitForConnection = (page, state) => page.waitForFunction(
  (s) => document.querySelector('[data-testid="connection-status"]').dataset.state === s, state, WAIT);
const rows = (page) => page.getByTestId('product-row').count();
const waitForProgress = (page, value) => page.waitForFunction(
  (v) => document.querySelector('[data-testid="progress"]').getAttribute('aria-valuenow') === String(v), value, WAIT);

async function signIn(page) {
  await page.goto(`${stack.url}/`);
  await page.getByTestId('token-input').fill(token);
  await page.getByTestId('sign-in').click();
  // Signed in, and the bakery's jobs and forecasts are loaded.
  await page.waitForFunction(() => document.querySelector('[data-testid="workspace"]').dataset.loaded, null, WAIT);
}

/** Clicks "Start training" and resolves with the new job's id once the page watches it. */
async function startJob(page) {
  // Any job the page may still be opening (the newest, at sign-in) is not the one started here.
  const known = (await listJobs({ baseUrl: stack.url, tenantId: TENANT, token })).map((j) => j.job_id);
  await page.getByTestId('start-training').click();
  await page.waitForFunction((old) => {
    const id = document.querySelector('[data-testid="job-id"]').dataset.jobId;
    return id && !old.includes(id);
  }, known, WAIT);
  return page.getByTestId('job-id').getAttribute('data-job-id');
}

async function upload(page, file) {
  await page.getByTestId('csv-input').setInputFiles(file);
  await page.getByTestId('upload-result').filter({ hasText: 'accepted' }).waitFor(WAIT);
}

test('sign in, upload the demo CSV, train: the bar reaches 100% and the table is complete', async () => {
  const page = await browser.newPage();
  await signIn(page);
  assert.deepEqual(await page.getByTestId('tenant-select').locator('option').allTextContents(), [TENANT, 'bakery-b']);
  await browser.screenshot(page, '01-signed-in');
  await upload(page, files.small);
  assert.match(await page.getByTestId('upload-result').textContent(), /4800 rows accepted.*0 rejected/);

  const t0 = Date.now();
  await startJob(page);
  await waitForProgress(page, 100);
  secondsFor12 = (Date.now() - t0) / 1000;
  await page.waitForFunction(() => document.querySelectorAll('[data-testid="product-row"]').length === 12, null, WAIT);
  assert.equal(await rows(page), 12);
  assert.equal(await page.locator('[data-testid="product-row"][data-status="succeeded"]').count(), 12);
  assert.equal(await page.getByTestId('products-count').textContent(), '12 of 12 products');
  assert.match(await page.getByTestId('summary').textContent(), /Training completed\. 12 products trained, 0 failed/);
  await waitForConnection(page, 'closed'); // the close (1000) follows the last event
  assert.match(await page.getByTestId('connection-status').textContent(), /closed/);
  assert.equal(await page.getByTestId('error').isVisible(), false);
  // The finished job is listed among past jobs.
  await page.locator('[data-testid="job-row"][data-status="completed"]').first().waitFor(WAIT);
  await browser.screenshot(page, '02-completed', { fullPage: true });

  // The forecast chart: a canvas, with forecast points and the history from the uploaded CSV.
  const chart = page.getByTestId('forecast-chart');
  await chart.locator('canvas').first().waitFor(WAIT);
  await page.waitForFunction(
    () => Number(document.querySelector('[data-testid="forecast-chart"]').dataset.points) > 0, null, WAIT);
  assert.ok(Number(await chart.getAttribute('data-points')) >= 14);
  assert.ok(Number(await chart.getAttribute('data-history')) > 0);
  const box = await chart.locator('canvas').first().boundingBox();
  assert.ok(box.width > 100 && box.height > 100, 'the canvas has a size');
  await browser.screenshot(page, '03-forecast', { fullPage: true });
  assert.deepEqual(foreignRequests, []);
  await page.close();
});

test('drag and drop a CSV: rejected rows are listed with their line numbers', async () => {
  const page = await browser.newPage();
  await signIn(page);
  const text = 'date,product,quantity\n2026-01-01,Baguette,10\nnot-a-date,Baguette,3\n2026-01-02,Baguette,-5\n';
  const dataTransfer = await page.evaluateHandle((csv) => {
    const dt = new DataTransfer();
    dt.items.add(new File([csv], 'partly-bad.csv', { type: 'text/csv' }));
    return dt;
  }, text);
  await page.getByTestId('dropzone').dispatchEvent('drop', { dataTransfer });
  await page.getByTestId('rejected-row').first().waitFor(WAIT);
  assert.deepEqual(await page.getByTestId('rejected-row').evaluateAll((els) => els.map((e) => e.dataset.line)), ['3', '4']);
  assert.match(await page.getByTestId('upload-result').textContent(), /1 rows accepted.*2 rejected/);

  // A file with no good row: the error area says the CSV was rejected and the rows are listed.
  await page.getByTestId('csv-input').setInputFiles(
    { name: 'bad.csv', mimeType: 'text/csv', buffer: Buffer.from('date,product,quantity\nxx,yy,zz\n') });
  await page.getByTestId('error').filter({ hasText: 'CSV was rejected' }).waitFor(WAIT);
  assert.deepEqual(await page.getByTestId('rejected-row').evaluateAll((els) => els.map((e) => e.dataset.line)), ['2']);
  await browser.screenshot(page, '04-csv-rejected', { fullPage: true });

  // A header the server cannot read: it names what it read, and no rows are promised.
  await page.getByTestId('csv-input').setInputFiles({ name: 'es.csv', mimeType: 'text/csv',
    buffer: Buffer.from('Fecha;Producto;Cantidad\r\n13/01/2024;Pan;1,5\r\n') });
  const headerError = page.getByTestId('error').filter({ hasText: "the header uses ';'" });
  await headerError.waitFor(WAIT);
  assert.doesNotMatch(await headerError.textContent(), /rejected rows below/);
  assert.equal(await page.getByTestId('rejected-row').count(), 0);
  await page.close();
});

test('a second page mid-job shows the same state at once; a gateway restart mid-job reconnects to 100%', async () => {
  const page = await browser.newPage();
  await signIn(page);
  const BIG = Math.min(1000, Math.max(100, Math.round((12 * TARGET_JOB_SECONDS) / secondsFor12)));
  // The big history goes in through the client (faster than the page); the page starts the job.
  await uploadSales({ baseUrl: stack.url, tenantId: TENANT, token, csv: await demoCsv(BIG, 730) });
  await startJob(page);
  await page.waitForFunction(() => document.querySelectorAll('[data-testid="product-row"]').length >= 1, null, WAIT);

  // A second page signs in from the URL and opens the running job: its first render already has
  // every product the first page had when it was opened.
  const seenBefore = await rows(page);
  const second = await browser.newPage();
  await second.goto(`${stack.url}/#token=${token}`);
  await waitForConnection(second, 'live');
  assert.ok(await rows(second) >= seenBefore, 'the snapshot carries the products already done');
  assert.ok(await progress(second) >= 20);
  assert.doesNotMatch(second.url(), /token=/, 'the token is removed from the address bar');
  await browser.screenshot(second, '05-second-page-mid-job');

  const before = await progress(page);
  assert.ok(before < 100, `the job is still running at the restart (progress ${before})`);
  const port = stack.gateway.port;
  await stack.gateway.stop('SIGKILL');
  await waitForConnection(page, 'reconnecting');
  assert.match(await page.getByTestId('connection-status').textContent(), /reconnecting/);
  await browser.screenshot(page, '06-reconnecting');

  // While the gateway is away, a REST action says the server cannot be reached (an upload:
  // Start training is off while the job runs).
  assert.equal(await page.getByTestId('start-training').isDisabled(), true);
  await page.getByTestId('csv-input').setInputFiles(files.small);
  await page.getByTestId('error').filter({ hasText: 'cannot be reached' }).waitFor(WAIT);

  await stack.startGateway(port);
  for (const p of [page, second]) {
    await waitForProgress(p, 100);
    await p.waitForFunction((n) => document.querySelectorAll('[data-testid="product-row"]').length === n, BIG, WAIT);
    assert.equal(await p.getByTestId('products-count').textContent(), `${BIG} of ${BIG} products`);
    await waitForConnection(p, 'closed');
  }
  await browser.screenshot(page, '07-after-restart-completed');
  await second.close();
  await page.close();
});

test('a cancelled job says so, with the server\'s reason', async () => {
  const page = await browser.newPage();
  await signIn(page);
  const jobId = await startJob(page);
  const rest = { baseUrl: stack.url, tenantId: TENANT, token };
  let status = '';
  await waitFor(async () => {
    status = (await listJobs(rest)).find((j) => j.job_id === jobId)?.status ?? 'not listed';
    return status === 'running';
  }, 'the job to run', { onTimeout: () => `job ${jobId} is ${status}` });
  await cancelJob({ ...rest, jobId });
  await page.getByTestId('summary').filter({ hasText: 'Training was cancelled (cancelled by user).' }).waitFor(WAIT);
  assert.equal(await page.getByTestId('progress').getAttribute('data-status'), 'cancelled');
  await waitForConnection(page, 'closed'); // the close (1000) follows the last event
  await page.close();
});

test('a service restart mid-job: the page reconnects and shows the failure with the server\'s reason', async () => {
  const page = await browser.newPage();
  await signIn(page);
  const jobId = await startJob(page);
  await page.waitForFunction(() => document.querySelectorAll('[data-testid="product-row"]').length >= 1, null, WAIT);
  // SIGTERM ends the running job as failed and closes the watchers with 1001; the page
  // reconnects to the new service and finds the job ended, with the reason, in its snapshot.
  await stack.restartService();
  await page.getByTestId('error').filter({ hasText: 'Training failed: interrupted' }).waitFor(WAIT);
  await waitForConnection(page, 'closed');
  assert.equal(await page.getByTestId('progress').getAttribute('data-status'), 'failed');
  const job = await getJob({ baseUrl: stack.url, tenantId: TENANT, token, jobId });
  assert.equal(job.status, 'failed');
  assert.ok((await page.getByTestId('error').textContent()).includes(`Training failed: ${job.error}.`));
  await browser.screenshot(page, '09-training-failed');
  await page.close();
});

test('an expired token shows its message and asks for a new one', async () => {
  const page = await browser.newPage();
  await page.goto(`${stack.url}/#token=${stack.expiredToken({ tenants: [TENANT] })}`);
  await page.getByTestId('error').filter({ hasText: 'expired' }).waitFor(WAIT);
  assert.match(await page.getByTestId('error').textContent(), /Your token has expired\. Paste a new token/);
  assert.ok(await page.getByTestId('token-input').isVisible());
  await browser.screenshot(page, '08-expired-token');

  // Pasted by hand: same message. A token that is not a JWT gets its own.
  await page.getByTestId('token-input').fill('not-a-token');
  await page.getByTestId('sign-in').click();
  await page.getByTestId('error').filter({ hasText: 'not a valid token' }).waitFor(WAIT);
  await page.close();
});
