// What organisations (the town hall, a housing operator) publish, in the resident app:
// their announcements and consultations as official cards in the rooms (told from
// neighbours' posts by their `kind`), a consultation answered once and its results once
// closed, and area alerts pinned above every screen while they are valid (cities_alerts
// after every hello, `city.alert` live).
import * as api from "../core/api.js";
import { Results } from "../core/civic.js";
import { FormError } from "../core/forms.js";
import { formatDateTime } from "../core/format.js";
import { Component, cx, html } from "../core/html.js";
import { gettext, interpolate } from "../core/i18n.js";
import { Photos } from "../core/photos.js";
import { withKey } from "../core/store.js";
import { richText } from "../core/text.js";
import { refreshMessage } from "./chat.js";
import { showError, store } from "./state.js";

export const OFFICIAL_KINDS = new Set(["announcement", "consultation"]);

// Area alerts

let expiryTimer = null;

/** Keeps the alerts valid now, and redraws when the next one expires. */
function setAlerts(alerts) {
  const now = Date.now();
  const valid = alerts.filter((alert) => new Date(alert.expires_at).getTime() > now)
    .sort((a, b) => b.created_at.localeCompare(a.created_at));
  store.set({ alerts: valid });
  clearTimeout(expiryTimer);
  const next = Math.min(...valid.map((alert) => new Date(alert.expires_at).getTime()));
  if (Number.isFinite(next)) expiryTimer = setTimeout(() => setAlerts(store.get().alerts), Math.max(next - now, 0) + 500);
}

export async function loadAlerts() {
  try {
    setAlerts(await api.get("cities/alerts/"));
  } catch {
    // shown at the next hello
  }
}

export function alertArrived(alert) {
  setAlerts([alert, ...store.get().alerts.filter((item) => item.id !== alert.id)]);
}

export function AlertsBar({ alerts }) {
  if (!alerts.length) return null;
  return html`<section class="alerts" aria-label=${gettext("Alerts")} id="alerts">
    ${alerts.map((alert) => html`<p class="area-alert" key=${alert.id} role="alert">
      <strong>${interpolate(gettext("Alert · %(organisation)s"), { organisation: alert.organisation.name })}</strong>
      <strong>${alert.title}</strong>${alert.text && html` ${alert.text}`}
      ${" "}<span class="until">${interpolate(gettext("until %(date)s"), { date: formatDateTime(alert.expires_at) })}</span>
    </p>`)}
  </section>`;
}

// Consultations: the card says the question; her answer and the results are read from
// cities_consultation (the card does not carry them).

async function loadConsultation(consultationId) {
  try {
    const consultation = await api.get(`cities/consultations/${consultationId}/`);
    store.set((state) => ({ consultations: withKey(state.consultations, consultationId, consultation) }));
  } catch (error) {
    store.set((state) => ({ consultations: withKey(state.consultations, consultationId, { failed: error.message }) }));
  }
}

class ConsultationAnswer extends Component {
  constructor() {
    super();
    this.state = { error: null, busy: false };
  }

  async submit(event) {
    event.preventDefault();
    const { consultation } = this.props;
    const form = event.target;
    const body = {};
    if (consultation.answer_kind === "choices") {
      const chosen = form.querySelector("input[name=choice]:checked");
      if (!chosen) {
        this.setState({ error: gettext("Choose an answer.") });
        return;
      }
      body.choice = Number(chosen.value);
    } else {
      body.text = form.elements.text.value.trim();
      if (!body.text) {
        this.setState({ error: gettext("Write your answer.") });
        return;
      }
    }
    this.setState({ busy: true, error: null });
    try {
      const answered = await api.post(`cities/consultations/${consultation.id}/answer/`, body);
      store.set((state) => ({ consultations: withKey(state.consultations, consultation.id, answered) }));
    } catch (error) {
      this.setState({ busy: false, error: error.message });
      if (error.code === "already_answered" || error.code === "consultation_closed") loadConsultation(consultation.id);
    }
  }

