// The dashboard's wiring: sign-in, bakery choice, and the views (upload, live job, past jobs,
// forecast chart). Served as is by the gateway; no build step.

import { LevainError, describeClose, startTraining } from '../client/levain-client.js';
import { ErrorArea, byId, el } from './dom.js';
import { ForecastView } from './forecast.js';
import { JobsView } from './jobs.js';
import { LiveView } from './live.js';
import { Session, takeHashParams } from './session.js';
import { StoredSalesView } from './stored.js';
import { UploadView } from './upload.js';

const MAX_TIMER_MS = 2 ** 31 - 1;

const errors = new ErrorArea(byId('error'));
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
  onEnded: (state) => {
    jobs.refresh();
    if (state.status === 'completed') forecast.refresh();
  },
  onRefused: (info) => {
    if (info.code === 4001) signOut(false);
  },
});
const jobs = new JobsView({ auth, errors, onAuthError, onOpen: (id) => openJob(id), currentJob: () => live.jobId });
const stored = new StoredSalesView({ auth, errors, onAuthError });
const forecast = new ForecastView({ auth, errors, onAuthError });
// After an upload, show what the server now holds (the chart too: its history may have grown).
const upload = new UploadView({ auth, errors, onAuthError, onUploaded: () => {
  stored.refresh();
  forecast.reshow();
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
  const before = opened;
  const tenant = session.tenant;
  const [list] = await Promise.all([jobs.refresh(), stored.refresh()]);
  if (list === null || !session.signedIn || session.tenant !== tenant) return;
  const jobId = preferredJob || list[0]?.job_id;
  if (jobId && opened === before) openJob(jobId);
  await forecast.refresh();
  workspace.dataset.loaded = tenant;
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

const startButton = byId('start');
startButton.addEventListener('click', async () => {
  errors.clear();
  startButton.disabled = true;
  try {
    const job = await startTraining(auth());
    openJob(job.job_id);
    jobs.refresh();
  } catch (err) {
    errors.showError(err);
    onAuthError(err);
  } finally {
    startButton.disabled = false;
  }
});

const fromUrl = takeHashParams();
const saved = Session.restore();
if (fromUrl.token) signIn(fromUrl.token, fromUrl.tenant ?? '', fromUrl.job ?? '');
else if (saved) signIn(saved.token, fromUrl.tenant ?? saved.tenant, fromUrl.job ?? '');
