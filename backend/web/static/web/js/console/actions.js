// What the console reads and does: REST history of each watched room then the socket's
// `watch`, the queues (reports, appeals, applicants), a reported message in its context,
// the members (and those revoked), the log, and the moderators' actions and trust
// decisions, each with its reason.
import * as api from "../core/api.js";
import { gettext } from "../core/i18n.js";
import { emptyRoom, patchMessage, upsertMessages } from "../core/messages.js";
import { ContractSocket } from "../core/socket.js";
import { withKey } from "../core/store.js";
import { showError, store, toast } from "./state.js";

/** The kinds of the log, as the filter groups them. */
export const LOG_FILTERS = {
  "": [],
  moderation: ["remove", "restore", "mute", "ban", "dismiss", "appeal_granted", "appeal_denied"],
  decisions: ["approve", "reject", "verify", "revoke", "reinstate", "chain_reverify", "moderator_removed"],
  applications: ["apply", "proof_upload"],
  vouches: ["vouch"],
  letters: ["code_issued", "code_failed", "code_used"],
};
const APPEALABLE = ["remove", "mute", "ban"];

const n = () => store.get().neighbourhood;

export const socket = new ContractSocket({
  onFrame: (frame) => onFrame(frame),
  onStatus: (status) => store.set({ connection: status }),
});

function watch() {
  if (n()) socket.send({ type: "watch", neighbourhood_id: n() });
}

async function loadRoom(room) {
  try {
    const page = await api.get(`chat/rooms/${room.id}/messages/`, { limit: 30 });
    store.set((state) => ({
      messages: withKey(state.messages, room.id, { ...upsertMessages(state.messages[room.id] || emptyRoom(), page.messages), loaded: true }),
    }));
  } catch (error) {
    showError(error);
  }
}

function putMessage(message) {
  store.set((state) => ({
    messages: withKey(state.messages, message.room_id, upsertMessages(state.messages[message.room_id] || emptyRoom(), [message])),
  }));
}

function patch(roomId, messageId, fields) {
  store.set((state) => state.messages[roomId] && ({ messages: withKey(state.messages, roomId, patchMessage(state.messages[roomId], messageId, fields)) }));
}

function patchAnywhere(messageId, fields) {
  for (const [roomId, room] of Object.entries(store.get().messages)) if (room.byId[messageId]) patch(Number(roomId), messageId, fields);
}

function logEntry(entry) {
  if (entry.neighbourhood_id !== n()) return;
  const kinds = LOG_FILTERS[store.get().logKind];
  store.set((state) => ({
    log: state.log && (!kinds.length || kinds.includes(entry.kind)) ? [entry, ...state.log] : state.log,
    decisions: entry.source === "moderation" ? withKey(state.decisions, entry.id, entry) : state.decisions,
  }));
  // What an entry changes elsewhere in the console.
  if (entry.message_id && entry.kind === "remove") patchAnywhere(entry.message_id, { deleted: true, removed: true });
  if (entry.message_id && entry.kind === "restore") patchAnywhere(entry.message_id, { deleted: false, removed: false });
  if (entry.source === "trust" || ["ban", "appeal_granted"].includes(entry.kind)) {
    loadApplicants();
    loadMembers();
    if (["revoke", "reinstate"].includes(entry.kind)) loadRevoked();
  }
  if (["remove", "restore", "mute", "ban", "dismiss"].includes(entry.kind)) loadReports();
  if (entry.kind.startsWith("appeal_")) loadAppeals();
}

let connectedBefore = false;

function onFrame(frame) {
  switch (frame.type) {
    case "hello":
      watch();
      // Back after a lost connection: what was decided meanwhile came as frames nobody
      // heard, so the queues and the log are read again.
      if (connectedBefore && n()) loadAll();
      connectedBefore = true;
      return;
    case "watching":
      if (frame.neighbourhood_id !== n()) return;
      store.set({ rooms: Object.fromEntries(frame.rooms.map((room) => [room.id, room])) });
      frame.rooms.forEach(loadRoom); // what was said before, and whatever was missed offline
      return;
    case "message.new":
    case "message.edited":
      if (store.get().rooms[frame.room_id]) putMessage(frame.message);
      return;
    case "message.deleted":
      patch(frame.room_id, frame.message_id, { deleted: true });
      return;
    case "report.created":
      if (frame.report.neighbourhood_id === n()) {
        store.set((state) => ({ reports: [frame.report, ...(state.reports || []).filter((r) => r.id !== frame.report.id)] }));
      }
      return;
    case "appeal.created":
      if (frame.action.neighbourhood_id === n()) loadAppeals();
      return;
    case "moderation.logged":
    case "trust.logged":
      logEntry(frame.entry);
      return;
    case "member.joined":
    case "member.left":
      if (frame.neighbourhood_id === n()) {
        loadMembers();
        loadApplicants();
      }
      return;
    case "room.added":
      watch();
      return;
    case "socket.closed":
      location.reload();
      return;
    default:
  }
}

