// Types of Levain's JavaScript client (levain-client.js). Contract: docs/live-protocol.md.

export type JobStatus = 'unknown' | 'pending' | 'running' | 'completed' | 'failed' | 'cancelled';
export type ConnectionStatus = 'connecting' | 'live' | 'reconnecting' | 'closed';
/** The transport a watch uses: a WebSocket or Server-Sent Events (EventSource). */
export type LiveTransport = 'websocket' | 'sse';

export interface ProductMetrics {
  mae?: number | null;
  rmse?: number | null;
  mape?: number | null;
  smape?: number | null;
  mase?: number | null;
}

/** One finished product, from the snapshot or a `product_completed` event. */
export interface ProductResult {
  readonly name: string;
  readonly status: 'succeeded' | 'failed' | string;
  readonly model: string | null;
  /** True when seasonal naive was kept because the model did not beat it. */
  readonly fallback: boolean;
  readonly fallbackReason: string | null;
  readonly metrics: Readonly<ProductMetrics>;
  readonly error: string | null;
  /** That product's fit time in ms (`duration_ms`); null from a server that does not send it. */
  readonly durationMs: number | null;
}

export interface TrainingSummary {
  readonly successfulTrainings: number;
  readonly failedTrainings: number;
  readonly totalDurationSeconds: number | null;
}

/** Running accuracy over the products done so far (`summary` on the wire). */
export interface AccuracySummary {
  /** null until a product has a MASE. */
  readonly medianMase: number | null;
  readonly meanMape: number | null;
  /** Products that kept seasonal naive. */
  readonly fallbacks: number;
  readonly failed: number;
  /** At most 5, worst (highest MASE) first. */
  readonly worst: ReadonlyArray<{ readonly name: string; readonly mase: number | null }>;
}

/** The data report of the Data Analysis step (`report` on the wire). Lists stop at 20; the counts do not. */
export interface DataReport {
  readonly products: number;
  readonly days: number;
  /** "YYYY-MM-DD". */
  readonly firstDate: string | null;
  readonly lastDate: string | null;
  readonly rowsPerProduct: { readonly min: number | null; readonly median: number | null; readonly max: number | null };
  readonly productsWithGaps: number;
  readonly missingDays: number;
  /** Worst first. */
  readonly gaps: ReadonlyArray<{ readonly name: string; readonly missingDays: number }>;
  readonly negativeValues: number;
  readonly unknownValues: number;
  /** Under 8 weeks of history: these fall back. */
  readonly shortHistory: readonly string[];
  readonly shortHistoryCount: number;
  /** Last sale more than 4 weeks before `lastDate`. */
  readonly stale: ReadonlyArray<{ readonly name: string; readonly lastSale: string | null }>;
  readonly staleCount: number;
  /** Days the whole shop sold nothing. */
  readonly closedDays: readonly string[];
  readonly closedDaysCount: number;
  /** A zero on a weekday that is never zero otherwise. */
  readonly soldOutDays: ReadonlyArray<{ readonly name: string; readonly date: string }>;
  readonly soldOutDaysCount: number;
  readonly duplicatesReplaced: number;
}

/** How good the ETA was at one checkpoint (`completed.data.eta_error`); error = ETA − actual. */
export interface EtaCheckpoint {
  /** 10, 25, 50 or 75 (% of the products). */
  readonly atPercent: number | null;
  readonly productsCompleted: number;
  readonly etaSeconds: number | null;
  readonly actualSeconds: number | null;
  readonly errorSeconds: number | null;
  readonly errorPercent: number | null;
}