  render({ consultation }, { error, busy }) {
    const id = `consultation-${consultation.id}`;
    return html`<form class="consultation-form" id=${`${id}-form`} onSubmit=${(event) => this.submit(event)} novalidate>
      ${consultation.answer_kind === "choices"
        ? html`<fieldset><legend>${gettext("Your answer")}</legend>${consultation.choices.map((choice, index) => html`<label class="check" key=${index}>
            <input type="radio" name="choice" value=${index} /> ${choice}</label>`)}</fieldset>`
        : html`<div class="field"><label for=${`${id}-text`}>${gettext("Your answer")}</label>
            <textarea id=${`${id}-text`} name="text" rows="2" maxlength="500"></textarea></div>`}
      <p class="hint">${gettext("One answer, final. The organisation sees the counts and the answers, never your name.")}</p>
      <${FormError} error=${error} />
      <div class="actions"><button type="submit" class="primary small" disabled=${busy}>${gettext("Answer")}</button></div>
    </form>`;
  }
}

class Consultation extends Component {
  componentDidMount() {
    const { card, state } = this.props;
    if (!state.consultations[card.consultation_id]) loadConsultation(card.consultation_id);
  }

  render({ card, state }) {
    const consultation = state.consultations[card.consultation_id];
    if (!consultation) return html`<p class="muted small" role="status">${gettext("Loading…")}</p>`;
    if (consultation.failed) return html`<p class="muted small">${consultation.failed}</p>`;
    const mine = consultation.my_answer;
    const answer = mine && (consultation.answer_kind === "choices" ? consultation.choices[mine.choice] : mine.text);
    return html`<div class="consultation">
      <p class="card-expiry">${consultation.closed
        ? interpolate(gettext("Closed on %(date)s"), { date: formatDateTime(consultation.closes_at) })
        : interpolate(gettext("Open until %(date)s"), { date: formatDateTime(consultation.closes_at) })}</p>
      ${answer && html`<p class="card-facts my-answer">${interpolate(gettext("You answered: %(answer)s"), { answer })}</p>`}
      ${!mine && !consultation.closed && html`<${ConsultationAnswer} consultation=${consultation} />`}
      ${consultation.closed ? html`<${Results} consultation=${consultation} />`
        : mine && html`<p class="hint">${gettext("The results are shown here once it closes.")}</p>`}
    </div>`;
  }
}

/** An organisation's card: visibly official, under its name. */
export function OfficialCard({ card, state, message }) {
  const announcement = card.kind === "announcement";
  const kind = announcement ? gettext("Announcement") : gettext("Consultation");
  return html`<section class=${cx("card", "official", `kind-${card.kind}`)} data-official=${card.kind}
      aria-label=${interpolate(gettext("%(kind)s from %(organisation)s: %(title)s"), { kind, organisation: card.organisation.name, title: card.title })}>
    <p class="card-head"><span class="card-kind official-badge">${kind} · ${gettext("Official")}</span></p>
    <h4 class="card-title">${card.title}</h4>
    <p class="card-by">${interpolate(gettext("Published by %(organisation)s"), { organisation: card.organisation.name })}</p>
    ${card.text && html`<p class="card-text">${richText(card.text)}</p>`}
    ${announcement && html`<${Photos} images=${card.images} about=${card.title}
      onExpired=${message ? () => refreshMessage(message.room_id, message.seq) : undefined} />`}
    ${announcement && message && html`<p class="hint">${gettext("Questions? Reply to this message: the organisation answers here.")}</p>`}
    ${!announcement && html`<${Consultation} card=${card} state=${state} />`}
  </section>`;
}

/** The latest announcements of her neighbourhood's organisations, above the posts. */
export class Announcements extends Component {
  constructor() {
    super();
    this.state = { announcements: null };
  }

  async componentDidMount() {
    try {
      this.setState({ announcements: await api.get("cities/announcements/") });
    } catch (error) {
      showError(error);
    }
  }

  render({ state }, { announcements }) {
    if (!announcements?.length) return null;
    return html`<section class="announcements-strip" aria-labelledby="announcements-title">
      <h2 id="announcements-title">${gettext("From your town")}</h2>
      <ul>${announcements.slice(0, 3).map((item) => {
        const card = item.cards[0];
        return html`<li key=${item.id}><${OfficialCard} state=${state}
          card=${{ kind: "announcement", announcement_id: item.id, organisation: item.organisation, title: item.title, text: item.text, images: item.images }} />
          ${card?.room_id && html`<a class="in-room" href=${`#/rooms/${card.room_id}`}>${gettext("See it in its room")}</a>`}</li>`;
      })}</ul>
    </section>`;
  }
}
