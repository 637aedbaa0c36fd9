// Photos attached to posts and messages (frontend-contract/websocket/image.json): their
// thumbnails, laid out at their size on their average colour before they load, each a
// link to the full image. The links are signed paths of this server.
import { html } from "./html.js";
import { gettext, interpolate } from "./i18n.js";

export function Photos({ images }) {
  if (!images?.length) return null;
  return html`<ul class="photos">${images.map((image, index) => html`<li key=${image.id}>
    <a href=${image.url} target="_blank" rel="noopener" aria-label=${interpolate(gettext("Photo %(n)s of %(count)s, full size"), { n: index + 1, count: images.length })}>
      <img src=${image.thumbnail_url} width=${image.thumbnail_width} height=${image.thumbnail_height} alt="" loading="lazy"
        style=${{ backgroundColor: /^#[0-9a-f]{6}$/.test(image.placeholder) ? image.placeholder : "" }} />
    </a>
  </li>`)}</ul>`;
}
