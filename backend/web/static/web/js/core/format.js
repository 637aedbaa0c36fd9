// Dates, times, money and counts in the page's language and the browser's time zone.
import { gettext, language } from "./i18n.js";

// English as written in Europe: 24-hour clock, day before month.
const locale = language === "en" ? "en-GB" : language;

const time = new Intl.DateTimeFormat(locale, { hour: "2-digit", minute: "2-digit" });
const dayLong = new Intl.DateTimeFormat(locale, { weekday: "long", day: "numeric", month: "long", year: "numeric" });
const dateTime = new Intl.DateTimeFormat(locale, {
  weekday: "short", day: "numeric", month: "short", hour: "2-digit", minute: "2-digit",
});
const dateShort = new Intl.DateTimeFormat(locale, { weekday: "short", day: "numeric", month: "short", year: "numeric" });
const dateOnly = new Intl.DateTimeFormat(locale, { day: "numeric", month: "short", year: "numeric", timeZone: "UTC" });
const euros = new Intl.NumberFormat(locale, { style: "currency", currency: "EUR" });

export const formatTime = (iso) => time.format(new Date(iso));
export const formatDateTime = (iso) => dateTime.format(new Date(iso));
export const formatDate = (iso) => dateShort.format(new Date(iso));
/** A calendar day "YYYY-MM-DD", shown as it is whatever the time zone. */
export const formatDay = (day) => dateOnly.format(new Date(`${day}T00:00:00Z`));
export const formatMoney = (cents) => euros.format((cents || 0) / 100);

/** A size in bytes, in kB or MB ("340 kB", "2.1 MB"). */
export function formatSize(bytes) {
  const [unit, value] = bytes >= 1e6 ? ["megabyte", bytes / 1e6] : ["kilobyte", Math.max(bytes / 1e3, 1)];
  return new Intl.NumberFormat(locale, { style: "unit", unit, maximumFractionDigits: 1 }).format(value);
}

/** The local calendar day of an instant, as a key ("2026-11-23"). */
export function dayKey(iso) {
  const date = new Date(iso);
  return `${date.getFullYear()}-${String(date.getMonth() + 1).padStart(2, "0")}-${String(date.getDate()).padStart(2, "0")}`;
}

/** "Today", "Yesterday", or the day in full: the separators between days of messages. */
export function dayLabel(iso, now = new Date()) {
  const key = dayKey(iso);
  if (key === dayKey(now)) return gettext("Today");
  const yesterday = new Date(now);
  yesterday.setDate(now.getDate() - 1);
  if (key === dayKey(yesterday)) return gettext("Yesterday");
  return dayLong.format(new Date(iso));
}

/** The value of a datetime-local input as ISO 8601 with its offset; "" stays "". */
export function localInputToIso(value) {
  if (!value) return "";
  const date = new Date(value);
  return Number.isNaN(date.getTime()) ? "" : date.toISOString();
}

/** An ISO instant as the value of a datetime-local input, in local time. */
export function isoToLocalInput(iso) {
  const date = new Date(iso);
  const pad = (n) => String(n).padStart(2, "0");
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}T${pad(date.getHours())}:${pad(date.getMinutes())}`;
}
