// @ts-check
/**
 * Renders what `open` reported: a verdict in plain words, one block per layer and signer, then
 * the message. The outer headers are labelled as outside the protection, so nothing unprotected
 * looks protected (Efail).
 */
import { h, sizeText } from "../dom.js";
import { parseEntity, readable } from "../mime-text.js";
import { signerSummary, verdict } from "../ui-text.js";
import { layerBlocks } from "./layer-view.js";

/** @typedef {import("../smime-client.js").Opened} Opened */
/** @typedef {import("../smime-client.js").Layer} Layer */

const SHOWN_HEADERS = [
  ["from", "From"],
  ["to", "To"],
  ["cc", "Cc"],
  ["subject", "Subject"],
  ["date", "Date"],
];

/**
 * Fills `container` with the report; returns the verdict sentence (for a screen-reader status).
 * @param {HTMLElement} container
 * @param {{ name: string, original: Uint8Array, opened: Opened }} message
 * @returns {string}
 */
export function renderReport(container, { name, original, opened }) {
  const outer = parseEntity(original).headers;
  const state = verdict(opened.layers);
  const sentence = verdictText(opened.layers, state);
  container.dataset.verdict = state;
  container.replaceChildren(
    h("h3", { id: "report-title", class: "report-title" }, name),
    h("p", { class: "verdict", "data-role": "verdict", "data-verdict": state }, sentence),
    ...layerBlocks(opened.layers, outer.get("from")),
    messageBlock(outer, opened),
  );
  container.hidden = false;
  return sentence;
}

/**
 * @param {Layer[]} layers
 * @param {ReturnType<typeof verdict>} state
 */
function verdictText(layers, state) {
  if (state === "unsigned") {
    return layers.some((layer) => layer.kind === "encrypted")
      ? "Encrypted, but not signed: nothing shows who wrote this message."
      : "Not signed: nothing in this message is protected by a signature.";
  }
  const signers = layers.flatMap((layer) => (layer.kind === "signed" ? layer.signers : []));
  const worst =
    signers.find((s) => s.signature !== "valid") ?? signers.find((s) => s.chain !== "trusted") ?? signers[0];
  return signerSummary(worst);
}

/**
 * @param {Map<string, string>} outer
 * @param {Opened} opened
 */
function messageBlock(outer, opened) {
  const parts = readable(opened.content);
  return h(
    "section",
    { class: "message", "data-role": "message" },
    h("h4", {}, "Message"),
    h(
      "dl",
      { class: "headers", "data-role": "headers" },
      ...SHOWN_HEADERS.flatMap(([key, label]) => {
        const value = outer.get(key);
        return value === undefined ? [] : [h("dt", {}, label), h("dd", {}, value)];
      }),
    ),
    h("p", { class: "hint", "data-role": "protection-note" }, protectionNote(opened.layers)),
    parts.text !== null
      ? h("pre", { class: "message-text", "data-role": "message-text", tabindex: "0" }, parts.text)
      : parts.html !== null
        ? htmlFrame(parts.html)
        : h("p", { class: "hint", "data-role": "message-text" }, "(This message has no text part.)"),
    parts.others.length > 0 &&
      h(
        "ul",
        { class: "parts", "aria-label": "Other parts" },
        ...parts.others.map((part) => h("li", {}, `${part.name} — ${part.type}, ${sizeText(part.size)}`)),
      ),
  );
}

/**
 * What the reader may rely on in the message shown below the headers.
 * @param {Layer[]} layers
 */
function protectionNote(layers) {
  const encrypted = layers.filter((layer) => layer.kind === "encrypted");
  const outside = encrypted.length > 0 ? "the encryption and the signature" : "the signature";
  switch (verdict(layers)) {
    case "valid":
      return `The header fields above travel outside ${outside}; only the text below is signed.`;
    case "untrusted":
      return "The text below is signed, but the signer's certificate is not trusted; the header fields above are not signed.";
    case "broken":
      return "The signature does not hold: the text below may have been changed by someone else.";
    default:
      if (encrypted.length === 0) return "Nothing in this message is signed: anyone could have written or changed it.";
      return encrypted.every((layer) => layer.integrityProtected)
        ? "The text below was encrypted but not signed: anyone with your certificate could have written it. The header fields above were not encrypted."
        : "The text below was encrypted but not signed, and its encryption cannot show changes: anyone could have written or changed it. The header fields above were not encrypted.";
  }
}

/**
 * HTML mail in a sandboxed frame: no scripts, its own opaque origin, and the page's CSP (which
 * it inherits as a blob: document) blocks remote content.
 * @param {string} html
 */
function htmlFrame(html) {
  const url = URL.createObjectURL(new Blob([html], { type: "text/html; charset=utf-8" }));
  const frame = h("iframe", { class: "message-html", sandbox: "", title: "Message (HTML)", src: url });
  frame.addEventListener("load", () => URL.revokeObjectURL(url), { once: true });
  return frame;
}