/** A job's state: the snapshot folded with every event since, as one immutable object. */
export interface TrainingState {
  readonly tenantId: string;
  readonly jobId: string;
  readonly status: JobStatus;
  /** 0–100; never decreases. */
  readonly progress: number;
  /** The last event folded in (0 before the first). */
  readonly seq: number;
  readonly totalProducts: number;
  readonly productsCompleted: number;
  readonly currentStep: string;
  readonly stepDetails: string;
  /** Finished products in completion order. */
  readonly products: readonly ProductResult[];
  /** The server's reason when the job failed. */
  readonly error: string | null;
  /** Set once the job ended. */
  readonly summary: TrainingSummary | null;
  /** Seconds since the job started, as of the last message (`elapsed_s`); null before `started`. */
  readonly elapsedSeconds: number | null;
  /** Seconds to the end (`eta_s`); null until the server can estimate it, and once the job ended. */
  readonly etaSeconds: number | null;
  /** Products being fitted right now (at most the thread count); empty once the job ended. */
  readonly inFlight: readonly string[];
  /** Running accuracy (the wire's `summary`); null before the first product. */
  readonly accuracy: AccuracySummary | null;
  /** The data report; null until the Data Analysis step is done. */
  readonly report: DataReport | null;
  /** Live watchers of the job, this one included; null until the server said. */
  readonly watchers: number | null;
  /** Set by `completed`: the ETA against the real remaining time at each checkpoint reached. */
  readonly etaError: readonly EtaCheckpoint[] | null;
  readonly lastEventType: string | null;
  readonly lastEventTimestamp: string | null;
  readonly hasSnapshot: boolean;
  readonly connection: ConnectionStatus;
  /** The transport of the current (or next) connection; 'auto' may move it to 'sse' once. */
  readonly transport: LiveTransport;
  /** Connections opened after the first. */
  readonly reconnects: number;
  /** Consecutive connection attempts without a snapshot (0 when live). */
  readonly reconnectAttempt: number;
  /**
   * Set while the watch waits after a 4029 (a watcher quota) to try again, and on the final
   * state when it gave up on one; null otherwise, and again once a connection is live.
   */
  readonly quota: QuotaRefusal | null;
}

/** What a 4029 close said: a watcher quota of the job or the tenant is full. */
export interface QuotaRefusal {
  /** 'watchers_per_job' or 'watchers_per_tenant'; null when the reason did not say (not JSON). */
  readonly limit: string | null;
  /** The limit. */
  readonly value: number | null;
  /** The watchers counted when this one was refused. */
  readonly used: number | null;
  /** The server's hint: the client tries again after this many seconds (its backoff when null). */
  readonly retryAfterS: number | null;
  /** A sentence for a person: the server's own message, then when the client tries again (or that it gave up). */
  readonly message: string;
}

export interface CloseInfo {
  /**
   * 1000 job ended; 4001 token; 4003 tenant not granted; 4004 no such job; 4029 a watcher quota
   * stayed full for `maxReconnectAttempts` tries; 1006 unreachable.
   */
  readonly code: number;
  readonly reason: string;
  /** True when close() ended the watch. */
  readonly byClient: boolean;
  /** A sentence for a person. */
  readonly message: string;
  /** With 4029: what the last refusal said; else null. */
  readonly quota: QuotaRefusal | null;
  readonly state: TrainingState;
}

/** The subset of the WHATWG WebSocket the client uses (browsers, Node 22+, or `ws`). */
export interface WebSocketLike {
  readonly readyState: number;
  onopen: ((ev: unknown) => void) | null;
  onmessage: ((ev: { data: unknown }) => void) | null;
  onerror: ((ev: unknown) => void) | null;
  onclose: ((ev: { code: number; reason: string }) => void) | null;
  send(data: string): void;
  close(code?: number, reason?: string): void;
}
export type WebSocketConstructor = new (url: string) => WebSocketLike;

/** The subset of the WHATWG EventSource the client uses (browsers; in Node, pass one). */
export interface EventSourceLike {
  readonly readyState: number;
  addEventListener(type: string, listener: (ev: { data?: unknown }) => void): void;
  close(): void;
}
export type EventSourceConstructor = new (url: string) => EventSourceLike;

export interface ReconnectOptions {
  /** First delay; doubles per attempt (default 250 ms). */
  initialBackoffMs?: number;
  /** Cap on the delay (default 10 000 ms). */
  maxBackoffMs?: number;
  /**
   * Consecutive attempts without a snapshot before giving up (default 30): with 1006, or with
   * 4029 when the last attempt was refused for a watcher quota.
   */
  maxReconnectAttempts?: number;
}

