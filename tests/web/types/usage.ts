// Compiled (not run) by types.test.js: the published .d.ts files describe the API as documented.
import {
  LevainError, bakePlan, bakePlanCsv, describeClose, describeEta, getForecasts, getSalesHistory, getSalesSummary, listJobs, readTokenClaims, startTraining, uploadSales,
  liveUrl, watchTraining, type AccuracySummary, type CloseInfo, type DataReport, type LiveTransport, type TrainingState,
  type BakePlanLine, type ForecastComponents, type WebSocketConstructor, getAccuracy, type LeadAccuracy,
  type QuotaRefusal,
} from '../../../web/client/levain-client.js';
import { useTrainingProgress } from '../../../web/client/react.js';

declare const WS: WebSocketConstructor;
const base = { baseUrl: 'http://127.0.0.1:8080', tenantId: 'bakery-a', token: 't' };

const handle = watchTraining({
  ...base, jobId: 'j', WebSocket: WS, reconnect: { initialBackoffMs: 100 }, pingIntervalMs: 0,
  onUpdate(s: TrainingState) {
    const pct: number = s.progress;
    const names: string[] = s.products.map((p) => `${p.name} ${p.metrics.mape ?? '-'} ${p.fallback}`);
    if (s.connection === 'reconnecting' && s.summary) void [pct, names, s.summary.failedTrainings];
  },
  onClose(info: CloseInfo) {
    const text: string = info.code === 1000 ? info.state.status : info.message;
    void text;
  },
});
handle.close();

// SSE: the browser's own EventSource fits the option; the state says which transport is in use.
const sse = watchTraining({
  ...base, jobId: 'j', transport: 'sse', EventSource,
  onUpdate(s: TrainingState) {
    const t: LiveTransport = s.transport;
    void t;
  },
});
void sse.state.transport;
watchTraining({ ...base, jobId: 'j', transport: 'auto', WebSocket: WS, EventSource });
// @ts-expect-error the transport is one of three names
watchTraining({ ...base, jobId: 'j', transport: 'ws' });
const resumeUrl: string = liveUrl(base.baseUrl, 'bakery-a', 'j', 't', { since: 12, sse: true });
void resumeUrl;

async function flow(): Promise<number> {
  const up = await uploadSales({ ...base, csv: 'date,product,quantity\n' });
  const lines: number[] = up.errors.map((e) => e.line);
  const job = await startTraining({ ...base, horizonDays: 14 });
  const jobs = await listJobs({ ...base, limit: 5 });
  const fc = await getForecasts({ ...base, product: 'Baguette' });
  const sales = await getSalesHistory({ ...base, product: 'Baguette', from: '2026-01-01' });
  const held = await getSalesSummary(base);
  const last: string | undefined = held.last_upload?.at;
  void [last, held.first_date ?? 'none', held.products[0].rows, sales.truncated];
  return lines.length + job.job_id.length + jobs[0].progress + fc.points[0].yhat_upper +
    (sales.points[0]?.quantity ?? 0);
}

try {
  void flow();
} catch (e) {
  if (e instanceof LevainError && e.kind === 'csv_rejected') void e.rejectedRows[0].line;
}
const claims = readTokenClaims('a.b.c');
const tenants: readonly string[] = claims.tenants;
void [tenants, describeClose(4001, 'expired')];

const { state, closeInfo } = useTrainingProgress({ ...base, jobId: 'j', transport: 'auto' });
void [state?.progress, state?.transport === 'sse', closeInfo?.code];

// A watcher quota (4029): the numbers for a program, the sentence for a person, while waiting and at the end.
const waiting: QuotaRefusal | null = state?.quota ?? null;
if (waiting && waiting.limit === 'watchers_per_job') void [waiting.value, waiting.used, waiting.retryAfterS, waiting.message];
const final: string | undefined = closeInfo?.quota?.message;
void [final, describeClose(4029, '{"limit":"watchers_per_job","value":2,"retry_after_s":10,"message":"at most 2"}')];

// @ts-expect-error jobId is required
watchTraining({ ...base });

