// Administrators manage the organisation's agents: add someone by the email of her
// Voisins account, change a role, remove an agent (at once: her open console is told).
import { Field, FormError } from "../core/forms.js";
import { formatDate } from "../core/format.js";
import { Component, html } from "../core/html.js";
import { gettext, interpolate } from "../core/i18n.js";
import * as actions from "./actions.js";
import { openDialog, organisation } from "./state.js";

const ROLES = () => [["agent", gettext("Agent")], ["admin", gettext("Administrator")]];

class AddAgent extends Component {
  constructor() {
    super();
    this.state = { error: null, errors: {}, busy: false };
  }

  async submit(event) {
    event.preventDefault();
    const form = event.target;
    const email = form.elements.email.value.trim();
    if (!email) {
      this.setState({ errors: { email: [gettext("Her email address, as she logs in to Voisins.")] } });
      return;
    }
    this.setState({ busy: true, error: null, errors: {} });
    try {
      await actions.addAgent({ email, role: form.elements.role.value });
      form.reset();
      this.setState({ busy: false });
    } catch (error) {
      const errors = error.fieldErrors?.() || {};
      if (["no_account", "already_agent"].includes(error.code)) errors.email = [error.message];
      this.setState({ busy: false, error: Object.keys(errors).length ? null : error.message, errors });
    }
  }

  render(_, { error, errors, busy }) {
    return html`<form class="inline-form" id="agent-form" onSubmit=${(event) => this.submit(event)} novalidate>
      <${Field} label=${gettext("Email address")} name="email" id="agent-email" type="email" error=${errors.email} />
      <${Field} label=${gettext("Role")} name="role" id="agent-role" as="select" options=${ROLES()} defaultValue="agent" />
      <button type="submit" class="primary" disabled=${busy}>${gettext("Add")}</button>
      <${FormError} error=${error} />
    </form>`;
  }
}

export function AgentsPanel({ state }) {
  const org = organisation(state);
  const myEmail = state.me.user.email;
  if (org.role !== "admin") {
    return html`<section class="panel"><p class="notice">${gettext("Only the organisation's administrators manage its agents.")}</p></section>`;
  }
  return html`<section class="panel" aria-labelledby="agents-title">
    <h2 id="agents-title">${gettext("Agents")}</h2>
    <p class="hint">${gettext("Agents publish and handle reports; administrators also manage agents. Acting for the organisation gives no access to the residents' rooms.")}</p>
    <${AddAgent} />
    <ul class="people" id="agents">${(state.agents || []).map((agent) => html`<li key=${agent.id}>
      <div><strong>${agent.display_name}</strong> <span class="muted small">${agent.email}</span>
        <p class="small muted">${interpolate(gettext("since %(date)s"), { date: formatDate(agent.added_at) })}</p></div>
      <label class="visually-hidden" for=${`role-${agent.id}`}>${interpolate(gettext("Role of %(name)s"), { name: agent.display_name })}</label>
      <select id=${`role-${agent.id}`} onChange=${(event) => actions.setRole(agent.id, event.target.value)} disabled=${agent.email === myEmail}>
        ${ROLES().map(([value, label]) => html`<option value=${value} selected=${agent.role === value}>${label}</option>`)}
      </select>
      ${agent.email !== myEmail && html`<button type="button" class="small danger" onClick=${() => openDialog({ kind: "remove-agent", agent })}>
        ${gettext("Remove")}</button>`}
    </li>`)}</ul>
  </section>`;
}
