// Toasts: short-lived notes (role=status), or alerts for refusals, kept in a page's
// store under `toasts`. Shared by the resident app and the consoles.
import { cx, html } from "./html.js";
import { gettext } from "./i18n.js";

export function toastsOf(store) {
  let counter = 0;

  function dismissToast(id) {
    store.set((state) => ({ toasts: state.toasts.filter((item) => item.id !== id) }));
  }

  function toast(text, { tone = "info", timeout = tone === "error" ? 9000 : 4000 } = {}) {
    counter += 1;
    const id = counter;
    store.set((state) => ({ toasts: [...state.toasts.filter((item) => item.text !== text), { id, text, tone }].slice(-3) }));
    if (timeout) setTimeout(() => dismissToast(id), timeout);
    return id;
  }

  function showError(error) {
    toast(error?.message || String(error), { tone: "error" });
  }

  return { toast, dismissToast, showError };
}

/** <Toasts toasts onDismiss>: the store's toasts, each with a button to dismiss it. */
export function Toasts({ toasts, onDismiss }) {
  return html`<div class="toasts" aria-live="polite">
    ${toasts.map((item) => html`<div class=${cx("toast", item.tone)} role=${item.tone === "error" ? "alert" : "status"} key=${item.id}>
      <span>${item.text}</span>
      <button type="button" class="icon-button" aria-label=${gettext("Dismiss")} onClick=${() => onDismiss(item.id)}>×</button>
    </div>`)}
  </div>`;
}
