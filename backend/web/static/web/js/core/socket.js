// The WebSocket half of frontend-contract/ (asyncapi.yaml), for every page of ours:
// - opens /ws/v1/ with the page's session cookie; the first frame is `hello`;
// - keeps a cursor per room (the highest seq applied in order) and subscribes with it,
//   so that a resubscription brings only what changed since; `subscribed` with
//   `gap: true` is passed on for the page to reload the room through REST history;
// - applies room frames in seq order: a frame past a hole waits briefly for the frames
//   before it, then the room is resubscribed from its cursor; frames at or below the
//   cursor are already known and dropped;
// - reconnects with exponential back-off and full jitter, and says so (`status`);
// - resends the messages not yet acknowledged after a reconnect, with the same client id
//   (`ref`), which the server answers with the first acknowledgement: never twice;
// - pings every 30 s and takes a missing pong for a dead connection.

const ROOM_FRAMES = new Set(["message.new", "message.edited", "message.deleted", "reaction.changed", "card.updated"]);

export const CLOSE = { UNAUTHENTICATED: 4401, ORIGIN: 4403, IDLE: 4408, TOO_MANY: 4409, ERASED: 4410, TOO_SLOW: 4503 };

export class SocketError extends Error {
  constructor(frame) {
    super(frame.message);
    this.code = frame.code;
    this.frame = frame;
  }
}

export function socketUrl(path = "/ws/v1/") {
  return `${location.protocol === "https:" ? "wss" : "ws"}://${location.host}${path}`;
}

export class ContractSocket {
  /**
   * onFrame(frame): every frame for the page, room frames in seq order. Besides the
   *   contract's frames it receives {type: "socket.closed", code} when the server ends
   *   the session (4401: the page checks whether she is still logged in) or her account
   *   was erased (4410: never reconnected); and
   *   {type: "room.refused", room_id, code, message} when a subscription is refused.
   * onStatus(status): "connecting", "online", "reconnecting", "ended" or "refused".
   */
  constructor({ url = socketUrl(), onFrame, onStatus, holeWaitMs = 1500, pingMs = 30000, pongWaitMs = 10000,
    backoffMs = 1000, maxBackoffMs = 30000, requestTimeoutMs = 15000 } = {}) {
    Object.assign(this, { url, onFrame, onStatus, holeWaitMs, pingMs, pongWaitMs, backoffMs, maxBackoffMs, requestTimeoutMs });
    this.status = "connecting";
    this.ws = null;
    this.online = false;
    this.stopped = true;
    this.attempts = 0;
    this.counter = 0;
    this.rooms = new Map(); // room id -> {wanted, cursor, syncing, buffer: Map(seq -> frame), timer}
    this.outbox = new Map(); // ref -> message.send frame not yet acknowledged
    this.waiting = new Map(); // ref -> {resolve, reject, timer, durable}
    this.reconnectTimer = null;
    this.pingTimer = null;
    this.pongTimer = null;
    this._onBrowserOnline = () => this.reconnectNow();
    this._onVisible = () => document.visibilityState === "visible" && this.reconnectNow();
  }

  start() {
    if (!this.stopped) return;
    this.stopped = false;
    addEventListener("online", this._onBrowserOnline);
    document.addEventListener("visibilitychange", this._onVisible);
    this._open();
  }

  stop() {
    this.stopped = true;
    removeEventListener("online", this._onBrowserOnline);
    document.removeEventListener("visibilitychange", this._onVisible);
    clearTimeout(this.reconnectTimer);
    this._drop(1000);
  }

  /** Closes the socket and opens a new one at once: a new hello (after her membership
   * changed, the rooms she reads did too). */
  restart() {
    if (this.stopped) return;
    this._drop(1000);
    this.attempts = 0;
    clearTimeout(this.reconnectTimer);
    this._open();
  }

  /** While waiting to reconnect, try now (the browser is back online, the tab is back). */
  reconnectNow() {
    if (this.stopped || this.ws || this.status === "ended") return;
    clearTimeout(this.reconnectTimer);
    this._open();
  }

  // Rooms

  _room(roomId) {
    let room = this.rooms.get(roomId);
    if (!room) {
      room = { wanted: false, cursor: null, syncing: false, buffer: new Map(), timer: null };
      this.rooms.set(roomId, room);
    }
    return room;
  }

  /** Whether the server has answered her subscription to the room (typing needs it). */
  following(roomId) {
    const room = this.rooms.get(roomId);
    return Boolean(this.online && room?.wanted && !room.syncing && room.cursor !== null);
  }

  cursor(roomId) {
    return this.rooms.get(roomId)?.cursor ?? null;
  }

