// The organisations' console's one store, and the small actions every panel shares
// (toasts, dialogs). Panels read the state and call actions (actions.js); live frames
// and REST answers write it.
import { parseRoute } from "../core/router.js";
import { createStore } from "../core/store.js";
import { toastsOf } from "../core/toasts.js";

export const store = createStore({
  phase: "boot", // boot | anonymous | ready
  me: null, // auth_me
  connection: "connecting",
  route: parseRoute(),
  organisations: [], // cities_organisations: those she acts for, with her role
  organisationId: Number(localStorage.getItem("city.organisation")) || null,
  removed: null, // the organisation that removed her while this console was open
  queue: null, // cities_queue with the filters
  filters: { status: "open", category: "", neighbourhood: "", assignee: "" },
  reports: {}, // id -> cities_queue_report (with its notes)
  agents: null, // cities_agents
  announcements: null,
  threads: {}, // announcement id -> cities_announcement_thread
  alerts: null,
  consultations: null,
  figures: null,
  dialog: null,
  toasts: [],
});

export const { toast, dismissToast, showError } = toastsOf(store);

export function organisation(state = store.get()) {
  return state.organisations.find((item) => item.id === state.organisationId) || null;
}

export function openDialog(dialog) {
  store.set({ dialog });
}

export function closeDialog() {
  store.set({ dialog: null });
}
