// The dashboard in headless Chromium where WebSockets never get through (the page's WebSocket is
// replaced, before any script runs, by one whose upgrade always fails, as behind a proxy that
// drops it): it falls back to Server-Sent Events by itself, trains to 100%, and rides over a
// gateway restart mid-job by resuming the stream with `since`.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { launchBrowser } from './harness/browser.js';
import { Stack, demoCsv } from './harness/stack.js';
import { listJobs, uploadSales } from '../../web/client/levain-client.js';

const TENANT = 'bakery-a';
const WAIT = { timeout: 180_000, polling: 100 };
// The job restarted mid-way must outlast a gateway restart in any build; scaled from the first job.
const TARGET_JOB_SECONDS = 15;
let secondsFor12 = 2;
let stack;
let browser;
let token;
let csvFile;

before(async () => {
  // Room in the resume ring for every event of the biggest job here, so that a resume after the
  // restart never depends on how long the restart took.
  stack = await new Stack().start({ serviceArgs: ['--train-threads', '1', '--resume-bytes', String(4 << 20)] });
  token = await stack.token({ tenants: [TENANT], sub: 'manager@bakery-a' });
  csvFile = path.join(stack.dir, 'demo-12.csv');
  fs.writeFileSync(csvFile, await demoCsv(12));
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
  await stack?.stop();
});

/** Runs in the page before its own scripts: no WebSocket ever opens; EventSources are recorded. */
function breakWebSockets() {
  window.__levainTest = { webSocketAttempts: 0, eventSources: [] };
  class FailingWebSocket {
    constructor(url) {
      window.__levainTest.webSocketAttempts += 1;
      this.url = String(url);
      this.readyState = 0;
      this.onopen = this.onmessage = this.onerror = this.onclose = null;
      setTimeout(() => {
        this.readyState = 3;
        this.onerror?.(new Event('error'));
        this.onclose?.({ code: 1006, reason: '', wasClean: false });
      }, 10);
    }

    send() {
      throw new DOMException('not open', 'InvalidStateError');
    }

    close() {
      this.readyState = 3;
    }
  }
  window.WebSocket = FailingWebSocket;
  const RealEventSource = window.EventSource;
  window.EventSource = class RecordedEventSource extends RealEventSource {
    constructor(url, init) {
      super(url, init);
      const entry = { url: String(url), connected: [] };
      window.__levainTest.eventSources.push(entry);
      this.addEventListener('connected', (e) => entry.connected.push(JSON.parse(e.data).data.resumed));
    }
  };
}

const recorded = (page) => page.evaluate(() => window.__levainTest);
const waitForConnection = (page, state) => page.waitForFunction(
  (s) => document.querySelector('[data-testid="connection-status"]').dataset.state === s, state, WAIT);
const waitForProgress = (page, value) => page.waitForFunction(
  (v) => document.querySelector('[data-testid="progress"]').getAttribute('aria-valuenow') === String(v), value, WAIT);
const waitForRows = (page, n) => page.waitForFunction(
  (count) => document.querySelectorAll('[data-testid="product-row"]').length === count, n, WAIT);

async function openPage() {
  const page = await browser.newPage();
  await page.addInitScript(breakWebSockets);
  await page.goto(`${stack.url}/`);
  await page.getByTestId('token-input').fill(token);
  await page.getByTestId('sign-in').click();
  await page.waitForFunction(() => document.querySelector('[data-testid="workspace"]').dataset.loaded, null, WAIT);
  return page;
}

async function startJob(page) {
  const known = (await listJobs({ baseUrl: stack.url, tenantId: TENANT, token })).map((j) => j.job_id);
  await page.getByTestId('start-training').click();
  await page.waitForFunction((old) => {
    const id = document.querySelector('[data-testid="job-id"]').dataset.jobId;
    return id && !old.includes(id);
  }, known, WAIT);
  return page.getByTestId('job-id').getAttribute('data-job-id');
}

