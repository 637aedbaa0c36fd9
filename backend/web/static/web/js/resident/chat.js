// Rooms and messages: the socket (core/socket.js) and what its frames do to the store;
// the actions of the rooms screen (open a room, load older, send, edit, delete, react,
// mark read, type). The views are in rooms.js and composer.js.
import * as api from "../core/api.js";
import { gettext, interpolate } from "../core/i18n.js";
import {
  addPending, emptyRoom, oldestSeq, orderedMessages, patchMessage, removeMessage, upsertMessages,
} from "../core/messages.js";
import { notifyIfHidden } from "../core/notify.js";
import { navigate, parseRoute } from "../core/router.js";
import { CLOSE, ContractSocket } from "../core/socket.js";
import { withKey } from "../core/store.js";
import { learnPeople, myId, putCards, showError, store, toast } from "./state.js";

export const socket = new ContractSocket({
  onFrame: (frame) => (handlers[frame.type] || (() => {}))(frame),
  onStatus: (status) => store.set({ connection: status }),
});

/** Hooks the rest of the app sets: what a trust decision, the end of the session, the
 * erasure of her account, a (re)connection, an area alert, a change of a civic report she
 * follows, her archive ready or a partner of hers leaving does. */
export const hooks = {
  onTrustNotice: null, onSessionEnded: null, onAccountErased: null, onBanned: null, onHello: null, onAlert: null,
  onReportUpdated: null, onExportReady: null, onPartnerLeft: null,
};

const PAGE_SIZE = 50;

export function currentRoomId(state = store.get()) {
  return state.route.name === "rooms" && state.route.params[0] ? Number(state.route.params[0]) : null;
}

function roomState(state, roomId) {
  return state.messages[roomId] || emptyRoom();
}

function setRoom(roomId, update) {
  store.set((state) => ({ messages: withKey(state.messages, roomId, update(roomState(state, roomId))) }));
}

function setRoomInfo(roomId, patch) {
  store.set((state) => {
    const room = state.rooms[roomId];
    return room ? { rooms: withKey(state.rooms, roomId, { ...room, ...patch }) } : null;
  });
}

function learnFromMessages(messages) {
  learnPeople(messages.flatMap((message) => [message.author, message.reply_to?.author]));
  // Posts' cards are kept current by post; organisations' cards (city.json) tell who
  // writes for an organisation, so that its answers in the thread show as official.
  putCards(messages.map((message) => message.card).filter((card) => card?.post_id));
  const voices = messages.filter((message) => message.card?.organisation && !store.get().voices[message.author.id]);
  if (voices.length) {
    store.set((state) => ({ voices: { ...state.voices, ...Object.fromEntries(voices.map((message) => [message.author.id, message.card.organisation])) } }));
  }
}

// Read markers: the room she is looking at, while the page is visible.

const readSent = {};
let readTimer = null;

export function markRead() {
  clearTimeout(readTimer);
  readTimer = setTimeout(() => {
    const roomId = currentRoomId();
    if (!roomId || document.visibilityState !== "visible") return;
    const seq = socket.cursor(roomId);
    if (seq === null || seq <= (readSent[roomId] ?? -1) || seq < 1) return;
    readSent[roomId] = seq;
    socket.request({ type: "read", room_id: roomId, seq }).catch((error) => {
      if (error.code === "read_backwards") readSent[roomId] = error.frame.read_seq;
    });
  }, 250);
}
document.addEventListener("visibilitychange", markRead);

// What a room frame says about the page being hidden: a notification for what is
// addressed to her.

function notifyMessage(room, message) {
  if (!room || message.author.id === myId()) return;
  const mentioned = message.mentions?.includes(myId());
  if (!mentioned && room.kind !== "direct") return;
  notifyIfHidden({
    title: mentioned
      ? interpolate(gettext("%(name)s mentioned you"), { name: message.author.display_name })
      : message.author.display_name,
    body: message.card ? message.card.title : message.text || (message.images?.length ? gettext("Photo") : ""),
    tag: `room-${room.id}`,
    onClick: () => navigate(`rooms/${room.id}`),
  });
}

async function notifyActivity(room, count) {
  if (document.visibilityState !== "hidden" || typeof Notification === "undefined" || Notification.permission !== "granted") return;
  try {
    const page = await api.get(`chat/rooms/${room.id}/messages/`, { limit: Math.min(count, 20) });
    page.messages.slice().reverse().forEach((message) => notifyMessage(room, message));
  } catch {
    // a notification is a nicety
  }
}