// Reads

export async function loadReports() {
  try {
    store.set({ reports: await api.get(`moderation/neighbourhoods/${n()}/reports/`) });
  } catch (error) {
    showError(error);
  }
}

export async function loadAppeals() {
  try {
    const [appeals, decided] = await Promise.all([
      api.get(`moderation/neighbourhoods/${n()}/appeals/`),
      api.get(`moderation/neighbourhoods/${n()}/log/`, { kind: APPEALABLE, limit: 200 }),
    ]);
    store.set((state) => ({ appeals, decisions: { ...state.decisions, ...Object.fromEntries(decided.map((e) => [e.id, e])) } }));
  } catch (error) {
    showError(error);
  }
}

export async function loadMembers() {
  try {
    store.set({ members: await api.get(`trust/neighbourhoods/${n()}/members/`) });
  } catch (error) {
    showError(error);
  }
}

export async function loadApplication(membershipId) {
  const application = await api.get(`trust/memberships/${membershipId}/`);
  store.set((state) => ({ applications: withKey(state.applications, membershipId, application) }));
  return application;
}

export async function loadApplicants() {
  try {
    const applicants = await api.get(`trust/neighbourhoods/${n()}/applicants/`);
    store.set({ applicants });
    await Promise.all(applicants.map((applicant) => loadApplication(applicant.id)));
  } catch (error) {
    showError(error);
  }
}

export async function loadLog() {
  try {
    store.set({ log: await api.get(`moderation/neighbourhoods/${n()}/log/`, { kind: LOG_FILTERS[store.get().logKind], limit: 100 }) });
  } catch (error) {
    showError(error);
  }
}

export function filterLog(kind) {
  store.set({ logKind: kind, log: null });
  loadLog();
}

/** Who is revoked (or banned) now: the newest revoke or reinstate of each membership in
 * the log, when it is a revoke decided by someone (an erased account's end has no actor,
 * and nobody reinstates it). */
export async function loadRevoked() {
  try {
    const entries = await api.get(`moderation/neighbourhoods/${n()}/log/`, { kind: ["revoke", "reinstate"], limit: 200 });
    const latest = new Map();
    for (const entry of entries) if (entry.membership_id && !latest.has(entry.membership_id)) latest.set(entry.membership_id, entry);
    store.set({ revoked: [...latest.values()].filter((entry) => entry.kind === "revoke" && entry.actor) });
  } catch (error) {
    showError(error);
  }
}

// A reported message in its context: the messages just before and after it in its room,
// from the room's history (a page that ends just after it). Those messages join the
// console's messages, so that they follow live changes and the Messages panel can show
// the reported one.

const AROUND = 3;

/** A message the console holds already (removed or not): {roomId, message}, or null. */
export function knownMessage(messageId, state = store.get()) {
  for (const [roomId, room] of Object.entries(state.messages)) {
    if (room.byId[messageId]) return { roomId: Number(roomId), message: room.byId[messageId] };
  }
  return null;
}

/** Looks for an older message in the history of the watched rooms (at most 5 pages of
 * 100 each): the report does not say which room it is in. */
async function searchMessage(messageId) {
  for (const room of Object.values(store.get().rooms)) {
    let before;
    for (let page = 0; page < 5; page += 1) {
      const answer = await api.get(`chat/rooms/${room.id}/messages/`, { limit: 100, before });
      const found = answer.messages.find((message) => message.id === messageId);
      if (found) return { roomId: room.id, message: found };
      if (!answer.next_before) break;
      before = answer.next_before;
    }
  }
  return null;
}

function setContext(messageId, context) {
  store.set((state) => ({ contexts: withKey(state.contexts, messageId, context) }));
}

export async function loadContext(messageId) {
  if (store.get().contexts[messageId]) return;
  setContext(messageId, { status: "loading" });
  try {
    const found = knownMessage(messageId) || (await searchMessage(messageId));
    if (!found) {
      setContext(messageId, { status: "missing" });
      return;
    }
    const { roomId, message } = found;
    const page = await api.get(`chat/rooms/${roomId}/messages/`, { before: message.seq + AROUND + 1, limit: 2 * AROUND + 1 });
    const around = page.messages.some((item) => item.id === messageId) ? page.messages : [message, ...page.messages];
    store.set((state) => ({
      messages: withKey(state.messages, roomId, upsertMessages(state.messages[roomId] || emptyRoom(), around, { fillOnly: true })),
    }));
    const ids = around.filter((item) => Math.abs(item.seq - message.seq) <= AROUND).sort((a, b) => a.seq - b.seq).map((item) => item.id);
    setContext(messageId, { status: "ready", roomId, ids });
  } catch (error) {
    setContext(messageId, { status: "missing" });
    showError(error);
  }
}

