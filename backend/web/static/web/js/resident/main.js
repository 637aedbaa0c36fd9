// The resident app (`/`): loads the catalogue of the page's language, finds out who she
// is, opens the socket, and renders the store on every change.
import { onUnauthenticated } from "../core/api.js";
import { html, render } from "../core/html.js";
import { gettext, loadCatalogue } from "../core/i18n.js";
import { setUnreadTitle } from "../core/notify.js";
import { navigate, onRoute } from "../core/router.js";
import { followCurrentRoom, hooks, markRead, socket } from "./chat.js";
import { App, totalUnread } from "./layout.js";
import { refreshMe } from "./session.js";
import { store, toast } from "./state.js";
import { loadReports, reportUpdated } from "./civic.js";
import { alertArrived, loadAlerts } from "./official.js";
import { accountErased, exportReady, exportsAfterReconnect, partnerLeft } from "./privacy.js";
import { trustNotice } from "./trust.js";

const root = document.getElementById("app");
// The template's "Loading Voisins…" until the first render (Preact leaves it in place).
const placeholder = root.querySelector(".boot");

function draw(state) {
  render(html`<${App} state=${state} />`, root);
  placeholder?.remove();
  setUnreadTitle(totalUnread(state), gettext("Voisins"));
  followCurrentRoom();
}

hooks.onTrustNotice = trustNotice;
hooks.onAlert = alertArrived;
hooks.onReportUpdated = reportUpdated;
hooks.onExportReady = exportReady;
hooks.onPartnerLeft = partnerLeft;
hooks.onAccountErased = accountErased;
hooks.onHello = () => {
  // What changed while the socket was away: alerts valid now, her reports' statuses, an
  // archive of hers that was being built.
  loadAlerts();
  if (store.get().myReports) loadReports();
  exportsAfterReconnect();
};
hooks.onBanned = async () => {
  await refreshMe();
  socket.restart();
  navigate("join");
};
hooks.onSessionEnded = async (closedByServer) => {
  const me = await refreshMe();
  if (me && closedByServer) {
    socket.restart();
  } else if (!me) {
    toast(gettext("Your session has ended: log in again."), { tone: "error" });
  }
};
onUnauthenticated(() => {
  if (store.get().phase === "ready") refreshMe();
});

async function boot() {
  await loadCatalogue(document.body.dataset.catalogue);
  store.subscribe(draw);
  onRoute((route) => {
    store.set({ route, openMenu: null });
    markRead();
  });
  const me = await refreshMe();
  if (store.get().phase === "anonymous" && location.hash && location.hash !== "#/") navigate("");
  // Not a verified member yet: her membership is what she works on.
  if (me && me.membership?.state !== "verified" && !store.get().route.name) location.replace("#/join");
}

boot();
