// Views are Preact components written as htm tagged templates: no JSX, no compiler.
// Text interpolated in a template is always a text node, never parsed as HTML.
import { Component, Fragment, createRef, h, render } from "../../vendor/preact-11.2.0/preact.mjs";
import htm from "../../vendor/htm-3.1.1/htm.mjs";

export const html = htm.bind(h);
export { Component, Fragment, createRef, h, render };

/** Joins class names, skipping falsy ones: cx("a", on && "b"). */
export function cx(...names) {
  return names.filter(Boolean).join(" ");
}
