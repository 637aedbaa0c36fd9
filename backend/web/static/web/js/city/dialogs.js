// The console's dialogs (<dialog>, never window.prompt): a status change with its
// reason, and removing an agent.
import { html } from "../core/html.js";
import { gettext, interpolate } from "../core/i18n.js";
import { Modal } from "../core/modal.js";
import * as actions from "./actions.js";
import { STATUS_ACTIONS, StatusForm } from "./queue.js";
import { closeDialog } from "./state.js";

export function Dialogs({ state }) {
  const { dialog } = state;
  if (!dialog) return null;
  if (dialog.kind === "status") {
    return html`<${Modal} onClose=${closeDialog} title=${STATUS_ACTIONS()[dialog.status]} id="status-dialog" key="status">
      <${StatusForm} report=${dialog.report} status=${dialog.status} queue=${state.queue} onDone=${closeDialog} />
    </${Modal}>`;
  }
  if (dialog.kind === "remove-agent") {
    const remove = async () => {
      closeDialog();
      await actions.removeAgent(dialog.agent.id);
    };
    return html`<${Modal} onClose=${closeDialog} title=${interpolate(gettext("Remove %(name)s?"), { name: dialog.agent.display_name })}
        id="remove-agent-dialog" key="remove-agent">
      <p>${gettext("She stops acting for the organisation at once; the reports assigned to her go back to nobody.")}</p>
      <div class="actions">
        <button type="button" onClick=${closeDialog}>${gettext("Cancel")}</button>
        <button type="button" class="danger" onClick=${remove}>${gettext("Remove")}</button>
      </div>
    </${Modal}>`;
  }
  return null;
}
