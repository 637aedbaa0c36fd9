// The organisation's figures: its reports by status and category, the median times to
// acknowledge and to resolve, per neighbourhood; and the CSV export (open data, without
// personal data).
import { categoryName, standardCategories, statusLabels } from "../core/civic.js";
import { html } from "../core/html.js";
import { gettext, interpolate, ngettext } from "../core/i18n.js";
import { organisation } from "./state.js";

function duration(seconds) {
  if (seconds === null || seconds === undefined) return "—";
  if (seconds < 60) return gettext("under a minute");
  if (seconds < 3600) return interpolate(ngettext("%(n)s minute", "%(n)s minutes", Math.round(seconds / 60)), { n: Math.round(seconds / 60) });
  if (seconds < 48 * 3600) return interpolate(ngettext("%(n)s hour", "%(n)s hours", Math.round(seconds / 3600)), { n: Math.round(seconds / 3600) });
  return interpolate(ngettext("%(n)s day", "%(n)s days", Math.round(seconds / 86400)), { n: Math.round(seconds / 86400) });
}

function Block({ block }) {
  return html`<dl class="stats">
    <div><dt>${gettext("Reports")}</dt><dd>${block.total}</dd></div>
    <div><dt>${gettext("Still open")}</dt><dd>${block.by_status.received + block.by_status.acknowledged + block.by_status.in_progress}</dd></div>
    <div><dt>${gettext("Median time to acknowledge")}</dt><dd>${duration(block.median_seconds_to_acknowledge)}</dd></div>
    <div><dt>${gettext("Median time to resolve")}</dt><dd>${duration(block.median_seconds_to_resolve)}</dd></div>
  </dl>`;
}

export function FiguresPanel({ state }) {
  const org = organisation(state);
  const { figures } = state;
  const labels = statusLabels();
  const statuses = Object.keys(labels);
  const categories = Object.fromEntries(org.categories.map((category) => [category.key, categoryName(category)]));
  const standard = standardCategories();
  const names = Object.fromEntries(org.neighbourhoods.map((item) => [item.id, item.name]));
  return html`<section class="panel" aria-labelledby="figures-title">
    <div class="panel-head"><h2 id="figures-title">${gettext("Figures")}</h2>
      <a class="button small" id="export" href=${`/api/v1/cities/organisations/${org.id}/reports/export/`} download>
        ${gettext("Download the reports (CSV, open data)")}</a></div>
    <p class="hint">${gettext("The export holds no description, name or note: positions to about 10 m.")}</p>
    ${!figures ? html`<p class="empty" role="status">${gettext("Loading…")}</p>` : html`
      <${Block} block=${figures} />
      <h3>${gettext("By category and status")}</h3>
      ${figures.by_category.length === 0 ? html`<p class="empty">${gettext("No report yet.")}</p>` : html`<div class="table-scroll">
        <table class="figures" id="figures-by-category">
          <thead><tr><th scope="col">${gettext("Category")}</th>${statuses.map((status) => html`<th scope="col" key=${status}>${labels[status]}</th>`)}</tr></thead>
          <tbody>${figures.by_category.map((row) => html`<tr key=${row.category}>
            <th scope="row">${standard[row.category] || categories[row.category] || row.category}</th>
            ${statuses.map((status) => html`<td key=${status}>${row.by_status[status]}</td>`)}</tr>`)}</tbody>
        </table></div>`}
      <h3>${gettext("By neighbourhood")}</h3>
      ${figures.by_neighbourhood.map((block) => html`<section key=${block.neighbourhood_id} class="neighbourhood-figures">
        <h4>${names[block.neighbourhood_id] || block.neighbourhood_id}</h4><${Block} block=${block} /></section>`)}`}
  </section>`;
}
