// What the organisations' console reads and does (cities_* under
// /api/v1/cities/organisations/<id>/), and what its socket hears: each new or changed
// report of the queue (city.queue.updated), and her removal (city.agent.removed).
import * as api from "../core/api.js";
import { OPEN_STATUSES } from "../core/civic.js";
import { gettext, interpolate } from "../core/i18n.js";
import { ContractSocket } from "../core/socket.js";
import { withKey } from "../core/store.js";
import { organisation, showError, store, toast } from "./state.js";

/** The workflow (frontend-contract/README.md, civic reports): where a status may go. */
export const NEXT_STATUSES = {
  received: ["acknowledged", "rejected", "duplicate"],
  acknowledged: ["in_progress", "resolved", "rejected", "duplicate"],
  in_progress: ["resolved", "rejected", "duplicate"],
};

const id = () => store.get().organisationId;
const base = () => `cities/organisations/${id()}/`;

export const socket = new ContractSocket({
  onFrame: (frame) => onFrame(frame),
  onStatus: (status) => store.set({ connection: status }),
});

/** She no longer acts for the organisation: the console says so and stops. */
function removedFrom(removed) {
  socket.stop();
  store.set({ removed, dialog: null });
}

function onFrame(frame) {
  switch (frame.type) {
    case "hello":
      if (store.get().queue) loadQueue(); // what changed while the socket was away
      return;
    case "city.queue.updated":
      if (frame.organisation_id === id()) queueUpdated(frame.report);
      return;
    case "city.agent.removed":
      if (frame.organisation.id === id()) removedFrom(frame.organisation);
      else loadOrganisations();
      return;
    case "socket.closed":
      location.reload();
      return;
    default:
  }
}

/** Every call of the console: a refusal because she no longer acts for it ends the
 * console; any other is shown, and thrown for the form that asked. */
async function call(request) {
  try {
    return await request();
  } catch (error) {
    if (error.code === "not_agent") removedFrom(organisation() || { name: "" });
    throw error;
  }
}

async function read(request, key) {
  try {
    const value = await call(request);
    store.set({ [key]: value });
    return value;
  } catch (error) {
    if (error.code !== "not_agent") showError(error);
    return null;
  }
}

// The organisations she acts for

export async function loadOrganisations() {
  const organisations = await api.get("cities/organisations/");
  const chosen = organisations.some((item) => item.id === id()) ? id() : organisations[0]?.id ?? null;
  store.set({ organisations, organisationId: chosen });
  return organisations;
}

export function chooseOrganisation(organisationId) {
  localStorage.setItem("city.organisation", String(organisationId));
  store.set({ organisationId, queue: null, reports: {}, agents: null, announcements: null, threads: {}, alerts: null,
    consultations: null, figures: null });
  if (organisation()?.verified) loadAll();
}

export function loadAll() {
  loadQueue();
  loadAgents();
  loadAnnouncements();
  loadAlerts();
  loadConsultations();
  loadFigures();
}

// The queue

function filterParams(filters) {
  return {
    status: filters.status === "open" ? OPEN_STATUSES : filters.status,
    category: filters.category,
    neighbourhood_id: filters.neighbourhood,
    assignee: filters.assignee,
    limit: 200,
  };
}

function matches(report, filters) {
  const statuses = filters.status === "open" ? OPEN_STATUSES : filters.status ? [filters.status] : null;
  if (statuses && !statuses.includes(report.status)) return false;
  if (filters.category && report.category.key !== filters.category) return false;
  if (filters.neighbourhood && report.neighbourhood.id !== Number(filters.neighbourhood)) return false;
  if (filters.assignee === "none" && report.assignee) return false;
  if (filters.assignee && filters.assignee !== "none" && report.assignee?.agent_id !== Number(filters.assignee)) return false;
  return true;
}

export function loadQueue() {
  return read(() => api.get(`${base()}reports/`, filterParams(store.get().filters)), "queue");
}

export function filterQueue(filters) {
  store.set({ filters, queue: null });
  loadQueue();
}

function queueUpdated(report) {
  const { queue, filters, reports } = store.get();
  const known = (queue || []).some((item) => item.id === report.id);
  if (queue) {
    const others = queue.filter((item) => item.id !== report.id);
    const next = matches(report, filters) ? [report, ...others].sort((a, b) => b.id - a.id) : others;
    store.set({ queue: next });
  }
  if (!known && report.status === "received" && report.history.length === 1) {
    toast(interpolate(gettext("A new report: %(what)s"), { what: report.description }));
  }
  if (reports[report.id]) loadReport(report.id);
  loadFigures();
}

