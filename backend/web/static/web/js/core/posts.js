// The words of posts: kinds, statuses, the fields of each kind
// (frontend-contract/websocket/post.json) and their choices, in the page's language.
// Shared by the resident app and the console.
import { gettext, pgettext } from "./i18n.js";

export const kindLabels = () => ({
  help_request: gettext("Help request"),
  loan_offer: gettext("Loan offer"),
  loan_request: gettext("Loan request"),
  babysitting_offer: gettext("Babysitting offer"),
  babysitting_request: gettext("Babysitting request"),
  classified: gettext("Sell or give"),
  event: gettext("Event"),
  lost_found: gettext("Lost or found"),
  group_purchase: gettext("Group purchase"),
  local_producer: gettext("Local producer"),
});

export const kindHints = () => ({
  help_request: gettext("Ask a hand: watering plants, carrying a sofa…"),
  loan_offer: gettext("Lend something: a drill, a raclette machine…"),
  loan_request: gettext("Borrow something for a few days."),
  babysitting_offer: gettext("Offer to look after children."),
  babysitting_request: gettext("Find someone to look after your children."),
  classified: gettext("Sell or give away an object."),
  event: gettext("Invite the neighbours: a street party, a clean-up…"),
  lost_found: gettext("Lost keys, a found cat…"),
  group_purchase: gettext("Buy together and share the price."),
  local_producer: gettext("A farm, a baker, a beekeeper nearby."),
});

export const statusLabels = () => ({
  open: pgettext("post status", "Open"),
  taken: pgettext("post status", "Taken"),
  done: pgettext("post status", "Done"),
  closed: pgettext("post status", "Closed"),
  expired: pgettext("post status", "Expired"),
});

export const fieldLabels = () => ({
  title: gettext("Title"),
  text: gettext("Description"),
  what: gettext("What do you need?"),
  when: gettext("When"),
  item: gettext("Object"),
  start: gettext("Start"),
  end: gettext("End"),
  children_ages: gettext("Children's ages"),
  mode: gettext("Type"),
  price_cents: gettext("Price"),
  place: gettext("Place"),
  where: gettext("Where"),
  product: gettext("Product"),
  unit: gettext("Unit"),
  unit_price_cents: gettext("Price per unit"),
  min_quantity: gettext("Minimum quantity"),
  max_quantity: gettext("Maximum quantity"),
  deadline: gettext("Deadline"),
  products: gettext("What they produce"),
  where_to_buy: gettext("Where and when to buy"),
});

/** Field labels that depend on the kind (a loan's start is a first day…). */
export const kindFieldLabels = () => ({
  loan_offer: { item: gettext("What you lend"), start: gettext("Available from"), end: gettext("Until") },
  loan_request: { item: gettext("What you would like to borrow"), start: gettext("From"), end: gettext("Until") },
  lost_found: { when: gettext("Day") },
});

export function fieldLabel(kind, field) {
  return kindFieldLabels()[kind]?.[field] || fieldLabels()[field] || field;
}

/** A card's labels: the form speaks to its author ("What do you need?"), a card to
 * every neighbour who reads it. */
const cardFieldLabels = () => ({ what: gettext("What is needed"), item: gettext("Object") });

export function cardFieldLabel(kind, field) {
  return cardFieldLabels()[field] || fieldLabel(kind, field);
}

export const choiceLabels = () => ({
  sell: gettext("Sell"),
  give: gettext("Give away"),
  lost: gettext("Lost"),
  found: gettext("Found"),
});

export const fieldHints = () => ({
  children_ages: gettext("Ages in years, separated by commas, e.g. 3, 6"),
  unit: gettext("For instance kg or carton"),
});

/** Kinds answered with “I can help” / “I'm interested” (events take RSVPs, purchases shares). */
export const ANSWERABLE = new Set(["help_request", "loan_offer", "loan_request", "babysitting_offer", "babysitting_request",
  "classified", "lost_found", "local_producer"]);
export const OFFERS = new Set(["loan_offer", "babysitting_offer", "classified", "local_producer"]);
export const LOANS = new Set(["loan_offer", "loan_request"]);
