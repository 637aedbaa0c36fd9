// A post as a card: every detail of its kind, and the actions that fit the viewer and
// the post's state (answer, choose a responder, RSVP, commit a share, mark paid, return
// a loan, mark done, reopen, close, delete). Each action's answer updates the card at
// once; the room hears it too as card.updated (a deletion as message.deleted).
import * as api from "../core/api.js";
import { Component, cx, html } from "../core/html.js";
import { gettext, interpolate, ngettext } from "../core/i18n.js";
import { formatDateTime, formatDay, formatMoney } from "../core/format.js";
import { ANSWERABLE, LOANS, OFFERS, cardFieldLabel, choiceLabels, kindLabels, statusLabels } from "../core/posts.js";
import { Photos } from "../core/photos.js";
import { navigate } from "../core/router.js";
import { richText } from "../core/text.js";
import { myId, openDialog, putCards, refreshLoans, remember, showError, store, toast } from "./state.js";

const DATE_TIME_FIELDS = new Set(["when", "start", "end", "deadline"]);
const DAY_FIELDS = { loan_offer: ["start", "end"], loan_request: ["start", "end"], lost_found: ["when"] };

function detailValue(kind, field, value) {
  if (value === undefined || value === null || value === "") return null;
  if ((DAY_FIELDS[kind] || []).includes(field)) return formatDay(value);
  if (DATE_TIME_FIELDS.has(field)) return formatDateTime(value);
  if (field.endsWith("_cents")) return formatMoney(value);
  if (field === "children_ages") {
    return value.length ? value.map((age) => interpolate(ngettext("%(n)s year", "%(n)s years", age), { n: age })).join(", ") : gettext("Any age");
  }
  if (field === "mode") return choiceLabels()[value] || value;
  return String(value);
}

// The order details are shown in; fields not listed follow.
const ORDER = ["mode", "what", "item", "product", "products", "when", "start", "end", "place", "where", "children_ages",
  "price_cents", "unit_price_cents", "unit", "min_quantity", "max_quantity", "deadline", "where_to_buy"];

function Details({ card }) {
  const fields = Object.keys(card.details).sort((a, b) => (ORDER.indexOf(a) + 1 || 99) - (ORDER.indexOf(b) + 1 || 99));
  const rows = fields.map((field) => [field, detailValue(card.kind, field, card.details[field])]).filter(([, value]) => value !== null);
  return html`<dl class="details">
    ${rows.map(([field, value]) => html`<div class="detail" key=${field}>
      <dt>${cardFieldLabel(card.kind, field)}</dt><dd>${field === "where_to_buy" || field === "products" ? richText(value) : value}</dd>
    </div>`)}
  </dl>`;
}

async function run(action, { success } = {}) {
  try {
    const answer = await action();
    if (answer?.card) putCards([answer.card]);
    if (success) toast(success);
    return answer;
  } catch (error) {
    showError(error);
    return null;
  }
}

function Purchase({ card, isOrganiser }) {
  const { purchase, details } = card;
  if (!purchase) return null;
  const togglePaid = (commitment) => run(() => api.put(`feed/posts/${card.post_id}/commitments/${commitment.person.id}/paid/`, { paid: !commitment.paid }));
  const outcome = { reached: gettext("The minimum was reached: the purchase goes ahead."), not_reached: gettext("The minimum was not reached.") }[purchase.outcome];
  return html`<div class="purchase">
    <p class="progress-line">
      ${interpolate(gettext("%(committed)s of %(max)s %(unit)s committed (minimum %(min)s), %(paid)s paid"), {
        committed: purchase.committed, max: details.max_quantity, unit: details.unit || "", min: details.min_quantity, paid: purchase.paid_quantity,
      })}
    </p>
    <progress max=${details.max_quantity} value=${purchase.committed} aria-label=${gettext("Committed")}></progress>
    ${outcome && html`<p class="outcome">${outcome}</p>`}
    ${purchase.commitments.length > 0 && html`<table class="commitments">
      <caption class="visually-hidden">${gettext("Shares")}</caption>
      <thead><tr><th scope="col">${gettext("Neighbour")}</th><th scope="col">${gettext("Quantity")}</th>
        <th scope="col">${gettext("Amount")}</th><th scope="col">${gettext("Still owes")}</th>
        ${isOrganiser && html`<th scope="col"><span class="visually-hidden">${gettext("Payment")}</span></th>`}</tr></thead>
      <tbody>${purchase.commitments.map((commitment) => html`<tr key=${commitment.person.id}>
        <td>${commitment.person.display_name}</td><td>${commitment.quantity}</td><td>${formatMoney(commitment.amount_cents)}</td>
        <td>${commitment.paid ? gettext("Paid") : formatMoney(commitment.owes_cents)}</td>
        ${isOrganiser && html`<td><button type="button" class="small" onClick=${() => togglePaid(commitment)}
          aria-label=${interpolate(commitment.paid ? gettext("Mark %(name)s as not paid") : gettext("Mark %(name)s as paid"), { name: commitment.person.display_name })}>
          ${commitment.paid ? gettext("Not paid") : gettext("Paid")}</button></td>`}
      </tr>`)}</tbody>
    </table>`}
  </div>`;
}

