// @ts-check
/**
 * What opening a message found, as the reader sees it: the security panel (a verdict in plain
 * words, then one block per layer and signer), and the content inside every layer (text, HTML in
 * a sandboxed frame, attachments). S/MIME parts found inside an unprotected multipart get boxes of
 * their own, never merged into the message's body or verdict (Efail).
 */
import { downloadFile, fileStem, h, sizeText } from "../dom.js";
import { errorSentence, verdict, verdictSentence } from "../ui-text.js";
import { htmlFrame, htmlNotes, prepareHtml } from "./html-frame.js";
import { layerBlocks } from "./layer-view.js";

/** @typedef {import("../smime-client.js").Layer} Layer */
/** @typedef {import("../smime-client.js").MessageView} MessageView */
/** @typedef {import("../smime-client.js").MessagePart} MessagePart */
/** @typedef {import("../ui-text.js").Verdict} Verdict */

/** Parts that are S/MIME structures themselves; inside a message they are opened, not offered. */
const SMIME_TYPES = new Set([
  "application/pkcs7-mime",
  "application/x-pkcs7-mime",
  "application/pkcs7-signature",
  "application/x-pkcs7-signature",
]);

/**
 * The security panel of a message (or of one protected part): a verdict and the layers.
 * @param {Layer[]} layers
 * @param {string | undefined} from  the sender's address, as the message states it
 * @param {{ role?: string, title?: string }} [options]
 */
export function securityPanel(layers, from, { role = "security-panel", title = "Security" } = {}) {
  const state = verdict(layers);
  return h(
    "section",
    { class: "security-panel", "data-role": role, "data-verdict": state, "aria-label": title },
    h("h3", { class: "panel-title" }, title),
    h("p", { class: "verdict", "data-role": "verdict", "data-verdict": state }, verdictSentence(layers, from)),
    ...layerBlocks(layers, from),
  );
}

/**
 * The security panel of a message that could not be opened.
 * @param {string} code
 * @param {{ role?: string, title?: string }} [options]
 */
export function errorPanel(code, { role = "security-panel", title = "Security" } = {}) {
  return h(
    "section",
    { class: "security-panel", "data-role": role, "data-verdict": "error", "aria-label": title },
    h("h3", { class: "panel-title" }, title),
    h(
      "p",
      { class: "verdict", "data-role": "verdict", "data-verdict": "error" },
      `Could not be opened: ${errorSentence(code)} Nothing of this message is shown as protected.`,
    ),
  );
}

/**
 * What the header fields are worth, given what protects the content.
 * @param {Layer[] | null} layers  null: the message could not be opened
 */
export function headerNote(layers) {
  if (layers === null || layers.length === 0) {
    return "These header fields are not protected: anyone on the way could have written or changed them.";
  }
  const encrypted = layers.some((layer) => layer.kind === "encrypted");
  const signed = layers.some((layer) => layer.kind === "signed");
  const what = encrypted && signed ? "the signature and the encryption" : encrypted ? "the encryption" : "the signature";
  return `These header fields travel outside ${what}: they are not protected, and anyone on the way could have changed them.`;
}

/**
 * What the reader may rely on in the content shown below the security panel.
 * @param {Layer[]} layers
 */
export function contentNote(layers) {
  switch (verdict(layers)) {
    case "valid":
      return "The content below is exactly what the signer signed.";
    case "untrusted":
      return "The content below is what the signer signed, but the signer is not confirmed: see the security panel.";
    case "broken":
      return "The signature does not hold: the content below may have been changed by someone else.";
    case "encrypted-only":
      return layers.every((layer) => layer.kind !== "encrypted" || layer.integrityProtected)
        ? "The content below was encrypted, but not signed: anyone who has your certificate could have written it."
        : "The content below was encrypted, but not signed, and its encryption cannot show changes: anyone could have written or changed it.";
    default:
      return "Nothing protects the content below.";
  }
}

/**
 * The content of a message: protected header fields (when the sender put them inside), the text,
 * the HTML in a sandboxed frame, and the attachments.
 * @param {MessageView} view
 * @param {{ label: string, note: string, protectedHeaders: boolean, hideSmimeParts?: boolean }} options
 *        `protectedHeaders`: the content lies inside a layer, so header fields in it are protected;
 *        `hideSmimeParts`: S/MIME parts are shown in boxes of their own, so not as attachments
 */
export function contentBlock(view, { label, note, protectedHeaders, hideSmimeParts = false }) {
  const prepared = view.html ? prepareHtml(view.html, view.attachments) : null;
  const attachments = view.attachments.filter(
    (part) =>
      !(part.contentId && prepared?.usedCids.has(part.contentId)) && !(hideSmimeParts && SMIME_TYPES.has(part.contentType)),
  );
  const inner = protectedHeaders ? innerHeaders(view) : null;
  return h(
    "section",
    { class: "message-content", "data-role": "message-content", "aria-label": label },
    h("p", { class: "content-note", "data-role": "content-note" }, note),
    inner,
    body(view, prepared),
    attachments.length > 0 && attachmentList(attachments),
  );
}

