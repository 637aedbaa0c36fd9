// Toasts: short-lived notes (role=status), or alerts for refusals, kept in a page's
// store under `toasts`. Shared by the resident app and the console.
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
