// The login of the consoles (moderators', organisations'): a session through
// auth_session, then the page reloads in her language. `DataPageLink`: the public page
// of what Voisins keeps (/data/), under every login of ours.
import * as api from "./api.js";
import { Field, FormError, formValues } from "./forms.js";
import { Component, html } from "./html.js";
import { gettext } from "./i18n.js";

export function DataPageLink() {
  return html`<p class="data-link"><a href="/data/">${gettext("Your data: what Voisins keeps, why, and for how long")}</a></p>`;
}

export class Login extends Component {
  constructor() {
    super();
    this.state = { error: null, busy: false };
  }

  async submit(event) {
    event.preventDefault();
    const { email, password } = formValues(event.target);
    this.setState({ busy: true, error: null });
    try {
      await api.post("auth/session/", { email, password });
      location.reload();
    } catch (error) {
      this.setState({ busy: false, error: error.message });
    }
  }

  render({ title }, { error, busy }) {
    return html`<main id="main" class="auth">
      <section class="panel auth-panel" aria-labelledby="auth-title">
        <h1 id="auth-title">${title}</h1>
        <form id="login" onSubmit=${(event) => this.submit(event)} novalidate>
          <${Field} label=${gettext("Email address")} name="email" type="email" required autocomplete="username" />
          <${Field} label=${gettext("Password")} name="password" type="password" required autocomplete="current-password" />
          <${FormError} error=${error} />
          <button type="submit" class="primary" disabled=${busy}>${gettext("Log in")}</button>
        </form>
        <${DataPageLink} />
      </section>
    </main>`;
  }
}
