// What the organisation publishes: announcements (with photos, and their threads, which
// it answers), area alerts (with their expiry and the daily limit), and consultations
// (choices or a free answer, until a deadline; aggregates only, never names).
import { Results } from "../core/civic.js";
import { Field, FormError } from "../core/forms.js";
import { formatDateTime, isoToLocalInput, localInputToIso } from "../core/format.js";
import { Component, createRef, html } from "../core/html.js";
import { gettext, interpolate, ngettext } from "../core/i18n.js";
import { PhotoPicker, Photos } from "../core/photos.js";
import * as actions from "./actions.js";
import { organisation, toast } from "./state.js";

const ANNOUNCEMENT_PHOTOS = 6; // city.json#/$defs/announcement_card: images maxItems
const HOUR = 3600 * 1000;

/** The neighbourhoods of its area to publish to: all of them by default. */
function Neighbourhoods({ org, error, prefix }) {
  if (org.neighbourhoods.length === 1) {
    return html`<p class="small muted">${interpolate(gettext("To: %(name)s"), { name: org.neighbourhoods[0].name })}</p>`;
  }
  return html`<fieldset class="neighbourhood-choice">
    <legend>${gettext("Neighbourhoods")}</legend>
    <div class="checks">${org.neighbourhoods.map((item) => html`<label class="check" key=${item.id}>
      <input type="checkbox" name="neighbourhood_ids" value=${item.id} checked id=${`${prefix}-n${item.id}`} /> ${item.name}</label>`)}</div>
    ${error && html`<p class="field-error">${error}</p>`}
  </fieldset>`;
}

function chosenNeighbourhoods(form, org) {
  if (org.neighbourhoods.length === 1) return undefined; // all of its area
  return [...form.querySelectorAll("input[name=neighbourhood_ids]:checked")].map((input) => Number(input.value));
}

/** A publishing form's common handling: checks, sends, shows the refusal at its field.
 * Once sent, the form is drawn afresh (its `generation` keys it): empty, defaults back. */
class PublishForm extends Component {
  constructor() {
    super();
    this.state = { error: null, errors: {}, busy: false, generation: 0 };
  }

  async send(event, build, publish, success) {
    event.preventDefault();
    const form = event.target;
    const org = organisation();
    const built = build(form, org);
    if (built.errors) {
      this.setState({ errors: built.errors, error: gettext("Please correct the fields below.") });
      return;
    }
    const neighbourhoodIds = chosenNeighbourhoods(form, org);
    if (neighbourhoodIds && !neighbourhoodIds.length) {
      this.setState({ errors: { neighbourhood_ids: [gettext("Choose at least one neighbourhood.")] } });
      return;
    }
    this.setState({ busy: true, error: null, errors: {} });
    try {
      await publish({ ...built.body, ...(neighbourhoodIds ? { neighbourhood_ids: neighbourhoodIds } : {}) });
      this.setState((state) => ({ busy: false, generation: state.generation + 1 }));
      toast(success, { tone: "success" });
    } catch (error) {
      this.setState({ busy: false, error: this.refusal(error), errors: error.fieldErrors?.() || {} });
    }
  }

  refusal(error) {
    return error.message;
  }
}

class AnnouncementForm extends PublishForm {
  constructor() {
    super();
    this.picker = createRef();
  }

  async submit(event) {
    event.preventDefault();
    const picker = this.picker.current;
    if (picker?.busy() && !(await picker.settled())) {
      this.setState({ error: gettext("A photo could not be sent: try it again or remove it.") });
      return;
    }
    const build = (form) => {
      const title = form.elements.title.value.trim();
      if (!title) return { errors: { title: [gettext("Give it a title.")] } };
      return { body: { title, text: form.elements.text.value.trim(), image_ids: picker ? picker.ids() : [] } };
    };
    await this.send(event, build, actions.publishAnnouncement, gettext("Published: the residents see it in their neighbourhood's room."));
  }

