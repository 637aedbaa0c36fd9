// What the moderators decided about her (a removal, a mute, a ban, a revocation), with the reason, and
// her appeal: once per decision, read by another moderator than the one who acted.
import * as api from "../core/api.js";
import { Field } from "../core/forms.js";
import { Component, html } from "../core/html.js";
import { gettext, interpolate } from "../core/i18n.js";
import { formatDateTime } from "../core/format.js";
import { showError, toast } from "./state.js";

const APPEALABLE = new Set(["remove", "mute", "ban", "revoke"]);

function what(decision) {
  switch (decision.kind) {
    case "remove":
      return decision.post_id ? gettext("A moderator removed one of your posts.") : gettext("A moderator removed one of your messages.");
    case "restore":
      return gettext("A moderator restored what had been removed.");
    case "mute":
      return decision.until
        ? interpolate(gettext("A moderator muted you until %(date)s."), { date: formatDateTime(decision.until) })
        : gettext("A moderator muted you.");
    case "ban":
      return gettext("The moderators removed you from the neighbourhood.");
    case "revoke":
      return gettext("The moderators ended your membership of the neighbourhood.");
    default:
      return gettext("A moderator took a decision about you.");
  }
}

class Appeal extends Component {
  constructor() {
    super();
    this.state = { error: null, busy: false };
  }

  async submit(event) {
    event.preventDefault();
    const text = new FormData(event.target).get("text").trim();
    if (!text) {
      this.setState({ error: gettext("Say why the decision should be undone.") });
      return;
    }
    this.setState({ busy: true, error: null });
    try {
      await api.post(`moderation/decisions/${this.props.decision.id}/appeal/`, { text });
      toast(gettext("Your appeal is sent: another moderator will decide."), { tone: "success" });
      this.props.onDone();
    } catch (error) {
      this.setState({ busy: false, error: error.message });
    }
  }

  render({ decision }, { error, busy }) {
    return html`<form class="appeal" onSubmit=${(event) => this.submit(event)}>
      <${Field} label=${gettext("Your appeal")} name="text" as="textarea" rows="2" maxlength="2000" id=${`appeal-${decision.id}`} error=${error} />
      <button type="submit" class="small" disabled=${busy}>${gettext("Appeal this decision")}</button>
    </form>`;
  }
}

export class Decisions extends Component {
  constructor() {
    super();
    this.state = { decisions: null };
    this.load = () => this.fetch();
  }

  componentDidMount() {
    this.fetch();
  }

  async fetch() {
    try {
      this.setState({ decisions: await api.get("moderation/decisions/") });
    } catch (error) {
      showError(error);
    }
  }

  render(_, { decisions }) {
    if (!decisions?.length) return null;
    return html`<section class="panel decisions" aria-labelledby="decisions-title">
      <h2 id="decisions-title">${gettext("Moderation decisions about you")}</h2>
      <ul class="timeline">${decisions.map((decision) => html`<li key=${decision.id}>
        <time datetime=${decision.at}>${formatDateTime(decision.at)}</time>
        <strong>${what(decision)}</strong>
        <p class="reason">${interpolate(gettext("Reason: %(reason)s"), { reason: decision.reason })}</p>
        ${decision.appealed ? html`<p class="muted">${gettext("You appealed this decision.")}</p>`
          : APPEALABLE.has(decision.kind) && html`<${Appeal} decision=${decision} onDone=${this.load} />`}
      </li>`)}</ul>
    </section>`;
  }
}
