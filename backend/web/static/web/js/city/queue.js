// The report queue: filters (status, category, neighbourhood, assignee), the map and the
// list of the organisation's reports, kept live; a report's page with its photos, its
// history, the status changes it may take, its assignee and its internal notes.
import { History, ReportsMap, categoryName, standardCategories, statusLabels } from "../core/civic.js";
import { Field, FormError } from "../core/forms.js";
import { formatDateTime } from "../core/format.js";
import { Component, cx, html } from "../core/html.js";
import { gettext, interpolate, ngettext } from "../core/i18n.js";
import { Photos } from "../core/photos.js";
import { navigate } from "../core/router.js";
import { richText } from "../core/text.js";
import * as actions from "./actions.js";
import { openDialog, organisation, showError } from "./state.js";

export const STATUS_ACTIONS = () => ({
  acknowledged: gettext("Acknowledge"),
  in_progress: gettext("Start the work"),
  resolved: gettext("Mark as resolved"),
  rejected: gettext("Reject"),
  duplicate: gettext("Mark as a duplicate"),
});

// Rejecting and marking a duplicate say why (told to the residents who follow it); the
// steps forward need no word.
const NEEDS_REASON = new Set(["rejected", "duplicate"]);

async function moveForward(report, status) {
  try {
    await actions.setStatus(report.id, { status });
  } catch (error) {
    if (error.code !== "not_agent") showError(error);
  }
}

/** How the organisation names the reporter: her name if she agreed, else where she lives. */
export function reporterLabel(report) {
  return report.reporter_label || report.reporter?.display_name
    || interpolate(gettext("a resident of %(neighbourhood)s"), { neighbourhood: report.neighbourhood.name });
}

function Filters({ state, org }) {
  const { filters } = state;
  const change = (event) => {
    const form = event.currentTarget;
    actions.filterQueue({
      status: form.elements.status.value, category: form.elements.category.value,
      neighbourhood: form.elements.neighbourhood.value, assignee: form.elements.assignee.value,
    });
  };
  const statuses = [["open", gettext("Open (to handle)")], ["", gettext("All")], ...Object.entries(statusLabels())];
  const categories = [["", gettext("All categories")], ...Object.entries(standardCategories()), ...org.categories.map((c) => [c.key, categoryName(c)])];
  const neighbourhoods = [["", gettext("All neighbourhoods")], ...org.neighbourhoods.map((n) => [String(n.id), n.name])];
  const agents = [["", gettext("Anyone")], ["none", gettext("Nobody")], ...(state.agents || []).map((a) => [String(a.id), a.display_name])];
  return html`<form class="filters queue-filters" id="queue-filters" onChange=${change} onSubmit=${(event) => event.preventDefault()}>
    <${Field} label=${gettext("Status")} name="status" id="filter-status" as="select" options=${statuses} defaultValue=${filters.status} />
    <${Field} label=${gettext("Category")} name="category" id="filter-category" as="select" options=${categories} defaultValue=${filters.category} />
    <${Field} label=${gettext("Neighbourhood")} name="neighbourhood" id="filter-neighbourhood" as="select" options=${neighbourhoods}
      defaultValue=${filters.neighbourhood} />
    <${Field} label=${gettext("Assigned to")} name="assignee" id="filter-assignee" as="select" options=${agents} defaultValue=${filters.assignee} />
  </form>`;
}

