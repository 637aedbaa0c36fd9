// The map of the neighbourhood: open and taken posts (at the centre of a ~150 m cell,
// never an address) and partner places, with Leaflet. The same places are listed under
// the map, so that it works with a keyboard, a screen reader, or no tiles at all.
import * as api from "../core/api.js";
import { Component, createRef, html } from "../core/html.js";
import { gettext } from "../core/i18n.js";
import { createMap, loadLeaflet } from "../core/leaflet.js";
import { kindLabels, statusLabels } from "../core/posts.js";
import { navigate } from "../core/router.js";
import { safeUrl } from "../core/text.js";
import { showError, store } from "./state.js";

const MAX_SIDE = 0.5;
const FALLBACK = [46.6, 2.4]; // France, when her home is not known

const partnerLabels = () => ({
  car_sharing: gettext("Car sharing"), farm: gettext("Farm"), shop: gettext("Shop"), storage: gettext("Storage"), other: gettext("Partner"),
});

/** Where her home is, as her membership says (only she reads it), or null. */
export async function homePosition() {
  const summary = store.get().me?.membership;
  if (!summary) return null;
  try {
    const membership = await api.get(`trust/memberships/${summary.id}/`);
    return [membership.address.latitude, membership.address.longitude];
  } catch {
    return null;
  }
}

async function openPost(postId) {
  try {
    const post = await api.get(`feed/posts/${postId}/`);
    navigate(`rooms/${post.room_id}`);
  } catch (error) {
    showError(error);
  }
}

function popup(feature) {
  const box = document.createElement("div");
  const props = feature.properties;
  const title = document.createElement("strong");
  const line = document.createElement("p");
  if (props.type === "post") {
    title.textContent = props.title;
    line.textContent = `${kindLabels()[props.kind] || props.kind} · ${statusLabels()[props.status] || props.status}`;
    const open = document.createElement("button");
    open.type = "button";
    open.textContent = gettext("Open");
    open.onclick = () => openPost(props.post_id);
    box.append(title, line, open);
  } else {
    title.textContent = props.name;
    line.textContent = [partnerLabels()[props.category] || props.category, props.offer].filter(Boolean).join(" · ");
    box.append(title, line);
    const href = safeUrl(props.link || "");
    if (href) {
      const link = document.createElement("a");
      link.href = href;
      link.target = "_blank";
      link.rel = "noopener noreferrer";
      link.textContent = gettext("Website");
      box.append(link);
    }
  }
  return box;
}

export class MapScreen extends Component {
  constructor() {
    super();
    this.element = createRef();
    this.state = { features: [], tooWide: false, failed: false };
  }

  async componentDidMount() {
    try {
      const [L, home] = await Promise.all([loadLeaflet(), homePosition()]);
      if (!this.element.current) return;
      this.L = L;
      this.map = createMap(L, this.element.current, { center: home || FALLBACK, zoom: home ? 16 : 5 });
      this.layer = L.layerGroup().addTo(this.map);
      this.map.on("moveend", () => this.load());
      this.load();
    } catch {
      this.setState({ failed: true });
    }
  }

  componentWillUnmount() {
    this.map?.remove();
  }

  async load() {
    const bounds = this.map.getBounds();
    const west = bounds.getWest();
    const east = bounds.getEast();
    const south = bounds.getSouth();
    const north = bounds.getNorth();
    if (east - west > MAX_SIDE || north - south > MAX_SIDE) {
      this.setState({ tooWide: true, features: [] });
      this.layer.clearLayers();
      return;
    }
    try {
      const collection = await api.get("feed/map/", { bbox: [west, south, east, north].map((value) => value.toFixed(5)).join(",") });
      this.draw(collection.features);
      this.setState({ features: collection.features, tooWide: false });
    } catch (error) {
      showError(error);
    }
  }

  draw(features) {
    const L = this.L;
    this.layer.clearLayers();
    for (const feature of features) {
      const [longitude, latitude] = feature.geometry.coordinates;
      const post = feature.properties.type === "post";
      L.circleMarker([latitude, longitude], {
        radius: post ? 9 : 8, weight: 2, color: post ? "#1f6f5c" : "#8a4b08", fillColor: post ? "#3fa58a" : "#f0a23b", fillOpacity: 0.8,
      }).bindPopup(popup(feature)).addTo(this.layer);
    }
  }

  render(_, { features, tooWide, failed }) {
    const posts = features.filter((feature) => feature.properties.type === "post");
    const partners = features.filter((feature) => feature.properties.type === "partner");
    return html`<main id="main" class="screen map-screen">
      <h1 class="screen-title">${gettext("Map of the neighbourhood")}</h1>
      <div class="map" ref=${this.element} role="region" aria-label=${gettext("Map")}></div>
      ${!document.body.dataset.tiles && html`<p class="hint">${gettext("No map background is configured: the map shows the places only.")}</p>`}
      ${failed && html`<p class="form-error" role="alert">${gettext("The map could not be loaded.")}</p>`}
      ${tooWide && html`<p class="hint" role="status">${gettext("Zoom in to see the posts and places.")}</p>`}
      <div class="map-lists">
        <section aria-labelledby="map-posts"><h2 id="map-posts">${gettext("Posts on the map")}</h2>
          ${posts.length === 0 ? html`<p class="empty">${gettext("No post here.")}</p>` : html`<ul class="places">${posts.map((feature) => html`<li key=${`p${feature.properties.post_id}`}>
            <button type="button" class="link" onClick=${() => openPost(feature.properties.post_id)}>${feature.properties.title}</button>
            <span class="muted"> · ${kindLabels()[feature.properties.kind]}</span></li>`)}</ul>`}
        </section>
        <section aria-labelledby="map-partners"><h2 id="map-partners">${gettext("Partners")}</h2>
          ${partners.length === 0 ? html`<p class="empty">${gettext("No partner here.")}</p>` : html`<ul class="places">${partners.map((feature) => {
            const href = safeUrl(feature.properties.link || "");
            return html`<li key=${`s${feature.properties.partner_id}`}>
              ${href ? html`<a href=${href} target="_blank" rel="noopener noreferrer">${feature.properties.name}</a>` : html`<strong>${feature.properties.name}</strong>`}
              <span class="muted"> · ${partnerLabels()[feature.properties.category] || feature.properties.category}</span>
              ${feature.properties.offer && html`<p class="small">${feature.properties.offer}</p>`}</li>`;
          })}</ul>`}
        </section>
      </div>
    </main>`;
  }
}
