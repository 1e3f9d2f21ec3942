// @ts-check
/** Shows a failure as its code plus a sentence, never as a stack trace. */
import { h } from "../dom.js";
import { errorSentence } from "../ui-text.js";

/**
 * Fills `box` (a `role="alert"` element) with what went wrong.
 * @param {HTMLElement} box
 * @param {string} what   what the user was doing, e.g. "Could not sign the message."
 * @param {unknown} error
 */
export function showError(box, what, error) {
  const { code, detail } = describe(error);
  box.dataset.errorCode = code;
  delete box.dataset.problem;
  box.replaceChildren(
    h("p", {}, h("strong", {}, what), " ", errorSentence(code)),
    h("p", { class: "error-detail" }, "Code ", h("code", { "data-role": "error-code" }, code), detail && ` · ${detail}`),
  );
  box.hidden = false;
}

/**
 * Fills `box` with a problem the page found itself, before asking the engine (so it has no code).
 * @param {HTMLElement} box
 * @param {string} what      what the user was doing, e.g. "Could not encrypt the message."
 * @param {string} sentence  why, and what to do about it
 */
export function showProblem(box, what, sentence) {
  delete box.dataset.errorCode;
  box.dataset.problem = "true";
  box.replaceChildren(h("p", {}, h("strong", {}, what), " ", sentence));
  box.hidden = false;
}

/** @param {HTMLElement} box */
export function clearError(box) {
  box.hidden = true;
  box.replaceChildren();
  delete box.dataset.errorCode;
  delete box.dataset.problem;
}

/**
 * The stable code of a failure (`ERR_...`), or ERR_INTERNAL for anything without one.
 * @param {unknown} error
 */
export function errorCode(error) {
  const code = /** @type {{ code?: unknown }} */ (error instanceof Object ? error : {}).code;
  return typeof code === "string" && code.startsWith("ERR_") ? code : "ERR_INTERNAL";
}

/**
 * The code and the one-line message of anything thrown; only an SmimeError-like value keeps its
 * message (other errors are bugs in the page, whose text means nothing to a reader).
 * @param {unknown} error
 */
function describe(error) {
  const e = /** @type {{ code?: unknown, message?: unknown }} */ (error instanceof Object ? error : {});
  if (typeof e.code === "string" && e.code.startsWith("ERR_")) {
    return { code: e.code, detail: typeof e.message === "string" ? e.message.split("\n")[0] : "" };
  }
  console.warn("unexpected failure in the page", error); // for developers; the UI shows a code
  return { code: "ERR_INTERNAL", detail: "" };
}