  /** Follows a room live: subscribes now (and after every reconnect) from its cursor. */
  subscribe(roomId) {
    const room = this._room(roomId);
    if (room.wanted) return;
    room.wanted = true;
    if (this.online) this._subscribe(roomId);
  }

  unsubscribe(roomId) {
    const room = this.rooms.get(roomId);
    if (!room || !room.wanted) return;
    room.wanted = false;
    room.syncing = false;
    room.buffer.clear();
    clearTimeout(room.timer);
    if (this.online) this.send({ type: "unsubscribe", room_id: roomId, ref: this._ref("u") });
  }

  /** Forgets a room (she left it): no cursor, no subscription. */
  forget(roomId) {
    this.unsubscribe(roomId);
    this.rooms.delete(roomId);
  }

  _subscribe(roomId) {
    const room = this._room(roomId);
    room.syncing = true;
    room.ref = this._ref("s");
    const frame = { type: "subscribe", room_id: roomId, ref: room.ref };
    if (room.cursor !== null) frame.last_seq = room.cursor;
    this.send(frame);
  }

  _subscribed(frame) {
    const room = this._room(frame.room_id);
    room.syncing = false;
    room.cursor = Math.max(room.cursor ?? 0, frame.seq);
    this.onFrame?.(frame);
    this._drain(frame.room_id);
  }

  _roomFrame(frame) {
    const room = this.rooms.get(frame.room_id);
    if (!room || !room.wanted) {
      this.onFrame?.(frame); // a room this page does not follow in order (a watch)
      return;
    }
    if (room.syncing || room.cursor === null) {
      room.buffer.set(frame.seq, frame); // applied once `subscribed` set the cursor
      return;
    }
    if (frame.seq <= room.cursor) return; // already known
    room.buffer.set(frame.seq, frame);
    this._drain(frame.room_id);
  }

  _drain(roomId) {
    const room = this.rooms.get(roomId);
    if (!room) return;
    for (const seq of [...room.buffer.keys()]) if (seq <= room.cursor) room.buffer.delete(seq);
    while (room.buffer.has(room.cursor + 1)) {
      const next = room.buffer.get(room.cursor + 1);
      room.buffer.delete(room.cursor + 1);
      room.cursor += 1;
      this.onFrame?.(next);
    }
    clearTimeout(room.timer);
    room.timer = null;
    if (room.buffer.size && room.wanted) {
      // A hole: the frames before may still be on their way; if not, ask again.
      room.timer = setTimeout(() => {
        room.timer = null;
        if (room.buffer.size && room.wanted && this.online && !room.syncing) this._subscribe(roomId);
      }, this.holeWaitMs);
    }
  }

  // Sending

  _ref(prefix) {
    this.counter += 1;
    return `${prefix}${this.counter}-${Math.random().toString(36).slice(2, 8)}`;
  }

  /** Sends a frame now if the socket is open; false if it is not. */
  send(frame) {
    if (!this.online || !this.ws) return false;
    this.ws.send(JSON.stringify(frame));
    return true;
  }

  /** Sends a frame that expects an answer and resolves with it (rejects with
   * SocketError on an error frame, or when the socket is not open). */
  request(frame) {
    const ref = frame.ref || this._ref("r");
    return new Promise((resolve, reject) => {
      if (!this.send({ ...frame, ref })) {
        reject(new SocketError({ code: "offline", message: "" }));
        return;
      }
      const timer = setTimeout(() => this._settle(ref, null, new SocketError({ code: "timeout", message: "" })), this.requestTimeoutMs);
      this.waiting.set(ref, { resolve, reject, timer, durable: false });
    });
  }

  /** message.send: kept until acknowledged and resent after a reconnect with the same
   * ref. Resolves with the ack, rejects with SocketError on an error frame. */
  sendMessage(frame) {
    return new Promise((resolve, reject) => {
      this.outbox.set(frame.ref, frame);
      this.waiting.set(frame.ref, { resolve, reject, timer: null, durable: true });
      this.send(frame);
    });
  }

  pendingMessages() {
    return [...this.outbox.values()];
  }

  _settle(ref, frame, error) {
    const waiter = this.waiting.get(ref);
    if (!waiter) return;
    this.waiting.delete(ref);
    clearTimeout(waiter.timer);
    if (error) waiter.reject(error);
    else waiter.resolve(frame);
  }

  // Connection

  _setStatus(status) {
    if (this.status === status) return;
    this.status = status;
    this.onStatus?.(status);
  }

