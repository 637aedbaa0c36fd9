// A form for each kind of post, built from the contract's post.json (its fields, their
// types, limits and what is required), so that a field added to the contract appears
// here. The rules between fields (an end after its start, a price to sell…) are the
// server's: its refusal names the field, and the error is shown there. Up to 6 photos,
// uploaded as soon as they are chosen, are attached by their ids (`image_ids`).
import * as api from "../core/api.js";
import { Field, FormError } from "../core/forms.js";
import { Component, createRef, html } from "../core/html.js";
import { PhotoPicker } from "../core/photos.js";
import { gettext } from "../core/i18n.js";
import { localInputToIso } from "../core/format.js";
import { choiceLabels, fieldHints, fieldLabel, kindHints, kindLabels } from "../core/posts.js";
import { navigate } from "../core/router.js";
import { icon } from "./icons.js";
import { putCards, toast } from "./state.js";

export const POST_MAX_PHOTOS = 6; // frontend-contract/README.md, Photos
const PHOTO_REFUSALS = new Set(["too_many_images", "image_not_found", "image_already_attached"]);
let schema = null;
/** post.json, fetched once; a failed fetch is forgotten so that the next call tries again. */
export function postSchema() {
  schema ||= fetch(document.body.dataset.postSchema, { credentials: "same-origin" })
    .then((response) => {
      if (!response.ok) throw new Error(`post.json: ${response.status}`);
      return response.json();
    })
    .catch((error) => {
      schema = null;
      throw error;
    });
  return schema;
}

/** How a property of post.json is typed in: the widget and the conversion to JSON. */
function widget(name, property) {
  if (property.enum) return "choice";
  if (property.type === "string" && property.format === "date-time") return "datetime";
  if (property.type === "string" && property.format === "date") return "date";
  if (property.type === "integer" && name.endsWith("_cents")) return "money";
  if (property.type === "integer" || property.type === "number") return "number";
  if (property.type === "array") return "list";
  if (property.type === "boolean") return "boolean";
  return property.maxLength > 200 ? "longtext" : "text";
}

function parse(kind, name, property, raw, required) {
  const value = typeof raw === "string" ? raw.trim() : raw;
  const type = widget(name, property);
  if (type === "boolean") return { value: Boolean(raw) };
  if (value === "" || value === undefined || value === null) {
    if (type === "list" && required) return { value: [] };
    return required ? { error: gettext("This field is required.") } : { skip: true };
  }
  if (type === "datetime") return { value: localInputToIso(value) };
  if (type === "money") {
    const euros = Number(value.replace(",", "."));
    return Number.isFinite(euros) && euros >= 0 ? { value: Math.round(euros * 100) } : { error: gettext("Enter an amount in euros.") };
  }
  if (type === "number") {
    const number = Number(value);
    return Number.isInteger(number) ? { value: number } : { error: gettext("Enter a whole number.") };
  }
  if (type === "list") {
    const items = value.split(/[,;\s]+/).filter(Boolean).map(Number);
    return items.every(Number.isInteger) ? { value: items } : { error: gettext("Enter whole numbers separated by commas.") };
  }
  return { value };
}

function DetailField({ kind, name, property, required, error, hidden }) {
  if (hidden) return null;
  const type = widget(name, property);
  const money = type === "money" ? " (€)" : "";
  const label = `${fieldLabel(kind, name)}${money}${required ? "" : ` ${gettext("(optional)")}`}`;
  const common = { label, name: `details.${name}`, id: `field-${name}`, error, hint: fieldHints()[name], required: required || undefined };
  switch (type) {
    case "choice":
      return html`<${Field} ...${common} as="select" options=${property.enum.map((value) => [value, choiceLabels()[value] || value])} />`;
    case "datetime":
      return html`<${Field} ...${common} type="datetime-local" />`;
    case "date":
      return html`<${Field} ...${common} type="date" />`;
    case "money":
      return html`<${Field} ...${common} type="number" min="0" step="0.01" inputmode="decimal" />`;
    case "number":
      return html`<${Field} ...${common} type="number" min=${property.minimum} max=${property.maximum} step="1" inputmode="numeric" />`;
    case "list":
      return html`<${Field} ...${common} inputmode="numeric" />`;
    case "boolean":
      return html`<div class="field check"><label><input type="checkbox" name=${common.name} /> ${label}</label></div>`;
    case "longtext":
      return html`<${Field} ...${common} as="textarea" rows="3" maxlength=${property.maxLength} />`;
    default:
      return html`<${Field} ...${common} maxlength=${property.maxLength} />`;
  }
}

function KindChooser() {
  const labels = kindLabels();
  const hints = kindHints();
  return html`<main id="main" class="screen new-post">
    <h1 class="screen-title">${gettext("New post")}</h1>
    <p class="lead">${gettext("What would you like to post?")}</p>
    <ul class="kinds">${Object.keys(labels).map((kind) => html`<li key=${kind}>
      <a class="kind-choice" href=${`#/new/${kind}`}><strong>${labels[kind]}</strong><span>${hints[kind]}</span></a>
    </li>`)}</ul>
  </main>`;
}

export class PostFormScreen extends Component {
  constructor() {
    super();
    this.state = { defs: null, errors: {}, error: null, busy: false, mode: null };
    this.clientId = api.clientId("post");
    this.picker = createRef();
  }

  componentDidMount() {
    this.loadSchema();
  }