class ShareForm extends Component {
  submit(event, quantity) {
    event?.preventDefault();
    const { card } = this.props;
    const value = quantity ?? Number(new FormData(event.target).get("quantity"));
    run(() => api.put(`feed/posts/${card.post_id}/commitment/`, { quantity: value }),
      { success: value ? gettext("Your share is recorded.") : gettext("Your share is withdrawn.") });
  }

  render({ card, mine }) {
    const id = `share-${card.post_id}`;
    return html`<form class="share" onSubmit=${(event) => this.submit(event)}>
      <label for=${id}>${interpolate(gettext("My share (%(unit)s)"), { unit: card.details.unit || gettext("units") })}</label>
      <input id=${id} name="quantity" type="number" min="1" max=${card.details.max_quantity} step="1" required
        defaultValue=${mine ? mine.quantity : 1} inputmode="numeric" />
      <button type="submit" class="primary">${mine ? gettext("Change my share") : gettext("Commit")}</button>
      ${mine && html`<button type="button" onClick=${() => this.submit(null, 0)}>${gettext("Withdraw")}</button>`}
    </form>`;
  }
}

function ResponderPick({ card, person }) {
  const loan = LOANS.has(card.kind);
  const pick = (event) => {
    event.preventDefault();
    const body = { user_id: person.id };
    const due = loan ? new FormData(event.target).get("return_due") : "";
    if (due) body.return_due = due;
    run(() => api.post(`feed/posts/${card.post_id}/responder/`, body), {
      success: interpolate(gettext("You chose %(name)s."), { name: person.display_name }),
    }).then(() => loan && refreshLoans());
  };
  const id = `due-${card.post_id}`;
  return html`<form class="pick" onSubmit=${pick}>
    ${loan && html`<label for=${id}>${gettext("Return by")}</label>
      <input id=${id} name="return_due" type="date" defaultValue=${card.details.end || ""} />`}
    <button type="submit" class="primary">${interpolate(gettext("Choose %(name)s"), { name: person.display_name })}</button>
  </form>`;
}

/** Her answer, as the server writes it in the author's conversation (feed.domain.answer_text). */
function answerLabel(card) {
  if (card.kind === "lost_found" && card.details?.mode === "found") return gettext("It's mine");
  if (card.kind === "lost_found" && card.details?.mode === "lost") return gettext("I found it");
  return OFFERS.has(card.kind) ? gettext("I'm interested") : gettext("I can help");
}