  _open() {
    this.reconnectTimer = null;
    this._setStatus(this.everOnline ? "reconnecting" : "connecting");
    let ws;
    try {
      ws = new WebSocket(this.url);
    } catch {
      this._scheduleReconnect();
      return;
    }
    this.ws = ws;
    ws.onmessage = (event) => this.ws === ws && this._receive(event.data);
    ws.onclose = (event) => this.ws === ws && this._closed(event.code);
  }

  _receive(text) {
    let frame;
    try {
      frame = JSON.parse(text);
    } catch {
      return;
    }
    switch (frame.type) {
      case "hello":
        this.online = true;
        this.everOnline = true;
        this.attempts = 0;
        this._setStatus("online");
        this._startPinging();
        this.onFrame?.(frame);
        for (const [roomId, room] of this.rooms) if (room.wanted) this._subscribe(roomId);
        for (const pending of this.outbox.values()) this.send(pending);
        return;
      case "pong":
        clearTimeout(this.pongTimer);
        this._settle(frame.ref, frame);
        return;
      case "resync":
        for (const [roomId, room] of this.rooms) if (room.wanted) this._subscribe(roomId);
        this.onFrame?.(frame);
        return;
      case "subscribed":
        this._subscribed(frame);
        this._settle(frame.ref, frame);
        return;
      default:
    }
    if (ROOM_FRAMES.has(frame.type)) {
      this._roomFrame(frame);
      return;
    }
    if (frame.type === "error" && frame.code === "server_busy" && frame.retry_after) {
      // The server will close this socket: come back no sooner than it asks.
      this.busyRetryMs = frame.retry_after * 1000;
    }
    if (frame.ref !== undefined) {
      if (frame.type === "ack" || frame.type === "error") this.outbox.delete(frame.ref);
      if (frame.type === "error") {
        // A refused subscription (no_access, room_not_found): stop asking, and tell the
        // page as `room.refused` (not an error of hers).
        for (const [roomId, room] of this.rooms) {
          if (room.ref !== frame.ref) continue;
          Object.assign(room, { syncing: false, wanted: false });
          this.onFrame?.({ type: "room.refused", room_id: roomId, code: frame.code, message: frame.message });
          return;
        }
      }
      const awaited = this.waiting.has(frame.ref);
      this._settle(frame.ref, frame, frame.type === "error" ? new SocketError(frame) : null);
      if (awaited && frame.type === "error") return; // the caller shows it
    }
    this.onFrame?.(frame);
  }

  _startPinging() {
    clearInterval(this.pingTimer);
    this.pingTimer = setInterval(() => {
      if (!this.send({ type: "ping", ref: this._ref("p") })) return;
      clearTimeout(this.pongTimer);
      this.pongTimer = setTimeout(() => this._closed(4000, true), this.pongWaitMs);
    }, this.pingMs);
  }

  /** Forgets the current socket without waiting for its close handshake. */
  _drop(code) {
    const ws = this.ws;
    this.ws = null;
    this.online = false;
    clearInterval(this.pingTimer);
    clearTimeout(this.pongTimer);
    if (ws) {
      ws.onmessage = null;
      ws.onclose = null;
      try {
        ws.close(code);
      } catch {
        // already closing
      }
    }
    for (const room of this.rooms.values()) {
      room.syncing = false;
      room.buffer.clear();
      clearTimeout(room.timer);
    }
    for (const [ref, waiter] of [...this.waiting]) {
      if (!waiter.durable) this._settle(ref, null, new SocketError({ code: "offline", message: "" }));
    }
  }

  _closed(code, dead = false) {
    this._drop(dead ? 4000 : 1000);
    if (this.stopped) return;
    if (code === CLOSE.UNAUTHENTICATED || code === CLOSE.ERASED) {
      this._setStatus("ended");
      this.onFrame?.({ type: "socket.closed", code });
      return;
    }
    if (code === CLOSE.ORIGIN) {
      this._setStatus("refused");
      this.reconnectTimer = setTimeout(() => this._open(), 60000);
      return;
    }
    this._scheduleReconnect(code === CLOSE.TOO_MANY ? 10 : 1);
  }

  _scheduleReconnect(factor = 1) {
    this._setStatus("reconnecting");
    const ceiling = Math.min(this.maxBackoffMs, this.backoffMs * factor * 2 ** this.attempts);
    this.attempts += 1;
    // Full jitter, after the delay a busy server asked for: a storm of pages
    // reconnecting after a deploy spreads out.
    const delay = (this.busyRetryMs || 0) + Math.random() * ceiling;
    this.busyRetryMs = 0;
    clearTimeout(this.reconnectTimer);
    this.reconnectTimer = setTimeout(() => this._open(), delay);
  }
}
