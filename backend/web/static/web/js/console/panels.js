// The console's panels, one per tab: what is said (live), the reports (each message in
// its context), the appeals, the applicants (proofs and letters), the members (and those
// revoked), and the neighbourhood's log.
import { Component, html, cx } from "../core/html.js";
import { formatDate, formatDateTime } from "../core/format.js";
import { gettext, interpolate } from "../core/i18n.js";
import { orderedMessages } from "../core/messages.js";
import { Photos } from "../core/photos.js";
import { richText } from "../core/text.js";
import * as actions from "./actions.js";
import { nameOf, openDialog } from "./state.js";

let dialogCounter = 0;
function ask(action) {
  dialogCounter += 1;
  openDialog({ kind: "action", action, key: `a${dialogCounter}` });
}

function membershipOf(state, userId) {
  return state.members.find((member) => member.user_id === userId)?.membership_id;
}

/** Mute and ban someone: only a verified member of the neighbourhood can be. */
function MemberActions({ state, userId, name, about }) {
  if (!state.members.some((member) => member.user_id === userId) || userId === state.me.user.id) return null;
  return html`
    <button type="button" class="small" onClick=${() => ask({ kind: "mute", userId, name, about })}>${interpolate(gettext("Mute %(name)s"), { name })}</button>
    <button type="button" class="small danger" onClick=${() => ask({ kind: "ban", userId, name, about, membershipId: membershipOf(state, userId) })}>
      ${interpolate(gettext("Ban %(name)s"), { name })}</button>`;
}

function messageText(message) {
  if (message.card) return message.card.title || message.text;
  return message.text;
}

function MessageActions({ state, message }) {
  const name = message.author.display_name;
  const about = `${name}: ${messageText(message) || gettext("(photos)")}`;
  return html`<div class="message-actions">
    ${message.removed
      ? html`<button type="button" class="small" onClick=${() => ask({ kind: "restore", messageId: message.id, about })}>${gettext("Restore")}</button>`
      : !message.deleted && html`<button type="button" class="small danger" onClick=${() => ask({ kind: "remove", messageId: message.id, about })}>${gettext("Remove")}</button>`}
    <${MemberActions} state=${state} userId=${message.author.id} name=${name} about=${about} />
  </div>`;
}

function messageState(message) {
  if (message.removed) return gettext("Removed by a moderator");
  if (message.deleted) return gettext("Deleted by its author");
  if (message.hidden) return gettext("Hidden after reports");
  return null;
}

function ConsoleMessage({ state, message, room, focused }) {
  const said = messageState(message);
  return html`<li class=${cx("message", "console-message", message.deleted && "deleted", focused && "focused")} id=${`message-${message.id}`}
      tabindex=${focused ? "-1" : undefined}>
    ${focused && html`<p class="tag">${gettext("The message you opened")}</p>`}
    <div class="message-head">
      <span class="author">${message.author.display_name}</span>
      <span class="muted small">${room?.name}</span>
      <time datetime=${message.created_at}>${formatDateTime(message.created_at)}</time>
    </div>
    <p class=${cx("text", message.deleted && "struck")}>${richText(messageText(message) || "")}</p>
    <${Photos} images=${message.images} />
    ${said && html`<p class="tag state">${said}</p>`}
    <${MessageActions} state=${state} message=${message} />
  </li>`;
}

/** The message a link opens (#/live/<message id>, from a report), if any. */
function focusedId(state) {
  return state.route.name === "live" ? Number(state.route.params[0]) || null : null;
}

export class LivePanel extends Component {
  componentDidMount() {
    this.focus();
  }

  componentDidUpdate() {
    this.focus();
  }

  /** Brings the opened message into view once it is drawn, once per link followed. */
  focus() {
    const { state } = this.props;
    const id = focusedId(state);
    if (!id || this.focusedOn === id) return;
    const element = document.getElementById(`message-${id}`);
    if (!element) {
      // Not among the recent ones (a link opened on its own): fetched with its context.
      if (roomsLoaded(state)) actions.loadContext(id);
      return;
    }
    this.focusedOn = id;
    element.scrollIntoView({ block: "center" });
    element.focus({ preventScroll: true });
  }

