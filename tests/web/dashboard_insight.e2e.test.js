// The dashboard's issue-15 views in headless Chromium, fed by a scripted gateway (harness/
// scripted_stack.js) that sends crafted live messages when the test says: time left and elapsed
// (a clock that runs between messages), the products in flight, "N watching", the running
// accuracy, the data report card, progress_summary rows, Start training off while a job runs,
// Cancel, a 409 that offers the running job, and #max_rate. Exact texts, at 390 and 1280 px.
// The same views against the real service: dashboard_progress.e2e.test.js.
import assert from 'node:assert/strict';
import { after, afterEach, before, beforeEach, test } from 'node:test';
import { launchBrowser } from './harness/browser.js';
import { REPORT, coalesce, connectedAt, fullRun } from './harness/progress_stream.js';
import { ScriptedStack, fakeToken } from './harness/scripted_stack.js';

const WAIT = { timeout: 60_000, polling: 100 };
const PHONE = { width: 390, height: 844 };
const DESKTOP = { width: 1280, height: 900 };
const events = fullRun();
let browser;
let stack;

before(async () => {
  browser = await launchBrowser();
  // The page's clock moves only when a test moves it: "Elapsed" and "left" are then exact.
  // install() alone leaves it running in real time (the view's 1 s tick then turned "about 3 min
  // left" for 150 s into "about 2 min" a second after the message, before a slow poll saw it):
  // pauseAt stops it. Pages opened later start paused too, at this time plus any runFor before.
  await browser.context.clock.install({ time: new Date('2026-01-01T07:59:00Z') });
  await browser.context.clock.pauseAt(new Date('2026-01-01T08:00:00Z'));
});
after(async () => {
  await browser?.close();
});
beforeEach(async () => {
  stack = await new ScriptedStack().start();
});
afterEach(async () => {
  await stack.stop();
});

const job = (id, status, extra = {}) => ({ job_id: id, tenant_id: 'bakery-a', status, progress: 50, seq: 5,
  total_products: 6, products_completed: 3, current_step: 'Model Training', created_at: '2026-01-01T07:59:00Z',
  products: [], ...extra });
const text = (page, id) => page.getByTestId(id).textContent();
const data = (page, id) => page.getByTestId(id).evaluate((e) => ({ ...e.dataset }));
const visible = (page, id) => page.getByTestId(id).isVisible();
const waitText = (page, id, expected) => page.waitForFunction(([i, t]) =>
  document.querySelector(`[data-testid="${i}"]`)?.textContent === t, [id, expected], WAIT);
const rows = (page, n) => page.waitForFunction((c) =>
  document.querySelectorAll('[data-testid="product-row"]').length === c, n, WAIT);

async function open(viewport, hash = '') {
  const page = await browser.newPage();
  await page.setViewportSize(viewport);
  await page.goto(`${stack.url}/#token=${fakeToken()}${hash}`);
  await page.waitForFunction(() => document.querySelector('[data-testid="workspace"]').dataset.loaded, null, WAIT);
  return page;
}

async function assertFits(page, viewport, view) {
  const width = await page.evaluate(() => document.documentElement.scrollWidth);
  assert.ok(width <= viewport.width, `${view} is ${width} px wide at ${viewport.width} px`);
}

/** The job at seq 5 (three products done) with 150 s left, watched by two. */
function midJob() {
  const hello = connectedAt(events, 5, { watchers: 2 });
  Object.assign(hello.data.snapshot, { eta_s: 150, elapsed_s: 12 });
  return hello;
}