export async function loadReport(reportId) {
  try {
    const report = await call(() => api.get(`${base()}reports/${reportId}/`));
    store.set((state) => ({ reports: withKey(state.reports, reportId, report) }));
    return report;
  } catch (error) {
    // Not one of its reports (a stale link): the report's page says so.
    if (error.code !== "not_agent") store.set((state) => ({ reports: withKey(state.reports, reportId, { failed: error.message }) }));
    return null;
  }
}

function reportChanged(report) {
  store.set((state) => ({
    reports: withKey(state.reports, report.id, report),
    queue: state.queue && state.queue.map((item) => (item.id === report.id ? { ...item, ...report } : item)),
  }));
}

export async function setStatus(reportId, { status, reason = "", duplicateOf = null }) {
  const body = { status, reason };
  if (status === "duplicate") body.duplicate_of = duplicateOf;
  reportChanged(await call(() => api.post(`${base()}reports/${reportId}/status/`, body)));
  toast(gettext("Done: the reporter and the supporters are told."), { tone: "success" });
}

export async function assign(reportId, agentId) {
  try {
    reportChanged(await call(() => api.post(`${base()}reports/${reportId}/assignee/`, { agent_id: agentId })));
  } catch (error) {
    if (error.code !== "not_agent") showError(error);
  }
}

export async function addNote(reportId, text) {
  reportChanged(await call(() => api.post(`${base()}reports/${reportId}/notes/`, { text })));
}

// Publishing

export const loadAnnouncements = () => read(() => api.get(`${base()}announcements/`), "announcements");
export const loadAlerts = () => read(() => api.get(`${base()}alerts/`), "alerts");
export const loadConsultations = () => read(() => api.get(`${base()}consultations/`), "consultations");
export const loadFigures = () => read(() => api.get(`${base()}reports/figures/`), "figures");
export const loadAgents = () => read(() => api.get(`${base()}agents/`), "agents");

export async function publishAnnouncement(body) {
  const announcement = await call(() => api.post(`${base()}announcements/`, { client_id: api.clientId("a"), ...body }));
  store.set((state) => ({ announcements: [announcement, ...(state.announcements || []).filter((item) => item.id !== announcement.id)] }));
  return announcement;
}

export async function loadThread(announcementId) {
  try {
    const thread = await call(() => api.get(`${base()}announcements/${announcementId}/thread/`));
    store.set((state) => ({ threads: withKey(state.threads, announcementId, thread) }));
  } catch (error) {
    if (error.code !== "not_agent") showError(error);
  }
}

export async function replyInThread(announcementId, replyTo, text) {
  await call(() => api.post(`${base()}announcements/${announcementId}/replies/`, { client_id: api.clientId("r"), reply_to: replyTo, text }));
  await loadThread(announcementId);
}

export async function sendAlert(body) {
  const alert = await call(() => api.post(`${base()}alerts/`, { client_id: api.clientId("al"), ...body }));
  store.set((state) => ({ alerts: [alert, ...(state.alerts || []).filter((item) => item.id !== alert.id)] }));
  loadOrganisations(); // alerts_left
  return alert;
}

export async function createConsultation(body) {
  const consultation = await call(() => api.post(`${base()}consultations/`, { client_id: api.clientId("c"), ...body }));
  store.set((state) => ({ consultations: [consultation, ...(state.consultations || []).filter((item) => item.id !== consultation.id)] }));
  return consultation;
}

export async function refreshConsultation(consultationId) {
  try {
    const consultation = await call(() => api.get(`${base()}consultations/${consultationId}/`));
    store.set((state) => ({ consultations: (state.consultations || []).map((item) => (item.id === consultationId ? consultation : item)) }));
  } catch (error) {
    if (error.code !== "not_agent") showError(error);
  }
}

// Agents (administrators)

export async function addAgent(body) {
  await call(() => api.post(`${base()}agents/`, body));
  toast(gettext("She acts for the organisation from now on."), { tone: "success" });
  loadAgents();
}

export async function setRole(agentId, role) {
  try {
    await call(() => api.patch(`${base()}agents/${agentId}/`, { role }));
    loadAgents();
  } catch (error) {
    if (error.code !== "not_agent") showError(error);
    loadAgents();
  }
}

export async function removeAgent(agentId) {
  try {
    await call(() => api.del(`${base()}agents/${agentId}/`));
    toast(gettext("She no longer acts for the organisation."), { tone: "success" });
    loadAgents();
    loadQueue(); // her reports went back to nobody
  } catch (error) {
    if (error.code !== "not_agent") showError(error);
  }
}