  render({ state }) {
    const focused = focusedId(state);
    const sorted = Object.entries(state.messages)
      .flatMap(([roomId, room]) => orderedMessages(room).map((message) => ({ message, room: state.rooms[roomId] })))
      .sort((a, b) => b.message.created_at.localeCompare(a.message.created_at));
    // The newest 150, and down to the opened message when it is older.
    const all = sorted.slice(0, Math.max(150, sorted.findIndex(({ message }) => message.id === focused) + 1));
    const loaded = Object.keys(state.rooms).length > 0 && Object.values(state.messages).length > 0;
    return html`<section class="panel" aria-labelledby="live-title">
      <h2 id="live-title">${gettext("Recent messages")}</h2>
      <p class="muted small">${gettext("The neighbourhood's rooms, newest first, live. Direct conversations stay private.")}</p>
      ${!loaded && html`<p class="empty" role="status">${gettext("Nothing said yet, or still loading.")}</p>`}
      <ul class="console-list live">${all.map(({ message, room }) => html`<${ConsoleMessage} key=${message.id} state=${state}
        message=${message} room=${room} focused=${message.id === focused} />`)}</ul>
    </section>`;
  }
}

const CATEGORIES = () => ({
  spam: gettext("Spam or advertising"),
  harassment: gettext("Harassment or insults"),
  dangerous: gettext("Dangerous or illegal"),
  other: gettext("Something else"),
});

function reportTarget(report) {
  if (report.message_id) return gettext("A message");
  if (report.post_id) return gettext("A post");
  return gettext("A member");
}

/** The rooms' first pages are in: what is not among them is older. */
function roomsLoaded(state) {
  const rooms = Object.keys(state.rooms);
  return rooms.length > 0 && rooms.every((id) => state.messages[id]?.loaded);
}

/** The messages around a reported one (a few before and after, from its room's history),
 * the reported one marked, and a link to it in the Messages panel. */
class ReportContext extends Component {
  componentDidMount() {
    this.load();
  }

  componentDidUpdate() {
    this.load();
  }

  load() {
    const { state, messageId } = this.props;
    if (!state.contexts[messageId] && roomsLoaded(state)) actions.loadContext(messageId);
  }

