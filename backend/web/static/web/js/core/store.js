// One state store per page: a plain object replaced on each change (`set` merges a
// patch), and listeners told once per microtask, however many changes happened.

export function createStore(initial) {
  let state = initial;
  let scheduled = false;
  const listeners = new Set();

  function notify() {
    scheduled = false;
    for (const listener of listeners) listener(state);
  }

  return {
    get: () => state,
    /** set({ key: value }) or set((state) => patch); a falsy patch changes nothing. */
    set(update) {
      const patch = typeof update === "function" ? update(state) : update;
      if (!patch) return;
      state = { ...state, ...patch };
      if (!scheduled) {
        scheduled = true;
        queueMicrotask(notify);
      }
    },
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}

/** A copy of `object` with `key` set to `value` (or removed when value is undefined). */
export function withKey(object, key, value) {
  const copy = { ...object };
  if (value === undefined) delete copy[key];
  else copy[key] = value;
  return copy;
}
