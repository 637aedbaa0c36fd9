// Joining: apply with her address (the neighbourhood is looked up as she types its
// position), then one of three routes: a neighbour's vouch, a proof of address (upload
// with progress), or the code of a letter. Where her application stands and why, and
// her trust history. Verified members see the applicants of their neighbourhood and vouch.
import * as api from "../core/api.js";
import { Field, FormError, formValues } from "../core/forms.js";
import { Component, createRef, cx, html } from "../core/html.js";
import { gettext, interpolate, ngettext } from "../core/i18n.js";
import { formatDate, formatDateTime } from "../core/format.js";
import { createMap, loadLeaflet } from "../core/leaflet.js";
import { openDirect, socket } from "./chat.js";
import { Decisions } from "./decisions.js";
import { refreshMe } from "./session.js";
import { openDialog, showError, store, toast } from "./state.js";

const ROOM_CHANGING = new Set(["verified", "reinstated", "revoked", "reverify", "moderator_removed"]);

/** A trust decision about her, live: told, then the page follows it. */
export async function trustNotice(notice) {
  const good = notice.decision === "verified" || notice.decision === "reinstated";
  toast(`${notice.title} — ${notice.body}`, { tone: good ? "success" : "error", timeout: 15000 });
  await refreshMe();
  if (ROOM_CHANGING.has(notice.decision)) socket.restart();
  joinReload.forEach((reload) => reload());
}

const joinReload = new Set();

const routeLabels = () => ({ proof: gettext("a proof of address"), vouch: gettext("a neighbour's vouch"), letter: gettext("a letter code") });

const historyLabels = () => ({
  apply: gettext("Application sent"),
  proof_upload: gettext("Proof of address sent"),
  approve: gettext("Proof approved"),
  reject: gettext("Rejected"),
  vouch: gettext("Vouch received"),
  verify: gettext("Verified"),
  code_issued: gettext("Letter sent"),
  code_failed: gettext("Wrong letter code"),
  code_used: gettext("Letter code used"),
  revoke: gettext("Membership ended"),
  reinstate: gettext("Reinstated"),
  chain_reverify: gettext("Asked to verify again"),
  moderator_removed: gettext("No longer a moderator"),
});

const proofStates = () => ({
  pending: gettext("waiting for a moderator"), approved: gettext("approved"), rejected: gettext("rejected"), withdrawn: gettext("withdrawn"),
});

/** Picking the position of her home on a map (offered when map tiles are configured:
 * without a background a map says nothing about where one lives). */
class PositionPicker extends Component {
  constructor() {
    super();
    this.element = createRef();
  }

  async componentDidMount() {
    const L = await loadLeaflet();
    const { latitude, longitude } = this.props.form.elements;
    const known = [Number(latitude.value), Number(longitude.value)];
    const start = known.every((value) => value && Number.isFinite(value)) ? known : [46.6, 2.4];
    this.map = createMap(L, this.element.current, { center: start, zoom: known[0] ? 17 : 5 });
    const dot = (at) => L.circleMarker(at, { radius: 9, color: "#1f6f5c" }).addTo(this.map);
    let marker = known[0] ? dot(start) : null;
    this.map.on("click", (event) => {
      latitude.value = event.latlng.lat.toFixed(6);
      longitude.value = event.latlng.lng.toFixed(6);
      if (marker) marker.setLatLng(event.latlng);
      else marker = dot(event.latlng);
      this.props.onPick();
    });
  }

  componentWillUnmount() {
    this.map?.remove();
  }

  render() {
    return html`<div class="map picker" ref=${this.element} role="region" aria-label=${gettext("Map: click where you live")}></div>`;
  }
}

class ApplyForm extends Component {
  constructor() {
    super();
    this.state = { errors: {}, error: null, busy: false, lookup: null };
    this.timer = null;
  }

  lookup(form) {
    clearTimeout(this.timer);
    const latitude = form.elements.latitude.value.trim().replace(",", ".");
    const longitude = form.elements.longitude.value.trim().replace(",", ".");
    if (!latitude || !longitude || Number.isNaN(Number(latitude)) || Number.isNaN(Number(longitude))) {
      this.setState({ lookup: null });
      return;
    }
    this.timer = setTimeout(async () => {
      this.setState({ lookup: { busy: true } });
      try {
        const found = await api.get("neighbourhoods/lookup/", { latitude, longitude });
        this.setState({ lookup: { neighbourhood: found } });
      } catch (error) {
        this.setState({ lookup: { error: error.message } });
      }
    }, 350);
  }