test('without WebSockets the dashboard falls back to SSE and trains to 100%', async () => {
  const page = await openPage();
  await page.getByTestId('csv-input').setInputFiles(csvFile);
  await page.getByTestId('upload-result').filter({ hasText: 'accepted' }).waitFor(WAIT);
  const t0 = Date.now();
  const jobId = await startJob(page);
  await waitForProgress(page, 100);
  secondsFor12 = (Date.now() - t0) / 1000;
  await waitForRows(page, 12);
  assert.equal(await page.locator('[data-testid="product-row"][data-status="succeeded"]').count(), 12);
  assert.equal(await page.getByTestId('products-count').textContent(), '12 of 12 products');
  assert.match(await page.getByTestId('summary').textContent(), /Training completed\. 12 products trained, 0 failed/);
  await waitForConnection(page, 'closed'); // `event: close` 1000 ends the watch like a WebSocket close
  assert.equal(await page.getByTestId('connection-status').getAttribute('data-code'), '1000');
  assert.equal(await page.getByTestId('connection-status').getAttribute('data-transport'), 'sse');
  assert.equal(await page.getByTestId('error').isVisible(), false);

  const seen = await recorded(page);
  const forJob = seen.eventSources.filter((e) => e.url.includes(`/jobs/${encodeURIComponent(jobId)}/live`));
  // Two failed upgrades for the first job watched (the newest at sign-in, if any, took the first
  // two: every watch decides for itself), then SSE only.
  assert.ok(seen.webSocketAttempts >= 2, `WebSocket tried (${seen.webSocketAttempts})`);
  assert.equal(seen.webSocketAttempts % 2, 0, 'two attempts per watch, never more');
  assert.equal(forJob.length, 1, 'one event stream for the job: closed on `event: close`, not reopened');
  assert.ok(forJob[0].url.startsWith(`${stack.url}/`), 'same origin, over http');
  assert.doesNotMatch(forJob[0].url, /since=/);
  assert.deepEqual(forJob[0].connected, [false]);
  await browser.screenshot(page, 'sse-01-completed', { fullPage: true });
  await page.close();
});

test('over SSE, a gateway restart mid-job resumes the stream with since and reaches 100%', async () => {
  const page = await openPage();
  const BIG = Math.min(400, Math.max(100, Math.round((12 * TARGET_JOB_SECONDS) / secondsFor12)));
  await uploadSales({ baseUrl: stack.url, tenantId: TENANT, token, csv: await demoCsv(BIG, 400) });
  const jobId = await startJob(page);
  await page.waitForFunction(() => document.querySelectorAll('[data-testid="product-row"]').length >= 2, null, WAIT);
  await waitForConnection(page, 'live');
  const before = Number(await page.getByTestId('progress').getAttribute('aria-valuenow'));
  assert.ok(before < 100, `the job is still running at the restart (progress ${before})`);

  const port = stack.gateway.port;
  await stack.gateway.stop('SIGKILL');
  await waitForConnection(page, 'reconnecting');
  await browser.screenshot(page, 'sse-02-reconnecting');
  await stack.startGateway(port);

  await waitForProgress(page, 100);
  await waitForRows(page, BIG);
  assert.equal(await page.getByTestId('products-count').textContent(), `${BIG} of ${BIG} products`);
  await waitForConnection(page, 'closed');
  assert.equal(await page.getByTestId('connection-status').getAttribute('data-transport'), 'sse');

  const seen = await recorded(page);
  const forJob = seen.eventSources.filter((e) => e.url.includes(`/jobs/${encodeURIComponent(jobId)}/live`));
  assert.doesNotMatch(forJob[0].url, /since=/, 'the first stream joins with a snapshot');
  assert.deepEqual(forJob[0].connected, [false]);
  // Attempts while the gateway was away got no `connected`; the one that got through resumed.
  const through = forJob.filter((e) => e.connected.length > 0);
  assert.equal(through.length, 2, 'one stream before the restart, one after');
  const since = Number(new URL(through[1].url).searchParams.get('since'));
  assert.ok(since > 0, `the stream after the restart asked to resume (${through[1].url})`);
  assert.deepEqual(through[1].connected, [true], 'and was resumed, without a snapshot');
  for (const e of forJob.slice(1)) assert.match(e.url, /since=\d+/);
  await browser.screenshot(page, 'sse-03-after-restart-completed');
  await page.close();
});
