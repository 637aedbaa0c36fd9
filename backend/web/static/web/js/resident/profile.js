// A neighbour's profile: her name and her record of loans (given, borrowed, returned on
// time or late); a conversation with her, or a report to the moderators.
import * as api from "../core/api.js";
import { Component, html } from "../core/html.js";
import { gettext } from "../core/i18n.js";
import { formatDay } from "../core/format.js";
import { openDirect } from "./chat.js";
import { myId, openDialog, showError, store } from "./state.js";

export class ProfileScreen extends Component {
  constructor() {
    super();
    this.state = { profile: null, error: null };
  }

  async componentDidMount() {
    try {
      const [profile] = await Promise.all([
        api.get(`feed/members/${this.props.userId}/`),
        store.get().loans === null ? api.get("feed/loans/").then((loans) => store.set({ loans })) : null,
      ]);
      this.setState({ profile });
    } catch (error) {
      this.setState({ error: error.message });
      if (error.status !== 404) showError(error);
    }
  }

  render({ userId, state }, { profile, error }) {
    if (error) return html`<main id="main" class="screen"><p class="empty">${error}</p></main>`;
    if (!profile) return html`<main id="main" class="screen"><p class="empty" role="status">${gettext("Loading…")}</p></main>`;
    const mine = userId === myId();
    const shared = (state.loans || []).filter((loan) => loan.lender.id === userId || loan.borrower.id === userId);
    const stats = [
      [gettext("Loans given"), profile.loans_given],
      [gettext("Loans borrowed"), profile.loans_borrowed],
      [gettext("Returned on time"), profile.loans_returned_on_time],
      [gettext("Returned late"), profile.loans_returned_late],
    ];
    return html`<main id="main" class="screen profile-screen">
      <h1 class="screen-title">${profile.person.display_name}</h1>
      <section class="panel" aria-labelledby="loans-title">
        <h2 id="loans-title">${gettext("Loans")}</h2>
        <dl class="stats">${stats.map(([label, value]) => html`<div key=${label}><dt>${label}</dt><dd>${value}</dd></div>`)}</dl>
        ${shared.length > 0 && html`<h3>${mine ? gettext("Your loans") : gettext("Your loans together")}</h3>
          <ul class="loans">${shared.map((loan) => html`<li key=${loan.id}>
            <strong>${loan.item}</strong>${` — ${loan.lender.display_name} → ${loan.borrower.display_name}, `}${loan.returned_at
              ? gettext("returned") : `${gettext("due back on")} ${formatDay(loan.return_due)}`}
          </li>`)}</ul>`}
      </section>
      ${!mine && html`<div class="actions">
        <button type="button" class="primary" onClick=${() => openDirect(userId)}>${gettext("Send a message")}</button>
        <button type="button" onClick=${() => openDialog({ kind: "report", target: { member_id: userId }, about: profile.person.display_name })}>
          ${gettext("Report this member")}</button>
      </div>`}
    </main>`;
  }
}
