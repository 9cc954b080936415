// The JS client's REST helpers from a page on another origin (docs/client.md, "Embedding"), in
// headless Chromium: the gateway started with --cors-origin for one origin lets that page upload,
// start and read a job, while a page of a third origin is refused by the browser, and its
// requests never reach a replica.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { launchBrowser } from './harness/browser.js';
import { Stack, WEB_ROOT, demoCsv } from './harness/stack.js';
import { listJobs } from '../../web/client/levain-client.js';

const TENANT = 'bakery-a';
let stack;
let browser;
let token;
let csv;
const sites = [];

/** A page server of its own origin: one page that loads the client from that same origin. */
async function startSite() {
  const server = http.createServer((req, res) => {
    const url = new URL(req.url, 'http://site');
    if (url.pathname === '/') {
      res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' });
      res.end('<!doctype html><title>embed</title><script type="module">' +
        'import * as levain from "/client/levain-client.js"; window.levain = levain;</script>');
      return;
    }
    const file = path.join(WEB_ROOT, path.normalize(url.pathname));
    if (!url.pathname.startsWith('/client/') || !file.startsWith(path.join(WEB_ROOT, 'client'))
      || !fs.existsSync(file)) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { 'Content-Type': 'text/javascript; charset=utf-8' });
    res.end(fs.readFileSync(file));
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const site = { server, origin: `http://127.0.0.1:${server.address().port}` };
  sites.push(site);
  return site;
}

/** A raw request to the gateway with an Origin header (which a browser never lets a page set). */
function rawRequest(method, target, headers) {
  return new Promise((resolve, reject) => {
    const req = http.request(`${stack.url}${target}`, { method, headers }, (res) => {
      let body = '';
      res.on('data', (d) => { body += d; });
      res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

let allowed;
let refused;

before(async () => {
  allowed = await startSite();
  refused = await startSite();
  stack = await new Stack().start({ gatewayArgs: ['--cors-origin', allowed.origin] });
  token = await stack.token({ tenants: [TENANT] });
  csv = await demoCsv(3, 200);
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
  await stack?.stop();
  for (const { server } of sites) server.close();
});

async function openSite(site) {
  const page = await browser.newPage();
  await page.goto(`${site.origin}/`);
  await page.waitForFunction(() => window.levain !== undefined);
  return page;
}

test('a page of an allowed origin uploads, starts and reads a job with the REST helpers', async () => {
  const page = await openSite(allowed);
  const answers = [];
  page.on('response', (r) => { if (r.url().startsWith(`${stack.url}/`)) answers.push(r); });
  const result = await page.evaluate(async ({ baseUrl, tenantId, token, csv }) => {
    const { uploadSales, startTraining, getJob } = window.levain;
    const upload = await uploadSales({ baseUrl, tenantId, token, csv });
    const job = await startTraining({ baseUrl, tenantId, token });
    const seen = await getJob({ baseUrl, tenantId, token, jobId: job.job_id });
    return { accepted: upload.accepted, jobId: job.job_id, seenId: seen.job_id };
  }, { baseUrl: stack.url, tenantId: TENANT, token, csv });
  assert.equal(result.accepted, 600);
  assert.equal(result.seenId, result.jobId);
  assert.ok(answers.length >= 3, `answers seen: ${answers.map((r) => r.url())}`);
  for (const r of answers) {
    assert.equal((await r.allHeaders())['access-control-allow-origin'], allowed.origin, r.url());
  }
  await page.close();
});

test('a page of any other origin is refused, and nothing it sent was acted on', async () => {
  const before = await listJobs({ baseUrl: stack.url, tenantId: TENANT, token });
  const page = await openSite(refused);
  const outcome = await page.evaluate(async ({ baseUrl, tenantId, token }) => {
    try {
      await window.levain.startTraining({ baseUrl, tenantId, token });
      return { ok: true };
    } catch (e) {
      return { ok: false, kind: e.kind };
    }
  }, { baseUrl: stack.url, tenantId: TENANT, token });
  assert.deepEqual(outcome, { ok: false, kind: 'unreachable' });
  const afterwards = await listJobs({ baseUrl: stack.url, tenantId: TENANT, token });
  assert.equal(afterwards.length, before.length, 'the refused page started no job');
  await page.close();
});

test('the preflight needs no token; only the allowed origin is told it may go on', async () => {
  const ask = (origin) => rawRequest('OPTIONS', `/api/v1/tenants/${TENANT}/sales`, {
    Origin: origin, 'Access-Control-Request-Method': 'POST',
    'Access-Control-Request-Headers': 'authorization,content-type',
  });
  const yes = await ask(allowed.origin);
  assert.equal(yes.status, 204);
  assert.equal(yes.headers['access-control-allow-origin'], allowed.origin);
  assert.match(yes.headers['access-control-allow-headers'], /Authorization/);
  assert.match(yes.headers['access-control-allow-headers'], /Content-Type/);
  assert.match(yes.headers['access-control-allow-methods'], /POST/);
  assert.ok(Number(yes.headers['access-control-max-age']) > 0);
  assert.equal(yes.headers.vary, 'Origin');

  const no = await ask(refused.origin);
  assert.equal(no.status, 403);
  assert.equal(no.headers['access-control-allow-origin'], undefined);
  assert.equal(JSON.parse(no.body).error.code, 'origin_not_allowed');

  // An actual answer to a refused origin carries no allowance either (the browser hides it).
  const get = await rawRequest('GET', `/api/v1/tenants/${TENANT}/training/jobs`,
    { Origin: refused.origin, Authorization: `Bearer ${token}` });
  assert.equal(get.status, 200);
  assert.equal(get.headers['access-control-allow-origin'], undefined);
});