for (const [name, viewport] of [['desktop', DESKTOP], ['phone', PHONE]]) {
  test(`${name}: time left, elapsed, in flight, watchers, accuracy and the data report`, async () => {
    stack.jobs = [job('j1', 'running')];
    const page = await open(viewport);
    const live = await stack.connection('j1');
    live.send(midJob());
    await waitText(page, 'eta', 'about 3 min left');
    assert.equal(await text(page, 'elapsed'), 'Elapsed 12 s');
    assert.deepEqual(await data(page, 'eta'), { testid: 'eta', etaS: '150' });
    assert.equal(await text(page, 'watchers'), '2 watching');
    assert.deepEqual(await page.getByTestId('in-flight-product').allTextContents(), ['New Cake', 'Stollen']);
    // Between messages the clock runs on, from the server's numbers (less than the 37.5 s after
    // which the client's heartbeat, whose pongs are real-time, would call the connection dead).
    await page.clock.runFor(30_000);
    assert.equal(await text(page, 'elapsed'), 'Elapsed 42 s');
    assert.equal(await text(page, 'eta'), 'about 2 min left');

    const acc = await data(page, 'accuracy');
    const summary = events[4].data.summary;
    assert.equal(acc.medianMase, String(summary.median_mase));
    assert.equal(acc.fallbacks, '1');
    assert.equal(acc.failed, '0');
    assert.match(await text(page, 'accuracy'), /^Accuracy so far/);
    assert.deepEqual(await page.getByTestId('accuracy-worst').locator('li').evaluateAll((l) => l.map((e) => e.dataset.product)),
      summary.worst.map((w) => w.product_name));

    const card = await data(page, 'data-report');
    assert.equal(card.products, '6');
    assert.equal(card.days, '730');
    assert.equal(card.firstDate, '2024-01-01');
    assert.equal(card.rowsMin, '40');
    assert.equal(card.duplicatesReplaced, '4');
    assert.equal(await text(page, 'report-overview'),
      '6 products over 730 days, 2024-01-01 to 2025-12-31. Rows per product: min 40, median 730, max 730.');
    assert.equal(await text(page, 'report-gaps'), 'Gaps: 1 product misses 7 days in all: Rye (7 days).');
    assert.equal(await text(page, 'report-short-history'),
      'Under 8 weeks of history (these use a simple fallback forecast): New Cake.');
    assert.equal(await text(page, 'report-stale'), 'No sale in the 4 weeks before the last day: Stollen (last sale 2025-01-06).');
    assert.equal(await text(page, 'report-closed'), 'Looks closed (the whole shop at zero): 2025-12-25.');
    assert.match(await text(page, 'report-sold-out'), /Baguette on 2025-06-03\.$/);
    assert.equal(await text(page, 'report-values'), 'Negative values: 0; unknown (empty) values: 3.');
    assert.equal(await text(page, 'report-duplicates'), '4 duplicated rows replaced by the last upload.');

    assert.equal(await page.getByTestId('start-training').isDisabled(), true, 'one job at a time');
    assert.match(await text(page, 'start-note'), /under way/);
    assert.equal(await visible(page, 'cancel-training'), true);
    await assertFits(page, viewport, 'the training card mid-job');
    await page.getByTestId('data-report').scrollIntoViewIfNeeded();
    await browser.screenshot(page, `insight-${name}-mid-job`, { fullPage: true });

    // A presence count is no event; a summary of two products is two rows.
    live.send({ type: 'watchers', job_id: 'j1', tenant_id: 'bakery-a', timestamp: 'now', data: { watchers: 3 } });
    await waitText(page, 'watchers', '3 watching');
    const summaries = coalesce(events, (i) => i % 2 === 1).filter((m) => m.seq > 5 && m.seq < events.at(-1).seq);
    for (const m of summaries) live.send(m);
    await rows(page, 6);
    assert.equal(await text(page, 'products-count'), '6 of 6 products');
    assert.equal(stack.live.length, 1, 'no resync: nothing was taken for a gap');

    stack.jobs = [job('j1', 'completed', { progress: 100 })];
    live.send(events.at(-1));
    live.close(1000, 'job completed');
    await page.getByTestId('summary').filter({ hasText: 'Training completed.' }).waitFor(WAIT);
    assert.equal(await visible(page, 'eta'), false, 'no time left once it ended');
    assert.equal(await visible(page, 'in-flight'), false);
    assert.equal(await visible(page, 'watchers'), false, 'a closed watch counts no one');
    assert.equal(await visible(page, 'cancel-training'), false);
    assert.equal(await text(page, 'elapsed'), 'Took 7.0 s');
    assert.match(await text(page, 'accuracy'), /^Accuracy/);
    assert.equal((await data(page, 'accuracy')).failed, '1');
    await page.waitForFunction(() => !document.querySelector('[data-testid="start-training"]').disabled, null, WAIT);
    assert.equal(await visible(page, 'start-note'), false);
    await assertFits(page, viewport, 'the training card after the end');
    await browser.screenshot(page, `insight-${name}-completed`, { fullPage: true });
    await page.close();
  });
}

test('Cancel asks first, posts the cancel, and the job ends cancelled', async () => {
  stack.jobs = [job('j2', 'running')];
  const page = await open(DESKTOP);
  const live = await stack.connection('j2');
  live.send(midJob());
  await page.getByTestId('cancel-training').waitFor(WAIT);
  // Each dialog is waited for before the next click: click() may resolve before the dialog
  // event reaches us, and a listener for the second dialog registered by then took the first.
  const dismissed = page.waitForEvent('dialog').then((d) => d.dismiss());
  await page.getByTestId('cancel-training').click();
  await dismissed;
  assert.ok(!stack.requests.some((r) => r.path.endsWith('/cancel')), 'dismissed: nothing sent');
  let cancelled = 0;
  stack.on('POST /training/jobs/{id}/cancel', () => {
    cancelled += 1;
    return { status: 202, body: job('j2', 'running') };
  });
  const accepted = page.waitForEvent('dialog').then((d) => {
    assert.match(d.message(), /Cancel training job j2\?/);
    return d.accept();
  });
  await page.getByTestId('cancel-training').click();
  await accepted;
  await stack.until(() => cancelled === 1, 'the cancel request');
  assert.equal(stack.requests.find((r) => r.path.endsWith('/cancel')).path, '/training/jobs/j2/cancel');
  await waitText(page, 'cancel-training', 'Cancelling…');
  assert.equal(await page.getByTestId('cancel-training').isDisabled(), true, 'one cancel is enough');
  stack.jobs = [job('j2', 'cancelled')];
  live.send({ type: 'failed', job_id: 'j2', tenant_id: 'bakery-a', seq: 6, timestamp: 'now',
    data: { progress: 50, products_completed: 3, total_products: 6, current_step: 'Cancelled', reason: 'cancelled',
      error: 'cancelled by user', elapsed_s: 14, eta_s: null, in_flight: [] } });
  live.close(1000, 'job cancelled');
  await page.getByTestId('summary').filter({ hasText: 'Training was cancelled (cancelled by user).' }).waitFor(WAIT);
  assert.equal(await page.getByTestId('progress').getAttribute('data-status'), 'cancelled');
  assert.equal(await visible(page, 'cancel-training'), false);
  await page.waitForFunction(() => !document.querySelector('[data-testid="start-training"]').disabled, null, WAIT);
  await page.close();
});

