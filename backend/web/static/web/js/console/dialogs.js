// Modal dialogs (<dialog>, never window.prompt): every moderator's action or trust
// decision with its reason (and a duration for a mute, "with the chain" for a ban or a
// revocation, the chain shown first), and the letter of a letter code, to print.
import { Field, FormError, formValues } from "../core/forms.js";
import { Component, html } from "../core/html.js";
import { Modal } from "../core/modal.js";
import { gettext, interpolate } from "../core/i18n.js";
import { formatDate } from "../core/format.js";
import * as actions from "./actions.js";
import { closeDialog } from "./state.js";

export const MUTE_DURATIONS = () => [
  [60, gettext("1 hour")],
  [1440, gettext("1 day")],
  [10080, gettext("1 week")],
  [43200, gettext("30 days")],
];

function titles(kind, name) {
  const titled = {
    remove: gettext("Remove this message"),
    restore: gettext("Restore this message"),
    "remove-post": gettext("Remove this post"),
    dismiss: gettext("Dismiss this report"),
    mute: interpolate(gettext("Mute %(name)s"), { name }),
    ban: interpolate(gettext("Ban %(name)s"), { name }),
    grant: gettext("Grant this appeal"),
    deny: gettext("Deny this appeal"),
    "reject-proof": gettext("Reject this proof"),
    "reject-application": interpolate(gettext("Reject the application of %(name)s"), { name }),
    revoke: interpolate(gettext("Revoke the membership of %(name)s"), { name }),
    reinstate: interpolate(gettext("Reinstate %(name)s"), { name }),
  };
  return titled[kind];
}

/** What a decision does, said before it is taken. */
function explanation(kind) {
  const said = {
    revoke: gettext("She leaves the neighbourhood's rooms at once, and cannot come back by vouches or a letter code: only if a moderator reinstates her."),
    reinstate: gettext("She becomes a verified member again and reads the neighbourhood's rooms at once."),
  };
  return said[kind];
}

const CHAINED = ["ban", "revoke"];

function Chain({ chain, kind }) {
  if (chain === undefined) return html`<p class="muted small" role="status">${gettext("Loading the members she vouched for…")}</p>`;
  if (!chain.length) {
    return html`<p class="muted small">${kind === "revoke" ? gettext("She vouched for nobody here: the revocation touches her alone.")
      : gettext("She vouched for nobody here: the ban touches her alone.")}</p>`;
  }
  return html`<div class="chain">
    <p class="small">${gettext("She vouched for these members. With the chain, those whose only way in was her vouch go back to pending:")}</p>
    <ul>${chain.map((link) => html`<li key=${link.membership_id}>
      <strong>${link.user.display_name}</strong>${" "}
      <span class="muted small">${interpolate(gettext("vouched on %(date)s"), { date: formatDate(link.vouched_at) })} ·
        ${" "}${link.only_route ? gettext("her vouch was the only way in") : gettext("verified another way too")}</span>
    </li>`)}</ul>
  </div>`;
}

class ActionDialog extends Component {
  constructor(props) {
    super(props);
    this.state = { error: null, errors: {}, busy: false, chain: undefined };
  }

  async componentDidMount() {
    const { action } = this.props.dialog;
    if (!CHAINED.includes(action.kind)) return;
    if (!action.membershipId) {
      this.setState({ chain: [] });
      return;
    }
    try {
      const application = await actions.loadApplication(action.membershipId);
      this.setState({ chain: application.chain || [] });
    } catch {
      this.setState({ chain: [] });
    }
  }

  async submit(event) {
    event.preventDefault();
    const values = formValues(event.target, { booleans: ["chain"] });
    if (!values.reason.trim()) {
      this.setState({ errors: { reason: [gettext("Say why: the reason goes to the log and to the person concerned.")] } });
      return;
    }
    this.setState({ busy: true, error: null, errors: {} });
    try {
      await actions.act(this.props.dialog.action, values);
      closeDialog();
    } catch (error) {
      this.setState({ busy: false, error: error.message, errors: error.fieldErrors?.() || {} });
    }
  }

  render({ dialog }, { error, errors, busy, chain }) {
    const { action } = dialog;
    const danger = ["remove", "remove-post", "ban", "mute", "deny", "reject-proof", "reject-application", "revoke"].includes(action.kind);
    const explained = explanation(action.kind);
    return html`<${Modal} onClose=${closeDialog} title=${titles(action.kind, action.name)} id="action-dialog">
      ${action.about && html`<blockquote class="about">${action.about}</blockquote>`}
      ${explained && html`<p class="small">${explained}</p>`}
      <form onSubmit=${(event) => this.submit(event)} novalidate>
        ${action.kind === "mute" && html`<${Field} label=${gettext("For how long?")} name="minutes" as="select"
          defaultValue="1440" options=${MUTE_DURATIONS()} />`}
        ${CHAINED.includes(action.kind) && html`<${Chain} chain=${chain} kind=${action.kind} />
          <label class="check"><input type="checkbox" name="chain" disabled=${!chain?.length} />
            ${gettext("With the chain: send back to pending the members whose only way in was her vouch")}</label>`}
        <${Field} label=${gettext("Reason (logged, and told to the person concerned)")} name="reason" as="textarea"
          rows="3" maxlength="2000" required error=${errors.reason} />
        <${FormError} error=${error} />
        <div class="actions">
          <button type="button" onClick=${closeDialog}>${gettext("Cancel")}</button>
          <button type="submit" class=${danger ? "danger" : "primary"} disabled=${busy}>${titles(action.kind, action.name)}</button>
        </div>
      </form>
    </${Modal}>`;
  }
}

function LetterDialog({ dialog }) {
  const { applicant, letter } = dialog;
  return html`<${Modal} onClose=${closeDialog} title=${interpolate(gettext("The letter for %(name)s"), { name: applicant.display_name })} id="letter-dialog">
    <p>${gettext("Her code:")} <strong class="letter-code">${letter.code}</strong></p>
    <p class="muted small">${interpolate(gettext("Shown once, here. It expires on %(date)s."), { date: formatDate(letter.expires_at) })}</p>
    <pre class="letter-text" tabindex="0">${letter.letter}</pre>
    <div class="actions">
      <button type="button" onClick=${closeDialog}>${gettext("Close")}</button>
      <button type="button" class="primary print" onClick=${() => window.print()}>${gettext("Print the letter")}</button>
    </div>
  </${Modal}>`;
}

export function Dialogs({ state }) {
  const { dialog } = state;
  if (!dialog) return null;
  if (dialog.kind === "action") return html`<${ActionDialog} dialog=${dialog} key=${dialog.key} />`;
  if (dialog.kind === "letter") return html`<${LetterDialog} dialog=${dialog} key="letter" />`;
  return null;
}

/** The letter as printed: outside the console's frame, shown by the print stylesheet
 * only (console.css). */
export function PrintedLetter({ state }) {
  const { dialog } = state;
  if (dialog?.kind !== "letter") return null;
  return html`<div class="letter-sheet" aria-hidden="true"><pre>${dialog.letter.letter}</pre></div>`;
}
