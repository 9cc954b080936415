// A watcher quota on the dashboard in headless Chromium, fed by a scripted gateway (harness/
// scripted_stack.js) that refuses live connections with 4029 when the test says: the server's
// message where close messages go, with when the page tries again, until a connection is let
// in; a reason that is not JSON; and a quota that stays full until the client gives up.
import assert from 'node:assert/strict';
import { after, afterEach, before, beforeEach, test } from 'node:test';
import { launchBrowser } from './harness/browser.js';
import { connectedAt, fullRun } from './harness/progress_stream.js';
import { ScriptedStack, fakeToken } from './harness/scripted_stack.js';

const WAIT = { timeout: 60_000, polling: 50 };
const events = fullRun();
const REASON = JSON.stringify({ limit: 'watchers_per_job', value: 2, used: 2, retry_after_s: 1,
  message: 'quota exceeded: watchers_per_job is 2' });
let browser;
let stack;

before(async () => {
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
});
beforeEach(async () => {
  stack = await new ScriptedStack().start();
  stack.jobs = [{ job_id: 'j1', tenant_id: 'bakery-a', status: 'running', progress: 50, seq: 5, total_products: 6,
    products_completed: 3, current_step: 'Model Training', created_at: '2026-01-01T07:59:00Z', products: [] }];
});
afterEach(async () => {
  await stack.stop();
});

async function open() {
  const page = await browser.newPage();
  await page.goto(`${stack.url}/#token=${fakeToken()}`);
  await page.waitForFunction(() => document.querySelector('[data-testid="workspace"]').dataset.loaded, null, WAIT);
  return page;
}

const errorArea = (page) => page.getByTestId('error').evaluate((e) => ({ hidden: e.hidden, kind: e.dataset.kind ?? '',
  text: e.textContent }));
const indicator = (page) => page.getByTestId('connection-status').evaluate((e) => ({ state: e.dataset.state,
  code: e.dataset.code ?? '', text: e.textContent }));
const waitForError = (page, text) => page.waitForFunction((t) => {
  const e = document.querySelector('[data-testid="error"]');
  return !e.hidden && e.textContent === t;
}, text, WAIT);
const waitForState = (page, s) => page.waitForFunction((x) =>
  document.querySelector('[data-testid="connection-status"]').dataset.state === x, s, WAIT);

test('4029: the server\'s message and when the page tries again, until a connection is let in', async () => {
  const page = await open();
  (await stack.connection('j1', 0)).close(4029, REASON);
  await waitForError(page, 'quota exceeded: watchers_per_job is 2. Trying again in 1 s.');
  assert.deepEqual(await errorArea(page), { hidden: false, kind: 'quota',
    text: 'quota exceeded: watchers_per_job is 2. Trying again in 1 s.' });
  assert.deepEqual(await indicator(page), { state: 'reconnecting', code: '4029',
    text: 'reconnecting… (watcher limit reached, attempt 1)' });
  await browser.screenshot(page, 'quota-waiting');

  // The place frees: the next connection is let in, and the message goes, since it is no longer true.
  const admitted = await stack.connection('j1', 1);
  admitted.send(connectedAt(events, 5, { watchers: 2 }));
  await waitForState(page, 'live');
  assert.equal((await errorArea(page)).hidden, true);
  assert.equal((await indicator(page)).code, '');
  assert.equal(await page.getByTestId('progress').getAttribute('aria-valuenow'), String(events[4].data.progress));
  await page.close();
});

test('4029 with a reason that is not JSON: a sentence of the page\'s own', async () => {
  const page = await open();
  (await stack.connection('j1', 0)).close(4029, 'busy');
  await waitForError(page, 'Too many live watchers for this job or bakery right now. Trying again shortly.');
  assert.equal((await indicator(page)).code, '4029');
  const admitted = await stack.connection('j1', 1);
  admitted.send(connectedAt(events, 5));
  await waitForState(page, 'live');
  assert.equal((await errorArea(page)).hidden, true);
  await page.close();
});

test('a quota that stays full: after 30 refusals the page stops and says so', async () => {
  const page = await open();
  const quick = JSON.stringify({ limit: 'watchers_per_tenant', value: 5, used: 5, retry_after_s: 0.01,
    message: 'at most 5 watchers per tenant' });
  for (let n = 0; n < 30; n += 1) (await stack.connection('j1', n)).close(4029, quick);
  await waitForState(page, 'closed');
  assert.deepEqual(await errorArea(page), { hidden: false, kind: '',
    text: 'at most 5 watchers per tenant. Gave up after 30 attempts: reload the page to try again.' });
  assert.deepEqual(await indicator(page), { state: 'closed', code: '4029', text: 'closed: watcher limit reached' });
  assert.equal(stack.live.filter((c) => c.jobId === 'j1').length, 30, 'no attempt after the last');
  await page.close();
});