const handlers = {
  hello(frame) {
    const rooms = {};
    for (const room of frame.rooms) rooms[room.id] = room;
    learnPeople([frame.user, ...frame.rooms.flatMap((room) => room.participants)]);
    const online = {};
    for (const entry of frame.presence) for (const id of entry.online) online[id] = true;
    store.set({ rooms, online });
    for (const roomId of Object.keys(store.get().messages)) {
      if (!rooms[roomId]) socket.forget(Number(roomId));
    }
    hooks.onHello?.();
  },

  subscribed(frame) {
    const { room_id: roomId, messages, gap } = frame;
    learnFromMessages(messages);
    if (gap) {
      // More changed than a catch-up carries: start the room again from its latest page
      // (her messages still on their way stay). Until it is here the room says it is
      // loading, and offers no older page: there is nothing to page back from yet.
      setRoom(roomId, (room) => orderedMessages(room).filter((message) => message.pending)
        .reduce(addPending, { ...emptyRoom(), reloading: true }));
      loadLatest(roomId);
    } else {
      setRoom(roomId, (room) => {
        const next = upsertMessages(room, messages);
        if (room.loaded || room.reloading) return next;
        const oldest = messages[0]?.seq ?? 1;
        return { ...next, loaded: true, nextBefore: messages.length >= PAGE_SIZE && oldest > 1 ? oldest : null };
      });
    }
    setRoomInfo(roomId, { last_seq: Math.max(frame.seq, store.get().rooms[roomId]?.last_seq ?? 0) });
    if (roomId === currentRoomId()) markRead();
  },

  "message.new"(frame) {
    const { message } = frame;
    learnFromMessages([message]);
    setRoom(frame.room_id, (room) => upsertMessages(room, [message]));
    const room = store.get().rooms[frame.room_id];
    setRoomInfo(frame.room_id, { last_seq: frame.seq });
    if (frame.room_id === currentRoomId() && document.visibilityState === "visible") {
      markRead();
    } else if (room && message.author.id !== myId()) {
      setRoomInfo(frame.room_id, { unread: (room.unread || 0) + 1 });
      notifyMessage(room, message);
    }
  },

  "message.edited"(frame) {
    learnFromMessages([frame.message]);
    setRoom(frame.room_id, (room) => upsertMessages(room, [frame.message]));
  },

  "message.deleted"(frame) {
    // A post's own card deleted (not a responder's quote in a conversation): the post went
    // with it, so the Posts tab and the map drop it too.
    const state = store.get();
    const card = roomState(state, frame.room_id).byId[frame.message_id]?.card;
    if (card && state.rooms[frame.room_id]?.kind !== "direct") putCards([{ ...card, deleted: true }]);
    setRoom(frame.room_id, (room) =>
      patchMessage(room, frame.message_id, { deleted: true, text: "", card: null, reactions: [], changed_seq: frame.seq }));
  },

  "reaction.changed"(frame) {
    setRoom(frame.room_id, (room) => patchMessage(room, frame.message_id, { reactions: frame.reactions, changed_seq: frame.seq }));
  },

  "card.updated"(frame) {
    putCards([frame.card]);
    setRoom(frame.room_id, (room) => patchMessage(room, frame.message_id, { card: frame.card, changed_seq: frame.seq }));
  },

  typing(frame) {
    if (frame.user.id === myId()) return;
    const until = Date.now() + 5000;
    store.set((state) => ({
      typing: withKey(state.typing, frame.room_id, { ...(state.typing[frame.room_id] || {}), [frame.user.id]: { name: frame.user.display_name, until } }),
    }));
    setTimeout(() => {
      store.set((state) => {
        const room = { ...(state.typing[frame.room_id] || {}) };
        if (!room[frame.user.id] || room[frame.user.id].until > Date.now()) return null;
        delete room[frame.user.id];
        return { typing: withKey(state.typing, frame.room_id, room) };
      });
    }, 5100);
  },

  "read.updated"(frame) {
    setRoomInfo(frame.room_id, { unread: frame.unread });
  },

  "rooms.activity"(frame) {
    for (const activity of frame.rooms) {
      const room = store.get().rooms[activity.room_id];
      if (!room) continue;
      const others = activity.author_ids.filter((id) => id !== myId()).length;
      setRoomInfo(activity.room_id, { unread: (room.unread || 0) + others, last_seq: activity.seq });
      if (others) notifyActivity(room, others);
    }
  },

  "room.added"(frame) {
    learnPeople(frame.room.participants);
    store.set((state) => ({ rooms: withKey(state.rooms, frame.room.id, frame.room) }));
  },

  "room.left"(frame) {
    const room = store.get().rooms[frame.room_id];
    forgetRoom(frame.room_id);
    if (room) toast(interpolate(gettext("You no longer have access to %(room)s."), { room: roomLabel(room) }), { tone: "error" });
    // The socket tells the rooms it followed; the others of her neighbourhood went too.
    refreshRooms();
  },

  "room.refused"(frame) {
    forgetRoom(frame.room_id);
    refreshRooms();
  },

  "presence.changed"(frame) {
    store.set((state) => {
      const online = { ...state.online };
      for (const userId of frame.online) online[userId] = true;
      for (const userId of frame.offline) delete online[userId];
      return { online };
    });
  },

  "session.ended"(frame) {
    if (frame.reason === "account_erased") hooks.onAccountErased?.();
    else hooks.onSessionEnded?.();
  },

  "socket.closed"(frame) {
    if (frame.code === CLOSE.ERASED) hooks.onAccountErased?.();
    else hooks.onSessionEnded?.(true);
  },

  "export.ready"(frame) {
    hooks.onExportReady?.(frame.export);
  },

  "partner.left"(frame) {
    hooks.onPartnerLeft?.(frame);
  },

  "trust.notice"(frame) {
    hooks.onTrustNotice?.(frame.notice);
  },

  "moderation.notice"(frame) {
    const { action } = frame;
    const what = {
      remove: gettext("A moderator removed one of your messages or posts."),
      restore: gettext("A moderator restored one of your messages or posts."),
      mute: gettext("A moderator muted you for a while."),
      ban: gettext("The moderators removed you from the neighbourhood."),
    }[action.kind] || gettext("A moderator took a decision about you.");
    toast(`${what} ${interpolate(gettext("Reason: %(reason)s"), { reason: action.reason })}`, { tone: "error", timeout: 15000 });
    if (action.kind === "ban") hooks.onBanned?.(); // her membership is revoked: the page follows
  },

  "city.alert"(frame) {
    hooks.onAlert?.(frame.alert);
  },

  "city.report.updated"(frame) {
    hooks.onReportUpdated?.(frame.report);
  },

  "report.closed"(frame) {
    toast(frame.outcome === "upheld"
      ? gettext("The moderators acted on your report. Thank you.")
      : gettext("The moderators reviewed your report and kept the content."));
  },

  error(frame) {
    if (frame.code === "not_subscribed") return; // a typing frame that crossed an unsubscription
    showError(frame);
  },
};

