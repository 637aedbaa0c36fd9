// Text written by people, shown as text: links become clickable only when they are
// http(s) URLs (nothing else ever becomes an href), mentions are highlighted. Returns
// Preact children: strings (text nodes) and elements, never HTML.
import { html } from "./html.js";

const URL_PATTERN = /\bhttps?:\/\/[^\s<>"'`]+/gi;
const TRAILING = /[.,;:!?)\]}»"']+$/;

/** The URL if `candidate` is a well-formed http(s) URL, else null. */
export function safeUrl(candidate) {
  try {
    const url = new URL(candidate);
    return url.protocol === "http:" || url.protocol === "https:" ? url.href : null;
  } catch {
    return null;
  }
}

function escapeRegExp(text) {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

function withMentions(text, names, key) {
  if (!names.length) return [text];
  const pattern = new RegExp(`@(${names.map(escapeRegExp).sort((a, b) => b.length - a.length).join("|")})`, "g");
  const parts = [];
  let last = 0;
  for (const match of text.matchAll(pattern)) {
    if (match.index > last) parts.push(text.slice(last, match.index));
    parts.push(html`<span class="mention" key=${`${key}-${match.index}`}>${match[0]}</span>`);
    last = match.index + match[0].length;
  }
  if (last < text.length) parts.push(text.slice(last));
  return parts;
}

/** Children for `text`: http(s) links as <a>, "@Name" of `mentionNames` highlighted. */
export function richText(text, { mentionNames = [] } = {}) {
  const parts = [];
  let last = 0;
  for (const match of text.matchAll(URL_PATTERN)) {
    let candidate = match[0];
    const trailing = candidate.match(TRAILING);
    if (trailing && !(trailing[0].startsWith(")") && candidate.includes("("))) {
      candidate = candidate.slice(0, -trailing[0].length);
    }
    const href = safeUrl(candidate);
    if (!href) continue;
    if (match.index > last) parts.push(...withMentions(text.slice(last, match.index), mentionNames, last));
    parts.push(html`<a href=${href} target="_blank" rel="noopener noreferrer nofollow ugc" key=${`u${match.index}`}>${candidate}</a>`);
    last = match.index + candidate.length;
  }
  if (last < text.length) parts.push(...withMentions(text.slice(last), mentionNames, last));
  return parts;
}
