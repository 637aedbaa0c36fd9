// The rooms screen: the list of her rooms with their unread counts, and a room's
// messages (author, time, day separators, older pages, replies, reactions, cards, and the
// actions on each message). On a phone one of the two at a time; on a desktop both.
import * as api from "../core/api.js";
import { Field } from "../core/forms.js";
import { Component, createRef, cx, html } from "../core/html.js";
import { gettext, interpolate, ngettext } from "../core/i18n.js";
import { dayKey, dayLabel, formatDateTime, formatTime } from "../core/format.js";
import { emptyRoom, orderedMessages } from "../core/messages.js";
import { Photos } from "../core/photos.js";
import { navigate, parseRoute } from "../core/router.js";
import { richText } from "../core/text.js";
import { Card } from "./cards.js";
import { OfficialCard } from "./official.js";
import { currentRoomId, deleteMessage, loadOlder, openDirect, react, refreshMessage } from "./chat.js";
import { Composer, setComposer } from "./composer.js";
import { icon } from "./icons.js";
import { myId, openDialog, store } from "./state.js";

export const EMOJIS = ["👍", "❤️", "😂", "🎉", "🙏", "😮"];
const WIDE = matchMedia("(min-width: 900px)");

export function roomName(room) {
  if (room.kind !== "direct") return room.name;
  const other = room.participants.find((person) => person.id !== myId());
  return other ? other.display_name : room.name;
}

function sortedRooms(rooms) {
  const rank = { default: 0, topic: 1, direct: 2 };
  return Object.values(rooms).sort((a, b) => rank[a.kind] - rank[b.kind] || roomName(a).localeCompare(roomName(b)));
}

class NewTopic extends Component {
  constructor() {
    super();
    this.state = { open: false, error: null };
  }

  async submit(event) {
    event.preventDefault();
    const name = new FormData(event.target).get("name").trim();
    if (!name) return;
    try {
      const room = await api.post("chat/rooms/", { neighbourhood_id: this.props.neighbourhoodId, name });
      store.set((state) => ({ rooms: { ...state.rooms, [room.id]: state.rooms[room.id] || room } }));
      this.setState({ open: false, error: null });
      navigate(`rooms/${room.id}`);
    } catch (error) {
      this.setState({ error: error.message });
    }
  }

  render(_, { open, error }) {
    if (!open) {
      return html`<button type="button" class="small new-topic" onClick=${() => this.setState({ open: true })}>${gettext("New topic room")}</button>`;
    }
    return html`<form class="new-topic-form" onSubmit=${(event) => this.submit(event)}>
      <${Field} label=${gettext("Name of the topic room")} name="name" id="topic-name" required maxlength="80" error=${error} />
      <div class="actions">
        <button type="button" class="small" onClick=${() => this.setState({ open: false, error: null })}>${gettext("Cancel")}</button>
        <button type="submit" class="small primary">${gettext("Create")}</button>
      </div>
    </form>`;
  }
}

function RoomList({ state, currentId }) {
  const rooms = sortedRooms(state.rooms);
  const kindLabel = { default: gettext("Neighbourhood"), topic: gettext("Topic"), direct: gettext("Conversation") };
  const membership = state.me.membership;
  const moderates = membership && state.me.moderates.includes(membership.neighbourhood_id);
  const online = (room) => room.kind === "direct" && room.participants.some((person) => person.id !== myId() && state.online[person.id]);
  return html`<nav class="room-list" aria-label=${gettext("Rooms")}>
    <div class="list-head">
      <h2 class="list-title">${gettext("Rooms")}</h2>
      ${moderates && html`<${NewTopic} neighbourhoodId=${membership.neighbourhood_id} />`}
    </div>
    ${rooms.length === 0 && html`<p class="empty">${gettext("No room yet.")}</p>`}
    <ul>
      ${rooms.map((room) => html`<li key=${room.id}>
        <a href=${`#/rooms/${room.id}`} class=${cx("room-link", room.id === currentId && "active", room.unread > 0 && "unread")}
          aria-current=${room.id === currentId ? "page" : undefined}>
          <span class="room-name">${roomName(room)}</span>
          <span class="room-kind">${kindLabel[room.kind]}${online(room) ? html` · <span class="online">${gettext("online")}</span>` : ""}</span>
          ${room.unread > 0 && html`<span class="badge" aria-label=${interpolate(ngettext("%(n)s unread message", "%(n)s unread messages", room.unread), { n: room.unread })}>
            ${room.unread > 99 ? "99+" : room.unread}</span>`}
        </a>
      </li>`)}
    </ul>
  </nav>`;
}

function Quote({ quoted }) {
  if (!quoted) return null;
  return html`<blockquote class="quote">
    <span class="quote-author">${quoted.author.display_name}</span>
    <span class="quote-text">${quoted.deleted ? gettext("Deleted message") : quoted.text}</span>
  </blockquote>`;
}