  render({ org }, { error, errors, busy, generation }) {
    return html`<form class="panel publish-form" id="announcement-form" key=${generation} onSubmit=${(event) => this.submit(event)} novalidate>
      <h2>${gettext("Publish an announcement")}</h2>
      <p class="hint">${gettext("Works, waste collection, an event, a new service: an official card in each neighbourhood's room, under the organisation's name.")}</p>
      <${Field} label=${gettext("Title")} name="title" id="announcement-title" required maxlength="120" error=${errors.title} />
      <${Field} label=${gettext("Text")} name="text" id="announcement-text" as="textarea" rows="4" maxlength="4000" error=${errors.text} />
      <fieldset class="photos-field"><legend>${gettext("Photos")}</legend>
        <${PhotoPicker} handle=${this.picker} max=${ANNOUNCEMENT_PHOTOS} id="announcement-photos" error=${errors.image_ids} /></fieldset>
      <${Neighbourhoods} org=${org} error=${errors.neighbourhood_ids} prefix="announcement" />
      <${FormError} error=${error} />
      <button type="submit" class="primary" disabled=${busy}>${gettext("Publish")}</button>
    </form>`;
  }
}

class ThreadReply extends Component {
  async submit(event) {
    event.preventDefault();
    const form = event.target;
    const text = form.elements.text.value.trim();
    if (!text) return;
    try {
      await actions.replyInThread(this.props.announcementId, this.props.replyTo, text);
      form.reset();
    } catch (error) {
      toast(error.message, { tone: "error" });
    }
  }

  render({ replyTo, label }) {
    const id = `reply-${replyTo}`;
    return html`<form class="inline-form thread-reply" onSubmit=${(event) => this.submit(event)}>
      <div class="field"><label for=${id}>${label}</label><input id=${id} name="text" maxlength="4000" required /></div>
      <button type="submit" class="small primary">${gettext("Answer")}</button>
    </form>`;
  }
}

function Thread({ announcement, thread }) {
  return html`<div class="thread">
    ${thread.map((card) => html`<section key=${card.neighbourhood.id} class="thread-card">
      <h4>${card.neighbourhood.name}</h4>
      ${card.reactions.length > 0 && html`<p class="small">${card.reactions.map((r) => `${r.emoji} ${r.count}`).join("  ")}</p>`}
      ${card.replies.length === 0 && html`<p class="empty small">${gettext("No reply yet.")}</p>`}
      <ul class="timeline replies">${card.replies.map((reply) => html`<li key=${reply.id} class=${reply.from_organisation ? "official-reply" : ""}>
        <strong>${reply.author}</strong> <time datetime=${reply.created_at}>${formatDateTime(reply.created_at)}</time>
        <p class="reason">${reply.text}</p>
        ${!reply.from_organisation && html`<${ThreadReply} announcementId=${announcement.id} replyTo=${reply.id}
          label=${interpolate(gettext("Answer %(name)s"), { name: reply.author })} />`}
      </li>`)}</ul>
      ${card.message_id && html`<${ThreadReply} announcementId=${announcement.id} replyTo=${card.message_id}
        label=${interpolate(gettext("Write under the announcement in %(name)s"), { name: card.neighbourhood.name })} />`}
    </section>`)}
  </div>`;
}

export function AnnouncementsPanel({ state }) {
  const org = organisation(state);
  return html`<${AnnouncementForm} org=${org} />
    <section class="panel" aria-labelledby="announcements-title">
      <h2 id="announcements-title">${gettext("Announcements published")}</h2>
      ${state.announcements === null && html`<p class="empty" role="status">${gettext("Loading…")}</p>`}
      ${state.announcements?.length === 0 && html`<p class="empty">${gettext("Nothing published yet.")}</p>`}
      <ul class="console-list" id="announcements">${(state.announcements || []).map((announcement) => {
        const thread = state.threads[announcement.id];
        return html`<li key=${announcement.id} class="item announcement-item">
          <p class="item-head"><strong>${announcement.title}</strong>
            <time class="muted small" datetime=${announcement.created_at}>${formatDateTime(announcement.created_at)}</time></p>
          ${announcement.text && html`<p class="card-text">${announcement.text}</p>`}
          <${Photos} images=${announcement.images} about=${announcement.title} onExpired=${actions.loadAnnouncements} />
          <p class="message-actions"><button type="button" class="small" onClick=${() => actions.loadThread(announcement.id)}>
            ${thread ? gettext("Read the replies again") : gettext("Replies and reactions")}</button></p>
          ${thread && html`<${Thread} announcement=${announcement} thread=${thread} />`}
        </li>`;
      })}</ul>
    </section>`;
}