  render({ state, messageId }) {
    const context = state.contexts[messageId];
    if (!context || context.status === "loading") return html`<p class="muted small" role="status">${gettext("Loading the messages around it…")}</p>`;
    if (context.status === "missing") {
      return html`<p class="muted small">${gettext("The messages around it cannot be shown: it is not in the recent history of the neighbourhood's rooms.")}</p>`;
    }
    const room = state.messages[context.roomId];
    const messages = context.ids.map((id) => room?.byId[id]).filter(Boolean);
    const roomName = state.rooms[context.roomId]?.name || "";
    return html`<div class="report-context">
      <p class="small muted">${interpolate(gettext("In %(room)s, with the messages around it:"), { room: roomName })}</p>
      <ol class="console-list context" aria-label=${gettext("The messages around it")}>
        ${messages.map((message) => {
          const reported = message.id === messageId;
          const said = messageState(message);
          return html`<li key=${message.id} class=${cx("context-message", reported && "is-reported")}>
            <p class="item-head small"><strong>${message.author.display_name}</strong>
              <time class="muted small" datetime=${message.created_at}>${formatDateTime(message.created_at)}</time></p>
            ${reported && html`<p class="tag">${gettext("The reported message")}</p>`}
            <p class=${cx("text", "small", message.deleted && "struck")}>${reported ? html`<strong>${richText(messageText(message) || "")}</strong>` : richText(messageText(message) || "")}</p>
            ${said && html`<p class="tag state">${said}</p>`}
          </li>`;
        })}
      </ol>
      <p class="small"><a href=${`#/live/${messageId}`}>${gettext("See it in the Messages panel")}</a></p>
    </div>`;
  }
}

function ReportItem({ state, report }) {
  const author = report.about.author;
  const message = report.message_id ? actions.knownMessage(report.message_id, state)?.message ?? null : null;
  const reporter = nameOf(state, report.reporter_id);
  const about = `${author.display_name}: ${report.about.text || ""}`;
  const subjectId = report.member_id || author.id;
  const subjectName = report.member_id ? nameOf(state, report.member_id) || author.display_name : author.display_name;
  return html`<li class="report item" id=${`report-${report.id}`}>
    <p class="item-head"><span class="tag">${CATEGORIES()[report.category]}</span> ${reportTarget(report)}
      <time class="muted small" datetime=${report.created_at}>${formatDateTime(report.created_at)}</time></p>
    <p class="small">${interpolate(gettext("Reported by %(name)s:"), { name: reporter || gettext("a member") })}
      ${" "}<q>${report.text || gettext("(no comment)")}</q></p>
    <blockquote class="reported">
      <p class="author">${author.display_name}</p>
      ${report.about.text && html`<p class="text">${richText(report.about.text)}</p>`}
      <${Photos} images=${report.about.images} />
      ${message?.removed && html`<p class="tag state">${gettext("Removed by a moderator")}</p>`}
    </blockquote>
    ${report.message_id && html`<${ReportContext} state=${state} messageId=${report.message_id} />`}
    <div class="message-actions">
      ${report.message_id && (message?.removed
        ? html`<button type="button" class="small" onClick=${() => ask({ kind: "restore", messageId: report.message_id, about })}>${gettext("Restore the message")}</button>`
        : html`<button type="button" class="small danger" onClick=${() => ask({ kind: "remove", messageId: report.message_id, about })}>${gettext("Remove the message")}</button>`)}
      ${report.post_id && html`<button type="button" class="small danger" onClick=${() => ask({ kind: "remove-post", postId: report.post_id, about })}>${gettext("Remove the post")}</button>`}
      <${MemberActions} state=${state} userId=${subjectId} name=${subjectName} about=${about} />
      <button type="button" class="small" onClick=${() => ask({ kind: "dismiss", reportId: report.id, about })}>${gettext("Dismiss")}</button>
    </div>
  </li>`;
}

export function ReportsPanel({ state }) {
  const { reports } = state;
  return html`<section class="panel" aria-labelledby="reports-title">
    <h2 id="reports-title">${gettext("Reports")}</h2>
    ${reports === null && html`<p class="empty" role="status">${gettext("Loading…")}</p>`}
    ${reports?.length === 0 && html`<p class="empty">${gettext("No open report.")}</p>`}
    <ul class="console-list" id="reports">${(reports || []).map((report) => html`<${ReportItem} key=${report.id} state=${state} report=${report} />`)}</ul>
  </section>`;
}

export function kindLabel(kind) {
  const labels = {
    remove: gettext("Removal"), restore: gettext("Restoration"), mute: gettext("Mute"), ban: gettext("Ban"),
    dismiss: gettext("Report dismissed"), appeal_granted: gettext("Appeal granted"), appeal_denied: gettext("Appeal denied"),
    apply: gettext("Application"), proof_upload: gettext("Proof sent"), approve: gettext("Proof approved"),
    reject: gettext("Rejection"), vouch: gettext("Vouch"), verify: gettext("Verified"), code_issued: gettext("Letter code issued"),
    code_failed: gettext("Wrong letter code"), code_used: gettext("Letter code used"), revoke: gettext("Revocation"),
    reinstate: gettext("Reinstatement"), chain_reverify: gettext("Back to pending (her voucher was revoked)"),
    moderator_removed: gettext("Moderation rights removed"),
  };
  return labels[kind] || kind;
}

function AppealItem({ state, appeal }) {
  const decision = state.decisions[appeal.action_id];
  const mine = decision?.actor?.id === state.me.user.id;
  const who = decision?.subject?.display_name || "";
  const about = decision ? `${kindLabel(decision.kind)} · ${who}: ${decision.reason}` : "";
  return html`<li class="appeal item" id=${`appeal-${appeal.id}`}>
    <p class="item-head"><strong>${interpolate(gettext("%(name)s appeals"), { name: who || gettext("a member") })}</strong>
      <time class="muted small" datetime=${appeal.created_at}>${formatDateTime(appeal.created_at)}</time></p>
    ${decision && html`<p class="small">${interpolate(gettext("Against: %(kind)s by %(actor)s, because: %(reason)s"),
      { kind: kindLabel(decision.kind), actor: decision.actor?.display_name || "Voisins", reason: decision.reason })}</p>`}
    <blockquote class="reported"><p class="text">${appeal.text}</p></blockquote>
    ${mine
      ? html`<p class="muted small">${gettext("You took this decision: another moderator decides.")}</p>`
      : html`<div class="message-actions">
        <button type="button" class="small primary" onClick=${() => ask({ kind: "grant", appealId: appeal.id, about })}>${gettext("Grant")}</button>
        <button type="button" class="small danger" onClick=${() => ask({ kind: "deny", appealId: appeal.id, about })}>${gettext("Deny")}</button>
      </div>`}
  </li>`;
}

export function AppealsPanel({ state }) {
  const { appeals } = state;
  return html`<section class="panel" aria-labelledby="appeals-title">
    <h2 id="appeals-title">${gettext("Appeals")}</h2>
    ${appeals === null && html`<p class="empty" role="status">${gettext("Loading…")}</p>`}
    ${appeals?.length === 0 && html`<p class="empty">${gettext("No open appeal.")}</p>`}
    <ul class="console-list" id="appeals">${(appeals || []).map((appeal) => html`<${AppealItem} key=${appeal.id} state=${state} appeal=${appeal} />`)}</ul>
  </section>`;
}

function ProofItem({ state, proof, name }) {
  const preview = state.previews[proof.id];
  return html`<li class="proof">
    <p class="small">${interpolate(gettext("A proof sent on %(date)s"), { date: formatDateTime(proof.uploaded_at) })}
      ${" "}<span class="muted">(${proof.content_type === "application/pdf" ? "PDF" : gettext("image")})</span></p>
    ${preview
      ? preview.type === "application/pdf"
        ? html`<iframe class="proof-preview" src=${preview.url} title=${interpolate(gettext("The proof of %(name)s"), { name })}></iframe>`
        : html`<img class="proof-preview" src=${preview.url} alt=${interpolate(gettext("The proof of %(name)s"), { name })} />`
      : proof.file_available && html`<button type="button" class="small" onClick=${() => actions.previewProof(proof)}>${gettext("See the document")}</button>`}
    <div class="message-actions">
      <button type="button" class="small primary" onClick=${() => actions.approveProof(proof)}>${gettext("Approve")}</button>
      <button type="button" class="small danger" onClick=${() => ask({ kind: "reject-proof", proofId: proof.id, about: name })}>${gettext("Reject the proof")}</button>
    </div>
  </li>`;
}

function ApplicantItem({ state, applicant }) {
  const application = state.applications[applicant.id];
  const address = application?.address;
  const proofs = (application?.proofs || []).filter((proof) => proof.state === "pending");
  const letter = application?.letter_code;
  const name = applicant.display_name;
  return html`<li class="applicant item" id=${`applicant-${applicant.id}`}>
    <p class="item-head"><strong>${name}</strong>
      <span class="muted small">${interpolate(gettext("applied on %(date)s"), { date: formatDate(applicant.applied_at) })}</span></p>
    ${address && html`<p class="small address">${[`${address.number} ${address.street}`.trim(), address.postcode, address.city].filter(Boolean).join(", ")}</p>`}
    <p class="small muted">${interpolate(gettext("Vouches: %(n)s"), { n: applicant.vouch_count })}
      ${letter && html` · ${letter.used ? gettext("letter code used")
        : interpolate(gettext("letter code sent, expires on %(date)s"), { date: formatDate(letter.expires_at) })}`}</p>
    ${proofs.length > 0 && html`<ul class="proofs">${proofs.map((proof) => html`<${ProofItem} key=${proof.id} state=${state} proof=${proof} name=${name} />`)}</ul>`}
    <div class="message-actions">
      <button type="button" class="small" onClick=${() => actions.issueLetter(applicant)}>${letter ? gettext("Issue a new letter code") : gettext("Issue a letter code")}</button>
      <button type="button" class="small danger" onClick=${() => ask({ kind: "reject-application", membershipId: applicant.id, name })}>${gettext("Reject")}</button>
    </div>
  </li>`;
}

export function ApplicantsPanel({ state }) {
  const { applicants } = state;
  return html`<section class="panel" aria-labelledby="applicants-title">
    <h2 id="applicants-title">${gettext("Applicants")}</h2>
    ${applicants === null && html`<p class="empty" role="status">${gettext("Loading…")}</p>`}
    ${applicants?.length === 0 && html`<p class="empty">${gettext("Nobody is waiting.")}</p>`}
    <ul class="console-list" id="applicants">${(applicants || []).map((applicant) => html`<${ApplicantItem} key=${applicant.id} state=${state} applicant=${applicant} />`)}</ul>
  </section>`;
}

function RevokedItem({ entry }) {
  const name = entry.subject?.display_name || gettext("a member");
  return html`<li class="revoked item" id=${`revoked-${entry.membership_id}`}>
    <p class="item-head"><strong>${name}</strong>
      <time class="muted small" datetime=${entry.at}>${formatDateTime(entry.at)}</time></p>
    <p class="small">${interpolate(gettext("Revoked by %(actor)s"), { actor: entry.actor.display_name })}</p>
    ${entry.reason && html`<p class="reason small">${interpolate(gettext("Reason: %(reason)s"), { reason: entry.reason })}</p>`}
    <div class="message-actions">
      <button type="button" class="small primary" onClick=${() => ask({ kind: "reinstate", membershipId: entry.membership_id, name,
        about: `${name}: ${entry.reason}` })}>${interpolate(gettext("Reinstate %(name)s"), { name })}</button>
    </div>
  </li>`;
}

export function MembersPanel({ state }) {
  const me = state.me.user.id;
  return html`<section class="panel" aria-labelledby="members-title">
    <h2 id="members-title">${gettext("Members")}</h2>
    ${state.members.length === 0 && html`<p class="empty">${gettext("No verified member yet.")}</p>`}
    <ul class="console-list" id="members">${state.members.map((member) => html`<li class="member item" key=${member.user_id}>
      <p class="item-head"><strong>${member.display_name}</strong> <span class="muted small">${member.street}</span></p>
      <div class="message-actions"><${MemberActions} state=${state} userId=${member.user_id} name=${member.display_name} about=${member.display_name} />
        ${member.user_id !== me && html`<button type="button" class="small danger" onClick=${() => ask({ kind: "revoke",
          membershipId: member.membership_id, name: member.display_name, about: member.display_name })}>
          ${interpolate(gettext("Revoke %(name)s"), { name: member.display_name })}</button>`}</div>
    </li>`)}</ul>
    <h3 id="revoked-title">${gettext("Revoked or banned")}</h3>
    <p class="muted small">${gettext("They cannot come back by vouches or a letter code: only if a moderator reinstates them.")}</p>
    ${state.revoked === null && html`<p class="empty" role="status">${gettext("Loading…")}</p>`}
    ${state.revoked?.length === 0 && html`<p class="empty">${gettext("Nobody.")}</p>`}
    <ul class="console-list" id="revoked" aria-labelledby="revoked-title">${(state.revoked || []).map((entry) => html`<${RevokedItem}
      key=${entry.membership_id} entry=${entry} />`)}</ul>
  </section>`;
}

function LogItem({ entry }) {
  const actor = entry.actor?.display_name || gettext("Voisins");
  const subject = entry.subject?.display_name;
  return html`<li class="entry item">
    <p class="item-head"><strong>${entry.kind === "reject" && entry.route === "proof" ? gettext("Proof rejected") : kindLabel(entry.kind)}</strong>
      <time class="muted small" datetime=${entry.at}>${formatDateTime(entry.at)}</time></p>
    <p class="small">${subject
      ? interpolate(gettext("by %(actor)s, about %(subject)s"), { actor, subject })
      : interpolate(gettext("by %(actor)s"), { actor })}
      ${entry.until && html` · ${interpolate(gettext("until %(date)s"), { date: formatDateTime(entry.until) })}`}</p>
    ${entry.reason && html`<p class="reason small">${entry.reason}</p>`}
  </li>`;
}

export function LogPanel({ state }) {
  const filters = [
    ["", gettext("Everything")], ["moderation", gettext("Moderation")], ["decisions", gettext("Membership decisions")],
    ["applications", gettext("Applications and proofs")], ["vouches", gettext("Vouches")], ["letters", gettext("Letter codes")],
  ];
  return html`<section class="panel" aria-labelledby="log-title">
    <div class="panel-head"><h2 id="log-title">${gettext("The neighbourhood's log")}</h2></div>
    <div class="field">
      <label for="log-kind">${gettext("Show")}</label>
      <select id="log-kind" onChange=${(event) => actions.filterLog(event.target.value)}>
        ${filters.map(([value, label]) => html`<option value=${value} selected=${state.logKind === value}>${label}</option>`)}
      </select>
    </div>
    ${state.log === null && html`<p class="empty" role="status">${gettext("Loading…")}</p>`}
    ${state.log?.length === 0 && html`<p class="empty">${gettext("Nothing of this kind yet.")}</p>`}
    <ul class="console-list" id="log">${(state.log || []).map((entry) => html`<${LogItem} key=${`${entry.source}-${entry.id}`} entry=${entry} />`)}</ul>
  </section>`;
}
