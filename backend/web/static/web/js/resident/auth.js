// Before login: log in, or create an account (and read what Voisins keeps first).
import { ApiError } from "../core/api.js";
import { Field, FormError, formValues } from "../core/forms.js";
import { Component, html } from "../core/html.js";
import { gettext, language } from "../core/i18n.js";
import { DataPageLink } from "../core/login.js";
import { login, signup } from "./session.js";

export class AuthScreen extends Component {
  constructor() {
    super();
    this.state = { mode: "login", errors: {}, error: null, busy: false };
  }

  switchTo(mode) {
    this.setState({ mode, errors: {}, error: null });
  }

  async submit(event) {
    event.preventDefault();
    const values = formValues(event.target);
    this.setState({ busy: true, errors: {}, error: null });
    try {
      if (this.state.mode === "login") await login(values.email, values.password);
      else await signup(values);
    } catch (error) {
      const errors = error instanceof ApiError ? error.fieldErrors() : {};
      if (error.code === "email_taken") errors.email = [error.message];
      const shown = Object.keys(errors).length ? gettext("Please correct the fields below.") : error.message;
      this.setState({ busy: false, errors, error: error.code === "validation_failed" || error.code === "email_taken" ? shown : error.message });
    }
  }

  render(_, { mode, errors, error, busy }) {
    const signingUp = mode === "signup";
    return html`<main id="main" class="auth">
      <section class="panel auth-panel" aria-labelledby="auth-title">
        <p class="tagline">${gettext("The neighbours of your street, verified, in one place.")}</p>
        <h1 id="auth-title">${signingUp ? gettext("Create your account") : gettext("Log in")}</h1>
        <form id=${signingUp ? "signup" : "login"} onSubmit=${(event) => this.submit(event)} novalidate>
          ${signingUp && html`<${Field} label=${gettext("Your name, as neighbours will see it")} name="display_name"
            required maxlength="60" autocomplete="nickname" error=${errors.display_name} />`}
          <${Field} label=${gettext("Email address")} name="email" type="email" required autocomplete="username" error=${errors.email} />
          <${Field} label=${gettext("Password")} name="password" type="password" required
            autocomplete=${signingUp ? "new-password" : "current-password"} error=${errors.password}
            hint=${signingUp ? gettext("At least 10 characters, not only digits.") : undefined} />
          ${signingUp && html`<${Field} label=${gettext("Language")} name="language" as="select" defaultValue=${language}
            options=${[["fr", "Français"], ["en", "English"]]} />`}
          <${FormError} error=${error} />
          <button type="submit" class="primary" disabled=${busy}>
            ${signingUp ? gettext("Create my account") : gettext("Log in")}
          </button>
        </form>
        <p class="switch">
          ${signingUp ? gettext("Already a member?") : gettext("New to Voisins?")}${" "}
          <button type="button" class="link" onClick=${() => this.switchTo(signingUp ? "login" : "signup")}>
            ${signingUp ? gettext("Log in") : gettext("Create an account")}
          </button>
        </p>
        <${DataPageLink} />
      </section>
    </main>`;
  }
}
