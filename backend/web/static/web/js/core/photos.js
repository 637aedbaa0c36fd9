// Photos attached to posts and messages (frontend-contract/websocket/image.json): their
// thumbnails, laid out at their size on their average colour before they load, each
// opening the full image in a dialog (Escape closes it, arrows go to the next); and the
// picker that uploads them (photos_upload, with a client id so that a retry stores
// nothing twice) before they are attached. Shared by the resident app and the console.
//
// Links are signed and expire (`expires_at`): `onExpired` is called when one has, or when
// an image fails to load (410), and should read the post or message again; the new
// props then carry fresh links.
import { ApiError, clientId, upload } from "./api.js";
import { Component, createRef, cx, html } from "./html.js";
import { gettext, interpolate, ngettext } from "./i18n.js";

const MARGIN_MS = 30_000;

export function linkExpired(image, now = Date.now()) {
  return !image.expires_at || Date.parse(image.expires_at) - MARGIN_MS <= now;
}

function photoAlt(index, count, about) {
  return about
    ? interpolate(gettext("Photo %(n)s of %(count)s: %(about)s"), { n: index + 1, count, about })
    : interpolate(gettext("Photo %(n)s of %(count)s"), { n: index + 1, count });
}

function placeholderStyle(image) {
  return { backgroundColor: /^#[0-9a-f]{6}$/.test(image.placeholder || "") ? image.placeholder : "" };
}

/** The full image in a modal <dialog>: Escape or the button closes it (focus goes back
 * to the thumbnail), the arrow keys and buttons go through the photos. */
class Lightbox extends Component {
  constructor() {
    super();
    this.ref = createRef();
  }

  componentDidMount() {
    const dialog = this.ref.current;
    dialog.addEventListener("close", () => this.props.onClose());
    if (!dialog.open) dialog.showModal();
    dialog.querySelector(".lightbox-close")?.focus();
  }

  componentWillUnmount() {
    if (this.ref.current?.open) this.ref.current.close();
  }

  onKeyDown(event) {
    const { images, index, onMove } = this.props;
    if (images.length < 2) return;
    if (event.key === "ArrowRight") onMove((index + 1) % images.length);
    else if (event.key === "ArrowLeft") onMove((index - 1 + images.length) % images.length);
  }

  render({ images, index, about, onMove, onError }) {
    const image = images[index];
    if (!image) return null;
    const count = images.length;
    const alt = photoAlt(index, count, about);
    return html`<dialog ref=${this.ref} class="modal lightbox" aria-label=${alt} onKeyDown=${(event) => this.onKeyDown(event)}>
      <figure>
        <img src=${image.url} width=${image.width} height=${image.height} alt=${alt} style=${placeholderStyle(image)}
          onError=${onError} />
        ${count > 1 && html`<figcaption>${interpolate(gettext("Photo %(n)s of %(count)s"), { n: index + 1, count })}</figcaption>`}
      </figure>
      <div class="actions">
        ${count > 1 && html`<button type="button" onClick=${() => onMove((index - 1 + count) % count)}>${gettext("Previous photo")}</button>
          <button type="button" onClick=${() => onMove((index + 1) % count)}>${gettext("Next photo")}</button>`}
        <button type="button" class="primary lightbox-close" onClick=${() => this.ref.current.close()}>${gettext("Close")}</button>
      </div>
    </dialog>`;
  }
}

/** <Photos images about onExpired>: the thumbnails; `about` says whose or what they are
 * (for the alternative text), `onExpired()` reads their owner again (may return a
 * promise). */
export class Photos extends Component {
  constructor() {
    super();
    this.state = { open: null };
    this.asked = null;
  }

  componentDidMount() {
    this.checkLinks();
  }

  componentDidUpdate() {
    this.checkLinks();
  }

  /** Once per set of links: when one has expired, ask for fresh ones. */
  refresh() {
    const { images, onExpired } = this.props;
    const key = (images || []).map((image) => `${image.id}:${image.expires_at}`).join(",");
    // Once per set of links, and not more than every 10 s (links made in the same quarter
    // of an hour are the same: a page whose clock runs ahead must not ask in a loop).
    if (!onExpired || this.asked === key || Date.now() - (this.askedAt || 0) < 10_000) return Promise.resolve();
    this.asked = key;
    this.askedAt = Date.now();
    return Promise.resolve(onExpired()).catch(() => {});
  }

  checkLinks() {
    if (this.props.images?.some((image) => linkExpired(image))) this.refresh();
  }

  async open(event, index) {
    if (event.button || event.ctrlKey || event.metaKey || event.shiftKey) return; // a new tab: the browser's
    event.preventDefault();
    if (linkExpired(this.props.images[index])) await this.refresh();
    this.setState({ open: index });
  }

  render({ images, about }, { open }) {
    if (!images?.length) return null;
    const count = images.length;
    return html`<div class="photos-block"><ul class="photos">${images.map((image, index) => html`<li key=${image.id}>
      <a href=${image.url} class="photo-link" onClick=${(event) => this.open(event, index)}
        aria-label=${interpolate(gettext("Photo %(n)s of %(count)s, full size"), { n: index + 1, count })}>
        <img src=${image.thumbnail_url} width=${image.thumbnail_width} height=${image.thumbnail_height} alt="" loading="lazy"
          style=${placeholderStyle(image)} onError=${() => this.refresh()} />
      </a>
    </li>`)}</ul>
    ${open !== null && open < count && html`<${Lightbox} images=${images} index=${open} about=${about}
      onMove=${(index) => this.setState({ open: index })} onClose=${() => this.setState({ open: null })}
      onError=${() => this.refresh()} />`}
    </div>`;
  }
}

// Choosing and uploading.

const TRANSIENT = new Set(["network", "server_busy", "rate_limited", "server_error"]);
let pickerCounter = 0;

/** <PhotoPicker handle max id error onChange>: a file input (images; the camera on a phone),
 * each chosen photo uploaded at once with its progress, thumbnails of those uploaded with
 * a button to remove each, and the server's refusal at the field. The parent reads
 * `ids()` (and `images()`) when it sends, `settled()` waits for uploads under way,
 * `clear()` empties it after sending (`handle`: a createRef() set to the picker). `onChange()`
 * is told of every change. */
export class PhotoPicker extends Component {
  constructor(props) {
    super(props);
    pickerCounter += 1;
    this.fieldId = props.id || `photos-${pickerCounter}`;
    this.state = { items: [], error: null };
    this.uploads = new Map(); // key -> promise
    this.camera = typeof matchMedia === "function" && matchMedia("(pointer: coarse)").matches;
  }

  // Preact 11 passes `ref` to components as a prop: the parent's ref is `handle`.
  componentDidMount() {
    if (this.props.handle) this.props.handle.current = this;
  }

  componentWillUnmount() {
    if (this.props.handle?.current === this) this.props.handle.current = null;
    for (const item of this.state.items) if (item.preview) URL.revokeObjectURL(item.preview);
  }

  ids() {
    return this.state.items.filter((item) => item.image).map((item) => item.image.id);
  }

  images() {
    return this.state.items.filter((item) => item.image).map((item) => item.image);
  }

  busy() {
    return this.state.items.some((item) => item.progress !== null);
  }

  /** Resolves once no upload is under way; true when every photo is uploaded. */
  async settled() {
    while (this.uploads.size) await Promise.allSettled([...this.uploads.values()]);
    return this.state.items.every((item) => item.image);
  }

  clear() {
    for (const item of this.state.items) if (item.preview) URL.revokeObjectURL(item.preview);
    this.setState({ items: [], error: null }, () => this.props.onChange?.());
  }

  update(key, patch) {
    this.setState((state) => ({ items: state.items.map((item) => (item.key === key ? { ...item, ...patch } : item)) }),
      () => this.props.onChange?.());
  }

  choose(event) {
    const input = event.target;
    const files = [...input.files];
    input.value = ""; // the same photo may be chosen again after removing it
    const { max } = this.props;
    const room = max - this.state.items.length;
    const errors = [];
    if (files.length > room) {
      errors.push(interpolate(ngettext("At most %(max)s photo.", "At most %(max)s photos.", max), { max }));
    }
    const added = files.slice(0, Math.max(room, 0)).map((file) => {
      pickerCounter += 1;
      return {
        key: `p${pickerCounter}`, clientId: clientId("img"), file, name: file.name,
        preview: URL.createObjectURL(file), progress: 0, image: null, error: null,
      };
    });
    this.setState((state) => ({ items: [...state.items, ...added], error: errors.join(" ") || null }), () => {
      added.forEach((item) => this.send(item));
      this.props.onChange?.();
    });
  }

  send(item) {
    this.update(item.key, { progress: 0, error: null });
    const promise = upload("photos/", item.file, (progress) => this.update(item.key, { progress }), { fields: { client_id: item.clientId } })
      .then((image) => this.update(item.key, { image, progress: null }))
      .catch((error) => {
        const code = error instanceof ApiError ? error.code : "network";
        const message = interpolate(gettext("%(name)s: %(error)s"), { name: item.name, error: error.message });
        if (TRANSIENT.has(code)) {
          this.update(item.key, { progress: null, error: message }); // kept, to retry with the same client id
        } else {
          // Refused for good (not an image, too big…): nothing is attached, the field says why.
          if (item.preview) URL.revokeObjectURL(item.preview);
          this.setState((state) => ({
            items: state.items.filter((other) => other.key !== item.key),
            error: [state.error, message].filter(Boolean).join(" "),
          }), () => this.props.onChange?.());
        }
      })
      .finally(() => this.uploads.delete(item.key));
    this.uploads.set(item.key, promise);
  }

  remove(key) {
    const item = this.state.items.find((other) => other.key === key);
    if (item?.preview) URL.revokeObjectURL(item.preview);
    this.setState((state) => ({ items: state.items.filter((other) => other.key !== key) }), () => {
      this.props.onChange?.();
      this.base?.querySelector(".photo-add")?.focus();
    });
  }

  render({ max, label, error: serverError, compact }, { items, error }) {
    const fieldId = this.fieldId;
    const errors = [error, ...(serverError ? (Array.isArray(serverError) ? serverError : [serverError]) : [])].filter(Boolean);
    const full = items.length >= max;
    const hintId = `${fieldId}-hint`;
    const errorId = `${fieldId}-error`;
    const described = [!compact && hintId, errors.length && errorId].filter(Boolean).join(" ") || undefined;
    const input = (capture) => html`<input id=${capture ? `${fieldId}-camera` : fieldId} class="visually-hidden" type="file"
      accept="image/*" multiple=${!capture} capture=${capture ? "environment" : undefined} disabled=${full}
      aria-describedby=${described} aria-invalid=${errors.length ? "true" : undefined} onChange=${(event) => this.choose(event)} />`;
    return html`<div class=${cx("photo-picker", compact && "compact", errors.length && "has-error")}>
      <div class="photo-buttons">
        ${input(false)}
        <label for=${fieldId} class=${cx("button small photo-add", full && "disabled")}>
          ${label || gettext("Add photos")}</label>
        ${this.camera && html`${input(true)}<label for=${`${fieldId}-camera`} class=${cx("button small photo-camera", full && "disabled")}>
          ${gettext("Take a photo")}</label>`}
        ${!compact && html`<span class="hint" id=${hintId}>${interpolate(ngettext("Up to %(max)s photo.", "Up to %(max)s photos.", max), { max })}</span>`}
      </div>
      ${items.length > 0 && html`<ul class="attached" aria-label=${gettext("Attached photos")}>
        ${items.map((item, index) => {
          const name = interpolate(gettext("Photo %(n)s of %(count)s"), { n: index + 1, count: items.length });
          return html`<li key=${item.key} class=${cx("attached-photo", item.progress !== null && "uploading", item.error && "failed")}>
            <img src=${item.image?.thumbnail_url || item.preview} alt=${item.name || name} />
            ${item.progress !== null && html`<progress max="1" value=${item.progress}
              aria-label=${interpolate(gettext("Uploading %(name)s"), { name: item.name })}></progress>`}
            ${item.error && html`<p class="field-error">${item.error}
              <button type="button" class="link" onClick=${() => this.send(item)}>${gettext("Try again")}</button></p>`}
            <button type="button" class="small remove-photo" onClick=${() => this.remove(item.key)}
              aria-label=${interpolate(gettext("Remove %(name)s"), { name: item.name || name })}>×</button>
          </li>`;
        })}
      </ul>`}
      <p class="visually-hidden" role="status">${this.busy() ? gettext("Uploading photos…") : ""}</p>
      ${errors.length > 0 && html`<p class="field-error" id=${errorId} role="alert">${errors.join(" ")}</p>`}
    </div>`;
  }
}