  locate(event) {
    const form = event.target.form;
    if (!navigator.geolocation) return;
    navigator.geolocation.getCurrentPosition((position) => {
      form.elements.latitude.value = position.coords.latitude.toFixed(6);
      form.elements.longitude.value = position.coords.longitude.toFixed(6);
      this.lookup(form);
    }, () => toast(gettext("This browser could not tell where you are; type the position instead."), { tone: "error" }));
  }

  async submit(event) {
    event.preventDefault();
    const values = formValues(event.target);
    const body = { ...values, latitude: Number(String(values.latitude).replace(",", ".")), longitude: Number(String(values.longitude).replace(",", ".")) };
    this.setState({ busy: true, errors: {}, error: null });
    try {
      await api.post("trust/memberships/", body);
      toast(gettext("Your application is sent."), { tone: "success" });
      await refreshMe();
    } catch (error) {
      const errors = error.fieldErrors ? error.fieldErrors() : {};
      if (error.code === "no_neighbourhood") errors.latitude = [error.message];
      this.setState({ busy: false, errors, error: error.message });
    }
  }

  render(_, { errors, error, busy, lookup, picking }) {
    return html`<form class="panel apply" id="apply" onSubmit=${(event) => this.submit(event)}
        onInput=${(event) => ["latitude", "longitude"].includes(event.target.name) && this.lookup(event.currentTarget)} novalidate>
      <h2>${gettext("Where do you live?")}</h2>
      <p class="hint">${gettext("Only the moderators see your exact address; neighbours see your street.")}</p>
      <div class="row">
        <${Field} label=${gettext("Number")} name="number" required maxlength="20" autocomplete="address-line2" error=${errors.number} class="short" />
        <${Field} label=${gettext("Street")} name="street" required maxlength="200" autocomplete="address-line1" error=${errors.street} />
      </div>
      <div class="row">
        <${Field} label=${gettext("Postcode")} name="postcode" required maxlength="20" autocomplete="postal-code" error=${errors.postcode} class="short" />
        <${Field} label=${gettext("City")} name="city" required maxlength="120" autocomplete="address-level2" error=${errors.city} />
      </div>
      <fieldset class="position">
        <legend>${gettext("Position of your home")}</legend>
        <p class="hint">${gettext("In decimal degrees, as a map application shows them (e.g. 48.6493, -2.0257).")}</p>
        <div class="row">
          <${Field} label=${gettext("Latitude")} name="latitude" inputmode="decimal" required error=${errors.latitude} />
          <${Field} label=${gettext("Longitude")} name="longitude" inputmode="decimal" required error=${errors.longitude} />
        </div>
        <p class="position-tools">
          <button type="button" class="link" onClick=${(event) => this.locate(event)}>${gettext("Use my current position")}</button>
          ${document.body.dataset.tiles && html`<button type="button" class="link" aria-expanded=${picking ? "true" : "false"}
            onClick=${(event) => this.setState({ picking: !picking, form: event.target.form })}>${gettext("Pick it on a map")}</button>`}
        </p>
        ${picking && html`<${PositionPicker} form=${this.state.form} onPick=${() => this.lookup(this.state.form)} />`}
        <p class=${cx("lookup", lookup?.error && "bad", lookup?.neighbourhood && "good")} role="status" aria-live="polite">
          ${lookup?.busy ? gettext("Looking for your neighbourhood…")
            : lookup?.neighbourhood ? interpolate(gettext("Your neighbourhood: %(name)s"), { name: lookup.neighbourhood.name })
            : lookup?.error || ""}
        </p>
      </fieldset>
      <${FormError} error=${error} />
      <button type="submit" class="primary" disabled=${busy}>${gettext("Apply")}</button>
    </form>`;
  }
}

class ProofUpload extends Component {
  constructor() {
    super();
    this.state = { progress: null, error: null };
  }

  async submit(event) {
    event.preventDefault();
    const file = event.target.elements.file.files[0];
    if (!file) {
      this.setState({ error: gettext("Choose the document first.") });
      return;
    }
    this.setState({ progress: 0, error: null });
    try {
      await api.upload(`trust/memberships/${this.props.membership.id}/proofs/`, file, (progress) => this.setState({ progress }));
      this.setState({ progress: null, chosen: null });
      event.target.reset();
      toast(gettext("Your proof is sent: a moderator will review it."), { tone: "success" });
      this.props.onDone();
    } catch (error) {
      this.setState({ progress: null, error: error.message });
    }
  }

