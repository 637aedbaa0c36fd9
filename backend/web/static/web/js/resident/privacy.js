// Her data (frontend-contract/README.md, "Your data"): the "Your data" section of the
// settings (an archive of her data: asked, built by the worker, told live by
// `export.ready`; the public data page; deleting her account), what the page does once
// her account is erased (here or on another device: `session.ended` account_erased, close
// code 4410), and `partner.left` for the other side of her loans and purchases.
import * as api from "../core/api.js";
import { Field, FormError, formValues } from "../core/forms.js";
import { Component, html } from "../core/html.js";
import { gettext, interpolate, ngettext } from "../core/i18n.js";
import { formatDateTime, formatSize } from "../core/format.js";
import { Modal } from "../core/modal.js";
import { socket } from "./chat.js";
import { closeDialog, forgetMemory, openDialog, putCards, refreshLoans, showError, store, toast } from "./state.js";

/** privacy_exports (newest first) into the store. */
export async function loadExports() {
  try {
    store.set({ exports: await api.get("privacy/exports/") });
  } catch (error) {
    showError(error);
  }
}

function putExport(item) {
  store.set((state) => ({ exports: [item, ...(state.exports || []).filter((other) => other.id !== item.id)] }));
}

/** After a reconnect: an archive that was being built may be ready (its frame was missed). */
export function exportsAfterReconnect() {
  if ((store.get().exports || []).some((item) => item.state === "building")) loadExports();
}

/** `export.ready`, on every device of hers. */
export function exportReady(item) {
  putExport(item);
  toast(interpolate(gettext("Your data is ready: download it from Settings before %(date)s."), { date: formatDateTime(item.expires_at) }),
    { tone: "success", timeout: 12000 });
}

async function requestExport() {
  const before = (store.get().exports || []).find((item) => item.state === "building");
  try {
    const item = await api.post("privacy/exports/");
    putExport(item);
    toast(before?.id === item.id
      ? interpolate(gettext("Your archive has been in preparation since %(date)s: you will be told here when it is ready."), { date: formatDateTime(item.requested_at) })
      : gettext("Your archive is being prepared: you will be told here when it is ready."));
  } catch (error) {
    showError(error);
  }
}

function ExportState({ item }) {
  if (!item) return html`<p class="hint" id="export-state">${gettext("No archive asked for yet.")}</p>`;
  if (item.state === "building") {
    return html`<p class="export-state building" id="export-state" role="status">
      ${interpolate(gettext("Being prepared since %(date)s…"), { date: formatDateTime(item.requested_at) })}</p>`;
  }
  return html`<p class="export-state ready" id="export-state">
    <a href=${item.download_url} download id="export-download">${interpolate(gettext("Download the archive (%(size)s)"), { size: formatSize(item.size) })}</a>
    <span class="muted small">${interpolate(gettext("Available until %(date)s"), { date: formatDateTime(item.expires_at) })}</span>
  </p>`;
}

/** The "Your data" section of the settings. */
export class DataSection extends Component {
  componentDidMount() {
    if (store.get().exports === null) loadExports();
  }

  render({ exports }) {
    const latest = exports?.find((item) => item.state !== "expired");
    return html`<section class="panel data-section" id="your-data" aria-labelledby="data-title">
      <h2 id="data-title">${gettext("Your data")}</h2>
      <p>${gettext("Get a copy of everything Voisins keeps about you: your account, memberships, messages, posts, loans and photos, in a zip archive.")}</p>
      ${exports !== null && html`<${ExportState} item=${latest} />`}
      <button type="button" id="export-request" onClick=${requestExport}>${gettext("Download my data")}</button>
      <p><a href="/data/">${gettext("What Voisins keeps, why, for how long and who sees it")}</a></p>
      <h3>${gettext("Delete my account")}</h3>
      <p class="hint">${gettext("Your account and what you wrote are deleted for good.")}</p>
      <button type="button" class="danger" id="erase-open" onClick=${() => openDialog({ kind: "erase" })}>${gettext("Delete my account")}</button>
    </section>`;
  }
}