// Area alerts

const DURATIONS = () => [
  [1, gettext("1 hour")], [3, gettext("3 hours")], [6, gettext("6 hours")], [12, gettext("12 hours")],
  [24, gettext("24 hours")], [48, gettext("48 hours")], [72, gettext("72 hours")],
];

class AlertForm extends PublishForm {
  refusal(error) {
    if (error.code !== "alert_limit_reached") return error.message;
    const next = new Date(Date.now() + (error.body.retry_after || 0) * 1000).toISOString();
    return interpolate(ngettext("Daily limit reached: your organisation may send %(limit)s alert per 24 hours. The next one can go on %(when)s.",
      "Daily limit reached: your organisation may send %(limit)s alerts per 24 hours. The next one can go on %(when)s.", error.body.limit),
    { limit: error.body.limit, when: formatDateTime(next) });
  }

  submit(event) {
    const build = (form) => {
      const title = form.elements.title.value.trim();
      if (!title) return { errors: { title: [gettext("Give it a title.")] } };
      const hours = Number(form.elements.duration.value);
      return { body: { title, text: form.elements.text.value.trim(), expires_at: new Date(Date.now() + hours * HOUR).toISOString() } };
    };
    return this.send(event, build, actions.sendAlert, gettext("Alert sent: pushed to every resident's phone, pinned until it expires."));
  }

  render({ org }, { error, errors, busy, generation }) {
    return html`<form class="panel publish-form alert-form" id="alert-form" key=${generation} onSubmit=${(event) => this.submit(event)} novalidate>
      <h2>${gettext("Send an area alert")}</h2>
      <p class="hint">${gettext("Only for what is urgent (water cut, storm, road closed): it reaches every resident's phone, even in their quiet hours.")}</p>
      <p class="alerts-left" id="alerts-left">${interpolate(ngettext("%(n)s alert left in the current 24 hours (limit %(limit)s).",
        "%(n)s alerts left in the current 24 hours (limit %(limit)s).", org.alerts_left), { n: org.alerts_left, limit: org.alerts_per_day })}</p>
      <${Field} label=${gettext("Title")} name="title" id="alert-title" required maxlength="120" error=${errors.title} />
      <${Field} label=${gettext("Text")} name="text" id="alert-text" as="textarea" rows="3" maxlength="1000" error=${errors.text} />
      <${Field} label=${gettext("Shown pinned for")} name="duration" id="alert-duration" as="select" options=${DURATIONS()} defaultValue="6"
        error=${errors.expires_at} />
      <${Neighbourhoods} org=${org} error=${errors.neighbourhood_ids} prefix="alert" />
      <${FormError} error=${error} />
      <button type="submit" class="danger" disabled=${busy}>${gettext("Send the alert")}</button>
    </form>`;
  }
}

export function AlertsPanel({ state }) {
  const org = organisation(state);
  const now = Date.now();
  return html`<${AlertForm} org=${org} />
    <section class="panel" aria-labelledby="alerts-title">
      <h2 id="alerts-title">${gettext("Latest alerts")}</h2>
      ${state.alerts === null && html`<p class="empty" role="status">${gettext("Loading…")}</p>`}
      ${state.alerts?.length === 0 && html`<p class="empty">${gettext("No alert sent yet.")}</p>`}
      <ul class="console-list" id="alerts">${(state.alerts || []).map((alert) => html`<li key=${alert.id} class="item">
        <p class="item-head"><strong>${alert.title}</strong>
          <time class="muted small" datetime=${alert.created_at}>${formatDateTime(alert.created_at)}</time></p>
        ${alert.text && html`<p>${alert.text}</p>`}
        <p class="small muted">${new Date(alert.expires_at).getTime() > now
          ? interpolate(gettext("Pinned until %(date)s"), { date: formatDateTime(alert.expires_at) })
          : interpolate(gettext("Expired on %(date)s"), { date: formatDateTime(alert.expires_at) })}</p>
      </li>`)}</ul>
    </section>`;
}

// Consultations