export interface WatchOptions {
  /** e.g. "https://levain.example"; in a browser "" or omitted means the page's origin. */
  baseUrl?: string;
  tenantId: string;
  jobId: string;
  token: string;
  /** Called with a new state object on every change (events and connection status). */
  onUpdate?: (state: TrainingState) => void;
  /** Called once, when the watch ends for good. */
  onClose?: (info: CloseInfo) => void;
  /**
   * 'auto' (default): WebSocket; Server-Sent Events for the rest of the watch when a WebSocket
   * cannot be constructed, or when the first two attempts both end with 1006 before any message
   * (a proxy that does not pass the upgrade). 'websocket' or 'sse': that one only.
   */
  transport?: 'websocket' | 'sse' | 'auto';
  /** Required where there is no global WebSocket (Node 20): e.g. `import WebSocket from 'ws'`. */
  WebSocket?: WebSocketConstructor;
  /** Where there is no global EventSource (Node): an EventSource-compatible class. */
  EventSource?: EventSourceConstructor;
  reconnect?: ReconnectOptions;
  /** Period of the `{"type":"ping"}` heartbeat; silence for 2.5 periods reconnects. 0 turns it off. */
  pingIntervalMs?: number;
  /**
   * Messages per second, in (0, 1000]: the server folds successful products into at most this
   * many `progress_summary` messages a second (milestones still come at once). The folded state
   * ends the same as at full rate. Omit for every event.
   */
  maxRate?: number;
  /** Jitter source in [0, 1) (tests). */
  random?: () => number;
}

export interface WatchHandle {
  /** Ends the watch: closes the socket with 1000, cancels any pending reconnect. */
  close(): void;
  readonly state: TrainingState;
}

export function watchTraining(options: WatchOptions): WatchHandle;
/** The delay before reconnect attempt `attempt` (0-based): exponential, capped, with jitter. */
export function backoffDelay(
  attempt: number,
  cfg: Required<Pick<ReconnectOptions, 'initialBackoffMs' | 'maxBackoffMs'>>,
  random?: () => number,
): number;

/** 'resumed': a `connected` with `data.resumed: true` at the folded seq; the state stands. */
export type FoldOutcome = 'applied' | 'duplicate' | 'resumed' | 'gap' | 'ignored' | 'malformed';
/** The folding logic alone, without a socket. */
export class TrainingFold {
  constructor(tenantId?: string, jobId?: string);
  readonly terminal: boolean;
  problem: string;
  apply(message: unknown): FoldOutcome;
  view(): Omit<TrainingState, 'connection' | 'transport' | 'reconnects' | 'reconnectAttempt' | 'quota'>;
}
export function isTerminalStatus(status: string): boolean;

export type ErrorKind =
  | 'expired_token' | 'unauthorized' | 'forbidden' | 'not_found' | 'csv_rejected' | 'conflict'
  | 'invalid' | 'server' | 'unreachable' | 'protocol';

export class LevainError extends Error {
  constructor(init: {
    kind: ErrorKind;
    message: string;
    status?: number;
    code?: string;
    body?: unknown;
    tenantId?: string;
  });
  readonly kind: ErrorKind;
  /** HTTP status; 0 when the server was not reached. */
  readonly status: number;
  /** The server's error code, e.g. "invalid_csv". */
  readonly code: string;
  /** The whole error body (for a rejected CSV: accepted, rejected, errors, …). */
  readonly body: unknown;
  readonly tenantId: string;
  readonly rejectedRows: ReadonlyArray<{ line: number; reason: string }>;
  /** On a 409 `job_running` from startTraining: the job already pending or running; else null. */
  readonly runningJobId: string | null;
  readonly userMessage: string;
}

export interface RestOptions {
  baseUrl?: string;
  token: string;
  tenantId: string;
  fetch?: typeof fetch;
  signal?: AbortSignal;
  /** Default 60 000 ms. */
  timeoutMs?: number;
}

export interface UploadResult {
  accepted: number;
  rejected: number;
  inserted: number;
  updated: number;
  errors: Array<{ line: number; reason: string }>;
  errors_truncated: boolean;
  /**
   * How many products drifted once these sales were checked against their forecasts (see
   * getAccuracy); absent from servers older than issue 17.
   */
  drifted_products?: number;
}
export interface StartResult { job_id: string; status: string; live_url: string }
/** A job as GET …/training/jobs/{id} returns it (snake_case, as on the wire). */
export interface JobRecord {
  job_id: string;
  tenant_id: string;
  status: JobStatus;
  progress: number;
  seq: number;
  total_products: number;
  products_completed: number;
  horizon_days: number;
  current_step: string;
  error?: string;
  requested_products: string[];
  created_at: string | null;
  started_at: string | null;
  finished_at: string | null;
  products: Array<Record<string, unknown>>;
  elapsed_s?: number | null;
  eta_s?: number | null;
  in_flight?: string[];
  /** Running accuracy as on the wire (snake_case); null before the first product. */
  summary?: Record<string, unknown> | null;
  /** The data report as on the wire; null before the analysis. */
  report?: Record<string, unknown> | null;
  /** Live watchers of the job. */
  watchers?: number;
}
/**
 * One day's forecast split into parts in units of the forecast (`explain: true`); they add up to
 * `yhat`. A part the model does not have is absent (a seasonal-naive fallback has `last_week` only).
 */
