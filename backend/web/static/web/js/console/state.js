// The console's one store, and the small actions every panel shares (toasts, dialogs).
// Panels read the state and call actions (actions.js); live frames and REST answers
// write it.
import { parseRoute } from "../core/router.js";
import { createStore } from "../core/store.js";
import { toastsOf } from "../core/toasts.js";

/** The neighbourhoods she may watch (all of them for staff), from the page's shell. */
export const NEIGHBOURHOODS = JSON.parse(document.body.dataset.neighbourhoods || "[]");

export const store = createStore({
  phase: "boot", // boot | anonymous | ready
  me: null, // auth_me
  connection: "connecting",
  route: parseRoute(),
  neighbourhood: Number(localStorage.getItem("console.neighbourhood")) || NEIGHBOURHOODS[0]?.id || null,
  rooms: {}, // id -> room (from watching)
  messages: {}, // room id -> core/messages.js room state
  members: [], // trust_members
  revoked: null, // the memberships revoked (or banned) and not reinstated, from the log's latest revoke entries
  contexts: {}, // reported message id -> {status: loading|ready|missing, roomId, ids} (the messages around it)
  reports: null, // open reports, newest first
  appeals: null,
  decisions: {}, // moderation action id -> its log entry (the context of an appeal)
  applicants: null,
  applications: {}, // membership id -> trust_membership
  previews: {}, // proof id -> {url, type} (a blob URL)
  log: null,
  logKind: "",
  dialog: null,
  toasts: [],
});

export const { toast, dismissToast, showError } = toastsOf(store);

export function openDialog(dialog) {
  store.set({ dialog });
}

export function closeDialog() {
  store.set({ dialog: null });
}

/** A member's name from what the console knows (members, messages, the log). */
export function nameOf(state, userId) {
  if (!userId) return "";
  const member = state.members.find((item) => item.user_id === userId);
  if (member) return member.display_name;
  for (const room of Object.values(state.messages)) {
    for (const message of Object.values(room.byId)) if (message.author?.id === userId) return message.author.display_name;
  }
  for (const entry of state.log || []) {
    if (entry.subject?.id === userId) return entry.subject.display_name;
    if (entry.actor?.id === userId) return entry.actor.display_name;
  }
  const applicant = (state.applicants || []).find((item) => item.user_id === userId);
  return applicant ? applicant.display_name : "";
}
