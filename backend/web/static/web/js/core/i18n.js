// The strings of our scripts come from Django's gettext catalogues (domain djangojs,
// backend/web/locale/<lang>/LC_MESSAGES/djangojs.po), served as JSON by
// backend/web/views.py: catalogue. Mark every string with gettext / ngettext / pgettext
// so that `makemessages -d djangojs` finds it.

let catalog = {};
export const language = document.documentElement.lang || "en";
const plurals = new Intl.PluralRules(language);

export async function loadCatalogue(url) {
  if (!url) return;
  const response = await fetch(url, { credentials: "same-origin" });
  if (response.ok) catalog = (await response.json()).catalog || {};
}

function lookup(key) {
  const value = catalog[key];
  return value === undefined || value === "" ? undefined : value;
}

export function gettext(msgid) {
  const value = lookup(msgid);
  if (value === undefined) return msgid;
  return Array.isArray(value) ? value[0] : value;
}

/** French and English have two forms: "one" (fr: 0 and 1; en: 1) and the rest. */
export function ngettext(singular, plural, count) {
  const index = plurals.select(count) === "one" ? 0 : 1;
  const value = lookup(singular);
  if (value === undefined) return index === 0 ? singular : plural;
  return Array.isArray(value) ? value[Math.min(index, value.length - 1)] : value;
}

export function pgettext(context, msgid) {
  const value = lookup(`${context}\x04${msgid}`);
  if (value === undefined) return msgid;
  return Array.isArray(value) ? value[0] : value;
}

/** interpolate("%(name)s wrote", { name }) */
export function interpolate(format, values) {
  return format.replace(/%\((\w+)\)s/g, (match, name) => (name in values ? String(values[name]) : match));
}