export interface ForecastComponents {
  trend?: number;
  weekday?: number;
  yearly?: number;
  weekend_season?: number;
  /** Each holiday of the bakery's calendar, by name. */
  holidays?: Record<string, number>;
  /** Each regressor, by its CSV column. */
  regressors?: Record<string, number>;
  /** What keeping the forecast within its bounds took; only when non-zero. */
  clamp?: number;
  last_week?: number;
  [part: string]: number | Record<string, number> | undefined;
}
export interface ForecastPoint {
  date: string;
  yhat: number;
  yhat_lower: number;
  yhat_upper: number;
  /** With `explain: true`, from a server that explains (absent from older ones). */
  components?: ForecastComponents;
}
export interface Forecasts {
  product: string;
  model: string;
  /** The model version that made the forecast (absent from servers older than issue 17). */
  model_version?: number;
  fallback: boolean;
  job_id: string;
  metrics: ProductMetrics;
  points: ForecastPoint[];
}
/** One product and day of a bake plan (snake_case, as on the wire). */
export interface BakePlanLine {
  product: string;
  /** "YYYY-MM-DD". */
  date: string;
  /** Whole units, rounded up to `batch_size`, at least `min_batch`. */
  quantity: number;
  /** The critical ratio (price − cost) / price used, in [0, 1]. */
  service_level: number;
  median: number;
  expected_sold: number;
  expected_waste: number;
  expected_lost_sales: number;
  /** null when the product has no economics row (the bakery's default cost share is used). */
  expected_profit: number | null;
  unit_cost: number | null;
  price: number | null;
  min_batch: number;
  batch_size: number;
  economics: 'product' | 'default';
  model: string;
  model_version: number;
}
/** GET …/bake-plan. */
export interface BakePlan {
  /** The first day planned ("YYYY-MM-DD"); without `date`, the day after the latest sales. */
  date: string;
  days: number;
  default_economics: { unit_cost_share: number };
  /** Sorted by product, then date. */
  plan: BakePlanLine[];
  /** Products with a model but no forecast for the day, each with a sentence saying why. */
  skipped: Array<{ product: string; reason: string }>;
}
export interface BakePlanOptions extends RestOptions {
  /** "YYYY-MM-DD"; omitted: the server plans the day after the bakery's latest sales. */
  date?: string;
  /** 1 to 14 (default 1). */
  days?: number;
}
/** The forecasts made one number of days ahead whose day's sales have arrived. */
export interface LeadAccuracy {
  /** How many were checked; 0 when none has met its sales yet (then every number is null). */
  forecasts: number;
  /** Mean absolute error, in units. */
  mae: number | null;
  /** The MAE scaled by the naive seasonal forecast's in-sample error. */
  mase: number | null;
  /** The share (0 to 1) of days whose sales fell inside the 80% interval. */
  coverage_80: number | null;
}
export interface ProductAccuracy {
  product: string;
  /** The version of the model that serves the product now. */
  model_version: number | null;
  /** The model's MAE on its hold-out days, what the live error is compared with. */
  holdout_mae: number | null;
  /**
   * The live MAE of the serving version's forecasts over the `drift_window_days` days up to its
   * newest checked day; null when that version has none checked yet (e.g. just retrained).
   */
  recent_mae: number | null;
  /** How many days that MAE covers: drift is judged only from 7 on. */
  recent_days: number;
  /** recent_mae above drift_ratio × holdout_mae: retrain with `products: 'drifted'`. */
  drifted: boolean;
  /** By days ahead as a string: "1", "7", "14". */
  leads: Record<string, LeadAccuracy>;
}
/** GET …/accuracy: served forecasts checked against what was then sold. */
export interface ForecastAccuracy {
  tenant: string;
  /** The days of sales looked at, ending with the newest (the `days` asked, else 28). */
  days: number;
  /** More forecasts met their sales than one report holds: the oldest were left out. */
  truncated: boolean;
  /** The days ahead reported, e.g. [1, 7, 14]. */
  leads: number[];
  drift_ratio: number;
  drift_window_days: number;
  overall: Record<string, LeadAccuracy>;
  /**
   * The products with at least one forecast checked, drifted first, then by name (as sent; sort
   * again before relying on it).
   */
  products: ProductAccuracy[];
  /** The names of the drifted products. */
  drifted: string[];
}
/** One stored day of a product's sales. */
export interface SalesPoint { date: string; quantity: number }
/** GET …/sales?product=: the stored days only (a day without a row is absent, not zero). */
export interface SalesHistory {
  product: string;
  /** The range asked for ("YYYY-MM-DD"), null when open. */
  from: string | null;
  to: string | null;
  /** Ascending by date. */
  points: SalesPoint[];
  /** True when the range held more than `max_points` days: the newest were kept. */
  truncated: boolean;
  max_points: number;
}
export interface ProductSalesSummary { product: string; first_date: string; last_date: string; rows: number }
/** GET …/sales without `product`: what the server holds for the bakery. */
export interface SalesSummary {
  /** Sorted by name; at most 1000 (see products_truncated). */
  products: ProductSalesSummary[];
  product_count: number;
  products_truncated: boolean;
  rows: number;
  /** null when nothing is stored. */
  first_date: string | null;
  last_date: string | null;
  /** The last upload that stored rows (ISO 8601 UTC), null if none was recorded. */
  last_upload: { at: string; rows: number } | null;
}