function Actions({ card, state, roomId }) {
  const me = myId();
  const isAuthor = card.author.id === me;
  const moderates = state.me?.moderates?.includes(card.neighbourhood_id);
  const canManage = isAuthor || moderates;
  const room = state.rooms[roomId];
  const buttons = [];
  const setStatus = (status, success) => run(() => api.post(`feed/posts/${card.post_id}/status/`, { status }), { success });
  const confirmClose = () => openDialog({
    kind: "confirm", title: gettext("Close this post?"), body: gettext("Nobody can answer it any more; this cannot be undone."),
    confirm: gettext("Close"), danger: true, onConfirm: () => setStatus("closed", gettext("The post is closed.")),
  });
  const confirmDelete = () => openDialog({
    kind: "confirm", title: gettext("Delete this post?"),
    body: gettext("It disappears for everyone, with its photos and its cards in the conversations; this cannot be undone."),
    confirm: gettext("Delete"), danger: true, onConfirm: () => deletePost(card),
  });

  if (card.status === "open" && !isAuthor && ANSWERABLE.has(card.kind)) {
    const answeredRoom = state.answered[card.post_id];
    if (answeredRoom && state.rooms[answeredRoom]) {
      buttons.push(html`<button type="button" onClick=${() => navigate(`rooms/${answeredRoom}`)}>${gettext("Open our conversation")}</button>`);
    } else {
      const label = answerLabel(card);
      const answer = async () => {
        const result = await run(() => api.post(`feed/posts/${card.post_id}/responses/`), {
          success: interpolate(gettext("Your answer is in your conversation with %(name)s."), { name: card.author.display_name }),
        });
        if (result) {
          remember("answered", card.post_id, result.room_id);
          run(() => api.get(`feed/posts/${card.post_id}/`));
        }
      };
      buttons.push(html`<button type="button" class="primary" onClick=${answer}>${label}</button>`);
    }
  }
  if (card.kind === "event" && card.status === "open") {
    const going = Boolean(state.rsvp[card.post_id]);
    const rsvp = async (value) => {
      const result = await run(() => api.put(`feed/posts/${card.post_id}/rsvp/`, { going: value }));
      if (result) remember("rsvp", card.post_id, value || undefined);
    };
    buttons.push(going
      ? html`<button type="button" aria-pressed="true" onClick=${() => rsvp(false)}>${gettext("I'm not going any more")}</button>`
      : html`<button type="button" class="primary" aria-pressed="false" onClick=${() => rsvp(true)}>${gettext("I'm going")}</button>`);
  }
  if (card.status === "open" && isAuthor && ANSWERABLE.has(card.kind) && room?.kind === "direct") {
    const other = room.participants.find((person) => person.id !== me);
    if (other) buttons.push(html`<${ResponderPick} card=${card} person=${other} />`);
  }
  if (card.status === "taken" && LOANS.has(card.kind)) {
    const loan = (state.loans || []).find((item) => item.post_id === card.post_id && !item.returned_at);
    if (loan && loan.lender.id === me) {
      const returned = () => run(() => api.post(`feed/loans/${loan.id}/returned/`), { success: gettext("Thank you: the loan is returned.") })
        .then(() => { refreshLoans(); run(() => api.get(`feed/posts/${card.post_id}/`)); });
      buttons.push(html`<button type="button" class="primary" onClick=${returned}>${gettext("It was returned")}</button>`);
    }
  }
  // A loan out ends with its return ("It was returned"), not by closing its post; its
  // lender may reopen it (the loan fell through), its borrower may not.
  const loanOut = card.status === "taken" && LOANS.has(card.kind);
  const lends = (state.loans || []).some((item) => item.post_id === card.post_id && !item.returned_at && item.lender.id === me);
  if (canManage && card.status === "taken" && !loanOut) {
    buttons.push(html`<button type="button" class="primary" onClick=${() => setStatus("done", gettext("The post is done."))}>${gettext("Mark as done")}</button>`);
  }
  if (canManage && card.status === "taken" && (!loanOut || lends)) {
    buttons.push(html`<button type="button" onClick=${() => setStatus("open", gettext("The post is open again."))}>${gettext("Reopen")}</button>`);
  }
  if (canManage && (card.status === "open" || (card.status === "taken" && !loanOut))) {
    buttons.push(html`<button type="button" onClick=${confirmClose}>${gettext("Close the post")}</button>`);
  }
  // Deleted where it lives (its room, the feed), not from a conversation that quotes it.
  if (isAuthor && room?.kind !== "direct") {
    buttons.push(html`<button type="button" class="danger" onClick=${confirmDelete}>${gettext("Delete the post")}</button>`);
  }
  if (!isAuthor) {
    buttons.push(html`<button type="button" class="link" onClick=${() => openDialog({ kind: "report", target: { post_id: card.post_id }, about: card.title })}>
      ${gettext("Report")}</button>`);
  }
  return buttons.length ? html`<div class="card-actions">${buttons}</div>` : null;
}