function Reactions({ message }) {
  const mine = myId();
  if (!message.reactions?.length) return null;
  return html`<div class="reactions">
    ${message.reactions.map((reaction) => {
      const pressed = reaction.user_ids.includes(mine);
      return html`<button type="button" class=${cx("reaction", pressed && "pressed")} aria-pressed=${pressed ? "true" : "false"}
          key=${reaction.emoji} onClick=${() => react(message.id, reaction.emoji, !pressed)}
          aria-label=${interpolate(ngettext("%(emoji)s: %(n)s reaction", "%(emoji)s: %(n)s reactions", reaction.count), { emoji: reaction.emoji, n: reaction.count })}>
        <span aria-hidden="true">${reaction.emoji} ${reaction.count}</span>
      </button>`;
    })}
  </div>`;
}

function MessageActions({ message, room, official }) {
  const mine = message.author.id === myId();
  const reactedWith = (emoji) => message.reactions?.some((r) => r.emoji === emoji && r.user_ids.includes(myId()));
  const confirmDelete = () => openDialog({
    kind: "confirm", title: gettext("Delete this message?"), body: gettext("Neighbours will see that a message was deleted."),
    confirm: gettext("Delete"), danger: true, onConfirm: () => deleteMessage(message.id),
  });
  const report = () => openDialog({ kind: "report", target: { message_id: message.id }, about: message.text });
  const close = () => store.set({ openMenu: null });
  return html`<div class="message-actions" id=${`actions-${message.id}`}>
    <div class="emoji-picker" role="group" aria-label=${gettext("React")}>
      ${EMOJIS.map((emoji) => html`<button type="button" class=${cx("emoji", reactedWith(emoji) && "pressed")} key=${emoji}
        aria-label=${interpolate(gettext("React with %(emoji)s"), { emoji })} aria-pressed=${reactedWith(emoji) ? "true" : "false"}
        onClick=${() => { react(message.id, emoji, !reactedWith(emoji)); close(); }}>${emoji}</button>`)}
    </div>
    <button type="button" onClick=${() => { setComposer(room.id, { replyTo: message.id, editing: null }); close(); }}>${gettext("Reply")}</button>
    ${mine && !message.card && html`<button type="button" onClick=${() => { setComposer(room.id, { editing: message.id, replyTo: null }); close(); }}>${gettext("Edit")}</button>`}
    ${mine && html`<button type="button" class="danger" onClick=${confirmDelete}>${gettext("Delete")}</button>`}
    ${!mine && html`<button type="button" onClick=${report}>${gettext("Report")}</button>`}
    ${!mine && !official && room.kind !== "direct" && html`<button type="button" onClick=${() => openDirect(message.author.id)}>
      ${interpolate(gettext("Message %(name)s"), { name: message.author.display_name })}</button>`}
  </div>`;
}

function MessageBody({ message, state }) {
  if (message.deleted) return html`<p class="text muted">${message.removed ? gettext("Removed by a moderator") : gettext("Message deleted")}</p>`;
  if (message.hidden) return html`<p class="text muted">${gettext("Hidden until a moderator reviews it")}</p>`;
  const names = (message.mentions || []).map((id) => state.people[id]).filter(Boolean);
  if (message.card?.organisation) {
    return html`<${OfficialCard} card=${message.card} state=${state} message=${message} />`;
  }
  const card = message.card ? state.cards[message.card.post_id] || message.card : null;
  return html`
    ${(!card || message.text !== card.title) && message.text && html`<p class="text">${richText(message.text, { mentionNames: names })}</p>`}
    <${Photos} images=${message.images} about=${interpolate(gettext("sent by %(name)s"), { name: message.author.display_name })}
      onExpired=${message.pending ? undefined : () => refreshMessage(message.room_id, message.seq)} />
    ${card && html`<${Card} card=${card} state=${state} messageId=${message.id} roomId=${message.room_id} />`}`;
}

function Message({ message, room, state }) {
  const mine = message.author.id === myId();
  const menuOpen = state.openMenu === message.id;
  const mentionsMe = message.mentions?.includes(myId());
  // An organisation writes with an account nobody can open a profile of or message.
  const official = Boolean(state.voices[message.author.id]);
  // The latest name the page saw (a card tells a renamed or erased author's new one).
  const name = state.people[message.author.id] || message.author.display_name;
  return html`<article class=${cx("message", mine && "mine", message.pending && "pending", mentionsMe && "mentions-me", message.card && "has-card", official && "official")}
      id=${`message-${message.id}`} aria-label=${interpolate(gettext("Message from %(name)s"), { name })}>
    <header class="message-head">
      ${official ? html`<span class="author official">${message.author.display_name} · ${gettext("Official")}</span>`
        : html`<a class="author" href=${`#/people/${message.author.id}`}>${name}</a>`}
      <time datetime=${message.created_at} title=${formatDateTime(message.created_at)}>${formatTime(message.created_at)}</time>
      ${message.edited_at && !message.deleted && html`<span class="edited">${gettext("edited")}</span>`}
      ${message.pending && html`<span class="sending">${gettext("Sending…")}</span>`}
      ${!message.pending && !message.deleted && html`<button type="button" class="icon-button more" aria-expanded=${menuOpen ? "true" : "false"}
          aria-controls=${`actions-${message.id}`} aria-label=${gettext("Actions on this message")}
          onClick=${() => store.set({ openMenu: menuOpen ? null : message.id })}>${icon("more")}</button>`}
    </header>
    <${Quote} quoted=${message.reply_to} />
    <${MessageBody} message=${message} state=${state} />
    <${Reactions} message=${message} />
    ${menuOpen && html`<${MessageActions} message=${message} room=${room} official=${official} />`}
  </article>`;
}

