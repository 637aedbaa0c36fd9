// Civic reports in the resident app: the open reports of her neighbourhood on a map and
// in a list, with “me too”; hers and those she supports, with their status and history,
// live (city.report.updated) and reopened within 14 days once resolved; and the form to
// report a problem: its position picked on a map (not her address), its category there,
// photos, whether the organisation may see her name, and the nearby reports the server
// suggests before a new one is created.
import * as api from "../core/api.js";
import {
  History, OPEN_STATUSES, REPORT_PHOTOS, ReportsMap, categoryName, statusLabels, statusNews,
} from "../core/civic.js";
import { Field, FormError } from "../core/forms.js";
import { formatDateTime } from "../core/format.js";
import { Component, createRef, cx, html } from "../core/html.js";
import { gettext, interpolate, ngettext } from "../core/i18n.js";
import { createMap, loadLeaflet } from "../core/leaflet.js";
import { PhotoPicker, Photos } from "../core/photos.js";
import { navigate } from "../core/router.js";
import { icon } from "./icons.js";
import { homePosition } from "./map.js";
import { openDialog, showError, store, toast } from "./state.js";

const FALLBACK = [46.6, 2.4];

export async function loadReports() {
  try {
    const [neighbourhood, mine] = await Promise.all([api.get("cities/reports/"), api.get("cities/reports/mine/")]);
    store.set({ civicReports: neighbourhood, myReports: mine });
  } catch (error) {
    showError(error);
  }
}

function putReport(report) {
  const replace = (list) => list && list.map((item) => (item.id === report.id ? { ...item, ...report } : item));
  store.set((state) => ({ civicReports: replace(state.civicReports), myReports: replace(state.myReports) }));
}

function addReport(report) {
  store.set((state) => ({
    civicReports: state.civicReports && [report, ...state.civicReports.filter((item) => item.id !== report.id)],
    myReports: state.myReports && [report, ...state.myReports.filter((item) => item.id !== report.id)],
  }));
}

/** city.report.updated: a report she made or supports changed status. */
export function reportUpdated(report) {
  putReport(report);
  const known = store.get().myReports?.some((item) => item.id === report.id);
  if (!known) loadReports();
  const tone = report.status === "rejected" ? "error" : "success";
  toast(`${statusNews(report)}${report.reason ? ` ${interpolate(gettext("Reason: %(reason)s"), { reason: report.reason })}` : ""}`,
    { tone, timeout: 15000 });
}

async function support(report, present) {
  try {
    const answer = present ? await api.post(`cities/reports/${report.id}/support/`) : await api.del(`cities/reports/${report.id}/support/`);
    putReport(answer);
    store.set((state) => ({
      myReports: state.myReports && (present
        ? [answer, ...state.myReports.filter((item) => item.id !== answer.id)]
        : state.myReports.filter((item) => item.id !== answer.id || item.mine)),
    }));
    toast(present ? gettext("Thank you: you follow this report, and it counts one more neighbour.") : gettext("You no longer support this report."));
    return answer;
  } catch (error) {
    showError(error);
    return null;
  }
}

