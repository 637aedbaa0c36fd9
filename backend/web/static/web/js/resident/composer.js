// Writing in a room: send (Enter; Shift+Enter for a new line), reply with the quoted
// message, edit her own message, and mention a neighbour with completion ("@" then the
// first letters; arrows and Enter or Tab choose), and attach up to 4 photos (uploaded as
// soon as they are chosen; sent as the ids of message.send's `images`).
import { Component, createRef, cx, html } from "../core/html.js";
import { gettext, interpolate } from "../core/i18n.js";
import { PhotoPicker } from "../core/photos.js";
import { withKey } from "../core/store.js";
import { editMessage, roomMembers, sendMessage, typing } from "./chat.js";
import { icon } from "./icons.js";
import { myId, store } from "./state.js";

export function setComposer(roomId, patch) {
  store.set((state) => ({ composer: withKey(state.composer, roomId, { ...(state.composer[roomId] || {}), ...patch }) }));
}

const MENTION = /(^|\s)@([^\s@]{0,40})$/u;
export const MESSAGE_MAX_PHOTOS = 4; // frontend-contract/README.md, Photos

export class Composer extends Component {
  constructor() {
    super();
    this.input = createRef();
    this.picker = createRef();
    this.mentions = new Map(); // user id -> display name inserted by completion
    this.state = { suggestions: [], active: 0, members: [], waiting: false, photos: 0 };
  }

  componentDidMount() {
    // She may have typed "@…" before the members arrived: complete it then.
    roomMembers(this.props.room).then((members) => this.setState({ members }, () => this.suggest()));
  }

  componentDidUpdate(previous) {
    const before = previous.state.composer[previous.room.id] || {};
    const now = this.composerState();
    if (now.editing && now.editing !== before.editing) {
      const message = this.props.state.messages[this.props.room.id]?.byId[now.editing];
      if (message) this.input.current.value = message.text;
      this.input.current.focus();
    } else if (now.replyTo && now.replyTo !== before.replyTo) {
      this.input.current.focus();
    }
  }

  composerState() {
    return this.props.state.composer[this.props.room.id] || {};
  }

  cancel() {
    const { editing } = this.composerState();
    setComposer(this.props.room.id, { replyTo: null, editing: null });
    if (editing) this.input.current.value = "";
  }

  async submit(event) {
    event?.preventDefault();
    const field = this.input.current;
    const { room } = this.props;
    const { editing } = this.composerState();
    const picker = this.picker.current;
    if (!editing && picker?.busy()) {
      // Sent once the photos chosen are uploaded (none is sent if one failed: its error shows).
      if (this.state.waiting) return;
      this.setState({ waiting: true });
      const ready = await picker.settled();
      this.setState({ waiting: false });
      if (!ready) return;
    }
    const text = field.value.trim();
    const images = editing || !picker ? [] : picker.images();
    if (!text && !images.length) return;
    const { replyTo } = this.composerState();
    if (editing) {
      if (!text) return;
      try {
        await editMessage(editing, text);
        field.value = "";
        setComposer(room.id, { editing: null });
      } catch {
        // shown by the action
      }
      return;
    }
    const mentions = [...this.mentions].filter(([, name]) => text.includes(`@${name}`)).map(([id]) => id);
    field.value = "";
    this.mentions.clear();
    this.setState({ suggestions: [] });
    setComposer(room.id, { replyTo: null });
    picker?.clear();
    sendMessage(room.id, text, { replyTo, mentions, images }).catch(() => {
      if (!field.value) field.value = text; // refused: give her text back
    });
  }

  onInput() {
    typing(this.props.room.id);
    this.suggest();
  }

  suggest() {
    const field = this.input.current;
    if (!field) return;
    const match = field.value.slice(0, field.selectionStart).match(MENTION);
    if (!match) {
      if (this.state.suggestions.length) this.setState({ suggestions: [] });
      return;
    }
    const query = match[2].toLocaleLowerCase();
    const suggestions = this.state.members
      .filter((person) => person.id !== myId() && person.display_name.toLocaleLowerCase().split(/\s+/).some((word) => word.startsWith(query)))
      .slice(0, 6);
    this.setState({ suggestions, active: 0 });
  }

  choose(person) {
    const field = this.input.current;
    const caret = field.selectionStart;
    const before = field.value.slice(0, caret).replace(/@([^\s@]{0,40})$/u, `@${person.display_name} `);
    field.value = before + field.value.slice(caret);
    field.setSelectionRange(before.length, before.length);
    this.mentions.set(person.id, person.display_name);
    this.setState({ suggestions: [] });
    field.focus();
  }

  onKeyDown(event) {
    const { suggestions, active } = this.state;
    if (suggestions.length) {
      if (event.key === "ArrowDown" || event.key === "ArrowUp") {
        event.preventDefault();
        const step = event.key === "ArrowDown" ? 1 : -1;
        this.setState({ active: (active + step + suggestions.length) % suggestions.length });
        return;
      }
      if (event.key === "Enter" || event.key === "Tab") {
        event.preventDefault();
        this.choose(suggestions[active]);
        return;
      }
      if (event.key === "Escape") {
        this.setState({ suggestions: [] });
        return;
      }
    }
    if (event.key === "Escape") this.cancel();
    else if (event.key === "Enter" && !event.shiftKey && !event.isComposing) this.submit(event);
  }

  render({ room, state }, { suggestions, active, waiting }) {
    const { replyTo, editing } = this.composerState();
    const replied = replyTo ? state.messages[room.id]?.byId[replyTo] : null;
    const listId = `mentions-${room.id}`;
    return html`<form class="composer" onSubmit=${(event) => this.submit(event)}>
      ${(replied || editing) && html`<div class="composer-context">
        <span>${editing ? gettext("Editing your message")
          : interpolate(gettext("Replying to %(name)s: %(text)s"), { name: replied.author.display_name, text: replied.text.slice(0, 80) })}</span>
        <button type="button" class="link" onClick=${() => this.cancel()}>${gettext("Cancel")}</button>
      </div>`}
      ${suggestions.length > 0 && html`<ul class="suggestions" role="listbox" id=${listId} aria-label=${gettext("Neighbours to mention")}>
        ${suggestions.map((person, index) => html`<li role="option" id=${`${listId}-${person.id}`} key=${person.id}
            aria-selected=${index === active ? "true" : "false"} class=${cx(index === active && "active")}
            onMouseDown=${(event) => { event.preventDefault(); this.choose(person); }}>
          ${person.display_name}${person.street ? html` <span class="muted">· ${person.street}</span>` : ""}
        </li>`)}
      </ul>`}
      ${!editing && html`<${PhotoPicker} handle=${this.picker} max=${MESSAGE_MAX_PHOTOS} id=${`composer-photos-${room.id}`} compact
        onChange=${() => this.setState({ photos: this.picker.current?.state.items.length || 0 })} />`}
      <label class="visually-hidden" for=${`composer-${room.id}`}>${gettext("Your message")}</label>
      <textarea id=${`composer-${room.id}`} ref=${this.input} rows="1" maxlength="4000" autocomplete="off"
        placeholder=${gettext("Write to your neighbours…")}
        aria-activedescendant=${suggestions.length ? `${listId}-${suggestions[active]?.id}` : undefined}
        onInput=${() => this.onInput()} onKeyDown=${(event) => this.onKeyDown(event)}></textarea>
      <button type="submit" class="primary send" aria-label=${editing ? gettext("Save") : gettext("Send")} disabled=${waiting}>
        ${icon("send")}<span class="send-label">${editing ? gettext("Save") : gettext("Send")}</span>
      </button>
    </form>`;
  }
}