function Typing({ typing }) {
  const names = Object.values(typing || {}).filter((entry) => entry.until > Date.now()).map((entry) => entry.name);
  const text = names.length === 0 ? "" : names.length === 1
    ? interpolate(gettext("%(name)s is typing…"), { name: names[0] })
    : gettext("Several neighbours are typing…");
  return html`<p class="typing" aria-live="polite">${text}</p>`;
}

class MessageList extends Component {
  constructor() {
    super();
    this.list = createRef();
  }

  getSnapshotBeforeUpdate() {
    const list = this.list.current;
    if (!list) return null;
    return { atBottom: list.scrollHeight - list.scrollTop - list.clientHeight < 80, fromBottom: list.scrollHeight - list.scrollTop, first: this.first };
  }

  componentDidMount() {
    this.list.current.scrollTop = this.list.current.scrollHeight;
  }

  componentDidUpdate(_, __, snapshot) {
    const list = this.list.current;
    if (!snapshot || !list) return;
    if (snapshot.first !== undefined && snapshot.first !== this.first) list.scrollTop = list.scrollHeight - snapshot.fromBottom;
    else if (snapshot.atBottom) list.scrollTop = list.scrollHeight;
  }

  render({ room, roomState, state }) {
    const messages = orderedMessages(roomState);
    this.first = messages[0]?.id;
    const items = [];
    let lastDay = null;
    for (const message of messages) {
      const day = dayKey(message.created_at);
      if (day !== lastDay) {
        items.push(html`<h3 class="day" key=${`day-${day}`}><span>${dayLabel(message.created_at)}</span></h3>`);
        lastDay = day;
      }
      items.push(html`<${Message} message=${message} room=${room} state=${state} key=${message.id} />`);
    }
    return html`<div class="messages" ref=${this.list} role="log" aria-label=${interpolate(gettext("Messages of %(room)s"), { room: roomName(room) })} tabindex="0">
      ${roomState.nextBefore !== null && roomState.loaded && html`<p class="older">
        <button type="button" onClick=${() => loadOlder(room.id)} disabled=${roomState.loadingOlder}>
          ${roomState.loadingOlder ? gettext("Loading…") : gettext("Load older messages")}</button></p>`}
      ${!roomState.loaded && html`<p class="empty" role="status">${gettext("Loading…")}</p>`}
      ${roomState.loaded && messages.length === 0 && html`<p class="empty">${gettext("No message yet: say hello to your neighbours!")}</p>`}
      ${items}
    </div>`;
  }
}

function RoomView({ room, state }) {
  const roomState = state.messages[room.id] || emptyRoom();
  const other = room.kind === "direct" ? room.participants.find((person) => person.id !== myId()) : null;
  return html`<section class="room-view" aria-labelledby="room-title">
    <header class="room-head">
      <a class="icon-button back" href="#/rooms" aria-label=${gettext("Back to the rooms")}>${icon("back")}</a>
      <h2 id="room-title">${roomName(room)}</h2>
      ${other && html`<a class="head-link" href=${`#/people/${other.id}`}>${gettext("Profile")}</a>`}
      ${room.kind !== "direct" && html`<a class="head-link" href="#/new">${gettext("New post")}</a>`}
    </header>
    <${MessageList} room=${room} roomState=${roomState} state=${state} key=${room.id} />
    <${Typing} typing=${state.typing[room.id]} />
    <${Composer} room=${room} state=${state} key=${`composer-${room.id}`} />
  </section>`;
}

/** On a wide screen the rooms screen never stays empty. The location is read again: it
 * may have moved on (a link followed while the room list arrived) since this render. */
function openFirstRoom(roomId) {
  const route = parseRoute();
  if (["", "rooms"].includes(route.name) && !route.params[0]) location.replace(`#/rooms/${roomId}`);
}

export function RoomsScreen({ state }) {
  const roomId = currentRoomId(state);
  const room = roomId ? state.rooms[roomId] : null;
  const rooms = sortedRooms(state.rooms);
  if (!room && WIDE.matches && rooms.length) queueMicrotask(() => openFirstRoom(rooms[0].id));
  return html`<main id="main" class=${cx("screen rooms-screen", room ? "has-room" : "no-room")}>
    <${RoomList} state=${state} currentId=${roomId} />
    ${room ? html`<${RoomView} room=${room} state=${state} key=${room.id} />` : html`<section class="room-view placeholder">
      <p class="empty">${rooms.length ? gettext("Choose a room.") : gettext("Your neighbourhood's rooms open once your membership is verified.")}</p>
      ${!rooms.length && html`<p><a href="#/join">${gettext("See my membership")}</a></p>`}
    </section>`}
  </main>`;
}
