// The pure parts of issue 17's dashboard work, in node: a forecast day's sentence (names, order,
// whole units that add up), the file name a Content-Disposition gives, and the bake-plan helpers'
// option checks (refused before any request is made).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { explainSentence, namedParts, roundParts, shortDay } from '../../web/app/explain.js';
import { bakePlan, bakePlanCsv, getForecasts } from '../../web/client/levain-client.js';
import { dispositionFilename } from '../../web/client/rest.js';

const base = { baseUrl: 'http://127.0.0.1:9', tenantId: 'bakery-a', token: 't' };

test('the example of the issue: trend first, the weekday by name, a holiday by name', () => {
  // 2025-04-12 is a Saturday.
  const point = { date: '2025-04-12', yhat: 61.2,
    components: { trend: 31.2, weekday: 12.1, yearly: 0.2, weekend_season: -0.3, holidays: { Easter: 18 }, regressors: {} } };
  assert.equal(explainSentence(point), 'Sat 12 Apr: 31 + Saturday 12 + Easter 18 = 61');
});

test('every kind of part gets its readable name, in order; a part below zero is said with a minus', () => {
  const point = { date: '2026-12-07', yhat: 0,
    components: { trend: 40, weekday: -9, yearly: 5, weekend_season: 2, holidays: { 'Día de la Constitución': -30 },
      regressors: { temp_max: 3 }, clamp: -11 } };
  assert.deepEqual(namedParts(point).map((p) => p.name),
    ['', 'Monday', 'season', 'weekend season', 'Día de la Constitución', 'temp_max', 'limit']);
  assert.equal(explainSentence(point),
    'Mon 7 Dec: 40 − Monday 9 + season 5 + weekend season 2 − Día de la Constitución 30 + temp_max 3 − limit 11 = 0');
});

test('the rounded parts always add up to the rounded forecast', () => {
  // Plain rounding gives 10 + 10 + 10 = 30 for a total of 31.5 → 32: one part takes the spare unit.
  assert.deepEqual(roundParts([10.5, 10.5, 10.5]), [11, 11, 10]);
  assert.deepEqual(roundParts([31.4, -8.4, 0.4]), [31, -8, 0]); // 23.4 → 23: plain rounding already adds up
  for (let seed = 1; seed < 200; seed += 1) {
    const values = [1, 2, 3, 4, 5].map((k) => Math.sin(seed * k) * 40);
    const total = values.reduce((a, b) => a + b, 0);
    const rounded = roundParts(values);
    assert.equal(rounded.reduce((a, b) => a + b, 0), Math.round(total), `seed ${seed}`);
    rounded.forEach((r, i) => assert.ok(Math.abs(r - values[i]) < 1, `seed ${seed}: ${r} for ${values[i]}`));
  }
  const sentence = explainSentence({ date: '2026-01-01', yhat: 31.5,
    components: { trend: 10.5, weekday: 10.5, yearly: 10.5 } });
  assert.equal(sentence, 'Thu 1 Jan: 11 + Thursday 11 + season 10 = 32');
});

test('parts that round to zero are left out, the trend never; a fallback explains itself', () => {
  assert.equal(explainSentence({ date: '2026-03-02', yhat: 0.3, components: { trend: 0.1, weekday: 0.2, holidays: {} } }),
    'Mon 2 Mar: 0 = 0');
  assert.equal(explainSentence({ date: '2026-03-02', yhat: 44, components: { last_week: 44 } }),
    'Mon 2 Mar: last week 44 = 44');
});

test('a point without parts (an older server) has no sentence', () => {
  assert.equal(explainSentence({ date: '2026-03-02', yhat: 5 }), null);
  assert.equal(explainSentence({ date: '2026-03-02', yhat: 5, components: {} }), null);
  assert.equal(explainSentence(undefined), null);
  assert.equal(shortDay('2026-02-28'), 'Sat 28 Feb');
  assert.equal(shortDay('not a day'), 'not a day');
});

test('the file name a Content-Disposition gives', () => {
  assert.equal(dispositionFilename('attachment; filename="bake-plan-2026-12-03.csv"'), 'bake-plan-2026-12-03.csv');
  assert.equal(dispositionFilename('attachment; filename=plan.csv'), 'plan.csv');
  assert.equal(dispositionFilename("attachment; filename=\"a.csv\"; filename*=UTF-8''pl%C3%A1n.csv"), 'plán.csv');
  assert.equal(dispositionFilename('attachment; filename="../../etc/passwd"'), 'passwd');
  assert.equal(dispositionFilename('attachment'), '');
  assert.equal(dispositionFilename(null), '');
});

test('bad options are refused before a request is made', async () => {
  assert.throws(() => bakePlan({ ...base, date: '3/12/2026' }), /option "date" must be a day "YYYY-MM-DD"/);
  assert.throws(() => bakePlan({ ...base, days: 15 }), /option "days" must be a whole number of days from 1 to 14/);
  assert.throws(() => bakePlan({ ...base, tenantId: '' }), /option "tenantId"/);
  await assert.rejects(() => bakePlanCsv({ ...base, days: 0 }), /option "days"/);
  assert.throws(() => getForecasts({ ...base, product: 'Baguette', explain: 1 }), /option "explain" must be true or false/);
});