function QueueItem({ report }) {
  return html`<li class="item queue-item" id=${`queue-${report.id}`}>
    <p class="item-head">
      <span class="tag">${categoryName(report.category)}</span>
      <span class=${cx("report-status", report.status)}>${statusLabels()[report.status]}</span>
      <time class="muted small" datetime=${report.created_at}>${formatDateTime(report.created_at)}</time>
    </p>
    <p><a href=${`#/reports/${report.id}`} class="report-link">${report.description}</a></p>
    <p class="small muted">${report.neighbourhood.name} · ${reporterLabel(report)}
      ${report.supporters > 0 && html` · ${interpolate(ngettext("%(n)s supporter", "%(n)s supporters", report.supporters), { n: report.supporters })}`}
      ${report.assignee && html` · ${interpolate(gettext("assigned to %(name)s"), { name: report.assignee.display_name })}`}</p>
  </li>`;
}

export function QueuePanel({ state }) {
  const org = organisation(state);
  const { queue } = state;
  return html`<section class="panel" aria-labelledby="queue-title">
    <h2 id="queue-title">${gettext("Reports")}</h2>
    <${Filters} state=${state} org=${org} />
    <div class="queue-columns">
      <${ReportsMap} reports=${queue} onOpen=${(report) => navigate(`reports/${report.id}`)} label=${gettext("Map of the reports")} />
      <div>
        ${queue === null && html`<p class="empty" role="status">${gettext("Loading…")}</p>`}
        ${queue?.length === 0 && html`<p class="empty" role="status">${gettext("No report matches.")}</p>`}
        <ul class="console-list" id="queue">${(queue || []).map((report) => html`<${QueueItem} key=${report.id} report=${report} />`)}</ul>
      </div>
    </div>
  </section>`;
}

class NoteForm extends Component {
  constructor() {
    super();
    this.state = { error: null, busy: false };
  }

  async submit(event) {
    event.preventDefault();
    const form = event.target;
    const text = form.elements.text.value.trim();
    if (!text) {
      this.setState({ error: gettext("Write the note first.") });
      return;
    }
    this.setState({ busy: true, error: null });
    try {
      await actions.addNote(this.props.report.id, text);
      form.reset();
      this.setState({ busy: false });
    } catch (error) {
      this.setState({ busy: false, error: error.message });
    }
  }

  render(_, { error, busy }) {
    return html`<form class="note-form" id="note-form" onSubmit=${(event) => this.submit(event)} novalidate>
      <${Field} label=${gettext("Internal note")} name="text" id="note-text" as="textarea" rows="2" maxlength="2000" error=${error}
        hint=${gettext("Only the organisation's agents read notes: never the residents.")} />
      <button type="submit" class="small" disabled=${busy}>${gettext("Add the note")}</button>
    </form>`;
  }
}

function Assignee({ report, state }) {
  const agents = state.agents || [];
  const change = (event) => actions.assign(report.id, event.target.value ? Number(event.target.value) : null);
  return html`<div class="field">
    <label for="assignee">${gettext("Assigned to")}</label>
    <select id="assignee" onChange=${change}>
      <option value="" selected=${!report.assignee}>${gettext("Nobody")}</option>
      ${agents.map((agent) => html`<option value=${agent.id} selected=${report.assignee?.agent_id === agent.id}>${agent.display_name}</option>`)}
    </select>
  </div>`;
}

export class ReportScreen extends Component {
  componentDidMount() {
    actions.loadReport(this.props.reportId);
  }

  render({ state, reportId }) {
    const report = state.reports[reportId];
    const back = html`<p><a href="#/reports" class="back-link">${gettext("Back to the queue")}</a></p>`;
    if (!report) return html`<section class="panel">${back}<p class="empty" role="status">${gettext("Loading…")}</p></section>`;
    if (report.failed) return html`<section class="panel">${back}<p class="form-error" role="alert">${report.failed}</p></section>`;
    const next = actions.NEXT_STATUSES[report.status] || [];
    const labels = STATUS_ACTIONS();
    return html`<section class="panel report-detail" aria-labelledby="report-title" id=${`report-${report.id}`}>
      ${back}
      <p class="item-head">
        <span class="tag">${categoryName(report.category)}</span>
        <span class=${cx("report-status", report.status)} id="report-status">${statusLabels()[report.status]}</span>
      </p>
      <h2 id="report-title">${report.description}</h2>
      <p class="small muted">${interpolate(gettext("Reported by %(who)s on %(date)s, in %(neighbourhood)s"), {
        who: reporterLabel(report), date: formatDateTime(report.created_at), neighbourhood: report.neighbourhood.name })}${" · "}${interpolate(ngettext("%(n)s supporter", "%(n)s supporters", report.supporters), { n: report.supporters })}</p>
      ${report.reason && html`<p class="reason">${interpolate(gettext("Reason given: %(reason)s"), { reason: report.reason })}</p>`}
      ${report.duplicate_of && html`<p><a href=${`#/reports/${report.duplicate_of}`}>${interpolate(gettext("Duplicate of report %(id)s"), { id: report.duplicate_of })}</a></p>`}
      <${Photos} images=${report.images} about=${report.description} onExpired=${() => actions.loadReport(report.id)} />
      <${ReportsMap} reports=${[report]} center=${[report.latitude, report.longitude]} label=${gettext("Where the problem is")} />
      ${next.length > 0 && html`<div class="message-actions status-actions">
        ${next.map((status) => (NEEDS_REASON.has(status)
          ? html`<button type="button" key=${status} class="small danger" onClick=${() => openDialog({ kind: "status", report, status })}>
              ${labels[status]}</button>`
          : html`<button type="button" key=${status} class="small primary" onClick=${() => moveForward(report, status)}>${labels[status]}</button>`))}
      </div>`}
      <${Assignee} report=${report} state=${state} />
      <div class="columns">
        <section aria-labelledby="history-title"><h3 id="history-title">${gettext("History")}</h3>
          <${History} history=${report.history} /></section>
        <section aria-labelledby="notes-title"><h3 id="notes-title">${gettext("Internal notes")}</h3>
          ${report.notes.length === 0 && html`<p class="empty">${gettext("No note yet.")}</p>`}
          <ul class="timeline notes">${report.notes.map((note) => html`<li key=${note.id}>
            <strong>${note.author}</strong> <time datetime=${note.at}>${formatDateTime(note.at)}</time>
            <p class="reason">${richText(note.text)}</p></li>`)}</ul>
          <${NoteForm} report=${report} /></section>
      </div>
    </section>`;
  }
}

/** Rejecting, or marking a duplicate of an original: with the reason told to the residents. */
export class StatusForm extends Component {
  constructor() {
    super();
    this.state = { error: null, errors: {}, busy: false };
  }

  async submit(event) {
    event.preventDefault();
    const { report, status, onDone } = this.props;
    const form = event.target;
    const reason = form.elements.reason.value.trim();
    const duplicateOf = form.elements.duplicate_of ? Number(form.elements.duplicate_of.value) || null : null;
    const errors = {};
    if (!reason) errors.reason = [gettext("Say why: the residents who follow it read the reason.")];
    if (status === "duplicate" && !duplicateOf) errors.duplicate_of = [gettext("Choose the original report.")];
    if (Object.keys(errors).length) {
      this.setState({ errors });
      return;
    }
    this.setState({ busy: true, error: null, errors: {} });
    try {
      await actions.setStatus(report.id, { status, reason, duplicateOf });
      onDone();
    } catch (error) {
      this.setState({ busy: false, error: error.message, errors: error.fieldErrors?.() || {} });
    }
  }

  render({ report, status, queue, onDone }, { error, errors, busy }) {
    const originals = (queue || []).filter((item) => item.id !== report.id && !NEEDS_REASON.has(item.status));
    return html`<form onSubmit=${(event) => this.submit(event)} novalidate>
      <blockquote class="about">${report.description}</blockquote>
      ${status === "duplicate" && html`<${Field} label=${gettext("Original report")} name="duplicate_of" id="duplicate-of" as="select"
        options=${[["", gettext("Choose…")], ...originals.map((item) => [String(item.id), `${item.id} · ${item.description}`])]}
        error=${errors.duplicate_of} hint=${gettext("Its reporter and supporters will follow the original from now on.")} />`}
      <${Field} label=${gettext("Reason (told to the residents)")} name="reason" id="status-reason" as="textarea" rows="3" maxlength="2000" error=${errors.reason} />
      <${FormError} error=${error} />
      <div class="actions">
        <button type="button" onClick=${onDone}>${gettext("Cancel")}</button>
        <button type="submit" class="danger" disabled=${busy}>${STATUS_ACTIONS()[status]}</button>
      </div>
    </form>`;
  }
}
