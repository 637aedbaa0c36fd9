// Modal dialogs (<dialog>, never window.prompt): confirming what cannot be undone,
// reporting a message, a post or a member to the moderators, reopening a civic report
// that is not fixed, and deleting her account (privacy.js).
import * as api from "../core/api.js";
import { Field, FormError, formValues } from "../core/forms.js";
import { Component, html } from "../core/html.js";
import { Modal } from "../core/modal.js";
import { gettext } from "../core/i18n.js";
import { EraseDialog } from "./privacy.js";
import { closeDialog, store, toast } from "./state.js";

function ConfirmDialog({ dialog }) {
  const confirm = async () => {
    closeDialog();
    await dialog.onConfirm();
  };
  return html`<${Modal} onClose=${closeDialog} title=${dialog.title} id="confirm-dialog">
    ${dialog.body && html`<p>${dialog.body}</p>`}
    <div class="actions">
      <button type="button" onClick=${closeDialog}>${gettext("Cancel")}</button>
      <button type="button" class=${dialog.danger ? "danger" : "primary"} onClick=${confirm}>${dialog.confirm}</button>
    </div>
  </${Modal}>`;
}

export const REPORT_CATEGORIES = () => [
  ["spam", gettext("Spam or advertising")],
  ["harassment", gettext("Harassment or insults")],
  ["dangerous", gettext("Dangerous or illegal")],
  ["other", gettext("Something else")],
];

class ReportDialog extends Component {
  constructor() {
    super();
    this.state = { error: null, busy: false };
  }

  async submit(event) {
    event.preventDefault();
    const { category, text } = formValues(event.target);
    this.setState({ busy: true, error: null });
    try {
      await api.post("moderation/reports/", { ...this.props.dialog.target, category, text });
      closeDialog();
      toast(gettext("Thank you: the moderators received your report."));
    } catch (error) {
      this.setState({ busy: false, error: error.message });
    }
  }

  render({ dialog }, { error, busy }) {
    return html`<${Modal} onClose=${closeDialog} title=${gettext("Report to the moderators")} id="report-dialog">
      ${dialog.about && html`<blockquote class="about">${dialog.about}</blockquote>`}
      <form onSubmit=${(event) => this.submit(event)}>
        <${Field} label=${gettext("What is wrong?")} name="category" as="select" defaultValue="other" options=${REPORT_CATEGORIES()} />
        <${Field} label=${gettext("Tell the moderators more (optional)")} name="text" as="textarea" maxlength="2000" rows="3" />
        <${FormError} error=${error} />
        <div class="actions">
          <button type="button" onClick=${closeDialog}>${gettext("Cancel")}</button>
          <button type="submit" class="primary" disabled=${busy}>${gettext("Send the report")}</button>
        </div>
      </form>
    </${Modal}>`;
  }
}

class ReopenDialog extends Component {
  constructor() {
    super();
    this.state = { error: null, errors: {}, busy: false };
  }

  async submit(event) {
    event.preventDefault();
    const reason = new FormData(event.target).get("reason").trim();
    if (!reason) {
      this.setState({ errors: { reason: [gettext("Say what is still wrong.")] } });
      return;
    }
    this.setState({ busy: true, error: null, errors: {} });
    try {
      const report = await api.post(`cities/reports/${this.props.dialog.report.id}/reopen/`, { reason });
      store.set((state) => ({ myReports: (state.myReports || []).map((item) => (item.id === report.id ? report : item)) }));
      closeDialog();
      toast(gettext("Reopened: the organisation sees it again."), { tone: "success" });
    } catch (error) {
      this.setState({ busy: false, error: error.message });
    }
  }

  render({ dialog }, { error, errors, busy }) {
    return html`<${Modal} onClose=${closeDialog} title=${gettext("Reopen this report")} id="reopen-dialog">
      <blockquote class="about">${dialog.report.description}</blockquote>
      <form onSubmit=${(event) => this.submit(event)} novalidate>
        <${Field} label=${gettext("What is still wrong?")} name="reason" id="reopen-reason" as="textarea" maxlength="2000" rows="3"
          error=${errors.reason} />
        <${FormError} error=${error} />
        <div class="actions">
          <button type="button" onClick=${closeDialog}>${gettext("Cancel")}</button>
          <button type="submit" class="primary" disabled=${busy}>${gettext("Reopen")}</button>
        </div>
      </form>
    </${Modal}>`;
  }
}

export function Dialogs({ state }) {
  const { dialog } = state;
  if (!dialog) return null;
  if (dialog.kind === "confirm") return html`<${ConfirmDialog} dialog=${dialog} key=${dialog.key || "confirm"} />`;
  if (dialog.kind === "report") return html`<${ReportDialog} dialog=${dialog} key="report" />`;
  if (dialog.kind === "reopen") return html`<${ReopenDialog} dialog=${dialog} key="reopen" />`;
  if (dialog.kind === "erase") return html`<${EraseDialog} key="erase" />`;
  return null;
}