function loanLine(card, state) {
  const loan = (state.loans || []).find((item) => item.post_id === card.post_id);
  if (!loan) return null;
  if (loan.returned_at) return interpolate(gettext("%(lender)s lent it to %(borrower)s; returned."), { lender: loan.lender.display_name, borrower: loan.borrower.display_name });
  return interpolate(gettext("%(lender)s lent it to %(borrower)s, due back on %(due)s."), {
    lender: loan.lender.display_name, borrower: loan.borrower.display_name, due: formatDay(loan.return_due),
  });
}

/** feed_post_delete: gone for everyone. The rooms hear message.deleted for its cards;
 * the lists that show it (the feed) drop it from the store's copy. */
async function deletePost(card) {
  try {
    await api.del(`feed/posts/${card.post_id}/`);
    putCards([{ ...card, deleted: true }]);
    toast(gettext("The post is deleted."));
  } catch (error) {
    showError(error);
  }
}

/** Reads the post again (feed_post): fresh links for its photos. */
async function refreshCard(postId) {
  const post = await api.get(`feed/posts/${postId}/`);
  if (post?.card) putCards([post.card]);
}

export function Card({ card, state, roomId }) {
  if (card.deleted) return null;
  const me = myId();
  const isAuthor = card.author.id === me;
  const mine = card.purchase?.commitments.find((commitment) => commitment.person.id === me);
  const deadlinePassed = card.kind === "group_purchase" && new Date(card.details.deadline) <= new Date();
  const facts = [];
  if (ANSWERABLE.has(card.kind)) facts.push(interpolate(ngettext("%(n)s answer", "%(n)s answers", card.responses), { n: card.responses }));
  if (card.kind === "event") facts.push(interpolate(ngettext("%(n)s going", "%(n)s going", card.going), { n: card.going }));
  if (card.responder) facts.push(interpolate(gettext("Taken by %(name)s"), { name: card.responder.display_name }));
  const loan = LOANS.has(card.kind) ? loanLine(card, state) : null;
  return html`<section class=${cx("card", `kind-${card.kind}`, `status-${card.status}`)} aria-label=${interpolate(gettext("%(kind)s: %(title)s"), { kind: kindLabels()[card.kind], title: card.title })}
      data-post-id=${card.post_id}>
    <p class="card-head">
      <span class="card-kind">${kindLabels()[card.kind] || card.kind}</span>
      <span class=${cx("status", card.status)}>${statusLabels()[card.status] || card.status}</span>
    </p>
    <h4 class="card-title">${card.title}</h4>
    <p class="card-by">${gettext("Posted by")} <a href=${`#/people/${card.author.id}`}>${card.author.display_name}</a></p>
    ${card.text && html`<p class="card-text">${richText(card.text)}</p>`}
    <${Photos} images=${card.images} about=${card.title} onExpired=${() => refreshCard(card.post_id)} />
    <${Details} card=${card} />
    <${Purchase} card=${card} isOrganiser=${isAuthor} />
    ${facts.length > 0 && html`<p class="card-facts">${facts.join(" · ")}</p>`}
    ${loan && html`<p class="card-facts">${loan}</p>`}
    ${card.status === "open" && card.expires_at && html`<p class="card-expiry">${interpolate(gettext("Open until %(date)s"), { date: formatDateTime(card.expires_at) })}</p>`}
    ${card.kind === "group_purchase" && card.status === "open" && !deadlinePassed && !card.purchase?.outcome
      && html`<${ShareForm} card=${card} mine=${mine} key=${`share-${mine?.quantity ?? 0}`} />`}
    <${Actions} card=${card} state=${state} roomId=${roomId} />
  </section>`;
}
