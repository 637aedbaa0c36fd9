// A room's messages as the page keeps them: by id, ordered by seq, each the latest
// version seen (a message's changed_seq grows with every edit, deletion or reaction).
// Pure functions over plain objects, shared by the resident app and the console.

export function emptyRoom() {
  return { byId: {}, order: [], loaded: false, nextBefore: undefined, loadingOlder: false };
}

function sortOrder(byId) {
  return Object.values(byId)
    .sort((a, b) => a.seq - b.seq)
    .map((message) => message.id);
}

/** Adds or replaces messages, keeping for each the version with the highest changed_seq
 * (with `fillOnly`, a message already known is left as it is: older history pages). */
export function upsertMessages(room, messages, { fillOnly = false } = {}) {
  if (!messages.length) return room;
  const byId = { ...room.byId };
  for (const message of messages) {
    const known = byId[message.id];
    if (known && (fillOnly || (known.changed_seq || 0) > (message.changed_seq || 0))) continue;
    byId[message.id] = known?.pending ? { ...message, pending: false } : message;
  }
  return { ...room, byId, order: sortOrder(byId) };
}

export function patchMessage(room, messageId, patch) {
  const known = room.byId[messageId];
  if (!known) return room;
  return { ...room, byId: { ...room.byId, [messageId]: { ...known, ...patch } } };
}

/** A message shown before the server acknowledged it (removed or replaced on ack). */
export function addPending(room, message) {
  const byId = { ...room.byId, [message.id]: message };
  return { ...room, byId, order: [...room.order.filter((id) => id !== message.id), message.id] };
}

export function removeMessage(room, messageId) {
  if (!room.byId[messageId]) return room;
  const byId = { ...room.byId };
  delete byId[messageId];
  return { ...room, byId, order: room.order.filter((id) => id !== messageId) };
}

export function orderedMessages(room) {
  return room.order.map((id) => room.byId[id]);
}

/** The seq to ask history for the page before what is loaded (undefined: the latest). */
export function oldestSeq(room) {
  const first = room.order.find((id) => !room.byId[id].pending);
  return first === undefined ? undefined : room.byId[first].seq;
}