/**
 * A box for an S/MIME part inside an unprotected multipart, with its own report.
 * @param {string} path  "2", "1.3"
 * @param {HTMLElement[]} children  its security panel and content, or its error
 */
export function protectedPartBox(path, children) {
  return h(
    "section",
    { class: "protected-part", "data-role": "protected-part", "data-path": path, "aria-label": `Protected part ${path}` },
    h("h3", { class: "part-title" }, "This part of the message is protected; the rest is not"),
    h(
      "p",
      { class: "hint" },
      `Part ${path} carries its own S/MIME protection. It is shown here on its own: the text and files around it are not covered by it, and it says nothing about them.`,
    ),
    ...children,
  );
}

/**
 * Header fields found inside the protection (RFC 8551 §3.1 allows wrapping the whole message).
 * @param {MessageView} view
 */
function innerHeaders(view) {
  const fields = /** @type {[string, string][]} */ (
    [
      ["From", view.headers.from.map((m) => m.address).join(", ")],
      ["To", view.headers.to.map((m) => m.address).join(", ")],
      ["Subject", view.headers.subject ?? ""],
    ].filter(([, value]) => value !== "")
  );
  if (fields.length === 0) return null;
  return h(
    "div",
    { class: "inner-headers", "data-role": "protected-headers" },
    h("p", { class: "hint" }, "Header fields inside the protection:"),
    h("dl", { class: "headers" }, ...fields.flatMap(([label, value]) => [h("dt", {}, label), h("dd", {}, value)])),
  );
}

/**
 * @param {MessageView} view
 * @param {import("./html-frame.js").PreparedHtml | null} prepared
 */
function body(view, prepared) {
  const text =
    typeof view.text === "string"
      ? h("pre", { class: "message-text", "data-role": "message-text", tabindex: "0" }, view.text)
      : null;
  if (!prepared || (prepared.empty && text)) {
    // HTML with nothing left to show once remote content is gone gives way to the plain text.
    return text ?? h("p", { class: "hint", "data-role": "message-text" }, "(This message has no text.)");
  }
  const frame = htmlFrame(prepared, "The message (HTML)");
  const notes = htmlNotes(prepared).map(({ role, text: words }) => h("p", { class: "html-note", "data-role": role }, words));
  if (!text) return h("div", { class: "message-body" }, ...notes, frame);
  // Both: the HTML first, the sender's plain text one click away.
  text.hidden = true;
  const toggle = h("button", { type: "button", class: "text-toggle", "data-action": "toggle-text", "aria-expanded": "false" }, "Show the plain text instead");
  toggle.addEventListener("click", () => {
    const showText = text.hidden;
    text.hidden = !showText;
    frame.hidden = showText;
    toggle.setAttribute("aria-expanded", String(showText));
    toggle.textContent = showText ? "Show the HTML instead" : "Show the plain text instead";
  });
  return h("div", { class: "message-body" }, ...notes, toggle, frame, text);
}

/**
 * @param {MessagePart[]} parts
 */
function attachmentList(parts) {
  return h(
    "section",
    { class: "message-attachments", "aria-label": "Attachments" },
    h("h4", {}, parts.length === 1 ? "1 attachment" : `${parts.length} attachments`),
    h(
      "ul",
      { class: "message-attachment-list", "data-role": "attachments" },
      ...parts.map((part, index) => {
        const name = part.filename || `part-${index + 1}${extensionFor(part.contentType)}`;
        const button = h(
          "button",
          { type: "button", class: "message-attachment", "data-action": "download-attachment", title: `Download ${name}` },
          h("span", { class: "message-attachment-name" }, name),
          h("span", { class: "message-attachment-meta" }, `${part.contentType}, ${sizeText(part.data.length)}`),
        );
        button.addEventListener("click", () => downloadFile(part.data, safeName(name), part.contentType || "application/octet-stream"));
        return h("li", { "data-role": "attachment", "data-filename": name }, button);
      }),
    ),
  );
}

/**
 * A download name: the file's own name with path separators and control characters left out.
 * @param {string} name
 */
function safeName(name) {
  const cleaned = name.replace(/[\\/:*?"<>|\u0000-\u001f\u007f]+/g, "_").trim();
  return cleaned && !/^\.+$/.test(cleaned) ? cleaned : fileStem(name);
}

/** @param {string} type */
function extensionFor(type) {
  if (type === "message/rfc822") return ".eml";
  if (type === "text/plain") return ".txt";
  if (type.startsWith("application/pkcs7-signature") || type === "application/x-pkcs7-signature") return ".p7s";
  if (type.endsWith("pkcs7-mime")) return ".p7m";
  const sub = /^image\/(png|jpeg|gif|webp)$/.exec(type)?.[1];
  return sub ? `.${sub === "jpeg" ? "jpg" : sub}` : "";
}
