// Every action asks before it acts. Its form is read into a plan: what will happen, in words,
// and the GraphQL call that does it. The call is made only from the confirmation, and once: the
// plan's idempotency key is drawn when the form is submitted, so a second click on Confirm (or a
// retry after the gateway could not be reached) sends the same key, and the gateway does it once.
import { ApiError } from "./api.ts";
import { h } from "./dom.ts";

export interface Plan {
  /** What will happen, one sentence a line. */
  summary: string[];
  /** Does it; answers what was done, in words. */
  run(idempotencyKey: string): Promise<string>;
}

/** The gateway refused the action with a typed error (`... on Error { message code }`). */
export class ActionRefused extends Error {
  constructor(
    message: string,
    readonly code: string,
  ) {
    super(message);
  }
}

export interface ActionFormOptions {
  /** The form's accessible name, e.g. "Grant credits". */
  title: string;
  fields: HTMLElement[];
  /** The plan for what was entered, or why it cannot be done (shown, nothing sent). */
  plan(data: FormData): Plan | string;
  /** After the action was done, with what was done in words (the view reloads what it shows). */
  done(said: string): void;
  /** Label of the button that shows the confirmation; "Review" unless told. */
  review?: string;
  /** Without its title as a heading (a button in a table row; the title stays its accessible name). */
  compact?: boolean;
}

function errorText(error: unknown): string {
  if (error instanceof ActionRefused) return `${error.message} (${error.code})`;
  if (error instanceof ApiError) return error.code ? `${error.message} (${error.code})` : error.message;
  return "Something went wrong; nothing is known to have changed. Reload to see the wallet as it is.";
}

/** A form that shows its plan for confirmation, then runs it once. */
export function actionForm(options: ActionFormOptions): HTMLElement {
  const outcome = h("div", { class: "action-outcome" });
  const confirmation = h("div", { class: "confirm", role: "group", "aria-label": `Confirm: ${options.title}`, hidden: true });
  const form = h(
    "form",
    { class: "action", "aria-label": options.title },
    options.compact ? null : h("h3", {}, options.title),
    ...options.fields,
    h("button", { type: "submit" }, options.review ?? "Review"),
  );
  const wrapper = h("div", { class: options.compact ? "action-inline" : "action-card" }, form, confirmation, outcome);

  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const plan = options.plan(new FormData(form));
    if (typeof plan === "string") {
      outcome.replaceChildren(h("p", { class: "error", role: "alert" }, plan));
      return;
    }
    outcome.replaceChildren();
    // Drawn once per submission: everything sent for this plan carries it.
    const idempotencyKey = `console-${crypto.randomUUID()}`;
    let running = false;
    const confirm = h("button", { type: "button", class: "primary" }, "Confirm");
    const back = h("button", { type: "button" }, "Back");
    confirm.addEventListener("click", async () => {
      if (running) return;
      running = true;
      confirm.disabled = true;
      back.disabled = true;
      confirm.textContent = "Working…";
      try {
        const said = await plan.run(idempotencyKey);
        confirmation.hidden = true;
        form.hidden = false;
        form.reset();
        outcome.replaceChildren(h("p", { class: "done" }, said));
        options.done(said);
      } catch (error) {
        outcome.replaceChildren(h("p", { class: "error", role: "alert" }, errorText(error)));
        running = false;
        confirm.disabled = false;
        back.disabled = false;
        confirm.textContent = "Confirm";
      }
    });
    back.addEventListener("click", () => {
      confirmation.hidden = true;
      form.hidden = false;
      outcome.replaceChildren();
    });
    confirmation.replaceChildren(
      h("p", {}, "This will:"),
      h("ul", {}, ...plan.summary.map((line) => h("li", {}, line))),
      h("div", { class: "confirm-buttons" }, confirm, back),
    );
    form.hidden = true;
    confirmation.hidden = false;
    confirm.focus();
  });
  return wrapper;
}

/** A labelled input. */
export function field(label: string, props: Record<string, string | number | boolean | undefined>): HTMLElement {
  return h("label", {}, label, h("input", { autocomplete: "off", spellcheck: "false", ...props }));
}

/** A mutation's answer: its payload, or ActionRefused with the typed error's message and code. */
export function payloadOf<T>(answer: Record<string, { __typename: string; message?: string; code?: string } & T>, field: string): T {
  const result = answer[field]!;
  if (!result.__typename.endsWith("Payload"))
    throw new ActionRefused(result.message ?? result.__typename, result.code ?? result.__typename);
  return result;
}
