// The dashboard's wiring: sign-in, bakery choice, and the views (upload, live job, past jobs,
// tomorrow's bake, accuracy, forecast chart). Served as is by the gateway; no build step.

import { LevainError, describeClose, describeError, startTraining } from '../client/levain-client.js';
import { AccuracyView } from './accuracy.js';
import { BakeView } from './bake.js';
import { ErrorArea, byId, el } from './dom.js';
import { ForecastView } from './forecast.js';
import { JobsView } from './jobs.js';
import { LiveView } from './live.js';
import { Session, takeHashParams } from './session.js';
import { StoredSalesView } from './stored.js';
import { UploadView } from './upload.js';

const MAX_TIMER_MS = 2 ** 31 - 1;
const ACTIVE = new Set(['pending', 'running']);

const errors = new ErrorArea(byId('error'));
const fromUrl = takeHashParams();
const rateFromUrl = parseRate(fromUrl.maxRate);
const session = new Session();
const auth = () => ({ baseUrl: location.origin, token: session.token, tenantId: session.tenant });
let expiryTimer = null;
let opened = 0; // counts jobs opened, so a slow automatic choice never replaces the user's

// A rejected token ends the session; the sign-in form keeps the message that says why.
function onAuthError(err) {
  if (err instanceof LevainError && (err.kind === 'expired_token' || err.kind === 'unauthorized')) {
    signOut(false);
  }
}

const live = new LiveView({
  auth,
  errors,
  maxRate: rateFromUrl.rate,
  onAuthError,
  onState: () => updateStart(),
  onEnded: (state) => {
    jobs.refresh();
    if (state.status === 'completed') {
      forecast.refresh();
      bake.refresh(); // new models: a new plan
      accuracy.refresh(); // and new versions to compare with their hold-out error
    }
  },
  onRefused: (info) => {
    if (info.code === 4001) signOut(false);
  },
});
const jobs = new JobsView({ auth, errors, onAuthError, onOpen: (id) => openJob(id), currentJob: () => live.jobId,
  onLoaded: () => updateStart() });
const stored = new StoredSalesView({ auth, errors, onAuthError });
const forecast = new ForecastView({ auth, errors, onAuthError });
const bake = new BakeView({ auth, errors, onAuthError });
// Both "Retrain drifted" buttons start the job the way Start training does.
const accuracy = new AccuracyView({ auth, errors, onAuthError, onRetrain: () => start('drifted') });
// After an upload, show what the server now holds (the chart too: its history may have grown), and
// how the forecasts for the uploaded days did.
const upload = new UploadView({ auth, errors, onAuthError, onRetrain: () => start('drifted'), onUploaded: () => {
  stored.refresh();
  forecast.reshow();
  accuracy.refresh();
} });

function openJob(jobId) {
  opened += 1;
  errors.clear();
  live.watch(jobId);
  jobs.render();
}

function signOut(clearMessages = true) {
  clearTimeout(expiryTimer);
  live.stop();
  stored.clear();
  bake.clear();
  accuracy.clear();
  session.signOut();
  if (clearMessages) errors.clear();
  byId('workspace').hidden = true;
  byId('who').hidden = true;
  byId('signin').hidden = false;
  const conn = document.querySelector('[data-testid="connection-status"]');
  conn.dataset.state = 'idle';
  delete conn.dataset.transport;
  conn.removeAttribute('title');
  conn.textContent = 'not connected';
}

async function loadTenant(preferredJob = '') {
  const workspace = byId('workspace');
  delete workspace.dataset.loaded;
  live.stop();
  upload.reset();
  forecast.clear();
  stored.clear();
  bake.clear();
  accuracy.clear();
  jobs.jobs = []; // the other bakery's jobs must not hold this one's Start button
  updateStart();
  const before = opened;
  const tenant = session.tenant;
  const [list] = await Promise.all([jobs.refresh(), stored.refresh()]);
  if (list === null || !session.signedIn || session.tenant !== tenant) return;
  const jobId = preferredJob || list[0]?.job_id;
  if (jobId && opened === before) openJob(jobId);
  await Promise.all([forecast.refresh(), bake.refresh(), accuracy.refresh()]);
  workspace.dataset.loaded = tenant;
  // Said once the first view is up (opening a job clears the error area).
  if (rateFromUrl.problem && errors.node.hidden) errors.show(rateFromUrl.problem);
}

