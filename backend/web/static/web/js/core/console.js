// The start of a console page (the moderators' at /moderation/, the organisations' at
// /city/): the catalogue of the page's language, a render of the store on every change,
// the routes, and who is signed in. A page in another language than hers reloads in
// hers; `prepare` reads what the console needs before it is ready, `ready` starts it.
import * as api from "./api.js";
import { html, render } from "./html.js";
import { language, loadCatalogue } from "./i18n.js";
import { onRoute } from "./router.js";

export async function bootConsole({ store, App, title, prepare = async () => {}, ready }) {
  const root = document.getElementById("app");
  // The template's "Loading Voisins…" until the first render (Preact leaves it in place).
  const placeholder = root.querySelector(".boot");
  await loadCatalogue(document.body.dataset.catalogue);
  store.subscribe((state) => {
    render(html`<${App} state=${state} />`, root);
    placeholder?.remove();
    document.title = title();
  });
  onRoute((route) => store.set({ route }));
  if (!document.body.dataset.signedIn) {
    store.set({ phase: "anonymous" });
    return;
  }
  try {
    const me = await api.get("auth/me/");
    if (me.user.language !== language) {
      location.reload();
      return;
    }
    await prepare();
    store.set({ me, phase: "ready" });
    ready();
  } catch {
    store.set({ phase: "anonymous" });
  }
}
