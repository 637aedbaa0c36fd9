// The frame of the resident app: header, connection state, the main navigation (a tab
// bar at the bottom of a phone, a rail on the left of a desktop), toasts and dialogs,
// and the screen of the current route.
import { cx, html } from "../core/html.js";
import { gettext, interpolate, ngettext, pgettext } from "../core/i18n.js";
import { Toasts } from "../core/toasts.js";
import { AuthScreen } from "./auth.js";
import { CivicScreen, ReportFormScreen } from "./civic.js";
import { Dialogs } from "./dialogs.js";
import { FeedScreen } from "./feed.js";
import { icon } from "./icons.js";
import { MapScreen } from "./map.js";
import { AlertsBar } from "./official.js";
import { PostFormScreen } from "./postform.js";
import { Farewell } from "./privacy.js";
import { ProfileScreen } from "./profile.js";
import { RoomsScreen } from "./rooms.js";
import { SettingsScreen } from "./settings.js";
import { dismissToast } from "./state.js";
import { JoinScreen, NeighboursScreen } from "./trust.js";

export function isVerified(state) {
  return state.me?.membership?.state === "verified";
}

export function totalUnread(state) {
  return Object.values(state.rooms).reduce((sum, room) => sum + (room.unread || 0), 0);
}

function ConnectionBanner({ status }) {
  const text = {
    reconnecting: gettext("Connection lost: reconnecting…"),
    ended: gettext("Your session has ended."),
    refused: gettext("The server refused the live connection of this page."),
  }[status];
  return html`<div class=${cx("connection", text && "shown", status)} role="status" aria-live="polite">${text || ""}</div>`;
}

function Tabs({ state }) {
  const verified = isVerified(state);
  const hasRooms = Object.keys(state.rooms).length > 0;
  const unread = totalUnread(state);
  const current = state.route.name || (verified || hasRooms ? "rooms" : "join");
  const tabs = [
    (verified || hasRooms) && ["rooms", gettext("Chats"), "chat", unread],
    verified && ["feed", gettext("Posts"), "feed"],
    verified && ["map", gettext("Map"), "map"],
    verified && ["reports", pgettext("tab of civic reports", "Street"), "flag"],
    verified && ["neighbours", gettext("Neighbours"), "people"],
    !verified && ["join", gettext("Membership"), "badge"],
    ["settings", gettext("Settings"), "gear"],
  ].filter(Boolean);
  const active = (name) => current === name || (name === "feed" && current === "new") || (name === "neighbours" && current === "people");
  return html`<nav class="tabs" aria-label=${gettext("Main")}>
    ${tabs.map(([name, label, glyph, count]) => html`<a href=${`#/${name}`} class=${cx("tab", active(name) && "active")}
        aria-current=${active(name) ? "page" : undefined} key=${name}>
      ${icon(glyph)}<span class="tab-label">${label}</span>
      ${count > 0 && html`<span class="badge" aria-label=${interpolate(ngettext("%(n)s unread", "%(n)s unread", count), { n: count })}>${count > 99 ? "99+" : count}</span>`}
    </a>`)}
  </nav>`;
}

function Screen({ state }) {
  const verified = isVerified(state);
  const hasRooms = Object.keys(state.rooms).length > 0;
  const { name, params } = state.route;
  switch (name) {
    case "rooms":
      return html`<${RoomsScreen} state=${state} />`;
    case "feed":
      return html`<${FeedScreen} state=${state} />`;
    case "new":
      return html`<${PostFormScreen} state=${state} kind=${params[0]} />`;
    case "map":
      return html`<${MapScreen} state=${state} />`;
    case "reports":
      return params[0] === "new" ? html`<${ReportFormScreen} state=${state} key="new" />` : html`<${CivicScreen} state=${state} />`;
    case "neighbours":
      return html`<${NeighboursScreen} state=${state} />`;
    case "people":
      return html`<${ProfileScreen} state=${state} userId=${Number(params[0])} key=${params[0]} />`;
    case "join":
      return html`<${JoinScreen} state=${state} />`;
    case "settings":
      return html`<${SettingsScreen} state=${state} />`;
    default:
      return verified || hasRooms ? html`<${RoomsScreen} state=${state} />` : html`<${JoinScreen} state=${state} />`;
  }
}

export function App({ state }) {
  if (state.phase === "boot") return html`<p class="boot" role="status">${gettext("Loading Voisins…")}</p>`;
  if (state.phase === "anonymous") {
    return html`<div class="shell anonymous">
      <header class="topbar"><span class="brand">Voisins</span></header>
      ${state.farewell && html`<${Farewell} />`}
      <${AuthScreen} />
      <${Toasts} toasts=${state.toasts} onDismiss=${dismissToast} />
    </div>`;
  }
  const { user, membership } = state.me;
  return html`<div class="shell">
    <header class="topbar">
      <a class="brand" href="#/">Voisins</a>
      ${membership && html`<span class="place">${membership.neighbourhood_name}</span>`}
      <a class="whoami" href="#/settings" aria-label=${interpolate(gettext("%(name)s: settings"), { name: user.display_name })}>
        ${user.display_name}
      </a>
    </header>
    <${ConnectionBanner} status=${state.connection} />
    <${AlertsBar} alerts=${state.alerts} />
    <div class="frame">
      <${Tabs} state=${state} />
      <${Screen} state=${state} />
    </div>
    <${Toasts} toasts=${state.toasts} onDismiss=${dismissToast} />
    <${Dialogs} state=${state} />
  </div>`;
}