function roomLabel(room) {
  if (room.kind !== "direct") return room.name;
  return room.participants.find((person) => person.id !== myId())?.display_name || room.name;
}

function forgetRoom(roomId) {
  socket.forget(roomId);
  store.set((state) => ({ rooms: withKey(state.rooms, roomId, undefined) }));
  // The location, not the store's route, which follows it only at the next hashchange:
  // a ban sends her to her membership page and takes her rooms in the same moment.
  if (currentRoomId({ route: parseRoute() }) === roomId) location.replace("#/rooms");
}

/** The rooms she reads now (chat_rooms), after she lost some. */
export async function refreshRooms() {
  try {
    const rooms = await api.get("chat/rooms/");
    const byId = {};
    for (const room of rooms) byId[room.id] = room;
    for (const roomId of Object.keys(store.get().rooms)) if (!byId[roomId]) forgetRoom(Number(roomId));
    store.set({ rooms: byId });
  } catch {
    // the next hello brings them
  }
}

// Opening rooms: the one on screen is subscribed, the others count unread through
// rooms.activity.

let subscribedRoom = null;

export function followCurrentRoom() {
  const roomId = currentRoomId();
  const state = store.get();
  const readable = roomId && state.rooms[roomId];
  const wanted = readable ? roomId : null;
  if (wanted === subscribedRoom) return;
  if (subscribedRoom) socket.unsubscribe(subscribedRoom);
  subscribedRoom = wanted;
  if (wanted) {
    socket.subscribe(wanted);
    markRead();
  }
}

async function loadLatest(roomId) {
  try {
    const page = await api.get(`chat/rooms/${roomId}/messages/`, { limit: PAGE_SIZE });
    learnFromMessages(page.messages);
    setRoom(roomId, (room) => ({
      ...upsertMessages(room, page.messages), loaded: true, reloading: false, nextBefore: page.next_before,
    }));
  } catch (error) {
    // "Load older messages" then asks for the latest page again.
    setRoom(roomId, (room) => ({ ...room, loaded: true, reloading: false, nextBefore: undefined }));
    showError(error);
  }
}

