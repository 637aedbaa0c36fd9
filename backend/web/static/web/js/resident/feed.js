// The neighbourhood's posts: newest first, filtered by kind and status, searched by
// text, paged. Each is its card, kept current with the rest of the page.
import * as api from "../core/api.js";
import { Component, html } from "../core/html.js";
import { gettext } from "../core/i18n.js";
import { kindLabels, statusLabels } from "../core/posts.js";
import { Card } from "./cards.js";
import { icon } from "./icons.js";
import { Announcements } from "./official.js";
import { putCards, showError } from "./state.js";

const PAGE = 20;

export class FeedScreen extends Component {
  constructor() {
    super();
    this.state = { posts: null, nextBefore: null, loading: false, filters: { kind: "", status: "", q: "" } };
    this.timer = null;
  }

  componentDidMount() {
    this.load();
  }

  async load({ more = false } = {}) {
    const { filters, nextBefore, posts } = this.state;
    // Filters changed quickly: only the answer to the latest request is shown.
    this.ticket = (this.ticket || 0) + 1;
    const ticket = this.ticket;
    this.setState({ loading: true });
    try {
      const page = await api.get("feed/posts/", { ...filters, limit: PAGE, before: more ? nextBefore : undefined });
      if (ticket !== this.ticket) return;
      putCards(page.posts.map((item) => item.card));
      this.setState({ posts: more ? [...(posts || []), ...page.posts] : page.posts, nextBefore: page.next_before, loading: false });
    } catch (error) {
      this.setState({ loading: false });
      showError(error);
    }
  }

  filter(event) {
    const form = event.currentTarget;
    const filters = { kind: form.elements.kind.value, status: form.elements.status.value, q: form.elements.q.value.trim() };
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.setState({ filters }, () => this.load()), event.type === "input" ? 300 : 0);
  }

  render({ state }, { posts, nextBefore, loading }) {
    const kinds = kindLabels();
    const statuses = statusLabels();
    return html`<main id="main" class="screen feed-screen">
      <header class="screen-head">
        <h1 class="screen-title">${gettext("Posts of the neighbourhood")}</h1>
        <a class="button primary" href="#/new">${icon("plus")}<span>${gettext("New post")}</span></a>
      </header>
      <${Announcements} state=${state} />
      <form class="filters" role="search" onInput=${(event) => this.filter(event)} onChange=${(event) => this.filter(event)}
          onSubmit=${(event) => { event.preventDefault(); this.filter(event); }}>
        <div class="field"><label for="filter-q">${gettext("Search")}</label>
          <input id="filter-q" name="q" type="search" placeholder=${gettext("A word of the title or text")} /></div>
        <div class="field"><label for="filter-kind">${gettext("Kind")}</label>
          <select id="filter-kind" name="kind"><option value="">${gettext("All kinds")}</option>
            ${Object.entries(kinds).map(([value, label]) => html`<option value=${value}>${label}</option>`)}</select></div>
        <div class="field"><label for="filter-status">${gettext("Status")}</label>
          <select id="filter-status" name="status"><option value="">${gettext("All")}</option>
            ${Object.entries(statuses).map(([value, label]) => html`<option value=${value}>${label}</option>`)}</select></div>
      </form>
      ${posts === null ? html`<p class="empty" role="status">${gettext("Loading…")}</p>`
        : posts.length === 0 ? html`<p class="empty" role="status">${gettext("No post matches.")}</p>`
        : html`<ul class="feed" aria-busy=${loading ? "true" : "false"}>${posts.filter((item) => !state.cards[item.card.post_id]?.deleted).map((item) => html`<li key=${item.card.post_id}>
            <${Card} card=${state.cards[item.card.post_id] || item.card} state=${state} roomId=${item.room_id} />
            <a class="in-room" href=${`#/rooms/${item.room_id}`}>${gettext("See it in its room")}</a>
          </li>`)}</ul>`}
      ${nextBefore !== null && posts?.length > 0 && html`<p class="older"><button type="button" disabled=${loading}
        onClick=${() => this.load({ more: true })}>${gettext("More posts")}</button></p>`}
    </main>`;
  }
}
