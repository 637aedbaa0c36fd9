// Who she is: auth_me on start and after every trust decision; login, sign-up and
// logout. The page is rendered in her language by the server, so a login (or a change
// of language) reloads it.
import * as api from "../core/api.js";
import { language } from "../core/i18n.js";
import { socket } from "./chat.js";
import { loadMemory, showError, store } from "./state.js";

export async function refreshMe() {
  if (!document.body.dataset.signedIn && store.get().phase === "boot") {
    store.set({ phase: "anonymous" }); // no session: no need to ask
    return null;
  }
  try {
    const me = await api.get("auth/me/");
    const first = store.get().phase !== "ready";
    store.set({ me, phase: "ready" });
    if (first) {
      loadMemory();
      socket.start();
    }
    if (me.user.language !== language) location.reload();
    return me;
  } catch (error) {
    if (error.status === 401) {
      socket.stop();
      store.set({ phase: "anonymous", me: null });
      return null;
    }
    showError(error);
    return null;
  }
}

export async function login(email, password) {
  await api.post("auth/session/", { email, password });
  location.reload();
}

/** The contract's sign-up gives an API token (for an app); the page then logs in with
 * the session it uses, and revokes that token at once: no secret is left lying around. */
export async function signup({ email, password, display_name: displayName, language: chosen }) {
  const created = await api.post("auth/signup/", {
    email, password, display_name: displayName, language: chosen, device_name: "web",
  });
  await api.post("auth/session/", { email, password });
  try {
    await api.del(`auth/tokens/${created.token_id}/`);
  } catch {
    // it expires by itself; the session works either way
  }
  location.assign("#/join");
  location.reload();
}

export async function logout() {
  socket.stop();
  try {
    await api.post("auth/logout/");
  } catch {
    // logged out already
  }
  location.assign("#/");
  location.reload();
}
