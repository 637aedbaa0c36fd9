// Form pieces every page shares: a labelled field with its hint and errors wired for
// assistive technology, and a form's values as an object.
import { html } from "./html.js";

let counter = 0;
export function uid(prefix = "f") {
  counter += 1;
  return `${prefix}-${counter}`;
}

/** <Field label name error hint …input attributes>: an <input> unless `as` is
 * "textarea" or "select" (options: [[value, label]]). */
export function Field({ label, name, error, hint, as = "input", options = [], id, children, ...attributes }) {
  const fieldId = id || `field-${name}`;
  const errors = error ? (Array.isArray(error) ? error : [error]) : [];
  const described = [hint && `${fieldId}-hint`, errors.length && `${fieldId}-error`].filter(Boolean).join(" ") || undefined;
  const common = { id: fieldId, name, "aria-describedby": described, "aria-invalid": errors.length ? "true" : undefined, ...attributes };
  let control;
  if (as === "textarea") control = html`<textarea ...${common}></textarea>`;
  else if (as === "select") {
    // Uncontrolled: the chosen option is `selected` (a `value` prop would be put back
    // on every render of the page).
    const { defaultValue, ...rest } = common;
    control = html`<select ...${rest}>${options.map(([value, text]) =>
      html`<option value=${value} selected=${String(value) === String(defaultValue ?? "")}>${text}</option>`)}</select>`;
  } else control = html`<input ...${common} />`;
  return html`<div class=${`field${errors.length ? " has-error" : ""}`}>
    <label for=${fieldId}>${label}</label>
    ${control}
    ${children}
    ${hint && html`<p class="hint" id=${`${fieldId}-hint`}>${hint}</p>`}
    ${errors.length > 0 && html`<p class="field-error" id=${`${fieldId}-error`}>${errors.join(" ")}</p>`}
  </div>`;
}

/** A form's values: {name: value}; checkboxes named in `booleans` as true/false. */
export function formValues(form, { booleans = [] } = {}) {
  const values = Object.fromEntries(new FormData(form).entries());
  for (const name of booleans) values[name] = form.elements[name]?.checked ?? false;
  return values;
}

/** The error of a whole form (role=alert), shown above its button. */
export function FormError({ error }) {
  return error ? html`<p class="form-error" role="alert">${error}</p>` : null;
}
