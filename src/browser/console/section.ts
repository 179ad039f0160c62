// A titled part of the page that loads its own data and shows it, or what went wrong.
import { ApiError } from "./api.ts";
import { h } from "./dom.ts";

export interface Section {
  element: HTMLElement;
  /** Replaces the section's content; shows a loading note first. */
  load(render: () => Promise<Node[]>): Promise<void>;
}

export function section(title: string, id: string, ...before: Node[]): Section {
  const body = h("div", { class: "section-body" });
  const element = h("section", { id, "aria-labelledby": `${id}-title` }, h("h2", { id: `${id}-title` }, title), ...before, body);
  let latest = 0;
  return {
    element,
    async load(render) {
      const mine = ++latest;
      body.setAttribute("aria-busy", "true");
      try {
        const nodes = await render();
        // A slower, older answer never replaces a newer one.
        if (mine === latest) body.replaceChildren(...nodes);
      } catch (error) {
        if (mine === latest) body.replaceChildren(failure(error));
      } finally {
        if (mine === latest) body.removeAttribute("aria-busy");
      }
    },
  };
}

export function failure(error: unknown): HTMLElement {
  const message = error instanceof ApiError ? error.message : "Something went wrong showing this.";
  // A refused token asks for another; a field the token's role may not read is just shown.
  if (error instanceof ApiError && error.tokenRefused) {
    document.dispatchEvent(new CustomEvent("console:token-refused", { detail: message }));
  }
  return h("p", { class: "error", role: "alert" }, message);
}