export async function loadOlder(roomId) {
  const room = roomState(store.get(), roomId);
  if (room.loadingOlder || room.nextBefore === null) return;
  setRoom(roomId, (current) => ({ ...current, loadingOlder: true }));
  try {
    const before = room.nextBefore ?? oldestSeq(room);
    const page = await api.get(`chat/rooms/${roomId}/messages/`, { before, limit: PAGE_SIZE });
    learnFromMessages(page.messages);
    setRoom(roomId, (current) => ({
      ...upsertMessages(current, page.messages, { fillOnly: true }), loadingOlder: false, nextBefore: page.next_before,
    }));
  } catch (error) {
    setRoom(roomId, (current) => ({ ...current, loadingOlder: false }));
    showError(error);
  }
}

// Writing.

/** `images`: image objects uploaded (photos_upload), sent as their ids. */
export function sendMessage(roomId, text, { replyTo = null, mentions = [], images = [] } = {}) {
  const ref = api.clientId("m");
  const state = store.get();
  const quoted = replyTo ? state.messages[roomId]?.byId[replyTo] : null;
  const frame = { type: "message.send", ref, room_id: roomId, text };
  if (replyTo) frame.reply_to = replyTo;
  if (mentions.length) frame.mentions = mentions;
  if (images.length) frame.images = images.map((image) => image.id);
  const pendingId = `p-${ref}`;
  setRoom(roomId, (room) => addPending(room, {
    id: pendingId, pending: true, room_id: roomId, seq: Number.MAX_SAFE_INTEGER, changed_seq: 0,
    author: state.me.user, text, mentions, images, reactions: [], card: null, edited_at: null, deleted: false, removed: false,
    hidden: false, created_at: new Date().toISOString(),
    reply_to: quoted ? { id: quoted.id, seq: quoted.seq, author: quoted.author, text: quoted.text, deleted: quoted.deleted } : null,
  }));
  return socket.sendMessage(frame).then(
    (ack) => setRoom(roomId, (room) => {
      const placeholder = room.byId[pendingId];
      const without = removeMessage(room, pendingId);
      if (without.byId[ack.message_id] || !placeholder) return without;
      return upsertMessages(without, [{ ...placeholder, id: ack.message_id, seq: ack.seq, pending: false, created_at: ack.created_at }]);
    }),
    (error) => {
      setRoom(roomId, (room) => removeMessage(room, pendingId));
      showError(error);
      throw error;
    },
  );
}

/** Reads one message again (chat_history): fresh links for its photos. */
export async function refreshMessage(roomId, seq) {
  const page = await api.get(`chat/rooms/${roomId}/messages/`, { before: seq + 1, limit: 1 });
  learnFromMessages(page.messages);
  setRoom(roomId, (room) => upsertMessages(room, page.messages.filter((message) => room.byId[message.id])));
}

async function write(frame) {
  try {
    return await socket.request(frame);
  } catch (error) {
    if (error.code === "offline" || error.code === "timeout") {
      showError({ message: gettext("You are offline: try again once the page is reconnected.") });
    } else {
      showError(error);
    }
    throw error;
  }
}

export const editMessage = (messageId, text) => write({ type: "message.edit", message_id: messageId, text });
export const deleteMessage = (messageId) => write({ type: "message.delete", message_id: messageId });
export const react = (messageId, emoji, present) =>
  write({ type: present ? "reaction.add" : "reaction.remove", message_id: messageId, emoji });

let lastTyping = 0;
export function typing(roomId) {
  if (Date.now() - lastTyping < 3000 || roomId !== subscribedRoom || !socket.following(roomId)) return;
  lastTyping = Date.now();
  socket.send({ type: "typing", room_id: roomId });
}

export async function openDirect(userId) {
  try {
    const room = await api.post("chat/directs/", { user_id: userId });
    learnPeople(room.participants);
    store.set((state) => ({ rooms: withKey(state.rooms, room.id, state.rooms[room.id] || room) }));
    navigate(`rooms/${room.id}`);
  } catch (error) {
    showError(error);
  }
}

/** The members who can read a room, for mention completion: its two people for a
 * direct conversation, else the neighbourhood's verified members. */
export async function roomMembers(room) {
  if (!room) return [];
  if (room.kind === "direct") return room.participants;
  const known = store.get().members[room.neighbourhood_id];
  if (known) return known;
  try {
    const members = await api.get(`trust/neighbourhoods/${room.neighbourhood_id}/members/`);
    const people = members.map((member) => ({ id: member.user_id, display_name: member.display_name, street: member.street }));
    store.set((state) => ({ members: withKey(state.members, room.neighbourhood_id, people) }));
    learnPeople(people);
    return people;
  } catch {
    return [];
  }
}