function ReportCard({ report, children, showHistory }) {
  const reopenable = report.mine && report.status === "resolved" && report.reopenable_until
    && new Date(report.reopenable_until) > new Date();
  return html`<article class="civic-report" id=${`civic-report-${report.id}`} aria-labelledby=${`civic-report-${report.id}-title`}>
    <p class="item-head">
      <span class="tag">${categoryName(report.category)}</span>
      <span class=${cx("report-status", report.status)}>${statusLabels()[report.status]}</span>
      <time class="muted small" datetime=${report.created_at}>${formatDateTime(report.created_at)}</time>
    </p>
    <h3 id=${`civic-report-${report.id}-title`} class="card-title">${report.description}</h3>
    <p class="small muted">
      ${report.organisation ? interpolate(gettext("Handled by %(organisation)s"), { organisation: report.organisation.name })
        : gettext("No organisation handles this place yet.")}${" · "}${interpolate(ngettext("%(n)s neighbour has this problem", "%(n)s neighbours have this problem", report.supporters + 1), { n: report.supporters + 1 })}
    </p>
    ${report.reason && html`<p class="reason">${interpolate(gettext("Reason: %(reason)s"), { reason: report.reason })}</p>`}
    <${Photos} images=${report.images} about=${report.description} onExpired=${loadReports} />
    ${showHistory && html`<details class="report-history"><summary>${gettext("History")}</summary><${History} history=${report.history} /></details>`}
    <div class="card-actions">
      ${children}
      ${reopenable && html`<button type="button" onClick=${() => openDialog({ kind: "reopen", report })}>
        ${gettext("Not fixed? Reopen it")}</button>`}
    </div>
  </article>`;
}

function SupportButton({ report }) {
  if (report.mine || !OPEN_STATUSES.includes(report.status)) return null;
  return report.supported
    ? html`<button type="button" aria-pressed="true" onClick=${() => support(report, false)}>${gettext("I no longer have this problem")}</button>`
    : html`<button type="button" class="primary" aria-pressed="false" onClick=${() => support(report, true)}>${gettext("Me too")}</button>`;
}

export class CivicScreen extends Component {
  constructor() {
    super();
    this.state = { home: undefined };
  }

  async componentDidMount() {
    loadReports();
    this.setState({ home: (await homePosition()) || null });
  }

  render({ state }, { home }) {
    const { civicReports, myReports } = state;
    return html`<main id="main" class="screen civic-screen">
      <header class="screen-head">
        <h1 class="screen-title">${gettext("Problems in the street")}</h1>
        <a class="button primary" href="#/reports/new" id="report-problem">${icon("plus")}<span>${gettext("Report a problem")}</span></a>
      </header>
      <p class="hint">${gettext("A pothole, a broken street lamp, rubbish left behind: the town hall or your housing operator receives it. Neighbours who have the same problem say “me too”.")}</p>
      <div class="civic-columns">
        <section aria-labelledby="mine-title" class="panel">
          <h2 id="mine-title">${gettext("My reports")}</h2>
          ${myReports === null ? html`<p class="empty" role="status">${gettext("Loading…")}</p>`
            : myReports.length === 0 ? html`<p class="empty">${gettext("You have reported or supported nothing yet.")}</p>`
            : html`<ul class="reports" id="my-reports">${myReports.map((report) => html`<li key=${report.id}>
                <${ReportCard} report=${report} showHistory=${true}><${SupportButton} report=${report} /></${ReportCard}></li>`)}</ul>`}
        </section>
        <section aria-labelledby="open-title" class="panel">
          <h2 id="open-title">${gettext("Open reports of the neighbourhood")}</h2>
          ${home !== undefined && html`<${ReportsMap} reports=${civicReports} center=${home} label=${gettext("Map of the open reports")} />`}
          ${!document.body.dataset.tiles && html`<p class="hint">${gettext("No map background is configured: the map shows the places only.")}</p>`}
          ${civicReports === null ? html`<p class="empty" role="status">${gettext("Loading…")}</p>`
            : civicReports.length === 0 ? html`<p class="empty">${gettext("No open report here.")}</p>`
            : html`<ul class="reports" id="neighbourhood-reports">${civicReports.map((report) => html`<li key=${report.id}>
                <${ReportCard} report=${report}><${SupportButton} report=${report} /></${ReportCard}></li>`)}</ul>`}
        </section>
      </div>
    </main>`;
  }
}

/** Picking the problem's position on a map: a click (or the centre of the map, for a
 * keyboard: the arrows move the map), or her device's position. */
class ProblemPosition extends Component {
  constructor() {
    super();
    this.element = createRef();
    this.state = { failed: false };
  }