export function uploadSales(options: RestOptions & { csv: string | Blob | ArrayBuffer | Uint8Array }): Promise<UploadResult>;
/**
 * `products: 'drifted'` retrains the products the accuracy report flags (kind 'invalid', code
 * 'no_drifted_products' when none has). Rejects with kind 'conflict', code 'job_running' and
 * `runningJobId` while a job runs, unless `allowConcurrent`.
 */
export function startTraining(
  options: RestOptions & { products?: string[] | 'drifted'; horizonDays?: number; allowConcurrent?: boolean },
): Promise<StartResult>;
export function listJobs(options: RestOptions & { limit?: number }): Promise<JobRecord[]>;
export function getJob(options: RestOptions & { jobId: string }): Promise<JobRecord>;
export function cancelJob(options: RestOptions & { jobId: string }): Promise<JobRecord>;
/** `explain: true` adds each point's `components` (when the server explains). */
export function getForecasts(options: RestOptions & { product: string; days?: number; explain?: boolean }): Promise<Forecasts>;
export function listModels(options: RestOptions): Promise<Array<Record<string, unknown>>>;
export function getSalesHistory(options: RestOptions & { product: string; from?: string; to?: string }): Promise<SalesHistory>;
export function getSalesSummary(options: RestOptions): Promise<SalesSummary>;
/** Rejects with kind 'not_found', code 'no_models' while the bakery has no trained model. */
export function bakePlan(options: BakePlanOptions): Promise<BakePlan>;
/**
 * The plan as the server's CSV (`Accept: text/csv`); `filename` from Content-Disposition, else
 * bake-plan-<date>.csv. Rejects with kind 'protocol' when the answer is not CSV.
 */
export function bakePlanCsv(options: BakePlanOptions): Promise<{ csv: string; filename: string }>;
/** Served forecasts checked against the sales of the last `days` days (14 to 400; default 28). */
export function getAccuracy(options: RestOptions & { days?: number }): Promise<ForecastAccuracy>;

export function describeError(err: unknown): string;
/** For 4029: the server's `message` from the JSON reason as it is, then "Trying again in N s." */
export function describeClose(code: number, reason?: string): string;
export function describeJobEnd(state: Pick<TrainingState, 'status' | 'error'>): string;
/** "about 2 min left"; '' for null (not estimated yet, or ended). */
export function describeEta(seconds: number | null): string;
/** 4029 is 'reconnect' (after the server's `retry_after_s`), unlike the other 4xxx. */
export function closeAction(code: number): 'finish' | 'stop' | 'reconnect';

export interface TokenClaims {
  readonly sub?: string;
  readonly tenants: readonly string[];
  readonly roles: readonly string[];
  readonly exp: number | null;
  readonly [claim: string]: unknown;
}
export function readTokenClaims(token: string): TokenClaims;
export function tokenExpired(claims: TokenClaims, nowMs?: number): boolean;

export function apiUrl(baseUrl: string | undefined, path: string, query?: Record<string, unknown>): string;
/**
 * ws(s):// by default, http(s):// with `sse: true`; `since` > 0 asks the server to resume after
 * it; `maxRate` adds `max_rate` (throws unless in (0, 1000]).
 */
export function liveUrl(
  baseUrl: string | undefined, tenantId: string, jobId: string, token: string,
  options?: { since?: number; sse?: boolean; maxRate?: number },
): string;
