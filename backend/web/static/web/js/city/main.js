// The organisations' console (`/city/`): loads the catalogue of the page's language,
// finds out who she is and which organisations she acts for, opens the socket (her
// queue live, her removal), and renders the store on every change.
import { bootConsole } from "../core/console.js";
import { cx, html } from "../core/html.js";
import { gettext, interpolate } from "../core/i18n.js";
import { Login } from "../core/login.js";
import { Toasts } from "../core/toasts.js";
import { chooseOrganisation, loadAll, loadOrganisations, socket } from "./actions.js";
import { AgentsPanel } from "./agents.js";
import { Dialogs } from "./dialogs.js";
import { FiguresPanel } from "./figures.js";
import { AlertsPanel, AnnouncementsPanel, ConsultationsPanel } from "./publish.js";
import { QueuePanel, ReportScreen } from "./queue.js";
import { dismissToast, organisation, store } from "./state.js";

const TABS = () => [
  ["reports", gettext("Reports")],
  ["announcements", gettext("Announcements")],
  ["alerts", gettext("Alerts")],
  ["consultations", gettext("Consultations")],
  ["figures", gettext("Figures")],
  ["agents", gettext("Agents")],
];

function Topbar({ state, org }) {
  const { organisations } = state;
  return html`<header class="topbar">
    <span class="brand">${gettext("Voisins · Organisations")}</span>
    ${org && organisations.length > 1 && html`<label class="visually-hidden" for="organisation">${gettext("Organisation")}</label>
      <select id="organisation" class="neighbourhood" onChange=${(event) => chooseOrganisation(Number(event.target.value))}>
        ${organisations.map((item) => html`<option value=${item.id} selected=${item.id === org.id}>${item.name}</option>`)}
      </select>`}
    ${org && organisations.length === 1 && html`<span class="place" id="organisation-name">${org.name}</span>`}
    <span class="whoami">${state.me.user.display_name}</span>
  </header>`;
}

function Notice({ state, children }) {
  return html`<div class="shell"><${Topbar} state=${state} org=${null} />
    <main id="main" class="screen"><section class="panel notice city-notice" role="alert">${children}</section>
    <p><a href="/">${gettext("Back to Voisins")}</a></p></main></div>`;
}

function Panel({ state, name, params }) {
  if (name === "reports" && params[0]) return html`<${ReportScreen} state=${state} reportId=${Number(params[0])} key=${params[0]} />`;
  const panels = { reports: QueuePanel, announcements: AnnouncementsPanel, alerts: AlertsPanel, consultations: ConsultationsPanel,
    figures: FiguresPanel, agents: AgentsPanel };
  const Shown = panels[name] || QueuePanel;
  return html`<${Shown} state=${state} />`;
}

function App({ state }) {
  if (state.phase === "boot") return html`<p class="boot" role="status">${gettext("Loading Voisins…")}</p>`;
  if (state.phase === "anonymous") {
    return html`<div class="shell anonymous"><header class="topbar"><span class="brand">Voisins</span></header>
      <${Login} title=${gettext("Organisations' console")} /></div>`;
  }
  if (state.removed) {
    return html`<${Notice} state=${state}>
      <h1>${gettext("You no longer act for this organisation")}</h1>
      <p>${interpolate(gettext("An administrator of %(name)s removed you from its agents: this console no longer shows its reports or publishes for it."),
        { name: state.removed.name })}</p>
    </${Notice}>`;
  }
  const org = organisation(state);
  if (!org) {
    return html`<${Notice} state=${state}>
      <h1>${gettext("This console is for the agents of organisations")}</h1>
      <p>${gettext("Municipalities and housing operators talk with their neighbourhoods here. Your account acts for none: residents report problems and answer consultations in the Voisins app.")}</p>
    </${Notice}>`;
  }
  if (!org.verified) {
    return html`<${Notice} state=${state}><p>${gettext("This organisation is not verified yet: the Voisins team checks who it is first.")}</p></${Notice}>`;
  }
  const tabs = TABS();
  const current = tabs.find(([name]) => name === state.route.name)?.[0] || "reports";
  const open = (state.queue || []).filter((report) => report.status === "received").length;
  return html`<div class="shell console city-console">
    <${Topbar} state=${state} org=${org} />
    <div class=${cx("connection", state.connection === "reconnecting" && "shown")} role="status" aria-live="polite">
      ${state.connection === "reconnecting" ? gettext("Connection lost: reconnecting…") : ""}</div>
    <div class="frame">
      <nav class="tabs" aria-label=${gettext("Console")}>
        ${tabs.map(([name, label]) => html`<a key=${name} href=${`#/${name}`} class=${cx("tab", name === current && "active")}
          aria-current=${name === current ? "page" : undefined}><span class="tab-label">${label}</span>
          ${name === "reports" && open > 0 && html`<span class="badge" aria-label=${interpolate(gettext("%(n)s new"), { n: open })}>${open}</span>`}</a>`)}
      </nav>
      <main id="main" class=${cx("screen", "console-screen", `city-${current}`)}>
        <${Panel} state=${state} name=${current} params=${state.route.params} />
      </main>
    </div>
    <${Toasts} toasts=${state.toasts} onDismiss=${dismissToast} />
    <${Dialogs} state=${state} />
  </div>`;
}

bootConsole({
  store,
  App,
  title: () => gettext("Voisins · Organisations"),
  prepare: loadOrganisations,
  ready: () => {
    if (organisation()?.verified) {
      socket.start();
      loadAll();
    }
  },
});