  async componentDidMount() {
    try {
      const [L, home] = await Promise.all([loadLeaflet(), homePosition()]);
      if (!this.element.current) return;
      this.L = L;
      this.map = createMap(L, this.element.current, { center: home || FALLBACK, zoom: home ? 17 : 5 });
      this.map.on("click", (event) => this.place(event.latlng));
    } catch {
      this.setState({ failed: true });
    }
  }

  componentWillUnmount() {
    this.map?.remove();
  }

  place(latlng) {
    if (this.marker) this.marker.setLatLng(latlng);
    else this.marker = this.L.circleMarker(latlng, { radius: 10, weight: 3, color: "#a4161a", fillColor: "#f26b6b", fillOpacity: 0.9 }).addTo(this.map);
    this.props.onPlace({ latitude: Number(latlng.lat.toFixed(6)), longitude: Number(latlng.lng.toFixed(6)) });
  }

  locate() {
    if (!navigator.geolocation) return;
    navigator.geolocation.getCurrentPosition((position) => {
      const latlng = { lat: position.coords.latitude, lng: position.coords.longitude };
      this.map?.setView(latlng, 18);
      this.place(latlng);
    }, () => toast(gettext("This browser could not tell where you are: place the problem on the map."), { tone: "error" }));
  }

  render({ position, error }, { failed }) {
    return html`<fieldset class="position" id="report-position">
      <legend>${gettext("Where is the problem?")}</legend>
      <p class="hint" id="report-position-hint">${gettext("Click where it is on the map (not your address). With a keyboard, move the map with the arrows, then place it at the centre.")}</p>
      <div class="map picker" ref=${this.element} role="region" aria-label=${gettext("Map: click where the problem is")} aria-describedby="report-position-hint"></div>
      ${failed && html`<p class="form-error" role="alert">${gettext("The map could not be loaded.")}</p>`}
      <p class="position-tools">
        <button type="button" class="link" onClick=${() => this.map && this.place(this.map.getCenter())}>${gettext("Place it at the centre of the map")}</button>
        <button type="button" class="link" onClick=${() => this.locate()}>${gettext("Use my current position")}</button>
      </p>
      <p class="chosen-position" role="status" aria-live="polite">${position
        ? interpolate(gettext("Placed at %(latitude)s, %(longitude)s"), { latitude: position.latitude.toFixed(5), longitude: position.longitude.toFixed(5) })
        : ""}</p>
      ${error && html`<p class="field-error">${error}</p>`}
    </fieldset>`;
  }
}

export class ReportFormScreen extends Component {
  constructor() {
    super();
    this.picker = createRef();
    this.form = createRef();
    this.clientId = api.clientId("report");
    this.state = { position: null, where: null, errors: {}, error: null, busy: false, similar: null };
  }

  async place(position) {
    this.setState({ position, similar: null, errors: { ...this.state.errors, position: null } });
    try {
      const where = await api.get("cities/report-categories/", position);
      this.setState({ where });
    } catch (error) {
      this.setState({ where: null, errors: { position: [error.message] } });
    }
  }