  loadSchema() {
    this.setState({ schemaFailed: false });
    postSchema().then(
      (loaded) => this.setState({ defs: loaded.$defs }),
      () => this.setState({ schemaFailed: true }),
    );
  }

  componentDidUpdate(previous) {
    if (previous.kind !== this.props.kind) {
      this.clientId = api.clientId("post");
      this.setState({ errors: {}, error: null, mode: null });
    }
  }

  async submit(event) {
    event.preventDefault();
    const { kind } = this.props;
    const definition = this.state.defs[kind];
    const form = event.target;
    const errors = {};
    const details = {};
    for (const [name, property] of Object.entries(definition.properties)) {
      if (this.hidden(name)) continue;
      const element = form.elements[`details.${name}`];
      const required = definition.required.includes(name);
      const result = parse(kind, name, property, element?.type === "checkbox" ? element.checked : element?.value ?? "", required);
      if (result.error) errors[name] = [result.error];
      else if (!result.skip) details[name] = result.value;
    }
    const picker = this.picker.current;
    if (picker?.busy()) {
      this.setState({ busy: true });
      await picker.settled();
      this.setState({ busy: false });
    }
    if (picker && !picker.state.items.every((item) => item.image)) {
      errors.image_ids = [gettext("A photo is not uploaded: try again or remove it.")];
    }
    const title = form.elements.title.value.trim();
    if (!title) errors.title = [gettext("This field is required.")];
    if (Object.keys(errors).length) {
      this.setState({ errors, error: gettext("Please correct the fields below.") });
      form.querySelector("[aria-invalid=true]")?.focus();
      return;
    }
    const body = { client_id: this.clientId, kind, title, text: form.elements.text.value.trim(), details };
    const roomId = form.elements.room_id?.value;
    if (roomId) body.room_id = Number(roomId);
    const imageIds = picker ? picker.ids() : [];
    if (imageIds.length) body.image_ids = imageIds;
    this.setState({ busy: true, errors: {}, error: null });
    try {
      const created = await api.post("feed/posts/", body);
      putCards([created.card]);
      toast(gettext("Your post is published."), { tone: "success" });
      navigate(`rooms/${created.room_id}`);
    } catch (error) {
      const fieldErrors = error.fieldErrors ? error.fieldErrors() : {};
      if (PHOTO_REFUSALS.has(error.code) && !fieldErrors.image_ids) fieldErrors.image_ids = [error.message];
      this.setState({ busy: false, errors: fieldErrors, error: error.message });
      requestAnimationFrame(() => document.querySelector(".post-form [aria-invalid=true]")?.focus());
    }
  }

  hidden(name) {
    return this.props.kind === "classified" && name === "price_cents" && this.state.mode === "give";
  }

  render({ kind, state }, { defs, errors, error, busy, schemaFailed }) {
    if (!kind) return html`<${KindChooser} />`;
    if (!defs && schemaFailed) {
      return html`<main id="main" class="screen"><p class="empty" role="alert">${gettext("The form could not be loaded.")}</p>
        <button type="button" onClick=${() => this.loadSchema()}>${gettext("Try again")}</button></main>`;
    }
    if (!defs) return html`<main id="main" class="screen"><p class="empty" role="status">${gettext("Loading…")}</p></main>`;
    const definition = defs[kind];
    if (!definition) return html`<${KindChooser} />`;
    const rooms = Object.values(state.rooms).filter((room) => room.kind !== "direct" && room.neighbourhood_id === state.me.membership?.neighbourhood_id);
    const onChange = (event) => event.target.name === "details.mode" && this.setState({ mode: event.target.value });
    return html`<main id="main" class="screen new-post">
      <header class="screen-head">
        <a class="icon-button back" href="#/new" aria-label=${gettext("Back to the kinds of post")}>${icon("back")}</a>
        <h1 class="screen-title">${kindLabels()[kind]}</h1>
      </header>
      <form class="panel post-form" id="post-form" onSubmit=${(event) => this.submit(event)} onChange=${onChange} novalidate>
        <${Field} label=${fieldLabel(kind, "title")} name="title" required maxlength="120" error=${errors.title} />
        ${Object.entries(definition.properties).map(([name, property]) => html`<${DetailField} key=${name} kind=${kind} name=${name}
          property=${property} required=${definition.required.includes(name)} error=${errors[name]} hidden=${this.hidden(name)} />`)}
        <${Field} label=${`${fieldLabel(kind, "text")} ${gettext("(optional)")}`} name="text" as="textarea" rows="3" maxlength="4000" error=${errors.text} />
        <fieldset class="field photos-field">
          <legend>${gettext("Photos (optional)")}</legend>
          <${PhotoPicker} handle=${this.picker} max=${POST_MAX_PHOTOS} id="field-image_ids" error=${errors.image_ids} key=${`photos-${kind}`} />
        </fieldset>
        ${rooms.length > 1 && html`<${Field} label=${gettext("Room")} name="room_id" as="select"
          options=${rooms.map((room) => [room.id, room.name])} defaultValue=${rooms.find((room) => room.kind === "default")?.id} />`}
        <${FormError} error=${error} />
        <div class="actions">
          <a class="button" href="#/feed">${gettext("Cancel")}</a>
          <button type="submit" class="primary" disabled=${busy}>${gettext("Publish")}</button>
        </div>
        <p class="hint">${gettext("Your post appears in the room as a card. It stays open until what it is about ends, or for 14 days.")}</p>
      </form>
    </main>`;
  }
}