  render({ membership }, { progress, error, chosen }) {
    const waiting = membership.proofs.some((proof) => proof.state === "pending");
    return html`<section class="route" aria-labelledby="route-proof">
      <h3 id="route-proof">${gettext("Send a proof of address")}</h3>
      <p>${gettext("A utility bill or a rent receipt with your name and address: PDF, JPEG or PNG, at most 10 MB. A moderator checks it, then it is deleted.")}</p>
      ${membership.proofs.length > 0 && html`<ul class="proofs">${membership.proofs.map((proof) => html`<li key=${proof.id}>
        ${interpolate(gettext("Sent on %(date)s: %(state)s"), { date: formatDate(proof.uploaded_at), state: proofStates()[proof.state] || proof.state })}
        ${proof.reason && html` — ${interpolate(gettext("Reason: %(reason)s"), { reason: proof.reason })}`}
      </li>`)}</ul>`}
      ${!waiting && html`<form class="upload" id="proof-form" onSubmit=${(event) => this.submit(event)}>
        <div class=${cx("file-picker", error && "has-error")}>
          <input id="field-file" class="visually-hidden" name="file" type="file" accept=".pdf,.jpg,.jpeg,.png,application/pdf,image/jpeg,image/png"
            aria-describedby=${error ? "field-file-error" : undefined} aria-invalid=${error ? "true" : undefined}
            onChange=${(event) => this.setState({ chosen: event.target.files[0]?.name || null, error: null })} />
          <label for="field-file" class="button">${gettext("Choose the document")}</label>
          <span class="file-name">${chosen || gettext("No document chosen")}</span>
        </div>
        ${error && html`<p class="field-error" id="field-file-error">${error}</p>`}
        ${progress !== null && html`<progress max="1" value=${progress} aria-label=${gettext("Upload progress")}></progress>
          <span class="muted" role="status">${Math.round(progress * 100)} %</span>`}
        <button type="submit" class="primary" disabled=${progress !== null}>${gettext("Send the proof")}</button>
      </form>`}
    </section>`;
  }
}

class LetterCode extends Component {
  constructor() {
    super();
    this.state = { error: null, busy: false };
  }

  async submit(event) {
    event.preventDefault();
    const code = new FormData(event.target).get("code").trim();
    if (!code) return;
    this.setState({ busy: true, error: null });
    try {
      await api.post(`trust/memberships/${this.props.membership.id}/letter-code/redeem/`, { code });
      this.setState({ busy: false });
      await refreshMe();
      socket.restart();
      this.props.onDone();
    } catch (error) {
      this.setState({ busy: false, error: error.message });
      this.props.onDone();
    }
  }

  render({ membership }, { error, busy }) {
    const letter = membership.letter_code;
    return html`<section class="route" aria-labelledby="route-letter">
      <h3 id="route-letter">${gettext("Type the code of your letter")}</h3>
      <p>${letter
        ? interpolate(gettext("A moderator sent you a letter on %(date)s; its code works until %(expires)s."), { date: formatDate(letter.issued_at), expires: formatDate(letter.expires_at) })
        : gettext("A moderator can post a letter with a code to your address.")}</p>
      ${letter && !letter.used && html`<form class="inline-form" id="code-form" onSubmit=${(event) => this.submit(event)}>
        <${Field} label=${gettext("Letter code")} name="code" required maxlength="32" autocomplete="one-time-code" error=${error}
          hint=${interpolate(ngettext("%(n)s attempt left", "%(n)s attempts left", letter.attempts_left), { n: letter.attempts_left })} />
        <button type="submit" class="primary" disabled=${busy}>${gettext("Check the code")}</button>
      </form>`}
    </section>`;
  }
}

const DECIDING = new Set(["approve", "reject", "verify", "revoke", "reinstate", "chain_reverify"]);

/** The decision that sent her back to pending (her only voucher was revoked), when it is
 * the latest decision about this membership. */
function reverified(history, membershipId) {
  const latest = (history || []).find((entry) => entry.membership_id === membershipId && DECIDING.has(entry.kind));
  return latest?.kind === "chain_reverify" ? latest : null;
}

