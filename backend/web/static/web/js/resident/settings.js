// Settings: her name and language; notifications (time zone, quiet hours, previews, the
// kinds of post that push nothing, muted rooms); this browser's notifications; her devices;
// her data (privacy.js: an archive, the data page, deleting her account); logging out.
import * as api from "../core/api.js";
import { Field, FormError, formValues } from "../core/forms.js";
import { Component, html } from "../core/html.js";
import { gettext, interpolate, language } from "../core/i18n.js";
import { formatDateTime } from "../core/format.js";
import { askNotificationPermission, notificationPermission } from "../core/notify.js";
import { kindLabels } from "../core/posts.js";
import { roomName } from "./rooms.js";
import { DataSection } from "./privacy.js";
import { logout } from "./session.js";
import { showError, store, toast } from "./state.js";

const HOUR = 3600 * 1000;
const muteChoices = () => [
  ["", gettext("Not muted")],
  ["1h", gettext("For 1 hour")],
  ["8h", gettext("For 8 hours")],
  ["1w", gettext("For a week")],
  ["forever", gettext("Until I unmute it")],
];
const MUTE_SPANS = { "1h": HOUR, "8h": 8 * HOUR, "1w": 7 * 24 * HOUR };

function timeZones() {
  try {
    return Intl.supportedValuesOf("timeZone");
  } catch {
    return ["Europe/Paris", "UTC"];
  }
}

class AccountForm extends Component {
  constructor() {
    super();
    this.state = { errors: {}, error: null };
  }

  async submit(event) {
    event.preventDefault();
    const values = formValues(event.target);
    try {
      const me = await api.patch("auth/me/", values);
      store.set({ me });
      if (values.language !== language) location.reload();
      else toast(gettext("Saved."), { tone: "success" });
      this.setState({ errors: {}, error: null });
    } catch (error) {
      this.setState({ errors: error.fieldErrors ? error.fieldErrors() : {}, error: error.message });
    }
  }

  render({ user }, { errors, error }) {
    return html`<form class="panel" id="account-form" onSubmit=${(event) => this.submit(event)} aria-labelledby="account-title">
      <h2 id="account-title">${gettext("You")}</h2>
      <${Field} label=${gettext("Your name, as neighbours see it")} name="display_name" required maxlength="60" defaultValue=${user.display_name} error=${errors.display_name} />
      <${Field} label=${gettext("Language")} name="language" as="select" defaultValue=${user.language} options=${[["fr", "Français"], ["en", "English"]]} />
      <${FormError} error=${error} />
      <button type="submit" class="primary">${gettext("Save")}</button>
    </form>`;
  }
}

class PushForm extends Component {
  constructor() {
    super();
    this.state = { errors: {}, error: null };
  }

  async submit(event) {
    event.preventDefault();
    const form = event.target;
    const values = formValues(form, { booleans: ["previews"] });
    const body = {
      time_zone: values.time_zone,
      quiet_start: values.quiet_start || null,
      quiet_end: values.quiet_end || null,
      previews: values.previews,
      muted_kinds: [...form.querySelectorAll("input[name=muted_kinds]:checked")].map((box) => box.value),
    };
    if (Boolean(body.quiet_start) !== Boolean(body.quiet_end)) {
      // The server takes one of the two as null without a word; say it here.
      const message = gettext("Quiet hours need both a start and an end.");
      this.setState({ errors: { [body.quiet_start ? "quiet_end" : "quiet_start"]: [message] }, error: null });
      return;
    }
    try {
      await api.patch("push/preferences/", body);
      this.setState({ errors: {}, error: null });
      toast(gettext("Saved."), { tone: "success" });
    } catch (error) {
      const errors = error.fieldErrors ? error.fieldErrors() : {};
      if (error.code === "invalid_time_zone") errors.time_zone = [error.message];
      if (error.code === "quiet_hours_incomplete") errors.quiet_end = [error.message];
      this.setState({ errors, error: error.message });
    }
  }

  render({ preferences }, { errors, error }) {
    const kinds = kindLabels();
    const time = (value) => (value ? value.slice(0, 5) : "");
    return html`<form class="panel" id="push-form" onSubmit=${(event) => this.submit(event)} aria-labelledby="push-title">
      <h2 id="push-title">${gettext("Phone notifications")}</h2>
      <${Field} label=${gettext("Time zone")} name="time_zone" as="select" defaultValue=${preferences.time_zone}
        options=${timeZones().map((zone) => [zone, zone])} error=${errors.time_zone} />
      <fieldset>
        <legend>${gettext("Quiet hours (nothing but trust decisions)")}</legend>
        <div class="row">
          <${Field} label=${gettext("From")} name="quiet_start" type="time" defaultValue=${time(preferences.quiet_start)} error=${errors.quiet_start} />
          <${Field} label=${gettext("To")} name="quiet_end" type="time" defaultValue=${time(preferences.quiet_end)} error=${errors.quiet_end} />
        </div>
      </fieldset>
      <div class="field check"><label><input type="checkbox" name="previews" defaultChecked=${preferences.previews} />
        ${gettext("Show the text of messages in notifications")}</label></div>
      <fieldset>
        <legend>${gettext("Kinds of post that notify nothing")}</legend>
        <div class="checks">${Object.entries(kinds).map(([kind, label]) => html`<label class="check" key=${kind}>
          <input type="checkbox" name="muted_kinds" value=${kind} defaultChecked=${preferences.muted_kinds.includes(kind)} /> ${label}</label>`)}</div>
      </fieldset>
      <${FormError} error=${error} />
      <button type="submit" class="primary">${gettext("Save")}</button>
    </form>`;
  }
}

