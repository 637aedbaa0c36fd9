// Civic reports as both pages show them (frontend-contract/websocket/city.json): the words
// of their statuses, their categories in the page's language, and a map of reports
// (Leaflet, loaded on demand; circles coloured by status, each opening the report).
import { formatDateTime } from "./format.js";
import { Component, createRef, html } from "./html.js";
import { gettext, interpolate, language, ngettext } from "./i18n.js";
import { createMap, loadLeaflet } from "./leaflet.js";

/** The photos a report may carry (city.json#/$defs/report: images maxItems). */
export const REPORT_PHOTOS = 10;
export const OPEN_STATUSES = ["received", "acknowledged", "in_progress"];
const FALLBACK = [46.6, 2.4]; // France, when nothing tells where to look

export const statusLabels = () => ({
  received: gettext("Received"),
  acknowledged: gettext("Acknowledged"),
  in_progress: gettext("In progress"),
  resolved: gettext("Resolved"),
  rejected: gettext("Rejected"),
  duplicate: gettext("Duplicate"),
});

/** The standard categories every organisation takes (its own come with their names). */
export const standardCategories = () => ({
  roadway: gettext("Roadway"), lighting: gettext("Lighting"), cleanliness: gettext("Cleanliness"),
  graffiti: gettext("Graffiti"), green_spaces: gettext("Green spaces"), other: gettext("Other"),
});

/** A category's name in the page's language (the contract gives `en` and `fr`). */
export function categoryName(category) {
  return category.name[language] || category.name.en || category.key;
}

/** What a status change means, said to the people who follow the report. */
export function statusNews(report) {
  const what = report.description.length > 60 ? `${report.description.slice(0, 59)}…` : report.description;
  const news = {
    received: gettext("“%(what)s” was reopened."),
    acknowledged: gettext("“%(what)s” was acknowledged."),
    in_progress: gettext("Work has started on “%(what)s”."),
    resolved: gettext("“%(what)s” is resolved."),
    rejected: gettext("“%(what)s” was rejected."),
    duplicate: gettext("“%(what)s” duplicates another report, which you now follow."),
  }[report.status];
  return interpolate(news, { what });
}

const COLOURS = {
  received: ["#8a4b08", "#f0a23b"],
  acknowledged: ["#17574a", "#3fa58a"],
  in_progress: ["#1d4f91", "#5b8fd6"],
  resolved: ["#4a4944", "#b9b5ab"],
  rejected: ["#4a4944", "#b9b5ab"],
  duplicate: ["#4a4944", "#b9b5ab"],
};

function popup(report, onOpen) {
  const box = document.createElement("div");
  const title = document.createElement("strong");
  title.textContent = `${categoryName(report.category)} · ${statusLabels()[report.status]}`;
  const text = document.createElement("p");
  text.textContent = report.description;
  box.append(title, text);
  if (onOpen) {
    const open = document.createElement("button");
    open.type = "button";
    open.textContent = gettext("See the report");
    open.onclick = () => onOpen(report);
    box.append(open);
  }
  return box;
}

/** <ReportsMap reports onOpen center label>: the reports as circles; the view fits them
 * when they first arrive (else `center`, else France). The page lists the same reports
 * beside the map (keyboard, screen readers, no tiles). */
export class ReportsMap extends Component {
  constructor() {
    super();
    this.element = createRef();
    this.state = { failed: false };
  }

  async componentDidMount() {
    try {
      const L = await loadLeaflet();
      if (!this.element.current) return;
      this.L = L;
      const { center } = this.props;
      this.map = createMap(L, this.element.current, { center: center || FALLBACK, zoom: center ? 16 : 5 });
      this.layer = L.layerGroup().addTo(this.map);
      this.fitted = Boolean(center);
      this.draw();
    } catch {
      this.setState({ failed: true });
    }
  }

  componentDidUpdate(previous) {
    if (previous.reports !== this.props.reports) this.draw();
  }

  componentWillUnmount() {
    this.map?.remove();
  }

  draw() {
    if (!this.map) return;
    const { L } = this;
    const reports = this.props.reports || [];
    this.layer.clearLayers();
    for (const report of reports) {
      const [color, fillColor] = COLOURS[report.status];
      L.circleMarker([report.latitude, report.longitude], { radius: 9, weight: 2, color, fillColor, fillOpacity: 0.85 })
        .bindPopup(popup(report, this.props.onOpen)).addTo(this.layer);
    }
    if (!this.fitted && reports.length) {
      this.fitted = true;
      this.map.fitBounds(L.latLngBounds(reports.map((report) => [report.latitude, report.longitude])), { maxZoom: 17, padding: [24, 24] });
    }
  }

  render({ label }, { failed }) {
    return html`<div class="civic-map">
      <div class="map" ref=${this.element} role="region" aria-label=${label || gettext("Map of the reports")}></div>
      ${failed && html`<p class="form-error" role="alert">${gettext("The map could not be loaded.")}</p>`}
    </div>`;
  }
}

/** A report's history, oldest first: who moved it (the organisation, or the reporter
 * reopening it), when, and why. `actor`: the agent's name, in the organisation's view. */
export function History({ history }) {
  return html`<ol class="timeline history">
    ${history.map((entry) => html`<li key=${entry.at}>
      <strong>${statusLabels()[entry.status]}</strong>
      ${" "}<span class="muted small">${entry.by === "reporter"
        ? (entry.previous ? gettext("reopened by the reporter") : gettext("reported"))
        : entry.actor ? interpolate(gettext("by %(name)s"), { name: entry.actor }) : gettext("by the organisation")}</span>
      <time datetime=${entry.at}>${formatDateTime(entry.at)}</time>
      ${entry.reason && html`<p class="reason small">${entry.reason}</p>`}
    </li>`)}
  </ol>`;
}

/** A consultation's results: counts per choice as bars, and the free answers without
 * names (the organisation's view; residents get the count only). */
export function Results({ consultation }) {
  const { results } = consultation;
  if (!results) return null;
  const total = results.answers;
  return html`<div class="results">
    <p class="small"><strong>${interpolate(ngettext("%(n)s answer", "%(n)s answers", total), { n: total })}</strong></p>
    ${results.choices.length > 0 && html`<ul class="result-bars">${results.choices.map((choice) => html`<li key=${choice.label}>
      <span class="result-label">${choice.label}</span>
      <meter min="0" max=${Math.max(total, 1)} value=${choice.count} aria-label=${choice.label}></meter>
      <span class="result-count">${choice.count}</span></li>`)}</ul>`}
    ${results.free_answers && html`<ul class="free-answers">${results.free_answers.map((text, index) => html`<li key=${index}>${text}</li>`)}</ul>`}
  </div>`;
}
