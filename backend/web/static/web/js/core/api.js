// The REST half of frontend-contract/: JSON in and out, the session cookie, Django's
// CSRF token on every unsafe request, the page's language, and errors as ApiError with
// the contract's code, message and fields.
import { gettext, language } from "./i18n.js";

const SAFE = new Set(["GET", "HEAD", "OPTIONS"]);
const listeners = { unauthenticated: new Set() };

export class ApiError extends Error {
  constructor(status, body) {
    super(body.message || gettext("Something went wrong on our side."));
    this.status = status;
    this.code = body.code || "server_error";
    this.body = body;
  }

  /** The errors of one form field: the post rules name it in `field` (e.g. "details/what"
   * or "end"), validation_failed lists them under `fields`. */
  fieldErrors() {
    const errors = {};
    if (this.body.field) errors[String(this.body.field).split("/")[0]] = [this.message];
    for (const [name, list] of Object.entries(this.body.fields || {})) {
      errors[name] = (Array.isArray(list) ? list : [list]).map((item) => (typeof item === "string" ? item : item.message));
    }
    return errors;
  }
}

export function csrfToken() {
  const match = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
  return match ? decodeURIComponent(match[1]) : "";
}

/** Called with no argument when the server answers 401: the session is over. */
export function onUnauthenticated(listener) {
  listeners.unauthenticated.add(listener);
}

function headersFor(method, json) {
  const headers = { Accept: "application/json", "Accept-Language": language };
  if (json) headers["Content-Type"] = "application/json";
  if (!SAFE.has(method)) headers["X-CSRFToken"] = csrfToken();
  return headers;
}

async function readBody(response) {
  try {
    return await response.json();
  } catch {
    return { code: "server_error", message: gettext("Something went wrong on our side.") };
  }
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** One REST call under /api/v1/. A GET refused with 503 server_busy is retried twice
 * after its retry_after, with jitter; everything else is for the caller. */
export async function api(method, path, body, { retries = 2 } = {}) {
  const json = body !== undefined;
  const response = await fetch(`/api/v1/${path}`, {
    method,
    headers: headersFor(method, json),
    body: json ? JSON.stringify(body) : undefined,
    credentials: "same-origin",
  });
  if (response.status === 204) return null;
  const data = await readBody(response);
  if (response.ok) return data;
  if (response.status === 503 && method === "GET" && retries > 0) {
    await sleep(((data.retry_after || 1) + Math.random()) * 1000);
    return api(method, path, body, { retries: retries - 1 });
  }
  if (response.status === 401) listeners.unauthenticated.forEach((listener) => listener());
  throw new ApiError(response.status, data);
}

export function query(params = {}) {
  const search = new URLSearchParams();
  for (const [name, value] of Object.entries(params)) {
    for (const item of Array.isArray(value) ? value : [value]) {
      if (item !== undefined && item !== null && item !== "") search.append(name, item);
    }
  }
  const text = search.toString();
  return text ? `?${text}` : "";
}

export const get = (path, params) => api("GET", path + query(params));
export const post = (path, body) => api("POST", path, body);
export const put = (path, body) => api("PUT", path, body);
export const patch = (path, body) => api("PATCH", path, body);
export const del = (path, body) => api("DELETE", path, body);

/** A multipart upload of `file` as the field `file` (and `fields`, e.g. a client_id),
 * with progress (0..1) reported to `onProgress`; resolves with the answer, rejects with
 * ApiError. */
export function upload(path, file, onProgress, { fields = {} } = {}) {
  return new Promise((resolve, reject) => {
    const request = new XMLHttpRequest();
    request.open("POST", `/api/v1/${path}`);
    for (const [name, value] of Object.entries(headersFor("POST", false))) request.setRequestHeader(name, value);
    request.upload.onprogress = (event) => event.lengthComputable && onProgress?.(event.loaded / event.total);
    request.onload = () => {
      let data;
      try {
        data = JSON.parse(request.responseText);
      } catch {
        data = { code: "server_error", message: gettext("Something went wrong on our side.") };
      }
      if (request.status >= 200 && request.status < 300) resolve(data);
      else reject(new ApiError(request.status, data));
    };
    request.onerror = () => reject(new ApiError(0, { code: "network", message: gettext("The connection failed; try again.") }));
    const form = new FormData();
    form.append("file", file);
    for (const [name, value] of Object.entries(fields)) form.append(name, value);
    request.send(form);
  });
}

/** A client id for what must not be created twice (a message, a post). */
export function clientId(prefix = "c") {
  const random = crypto.getRandomValues(new Uint32Array(2));
  return `${prefix}-${Date.now().toString(36)}-${random[0].toString(36)}${random[1].toString(36)}`;
}