/** Her account is erased (by this page, or on another device): the page forgets her,
 * stops its socket for good and says so. */
export function accountErased() {
  if (store.get().farewell) return;
  socket.stop();
  forgetMemory();
  store.set({ phase: "anonymous", me: null, farewell: true, dialog: null, rooms: {}, messages: {}, exports: null });
  if (location.hash && location.hash !== "#/") location.replace("#/");
  scrollTo(0, 0);
}

export class EraseDialog extends Component {
  constructor() {
    super();
    this.state = { errors: {}, error: null, busy: false };
  }

  async submit(event) {
    event.preventDefault();
    const { password } = formValues(event.target);
    if (!password) {
      this.setState({ errors: { password: [gettext("Type your password to confirm.")] } });
      return;
    }
    this.setState({ busy: true, errors: {}, error: null });
    try {
      await api.del("auth/me/", { password });
      accountErased();
    } catch (error) {
      if (error.code === "wrong_password") this.setState({ busy: false, errors: { password: [error.message] } });
      else if (error.code === "login_throttled") {
        const minutes = Math.ceil((error.body.retry_after || 60) / 60);
        this.setState({ busy: false, errors: { password: [interpolate(ngettext(
          "Too many wrong passwords: try again in %(n)s minute.", "Too many wrong passwords: try again in %(n)s minutes.", minutes), { n: minutes })] } });
      } else this.setState({ busy: false, error: error.message });
    }
  }

  render(_, { errors, error, busy }) {
    return html`<${Modal} onClose=${closeDialog} title=${gettext("Delete your account?")} id="erase-dialog">
      <p>${gettext("This cannot be undone. At once:")}</p>
      <ul class="erase-effects">
        <li>${gettext("you are logged out of Voisins on every device;")}</li>
        <li>${gettext("your messages are deleted for everyone and your open posts close;")}</li>
        <li>${gettext("your addresses, proofs of address, photos, devices and preferences are deleted;")}</li>
        <li>${gettext("where neighbours keep a trace of you (a loan, a group purchase, a vouch), your name becomes “Former member”;")}</li>
        <li>${gettext("neighbours with a loan or a group purchase in progress with you are told that you left.")}</li>
      </ul>
      <p class="hint">${gettext("To keep a copy of your data, download it first.")}</p>
      <form onSubmit=${(event) => this.submit(event)} novalidate>
        <${Field} label=${gettext("Your password, to confirm")} name="password" id="erase-password" type="password" required
          autocomplete="current-password" error=${errors.password} />
        <${FormError} error=${error} />
        <div class="actions">
          <button type="button" onClick=${closeDialog}>${gettext("Cancel")}</button>
          <button type="submit" class="danger" disabled=${busy}>${gettext("Delete my account for good")}</button>
        </div>
      </form>
    </${Modal}>`;
  }
}

/** Shown on the login screen once her account is erased. */
export function Farewell() {
  return html`<section class="panel farewell" id="farewell" role="status">
    <h2>${gettext("Your account is erased")}</h2>
    <p>${gettext("You are logged out everywhere and your personal data is deleted; what others keep of shared moments (a loan, a decision) shows a neutral label. Thank you for having been a good neighbour.")}</p>
  </section>`;
}

/** `partner.left`: the neighbour of a loan or a group purchase in progress with her left
 * Voisins. Her name on the card and in the loans becomes the neutral label. */
export async function partnerLeft(frame) {
  toast(interpolate(frame.relation === "loan"
    ? gettext("The neighbour of your loan “%(item)s” left Voisins. The loan stays in your history.")
    : gettext("A neighbour of the group purchase “%(item)s” left Voisins."), { item: frame.item }), { timeout: 15000 });
  if (frame.relation === "loan" && store.get().loans !== null) refreshLoans();
  if (!store.get().cards[frame.post_id]) return;
  try {
    const post = await api.get(`feed/posts/${frame.post_id}/`);
    if (post?.card) putCards([post.card]);
  } catch {
    // the card.updated frames of the room say the same
  }
}
