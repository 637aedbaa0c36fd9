// The resident app's one store, and the small actions every screen shares (toasts,
// dialogs, names of people, what she answered). Screens read the state and call
// actions; live frames (live.js) and REST answers write it.
import * as api from "../core/api.js";
import { LOANS } from "../core/posts.js";
import { parseRoute } from "../core/router.js";
import { createStore, withKey } from "../core/store.js";
import { toastsOf } from "../core/toasts.js";

export const store = createStore({
  phase: "boot", // boot | anonymous | ready
  me: null, // auth_me: {user, membership, moderates}
  connection: "connecting",
  route: parseRoute(),
  rooms: {}, // id -> room of the contract (with unread)
  messages: {}, // room id -> core/messages.js room state
  typing: {}, // room id -> {user id -> {name, until}}
  cards: {}, // post id -> the latest card seen
  people: {}, // user id -> display name
  members: {}, // neighbourhood id -> trust_members
  composer: {}, // room id -> {replyTo, editing}
  openMenu: null, // message id whose actions are shown
  dialog: null,
  toasts: [],
  loans: null,
  answered: {}, // post id -> room id of her answer
  rsvp: {}, // post id -> true when she said she goes
  online: {}, // user id -> true
  voices: {}, // author id -> organisation, for the accounts organisations write with
  alerts: [], // area alerts valid now (official.js)
  consultations: {}, // consultation id -> cities_consultation
  civicReports: null, // cities_reports: open ones of her neighbourhood
  myReports: null, // cities_my_reports
  exports: null, // privacy_exports: her archives, newest first (privacy.js)
  farewell: false, // her account was erased: the login screen says so
});

export const me = () => store.get().me?.user ?? null;
export const myId = () => store.get().me?.user?.id ?? null;

export const { toast, dismissToast, showError } = toastsOf(store);

export function openDialog(dialog) {
  store.set({ dialog, openMenu: null });
}

export function closeDialog() {
  store.set({ dialog: null });
}

/** Remembers the names of people seen anywhere, for mentions and notifications. */
export function learnPeople(people) {
  const known = store.get().people;
  const fresh = people.filter((person) => person && known[person.id] !== person.display_name);
  if (!fresh.length) return;
  const next = { ...known };
  for (const person of fresh) next[person.id] = person.display_name;
  store.set({ people: next });
}

// What she did that cards do not say (contract: a card counts answers and RSVPs, it does
// not say whether they were hers): kept in this browser, per user.

function memoryKey(name) {
  return `voisins:${myId()}:${name}`;
}

export function loadMemory() {
  const read = (name) => {
    try {
      return JSON.parse(localStorage.getItem(memoryKey(name)) || "{}");
    } catch {
      return {};
    }
  };
  store.set({ answered: read("answered"), rsvp: read("rsvp") });
}

/** Forgets what this browser kept of her (her account was erased). */
export function forgetMemory() {
  const prefix = memoryKey("");
  try {
    Object.keys(localStorage).filter((key) => key.startsWith(prefix)).forEach((key) => localStorage.removeItem(key));
  } catch {
    // nothing was kept
  }
}

export function remember(name, key, value) {
  const next = withKey(store.get()[name], key, value);
  store.set({ [name]: next });
  try {
    localStorage.setItem(memoryKey(name), JSON.stringify(next));
  } catch {
    // private browsing: kept for this page only
  }
}

/** Cards change in many places (rooms, the feed): the store keeps the latest of each. */
export function putCards(cards) {
  if (!cards.length) return;
  store.set((state) => {
    const next = { ...state.cards };
    for (const card of cards) next[card.post_id] = card;
    return { cards: next };
  });
  learnPeople(cards.flatMap((card) => [card.author, card.responder]));
  followLoans(cards);
}

// Her loans (feed_loans) say who lends, who borrows and by when: a loan card of hers
// seen in a state the page has not asked about (taken, done, or open again while a
// loan of it is known) asks for them again: the loan may have started, ended or been
// let go on the other person's page.
const loansAskedFor = new Set();

function followLoans(cards) {
  const me = myId();
  const loans = store.get().loans || [];
  const known = (card) => loans.some((loan) => loan.post_id === card.post_id);
  const key = (card) => `${card.post_id}-${card.status}-${card.responder?.id}`;
  const fresh = cards.filter((card) => LOANS.has(card.kind) && !loansAskedFor.has(key(card))
    && (known(card) || (["taken", "done"].includes(card.status) && (card.author.id === me || card.responder?.id === me))));
  if (!fresh.length) return;
  fresh.forEach((card) => loansAskedFor.add(key(card)));
  refreshLoans();
}

export async function refreshLoans() {
  try {
    store.set({ loans: await api.get("feed/loans/") });
  } catch {
    // shown when she opens them
  }
}

export function fillCards(cards) {
  const known = store.get().cards;
  putCards(cards.filter((card) => !known[card.post_id]));
}
