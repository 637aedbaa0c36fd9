// A modal <dialog> (never window.prompt): opened when mounted, `onClose` told when the
// browser closes it (Escape, a form of method=dialog). Shared by the resident app and
// the console.
import { Component, createRef, html } from "./html.js";

export class Modal extends Component {
  constructor() {
    super();
    this.ref = createRef();
  }

  componentDidMount() {
    const dialog = this.ref.current;
    dialog.addEventListener("close", () => this.props.onClose());
    if (!dialog.open) dialog.showModal();
  }

  render({ title, children, id }) {
    return html`<dialog ref=${this.ref} class="modal" aria-labelledby=${`${id}-title`} id=${id}>
      <h2 id=${`${id}-title`}>${title}</h2>
      ${children}
    </dialog>`;
  }
}