test('a 409 job_running shows the server\'s message and offers the running job', async () => {
  stack.jobs = [job('j-old', 'completed', { progress: 100 })];
  const message = 'a training job of this bakery is already running: watch it, cancel it, or send "allow_concurrent": true';
  stack.on('POST /training/jobs', () => {
    stack.jobs = [job('j-other', 'running'), ...stack.jobs];
    return { status: 409, body: { error: { code: 'job_running', message }, job_id: 'j-other', status: 'running' } };
  });
  const page = await open(PHONE);
  const ended = await stack.connection('j-old');
  ended.send(connectedAt(events, events.at(-1).seq));
  ended.close(1000, 'job completed'); // as the server does for a job that is over
  await page.waitForFunction(() => !document.querySelector('[data-testid="start-training"]').disabled, null, WAIT);
  await page.getByTestId('start-training').click();
  await page.getByTestId('error').filter({ hasText: 'Not started' }).waitFor(WAIT);
  assert.equal((await text(page, 'error')).startsWith(`Not started: ${message}.`), true);
  // The list now has the other job: Start stays off and says which job holds it.
  await page.waitForFunction(() => document.querySelector('[data-testid="start-note"]').dataset.jobId === 'j-other', null, WAIT);
  assert.equal(await page.getByTestId('start-training').isDisabled(), true);
  await assertFits(page, PHONE, 'the 409 message');
  await browser.screenshot(page, 'insight-phone-409');
  await page.getByTestId('watch-running').click();
  const other = await stack.connection('j-other');
  assert.equal(await page.getByTestId('job-id').getAttribute('data-job-id'), 'j-other');
  other.send(midJob());
  await waitText(page, 'watchers', '2 watching');
  assert.equal(await visible(page, 'error'), false, 'watching it answers the message');
  await page.close();
});

test('#max_rate=R goes into the live URL; a rate the server would refuse is said and not sent', async () => {
  stack.jobs = [job('j3', 'running')];
  const page = await open(DESKTOP, '&max_rate=2');
  const live = await stack.connection('j3');
  assert.equal(new URL(live.url, stack.url).searchParams.get('max_rate'), '2');
  live.send(midJob());
  await waitText(page, 'watchers', '2 watching');
  await page.close();

  const refused = await open(DESKTOP, '&max_rate=5000');
  const plain = await stack.connection('j3', 1);
  assert.equal(new URL(plain.url, stack.url).searchParams.get('max_rate'), null);
  assert.match(await text(refused, 'error'), /"max_rate=5000" is not a number of messages per second/);
  await refused.close();
  assert.equal(REPORT.products, 6);
});

test('a long list in the report stays short: five inline, the rest behind "N more"', async () => {
  stack.jobs = [job('j4', 'running')];
  const page = await open(PHONE);
  const live = await stack.connection('j4');
  const hello = midJob();
  const days = Array.from({ length: 8 }, (_, i) => ({ product_name: `Pan ${i + 1}`, date: `2025-06-0${i + 1}` }));
  Object.assign(hello.data.snapshot.report, { sold_out_days: days, sold_out_days_count: 30 });
  live.send(hello);
  await page.getByTestId('report-sold-out').waitFor(WAIT);
  const shown = () => page.getByTestId('report-sold-out-day').evaluateAll((l) => l.filter((e) => e.checkVisibility()).length);
  assert.equal(await shown(), 5);
  assert.equal(await page.getByTestId('report-sold-out').locator('summary').textContent(), '25 more');
  await page.getByTestId('report-sold-out').locator('summary').click();
  assert.equal(await shown(), 8);
  assert.match(await text(page, 'report-sold-out'), /Pan 8 on 2025-06-08 and 22 more not listed$/);
  await assertFits(page, PHONE, 'the report with a long list');
  await page.close();
});