function signIn(token, tenant = '', job = '') {
  errors.clear();
  try {
    session.signIn(token, tenant);
  } catch (err) {
    errors.showError(err);
    return;
  }
  byId('signin').hidden = true;
  byId('workspace').hidden = false;
  byId('who').hidden = false;
  byId('token').value = '';
  byId('user').textContent = session.claims.sub ? `signed in as ${session.claims.sub}` : '';
  const select = byId('tenant');
  select.replaceChildren(...session.claims.tenants.map((t) => el('option', { value: t }, t)));
  select.value = session.tenant;
  clearTimeout(expiryTimer);
  expiryTimer = setTimeout(() => {
    signOut();
    errors.show(describeClose(4001, 'token expired'));
  }, Math.min(MAX_TIMER_MS, session.msUntilExpiry()));
  loadTenant(job);
}

byId('signin-form').addEventListener('submit', (e) => {
  e.preventDefault();
  signIn(byId('token').value);
});
byId('sign-out').addEventListener('click', () => signOut());
byId('tenant').addEventListener('change', (e) => {
  session.chooseTenant(e.target.value);
  errors.clear();
  loadTenant();
});

/** `#max_rate=R`: fewer updates, for a shop-counter tablet. What the server would refuse is said and ignored. */
function parseRate(text) {
  if (text === null || text === undefined || text === '') return { rate: undefined, problem: '' };
  const rate = Number(text);
  if (rate > 0 && rate <= 1000) return { rate, problem: '' };
  return { rate: undefined, problem: `The update rate "max_rate=${text}" is not a number of messages per second ` +
    'above 0 and at most 1000: updates come at full rate.' };
}

/**
 * The job of this bakery that is pending or running, if any: the watched job's live state is
 * fresher than the list, which covers the jobs started elsewhere.
 */
function activeJob() {
  const watched = live.jobId ? live.state : null;
  if (watched && ACTIVE.has(watched.status)) return watched.jobId || live.jobId;
  // Started here a moment ago: pending, though neither its snapshot nor the list says so yet.
  if (watched && watched.status === 'unknown' && live.jobId === startedHere) return startedHere;
  const listed = jobs.jobs.find((j) => ACTIVE.has(j.status) && !(watched && j.job_id === live.jobId));
  return listed?.job_id ?? null;
}

const startButton = byId('start');
const startNote = byId('start-note');
let starting = false;
let startedHere = '';

// Start training (and Retrain drifted) is off while a job of this bakery is pending or running: one
// at a time.
function updateStart() {
  const active = session.signedIn ? activeJob() : null;
  startButton.disabled = starting || active !== null;
  accuracy.allowRetrain(!startButton.disabled);
  upload.allowRetrain(!startButton.disabled);
  startNote.hidden = active === null;
  startNote.dataset.jobId = active ?? '';
  if (active === null) return;
  const watching = active === live.jobId;
  startNote.replaceChildren(watching
    ? 'This job is under way: Start training is available again when it ends.'
    : `Job ${active} is under way for this bakery: Start training is available again when it ends.`);
  if (!watching) {
    startNote.append(el('button', { type: 'button', class: 'small', 'data-testid': 'start-note-watch',
      onclick: () => openJob(active) }, 'Watch it'));
  }
}

/** Starts a job (`products`: undefined for every product, 'drifted' for those that drifted) and watches it. */
async function start(products) {
  if (starting) return;
  errors.clear();
  starting = true;
  updateStart();
  try {
    const job = await startTraining({ ...auth(), products });
    startedHere = job.job_id;
    openJob(job.job_id);
    jobs.refresh();
  } catch (err) {
    const running = err instanceof LevainError ? err.runningJobId : null;
    if (running) {
      // Started elsewhere since this page last looked: say so and offer that job.
      errors.show(describeError(err), [], err.kind, { label: 'Watch the running job', testid: 'watch-running',
        onClick: () => openJob(running) });
      jobs.refresh();
    } else {
      errors.showError(err);
      onAuthError(err);
      // The card said some had drifted, the server says none now (retrained elsewhere): redraw it.
      if (err instanceof LevainError && err.code === 'no_drifted_products') accuracy.refresh();
    }
  } finally {
    starting = false;
    updateStart();
  }
}

startButton.addEventListener('click', () => start());

const saved = Session.restore();
if (fromUrl.token) signIn(fromUrl.token, fromUrl.tenant ?? '', fromUrl.job ?? '');
else if (saved) signIn(saved.token, fromUrl.tenant ?? saved.tenant, fromUrl.job ?? '');