function History({ entries }) {
  if (!entries?.length) return null;
  return html`<section class="panel history" aria-labelledby="history-title">
    <h2 id="history-title">${gettext("History")}</h2>
    <ol class="timeline">${entries.map((entry) => html`<li key=${`${entry.source}-${entry.id}`}>
      <time datetime=${entry.at}>${formatDateTime(entry.at)}</time>
      ${entry.kind === "reject" && entry.route === "proof" ? html`<strong>${gettext("Proof rejected")}</strong>` : html`<strong>${historyLabels()[entry.kind] || entry.kind}</strong>
        ${entry.route && html` <span class="muted">(${routeLabels()[entry.route] || entry.route})</span>`}`}
      ${entry.actor && html` <span class="muted">${interpolate(gettext("by %(name)s"), { name: entry.actor.display_name })}</span>`}
      ${entry.reason && html`<p class="reason">${interpolate(gettext("Reason: %(reason)s"), { reason: entry.reason })}</p>`}
    </li>`)}</ol>
  </section>`;
}

export class JoinScreen extends Component {
  constructor() {
    super();
    this.state = { membership: null, history: null, loadedFor: null };
    this.reload = () => this.load();
  }

  componentDidMount() {
    joinReload.add(this.reload);
    this.load();
  }

  componentWillUnmount() {
    joinReload.delete(this.reload);
  }

  componentDidUpdate() {
    const summary = this.props.state.me.membership;
    const key = summary ? `${summary.id}-${summary.state}` : "none";
    if (key !== this.state.loadedFor) this.load();
  }

  async load() {
    const summary = store.get().me?.membership;
    const key = summary ? `${summary.id}-${summary.state}` : "none";
    this.setState({ loadedFor: key });
    try {
      const [membership, history] = await Promise.all([
        summary ? api.get(`trust/memberships/${summary.id}/`) : null,
        api.get("trust/history/"),
      ]);
      this.setState({ membership, history });
    } catch (error) {
      showError(error);
    }
  }

  render({ state }, { membership, history }) {
    const summary = state.me.membership;
    let body;
    if (!summary) {
      body = html`<p class="lead">${gettext("Voisins is for people who live in the neighbourhood: tell us where you live, and your neighbours or a moderator verify it.")}</p>
        <${ApplyForm} />`;
    } else if (summary.state === "pending") {
      const counting = membership?.vouched_by.filter((vouch) => vouch.counts) || [];
      const again = reverified(history, summary.id);
      body = html`<div class="panel membership-state pending" id="membership-status">
          <h2>${interpolate(gettext("Your application to %(name)s is pending"), { name: summary.neighbourhood_name })}</h2>
          ${again && html`<p class="reverify">${gettext("You are pending again: the neighbour whose vouch let you in is no longer a member, so your address needs verifying again.")}</p>
            ${again.reason && html`<p class="reason">${interpolate(gettext("Reason: %(reason)s"), { reason: again.reason })}</p>`}`}
          <p>${gettext("You read the neighbourhood's rooms as soon as one of these is done:")}</p>
        </div>
        ${membership && html`<div class="routes">
          <section class="route" aria-labelledby="route-vouch">
            <h3 id="route-vouch">${gettext("A neighbour vouches for you")}</h3>
            <p>${gettext("Ask a verified neighbour who knows you: they find you on their Neighbours page.")}</p>
            ${counting.length > 0 && html`<p>${interpolate(gettext("Vouched for by %(names)s."), { names: counting.map((vouch) => vouch.display_name).join(", ") })}</p>`}
          </section>
          <${ProofUpload} membership=${membership} onDone=${this.reload} />
          <${LetterCode} membership=${membership} onDone=${this.reload} />
        </div>`}`;
    } else if (summary.state === "verified") {
      body = html`<div class="panel membership-state verified" id="membership-status">
        <h2>${interpolate(gettext("You are a verified neighbour of %(name)s"), { name: summary.neighbourhood_name })}</h2>
        ${summary.route && html`<p>${interpolate(gettext("Verified through %(route)s."), { route: routeLabels()[summary.route] || summary.route })}</p>`}
        <p><a href="#/rooms">${gettext("Go to the rooms")}</a></p>
      </div>`;
    } else {
      const rejected = summary.state === "rejected";
      body = html`<div class="panel membership-state ended" id="membership-status">
          <h2>${rejected ? gettext("Your application was rejected") : gettext("Your membership was ended")}</h2>
          ${membership?.reason && html`<p>${interpolate(gettext("Reason: %(reason)s"), { reason: membership.reason })}</p>`}
          <p>${rejected ? gettext("You may apply again.") : gettext("You may appeal to the moderators, or apply elsewhere.")}</p>
        </div>
        <${ApplyForm} />`;
    }
    return html`<main id="main" class="screen join-screen">
      <h1 class="screen-title">${gettext("Your membership")}</h1>
      ${body}
      <${History} entries=${history} />
      <${Decisions} />
    </main>`;
  }
}

