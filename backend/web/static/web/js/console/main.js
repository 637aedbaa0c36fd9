// The moderators' console (`/moderation/`): loads the catalogue of the page's language,
// finds out who she is, watches the chosen neighbourhood through the socket, and renders
// the store on every change.
import { bootConsole } from "../core/console.js";
import { Fragment, cx, html } from "../core/html.js";
import { gettext } from "../core/i18n.js";
import { Login } from "../core/login.js";
import { Toasts } from "../core/toasts.js";
import { chooseNeighbourhood, loadAll, socket } from "./actions.js";
import { Dialogs, PrintedLetter } from "./dialogs.js";
import { AppealsPanel, ApplicantsPanel, LivePanel, LogPanel, MembersPanel, ReportsPanel } from "./panels.js";
import { NEIGHBOURHOODS, dismissToast, store } from "./state.js";

const TABS = () => [
  ["live", gettext("Messages"), LivePanel],
  ["reports", gettext("Reports"), ReportsPanel],
  ["appeals", gettext("Appeals"), AppealsPanel],
  ["applicants", gettext("Applicants"), ApplicantsPanel],
  ["members", gettext("Members"), MembersPanel],
  ["log", gettext("Log"), LogPanel],
];

function count(list) {
  return list?.length ? html`<span class="badge">${list.length}</span>` : null;
}

function App({ state }) {
  if (state.phase === "boot") return html`<p class="boot" role="status">${gettext("Loading Voisins…")}</p>`;
  if (state.phase === "anonymous") {
    return html`<div class="shell anonymous"><header class="topbar"><span class="brand">Voisins</span></header><${Login} title=${gettext("Moderators' console")} /></div>`;
  }
  const { user } = state.me;
  if (!NEIGHBOURHOODS.length) {
    return html`<div class="shell"><header class="topbar"><span class="brand">Voisins</span><span class="whoami">${user.display_name}</span></header>
      <main id="main" class="screen"><p class="notice panel">${gettext("This console is for the moderators of neighbourhoods and the team.")}</p>
      <p><a href="/">${gettext("Back to Voisins")}</a></p></main></div>`;
  }
  const tabs = TABS();
  const current = tabs.find(([name]) => name === state.route.name) || tabs[0];
  const badges = { reports: state.reports, appeals: state.appeals, applicants: state.applicants };
  const Panel = current[2];
  return html`<${Fragment}><div class="shell console">
    <header class="topbar">
      <span class="brand">${gettext("Voisins · Moderation")}</span>
      <label class="visually-hidden" for="neighbourhood">${gettext("Neighbourhood")}</label>
      <select id="neighbourhood" class="neighbourhood" onChange=${(event) => chooseNeighbourhood(Number(event.target.value))}>
        ${NEIGHBOURHOODS.map((item) => html`<option value=${item.id} selected=${item.id === state.neighbourhood}>${item.name}</option>`)}
      </select>
      <span class="whoami">${user.display_name}</span>
    </header>
    <div class=${cx("connection", state.connection === "reconnecting" && "shown")} role="status" aria-live="polite">
      ${state.connection === "reconnecting" ? gettext("Connection lost: reconnecting…") : ""}</div>
    <div class="frame">
      <nav class="tabs" aria-label=${gettext("Console")}>
        ${tabs.map(([name, label]) => html`<a key=${name} href=${`#/${name}`} class=${cx("tab", name === current[0] && "active")}
          aria-current=${name === current[0] ? "page" : undefined}><span class="tab-label">${label}</span>${count(badges[name])}</a>`)}
      </nav>
      <main id="main" class=${cx("screen", "console-screen", `console-${current[0]}`)}>
        <${Panel} state=${state} />
      </main>
    </div>
    <${Toasts} toasts=${state.toasts} onDismiss=${dismissToast} />
    <${Dialogs} state=${state} />
  </div>
  <${PrintedLetter} state=${state} /></${Fragment}>`;
}

bootConsole({
  store,
  App,
  title: () => gettext("Voisins · Moderation"),
  ready: () => {
    if (!NEIGHBOURHOODS.length) return;
    if (!NEIGHBOURHOODS.some((item) => item.id === store.get().neighbourhood)) store.set({ neighbourhood: NEIGHBOURHOODS[0].id });
    socket.start();
    loadAll();
  },
});