class ConsultationForm extends PublishForm {
  constructor() {
    super();
    this.state = { ...this.state, kind: "choices" };
  }

  submit(event) {
    const build = (form) => {
      const errors = {};
      const question = form.elements.question.value.trim();
      const kind = form.elements.answer_kind.value;
      const choices = kind === "choices" ? form.elements.choices.value.split("\n").map((line) => line.trim()).filter(Boolean) : [];
      const closesAt = localInputToIso(form.elements.closes_at.value);
      if (!question) errors.question = [gettext("Ask the question.")];
      if (kind === "choices" && (choices.length < 2 || choices.length > 10)) errors.choices = [gettext("Between 2 and 10 choices, one per line.")];
      if (!closesAt) errors.closes_at = [gettext("Say until when it is open.")];
      if (Object.keys(errors).length) return { errors };
      return { body: { question, text: form.elements.text.value.trim(), answer_kind: kind, choices, closes_at: closesAt } };
    };
    return this.send(event, build, actions.createConsultation, gettext("The consultation is open: its card is in each neighbourhood's room."));
  }

  render({ org }, { error, errors, busy, kind, generation }) {
    const inAWeek = isoToLocalInput(new Date(Date.now() + 7 * 24 * HOUR).toISOString());
    return html`<form class="panel publish-form" id="consultation-form" key=${generation} onSubmit=${(event) => this.submit(event)} novalidate>
      <h2>${gettext("Run a consultation")}</h2>
      <p class="hint">${gettext("One answer per verified resident. You see the counts and the free answers, never who answered.")}</p>
      <${Field} label=${gettext("Question")} name="question" id="consultation-question" required maxlength="120" error=${errors.question} />
      <${Field} label=${gettext("Explanation (optional)")} name="text" id="consultation-text" as="textarea" rows="3" maxlength="4000" />
      <fieldset><legend>${gettext("Answers")}</legend>
        <label class="check"><input type="radio" name="answer_kind" value="choices" checked=${kind === "choices"}
          onChange=${() => this.setState({ kind: "choices" })} /> ${gettext("Choices")}</label>
        <label class="check"><input type="radio" name="answer_kind" value="free" checked=${kind === "free"}
          onChange=${() => this.setState({ kind: "free" })} /> ${gettext("A short free answer")}</label>
      </fieldset>
      ${kind === "choices" && html`<${Field} label=${gettext("Choices, one per line")} name="choices" id="consultation-choices" as="textarea"
        rows="4" error=${errors.choices} />`}
      <${Field} label=${gettext("Open until")} name="closes_at" id="consultation-closes" type="datetime-local" defaultValue=${inAWeek}
        error=${errors.closes_at} />
      <${Neighbourhoods} org=${org} error=${errors.neighbourhood_ids} prefix="consultation" />
      <${FormError} error=${error} />
      <button type="submit" class="primary" disabled=${busy}>${gettext("Open the consultation")}</button>
    </form>`;
  }
}

export function ConsultationsPanel({ state }) {
  const org = organisation(state);
  return html`<${ConsultationForm} org=${org} />
    <section class="panel" aria-labelledby="consultations-title">
      <h2 id="consultations-title">${gettext("Consultations")}</h2>
      ${state.consultations === null && html`<p class="empty" role="status">${gettext("Loading…")}</p>`}
      ${state.consultations?.length === 0 && html`<p class="empty">${gettext("No consultation yet.")}</p>`}
      <ul class="console-list" id="consultations">${(state.consultations || []).map((consultation) => html`<li key=${consultation.id}
          class="item consultation-item" id=${`consultation-${consultation.id}`}>
        <p class="item-head"><strong>${consultation.question}</strong>
          <span class="muted small">${consultation.closed
            ? interpolate(gettext("closed on %(date)s"), { date: formatDateTime(consultation.closes_at) })
            : interpolate(gettext("open until %(date)s"), { date: formatDateTime(consultation.closes_at) })}</span></p>
        <${Results} consultation=${consultation} />
        <p class="message-actions"><button type="button" class="small" onClick=${() => actions.refreshConsultation(consultation.id)}>
          ${gettext("Count the answers again")}</button></p>
      </li>`)}</ul>
    </section>`;
}