export function loadAll() {
  loadMembers();
  loadRevoked();
  loadReports();
  loadAppeals();
  loadApplicants();
  loadLog();
}

export function chooseNeighbourhood(id) {
  localStorage.setItem("console.neighbourhood", String(id));
  store.set({ neighbourhood: id, rooms: {}, messages: {}, reports: null, appeals: null, applicants: null, applications: {},
    log: null, members: [], revoked: null, contexts: {}, decisions: {} });
  watch();
  loadAll();
}

// Proofs: the file endpoint answers the document as an attachment, with the session; the
// console reads it with fetch and shows it from a blob: URL (an <img>, or an <iframe>
// for a PDF: the page's CSP allows frame-src blob:), never as a download.

export async function previewProof(proof) {
  try {
    const response = await fetch(`/api/v1/trust/proofs/${proof.id}/file/`, { credentials: "same-origin" });
    if (!response.ok) throw new api.ApiError(response.status, await response.json());
    const blob = new Blob([await response.blob()], { type: proof.content_type });
    store.set((state) => ({ previews: withKey(state.previews, proof.id, { url: URL.createObjectURL(blob), type: proof.content_type }) }));
  } catch (error) {
    showError(error);
  }
}

// Actions: each says why; the answer (and the log entry that follows, live) updates the
// console.

const done = () => toast(gettext("Done: it is in the log."), { tone: "success" });

export async function act(action, values) {
  const { reason } = values;
  const base = `moderation/neighbourhoods/${n()}/members/${action.userId}`;
  switch (action.kind) {
    case "remove":
      await api.post(`moderation/messages/${action.messageId}/remove/`, { reason });
      patchAnywhere(action.messageId, { deleted: true, removed: true });
      break;
    case "restore":
      await api.post(`moderation/messages/${action.messageId}/restore/`, { reason });
      patchAnywhere(action.messageId, { deleted: false, removed: false });
      break;
    case "remove-post":
      await api.post(`moderation/posts/${action.postId}/remove/`, { reason });
      break;
    case "dismiss":
      await api.post(`moderation/reports/${action.reportId}/dismiss/`, { reason });
      break;
    case "mute":
      await api.post(`${base}/mute/`, { reason, minutes: Number(values.minutes) });
      break;
    case "ban":
      await api.post(`${base}/ban/`, { reason, chain: Boolean(values.chain) });
      break;
    case "grant":
    case "deny":
      await api.post(`moderation/appeals/${action.appealId}/decide/`, { reason, grant: action.kind === "grant" });
      break;
    case "reject-proof":
      await api.post(`trust/proofs/${action.proofId}/review/`, { decision: "reject", reason });
      break;
    case "reject-application":
      await api.post(`trust/memberships/${action.membershipId}/reject/`, { reason });
      break;
    case "revoke":
      await api.post(`trust/memberships/${action.membershipId}/revoke/`, { reason, chain: Boolean(values.chain) });
      break;
    case "reinstate":
      await api.post(`trust/memberships/${action.membershipId}/reinstate/`, { reason });
      break;
    default:
      throw new Error(action.kind);
  }
  done();
  if (["dismiss", "remove", "restore", "remove-post", "mute", "ban"].includes(action.kind)) loadReports();
  if (action.kind === "grant" || action.kind === "deny") loadAppeals();
  if (["reject-proof", "reject-application", "ban", "revoke", "reinstate"].includes(action.kind)) {
    loadApplicants();
    loadMembers();
  }
  if (["ban", "revoke", "reinstate"].includes(action.kind)) loadRevoked();
}

export async function approveProof(proof) {
  try {
    await api.post(`trust/proofs/${proof.id}/review/`, { decision: "approve" });
    done();
    loadApplicants();
    loadMembers();
  } catch (error) {
    showError(error);
  }
}

export async function issueLetter(applicant) {
  try {
    const letter = await api.post(`trust/memberships/${applicant.id}/letter-code/`);
    store.set({ dialog: { kind: "letter", applicant, letter } });
    loadApplication(applicant.id);
  } catch (error) {
    showError(error);
  }
}