function BrowserNotifications({ permission, onChange }) {
  const text = {
    granted: gettext("This browser shows a notification for mentions and direct messages while the page is in the background."),
    denied: gettext("This browser blocks Voisins' notifications; allow them in the browser's site settings."),
    default: gettext("Get a notification for mentions and direct messages while the page is in the background."),
    unsupported: gettext("This browser cannot show notifications."),
  }[permission];
  return html`<section class="panel" aria-labelledby="browser-title">
    <h2 id="browser-title">${gettext("This browser")}</h2>
    <p>${text}</p>
    ${permission === "default" && html`<button type="button" onClick=${async () => onChange(await askNotificationPermission())}>
      ${gettext("Allow notifications")}</button>`}
  </section>`;
}

function RoomMutes({ rooms, mutes, onChange }) {
  const current = (roomId) => {
    const mute = mutes.find((item) => item.room_id === roomId);
    if (!mute) return "";
    return mute.until ? "until" : "forever";
  };
  const change = async (roomId, choice) => {
    if (choice === "keep") return;
    try {
      if (!choice) await api.del(`push/mutes/${roomId}/`);
      else await api.put(`push/mutes/${roomId}/`, { until: choice === "forever" ? null : new Date(Date.now() + MUTE_SPANS[choice]).toISOString() });
      onChange(await api.get("push/mutes/"));
    } catch (error) {
      showError(error);
    }
  };
  return html`<section class="panel" aria-labelledby="mutes-title">
    <h2 id="mutes-title">${gettext("Muted rooms")}</h2>
    <p class="hint">${gettext("A muted room sends no notification; you still read it here.")}</p>
    <ul class="mutes">${Object.values(rooms).map((room) => {
      const mute = mutes.find((item) => item.room_id === room.id);
      const id = `mute-${room.id}`;
      return html`<li key=${room.id}>
        <label for=${id}>${roomName(room)}</label>
        ${mute?.until && html`<span class="muted small">${interpolate(gettext("muted until %(date)s"), { date: formatDateTime(mute.until) })}</span>`}
        <select id=${id} onChange=${(event) => change(room.id, event.target.value)}>
          ${current(room.id) === "until" && html`<option value="keep" selected>${gettext("Muted for now")}</option>`}
          ${muteChoices().map(([value, label]) => html`<option value=${value} selected=${current(room.id) === value}>${label}</option>`)}
        </select>
      </li>`;
    })}</ul>
  </section>`;
}

function Devices({ tokens, onRevoke }) {
  return html`<section class="panel" aria-labelledby="devices-title">
    <h2 id="devices-title">${gettext("Your devices")}</h2>
    ${tokens.length === 0 ? html`<p class="empty">${gettext("No phone or app is connected to your account.")}</p>`
      : html`<ul class="devices">${tokens.map((token) => html`<li key=${token.id}>
          <div><strong>${token.device_name || gettext("Unnamed device")}</strong>
            <p class="muted small">${interpolate(gettext("Last used %(date)s"), { date: formatDateTime(token.last_used_at) })}</p></div>
          <button type="button" class="small" onClick=${() => onRevoke(token)}>${gettext("Sign out")}</button>
        </li>`)}</ul>`}
  </section>`;
}

export class SettingsScreen extends Component {
  constructor() {
    super();
    this.state = { preferences: null, mutes: [], tokens: [], permission: notificationPermission() };
  }

  async componentDidMount() {
    try {
      const [preferences, mutes, tokens] = await Promise.all([api.get("push/preferences/"), api.get("push/mutes/"), api.get("auth/tokens/")]);
      this.setState({ preferences, mutes, tokens });
    } catch (error) {
      showError(error);
    }
  }

  async revoke(token) {
    try {
      await api.del(`auth/tokens/${token.id}/`);
      this.setState({ tokens: this.state.tokens.filter((item) => item.id !== token.id) });
    } catch (error) {
      showError(error);
    }
  }

  render({ state }, { preferences, mutes, tokens, permission }) {
    const rooms = state.rooms;
    return html`<main id="main" class="screen settings-screen">
      <h1 class="screen-title">${gettext("Settings")}</h1>
      <div class="columns">
        <${AccountForm} user=${state.me.user} />
        ${preferences && html`<${PushForm} preferences=${preferences} />`}
        <${BrowserNotifications} permission=${permission} onChange=${(value) => this.setState({ permission: value })} />
        ${Object.keys(rooms).length > 0 && html`<${RoomMutes} rooms=${rooms} mutes=${mutes} onChange=${(value) => this.setState({ mutes: value })} />`}
        <${Devices} tokens=${tokens} onRevoke=${(token) => this.revoke(token)} />
        <${DataSection} exports=${state.exports} />
        <section class="panel" aria-labelledby="session-title">
          <h2 id="session-title">${gettext("Membership and session")}</h2>
          <p><a href="#/join">${gettext("See my membership and its history")}</a></p>
          <button type="button" class="danger" id="logout" onClick=${logout}>${gettext("Log out")}</button>
        </section>
      </div>
    </main>`;
  }
}
