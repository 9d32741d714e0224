/**
 * Modal dialogs on the native `<dialog>` element: `showModal()` makes the page behind inert,
 * Escape closes (the `cancel` event), Tab is kept inside, and focus returns to the control
 * that opened it. Real buttons throughout, so keyboards and browser tests can use them.
 */
import { canWrite } from "./access";
import { ApiFailure, messageOf } from "./api";
import { type Child, errorLine, findByFocusKeys, focusKeysOf, h, uid } from "./dom";

export interface Dialog {
  el: HTMLDialogElement;
  close(): void;
}

const FOCUSABLE = 'a[href], button:not([disabled]), input:not([disabled]):not([type="hidden"]), select:not([disabled]), textarea:not([disabled]), [tabindex="0"]';

/** Opens a modal with a heading and `content`; resolves nothing, call `close()` when done. */
export function openDialog(title: string, content: Child, options: { onClose?: () => void; wide?: boolean } = {}): Dialog {
  const opener = document.activeElement as HTMLElement | null;
  // A page redrawn while the dialog was open (after a save) has replaced the opener: its
  // successor is found by the same data-focus / data-ip key.
  const openerKeys = focusKeysOf(opener);
  const titleId = uid("dlg");
  const el = h("dialog", { "aria-labelledby": titleId, class: options.wide ? "wide" : null }, h("h2", { id: titleId }, title), content);
  el.addEventListener("keydown", (event) => {
    if (event.key !== "Tab") return;
    const items = [...el.querySelectorAll<HTMLElement>(FOCUSABLE)].filter((x) => !x.closest("[hidden]"));
    if (items.length === 0) return;
    const first = items[0]!;
    const last = items[items.length - 1]!;
    if (event.shiftKey && document.activeElement === first) {
      event.preventDefault();
      last.focus();
    } else if (!event.shiftKey && document.activeElement === last) {
      event.preventDefault();
      first.focus();
    }
  });
  let closed = false;
  const close = () => {
    if (closed) return;
    closed = true;
    if (el.open) el.close();
    el.remove();
    options.onClose?.();
    if (opener && opener.isConnected) opener.focus();
    else findByFocusKeys(document, openerKeys)?.focus();
  };
  el.addEventListener("close", close);
  document.body.append(el);
  el.showModal();
  const autofocus = el.querySelector<HTMLElement>("[autofocus]") ?? el.querySelector<HTMLElement>("input, select, textarea") ?? el.querySelector<HTMLElement>(FOCUSABLE);
  autofocus?.focus();
  return { el, close };
}

export interface FormDialogOptions {
  title: string;
  fields: Child;
  submitLabel: string;
  /** Throw (an ApiFailure) to show its sentence and keep the dialog open; return to close it. */
  onSubmit: (form: HTMLFormElement) => Promise<void>;
  danger?: boolean;
  /** extra buttons beside Cancel (e.g. "Release"), given the dialog */
  extra?: (dialog: Dialog, error: ReturnType<typeof errorLine>) => Child;
  intro?: Child;
  /** the title when the person may only read (a viewer looking at a record), e.g. the IP alone */
  readTitle?: string;
}

/**
 * A dialog holding a form: shows the API's error sentence on failure, closes on success.
 * For someone who may only read (access.ts), the same fields are shown read-only, with
 * Close instead of Cancel and no submit or extra buttons: a record can be looked at, and
 * nothing offers a change the server would refuse.
 */
export function formDialog(options: FormDialogOptions): Dialog {
  const reading = !canWrite();
  const error = errorLine();
  const submit = h("button", { type: "submit", class: options.danger ? "danger" : "primary" }, options.submitLabel);
  const note = reading ? h("p", { class: "muted" }, "Read only: your role (viewer) can look this up but not change it.") : null;
  const form = h("form", { novalidate: true }, note, reading ? null : (options.intro ?? null), options.fields, error);
  const cancel = h("button", { type: "button" }, reading ? "Close" : "Cancel");
  if (reading) {
    for (const control of form.querySelectorAll<HTMLInputElement | HTMLSelectElement | HTMLTextAreaElement>("input, select, textarea")) {
      // Read-only inputs stay focusable and readable; a select has no read-only state. No
      // placeholder: an empty field's example (aa:bb:cc:dd:ee:ff) would read as the record's data.
      if (control instanceof HTMLSelectElement) control.disabled = true;
      else {
        control.readOnly = true;
        control.removeAttribute("placeholder");
      }
    }
  }
  const dialog = openDialog(reading ? (options.readTitle ?? options.title) : options.title, form);
  form.append(h("div", { class: "actions" }, reading ? null : (options.extra?.(dialog, error) ?? null), h("span", { class: "spacer" }), cancel, reading ? null : submit));
  cancel.addEventListener("click", () => dialog.close());
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    if (reading) return;
    submit.disabled = true;
    error.show(null);
    try {
      await options.onSubmit(form);
      dialog.close();
    } catch (failure) {
      error.show(messageOf(failure));
      submit.disabled = false;
      // Disabling the focused button dropped focus to <body>: a keyboard user would be left
      // outside the dialog. Put it on the field the API named, else back on the button.
      if (!dialog.el.contains(document.activeElement)) (fieldNamed(form, failure) ?? submit).focus();
    }
  });
  return dialog;
}

/** The form control the API's error names (`details.field`), if the form has one. */
function fieldNamed(form: HTMLFormElement, failure: unknown): HTMLElement | null {
  const field = failure instanceof ApiFailure ? failure.details?.field : undefined;
  if (typeof field !== "string" || field === "") return null;
  const control = form.elements.namedItem(field);
  return control instanceof HTMLElement ? control : null;
}

/** Asks a yes/no question; resolves true when the confirm button was pressed. */
export function confirmDialog(title: string, message: Child, confirmLabel: string): Promise<boolean> {
  return new Promise((resolve) => {
    let answer = false;
    const yes = h("button", { type: "button", class: "danger" }, confirmLabel);
    const no = h("button", { type: "button", autofocus: true }, "Cancel");
    const dialog = openDialog(title, [h("p", null, message), h("div", { class: "actions" }, h("span", { class: "spacer" }), no, yes)], {
      onClose: () => resolve(answer),
    });
    no.addEventListener("click", () => dialog.close());
    yes.addEventListener("click", () => {
      answer = true;
      dialog.close();
    });
  });
}

/** The trimmed text of a named form control ("" when absent). */
export function valueOf(form: HTMLFormElement, name: string): string {
  const control = form.elements.namedItem(name) as HTMLInputElement | HTMLSelectElement | null;
  return control ? control.value.trim() : "";
}