export class NeighboursScreen extends Component {
  constructor() {
    super();
    this.state = { applicants: null, members: null };
  }

  componentDidMount() {
    this.load();
  }

  async load() {
    const summary = store.get().me?.membership;
    if (!summary || summary.state !== "verified") return;
    try {
      const [applicants, members] = await Promise.all([
        api.get(`trust/neighbourhoods/${summary.neighbourhood_id}/applicants/`),
        api.get(`trust/neighbourhoods/${summary.neighbourhood_id}/members/`),
      ]);
      this.setState({ applicants, members });
    } catch (error) {
      showError(error);
    }
  }

  vouch(applicant) {
    openDialog({
      kind: "confirm",
      title: interpolate(gettext("Vouch for %(name)s?"), { name: applicant.display_name }),
      body: interpolate(gettext("Vouch only for someone you know lives in %(street)s. Your name goes to the moderators' log."), { street: applicant.street }),
      confirm: gettext("I vouch"),
      onConfirm: async () => {
        try {
          const result = await api.post(`trust/memberships/${applicant.id}/vouches/`);
          toast(result.state === "verified"
            ? interpolate(gettext("%(name)s is now a verified neighbour."), { name: applicant.display_name })
            : interpolate(gettext("Your vouch is recorded (%(count)s of %(needed)s)."), { count: result.counting_vouches, needed: result.vouches_needed }), { tone: "success" });
        } catch (error) {
          showError(error);
        }
        this.load();
      },
    });
  }

  render({ state }, { applicants, members }) {
    const me = state.me.user.id;
    return html`<main id="main" class="screen neighbours-screen">
      <h1 class="screen-title">${gettext("Neighbours")}</h1>
      <section class="panel" aria-labelledby="applicants-title">
        <div class="panel-head">
          <h2 id="applicants-title">${gettext("Waiting to be verified")}</h2>
          <button type="button" class="small" onClick=${() => this.load()}>${gettext("Refresh")}</button>
        </div>
        ${applicants === null ? html`<p class="empty" role="status">${gettext("Loading…")}</p>`
          : applicants.length === 0 ? html`<p class="empty">${gettext("Nobody is waiting.")}</p>`
          : html`<ul class="people applicants">${applicants.map((applicant) => html`<li key=${applicant.id}>
              <div><strong>${applicant.display_name}</strong> <span class="muted">· ${applicant.street}</span>
                <p class="muted small">${interpolate(gettext("Applied on %(date)s"), { date: formatDate(applicant.applied_at) })}
                  ${applicant.vouch_count > 0 && ` · ${interpolate(ngettext("%(n)s vouch", "%(n)s vouches", applicant.vouch_count), { n: applicant.vouch_count })}`}</p></div>
              ${applicant.vouched_by_me ? html`<span class="tag">${gettext("You vouched")}</span>`
                : applicant.user_id !== me && html`<button type="button" class="primary" onClick=${() => this.vouch(applicant)}>
                  ${interpolate(gettext("Vouch for %(name)s"), { name: applicant.display_name })}</button>`}
            </li>`)}</ul>`}
      </section>
      <section class="panel" aria-labelledby="members-title">
        <h2 id="members-title">${gettext("Verified neighbours")}</h2>
        ${members && html`<ul class="people">${members.map((member) => html`<li key=${member.user_id}>
          <div><a href=${`#/people/${member.user_id}`}><strong>${member.display_name}</strong></a> <span class="muted">· ${member.street}</span></div>
          ${member.user_id !== me && html`<button type="button" class="small" onClick=${() => openDirect(member.user_id)}>${gettext("Message")}</button>`}
        </li>`)}</ul>`}
      </section>
    </main>`;
  }
}
