// The bakery's past and running jobs, newest first; "Open" shows a job in the live view (a
// finished job arrives as one snapshot, a running one goes on live).

import { listJobs } from '../client/levain-client.js';
import { byId, el, formatTime } from './dom.js';

export class JobsView {
  /** ctx: { auth(), errors, onOpen(jobId), onAuthError(err), currentJob(), onLoaded() } */
  constructor(ctx) {
    this.ctx = ctx;
    this.body = byId('jobs');
    this.jobs = [];
    this.loading = null;
  }

  /** Reloads the list; resolves with the jobs (empty on error, which is shown). */
  async refresh() {
    const auth = this.ctx.auth();
    try {
      this.jobs = await listJobs({ ...auth, limit: 50 });
    } catch (err) {
      this.ctx.errors.showError(err);
      this.ctx.onAuthError(err);
      this.jobs = [];
      this.ctx.onLoaded?.();
      return null;
    }
    this.render();
    this.ctx.onLoaded?.();
    return this.jobs;
  }

  render() {
    const current = this.ctx.currentJob();
    if (this.jobs.length === 0) {
      this.body.replaceChildren(el('tr', {}, el('td', { colspan: 6, class: 'muted' }, 'No training jobs yet.')));
      return;
    }
    this.body.replaceChildren(...this.jobs.map((j) => el('tr',
      { 'data-testid': 'job-row', 'data-job-id': j.job_id, 'data-status': j.status,
        class: j.job_id === current ? 'current' : '' },
      el('td', {}, formatTime(j.created_at)),
      el('td', {}, el('code', {}, j.job_id)),
      el('td', { class: `st-${j.status}`, title: j.error ?? '' }, j.error ? `${j.status}: ${j.error}` : j.status),
      el('td', { class: 'num' }, `${j.products_completed}/${j.total_products}`),
      el('td', { class: 'num' }, `${j.progress}%`),
      el('td', {}, el('button', { type: 'button', class: 'small', 'data-testid': 'open-job',
        onclick: () => this.ctx.onOpen(j.job_id) }, 'Open')),
    )));
  }
}