// Issue 15: the chosen rate, and what the folded view says about time, work, accuracy and data.
watchTraining({
  ...base, jobId: 'j', WebSocket: WS, maxRate: 1,
  onUpdate(s: TrainingState) {
    const left: string = describeEta(s.etaSeconds);
    const elapsed: number = s.elapsedSeconds ?? 0;
    const now: readonly string[] = s.inFlight;
    const acc: AccuracySummary | null = s.accuracy;
    const worst: string[] = acc ? acc.worst.map((w) => `${w.name} ${w.mase ?? '-'}`) : [];
    const report: DataReport | null = s.report;
    const gaps: number = report ? report.gaps.reduce((n, g) => n + g.missingDays, 0) + report.shortHistoryCount : 0;
    const watching: number = s.watchers ?? 1;
    const ms: number | null = s.products[0]?.durationMs ?? null;
    const pct: number | null = s.etaError?.[0]?.errorPercent ?? null;
    void [left, elapsed, now, worst, gaps, watching, ms, pct, acc?.medianMase, report?.rowsPerProduct.median];
  },
});
// @ts-expect-error maxRate is a number of messages per second
watchTraining({ ...base, jobId: 'j', maxRate: '1' });
void liveUrl(base.baseUrl, 'bakery-a', 'j', 't', { maxRate: 2 });

async function startOnce(): Promise<string> {
  try {
    return (await startTraining({ ...base, allowConcurrent: false })).job_id;
  } catch (e) {
    if (e instanceof LevainError && e.code === 'job_running' && e.runningJobId) return e.runningJobId;
    throw e;
  }
}
void startOnce();
const hooked = useTrainingProgress({ ...base, jobId: 'j', maxRate: 1 });
void [hooked.state?.watchers, hooked.state?.report?.closedDays, hooked.state?.accuracy?.fallbacks];

// Issue 17: the bake plan (JSON and CSV) and the forecast's explanation.
async function tomorrow(): Promise<string> {
  const plan = await bakePlan(base);
  const other = await bakePlan({ ...base, date: '2026-12-24', days: 2 });
  const line: BakePlanLine = plan.plan[0];
  const profit: number = line.expected_profit ?? 0;
  const own: boolean = line.economics === 'product';
  const why: string[] = plan.skipped.map((s) => `${s.product}: ${s.reason}`);
  const { csv, filename } = await bakePlanCsv({ ...base, date: other.date });
  const explained = await getForecasts({ ...base, product: 'Baguette', explain: true });
  const parts: ForecastComponents | undefined = explained.points[0].components;
  const easter: number = parts?.holidays?.Easter ?? 0;
  const trend: number = parts?.trend ?? 0;
  void [profit, own, why, line.quantity + line.service_level + line.model_version, plan.default_economics.unit_cost_share,
    easter + trend, explained.model_version ?? 0];
  return `${filename} ${csv.length}`;
}
void tomorrow();
// @ts-expect-error a plan's date is a string "YYYY-MM-DD"
void bakePlan({ ...base, date: new Date() });
// @ts-expect-error explain is true or false
void getForecasts({ ...base, product: 'Baguette', explain: 1 });

// Issue 17: forecasts checked against what was sold, and a retrain of the drifted products.
async function checked(): Promise<string[]> {
  const report = await getAccuracy({ ...base, days: 56 });
  const partial: boolean = report.truncated && report.days > 28;
  const day: LeadAccuracy | undefined = report.overall['1'];
  const mae: number = day?.mae ?? 0;
  const rows: string[] = report.products.map((p) =>
    `${p.product} v${p.model_version ?? '-'} ${p.drifted} ${p.leads['7']?.coverage_80 ?? '-'} ${p.recent_mae ?? '-'}`);
  const up = await uploadSales({ ...base, csv: 'date,product,quantity\n' });
  if ((up.drifted_products ?? 0) > 0) await startTraining({ ...base, products: 'drifted' });
  void [mae, partial, report.drift_ratio * report.drift_window_days, report.leads[0]];
  return [...rows, ...report.drifted];
}
void checked();
// @ts-expect-error products is a list of names or 'drifted'
void startTraining({ ...base, products: 'Baguette' });