  async submit(event, ignoreSimilar = false) {
    event?.preventDefault();
    const form = this.form.current;
    const { position, where } = this.state;
    const errors = {};
    const category = form.elements.category?.value || "";
    const description = form.elements.description.value.trim();
    if (!position || !where) errors.position = [gettext("Place the problem on the map first.")];
    if (!category) errors.category = [gettext("Choose what kind of problem it is.")];
    if (!description) errors.description = [gettext("Describe the problem.")];
    if (Object.keys(errors).length) {
      this.setState({ errors, error: gettext("Please correct the fields below.") });
      return;
    }
    const picker = this.picker.current;
    this.setState({ busy: true, errors: {}, error: null });
    if (picker && !(await picker.settled())) {
      this.setState({ busy: false, error: gettext("A photo could not be sent: try it again or remove it.") });
      return;
    }
    try {
      const report = await api.post("cities/reports/", {
        client_id: this.clientId, category, description, ...position, show_name: form.elements.show_name.checked,
        image_ids: picker ? picker.ids() : [], ignore_similar: ignoreSimilar,
      });
      addReport(report);
      toast(report.notice || interpolate(gettext("Sent to %(organisation)s: you will be told of every step."), { organisation: report.organisation.name }),
        { tone: "success", timeout: report.notice ? 15000 : 6000 });
      navigate("reports");
    } catch (error) {
      if (error.code === "similar_reports") {
        this.setState({ busy: false, similar: error.body.reports });
        return;
      }
      const fieldErrors = error.fieldErrors?.() || {};
      if (error.code === "position_outside_neighbourhood") fieldErrors.position = [error.message];
      if (error.code === "too_many_images") fieldErrors.image_ids = [error.message];
      if (error.code === "unknown_category") fieldErrors.category = [error.message];
      this.setState({ busy: false, errors: fieldErrors, error: error.message });
    }
  }

  async meToo(report) {
    if (await support(report, true)) {
      this.picker.current?.clear();
      navigate("reports");
    }
  }

  render(_, { position, where, errors, error, busy, similar }) {
    const categories = where ? [["", gettext("Choose…")], ...where.categories.map((category) => [category.key, categoryName(category)])] : [];
    return html`<main id="main" class="screen">
      <header class="screen-head"><h1 class="screen-title">${gettext("Report a problem")}</h1>
        <a class="button" href="#/reports">${gettext("Cancel")}</a></header>
      <form class="panel report-form" id="report-form" ref=${this.form} onSubmit=${(event) => this.submit(event)} novalidate>
        <${ProblemPosition} position=${position} onPlace=${(value) => this.place(value)} error=${errors.position} />
        ${where && html`<p class="small" id="report-recipient">${where.organisation
          ? interpolate(gettext("It goes to %(organisation)s."), { organisation: where.organisation.name })
          : gettext("No organisation handles this place yet: your report is kept, and neighbours can support it.")}</p>`}
        ${where && html`<${Field} label=${gettext("What kind of problem?")} name="category" id="report-category" as="select" options=${categories}
          error=${errors.category} />`}
        <${Field} label=${gettext("Description")} name="description" id="report-description" as="textarea" rows="3" maxlength="2000"
          error=${errors.description} hint=${gettext("What and where exactly: “deep pothole in front of number 12”.")} />
        <fieldset class="photos-field"><legend>${gettext("Photos")}</legend>
          <${PhotoPicker} handle=${this.picker} max=${REPORT_PHOTOS} id="report-photos" error=${errors.image_ids} /></fieldset>
        <div class="field check"><label><input type="checkbox" name="show_name" id="report-show-name" />
          ${gettext("The organisation may see my name (otherwise: “a resident of the neighbourhood”)")}</label></div>
        ${similar && html`<section class="panel similar" id="similar" aria-labelledby="similar-title" role="alert">
          <h2 id="similar-title">${gettext("Neighbours already reported this nearby")}</h2>
          <p>${gettext("Say “me too” on theirs: it counts, and you will follow it. Or report yours anyway.")}</p>
          <ul class="reports">${similar.map((report) => html`<li key=${report.id}>
            <p><strong>${categoryName(report.category)}</strong> · ${statusLabels()[report.status]} · ${report.description}</p>
            <button type="button" class="primary small" onClick=${() => this.meToo(report)}>${gettext("Me too")}</button></li>`)}</ul>
          <button type="button" onClick=${(event) => this.submit(event, true)} disabled=${busy}>${gettext("Report mine anyway")}</button>
        </section>`}
        <${FormError} error=${error} />
        ${!similar && html`<button type="submit" class="primary" disabled=${busy}>${gettext("Send the report")}</button>`}
      </form>
    </main>`;
  }
}
