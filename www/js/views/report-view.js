// @ts-check
/**
 * Renders what `open` reported: a verdict in plain words, one block per layer and signer, then
 * the message. The outer headers are labelled as outside the protection, so nothing unprotected
 * looks protected (Efail).
 */
import { h, sizeText } from "../dom.js";
import { parseEntity, readable } from "../mime-text.js";
import {
  addressSummary,
  algorithmName,
  chainProblem,
  chainState,
  commonName,
  dateText,
  dayText,
  digestName,
  layerTitle,
  signatureProblem,
  signerName,
  signerSummary,
  verdict,
} from "../ui-text.js";

/** @typedef {import("../smime-client.js").Opened} Opened */
/** @typedef {import("../smime-client.js").Layer} Layer */
/** @typedef {import("../smime-client.js").SignerReport} SignerReport */

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
    ...opened.layers.map((layer, index) => layerBlock(layer, index, outer.get("from"))),
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
  if (state === "unsigned") return "Not signed: nothing in this message is protected by a signature.";
  const signers = layers.flatMap((layer) => (layer.kind === "signed" ? layer.signers : []));
  const worst =
    signers.find((s) => s.signature !== "valid") ?? signers.find((s) => s.chain !== "trusted") ?? signers[0];
  return signerSummary(worst);
}

/**
 * @param {Layer} layer
 * @param {number} index
 * @param {string | undefined} from
 */
function layerBlock(layer, index, from) {
  const title = `Layer ${index + 1}: ${layerTitle(layer)}`;
  if (layer.kind !== "signed") {
    return h("section", { class: "layer", "data-role": "layer", "data-kind": layer.kind }, h("h4", {}, title));
  }
  return h(
    "section",
    { class: "layer", "data-role": "layer", "data-kind": "signed", "data-format": layer.format },
    h("h4", {}, title),
    ...layer.signers.map((signer) => signerBlock(signer, from)),
    layer.signers.length === 0 && h("p", {}, "This layer names no signer."),
  );
}

/**
 * @param {SignerReport} report
 * @param {string | undefined} from
 */
function signerBlock(report, from) {
  const info = report.certificate;
  const valid = report.signature === "valid";
  const rows = [
    ["Signer", info ? `${commonName(info.subject)} (${signerName(info)})` : signerName(info), "signer-name"],
    ["Signature", valid ? "valid" : `broken — ${signatureProblem(report)}`, "signature"],
    ["Certificate", certificateText(report), "chain"],
    ["Sender address", addressSummary(report, from), "address"],
    ["Algorithms", algorithmsText(report), "algorithms"],
    ["Signed at", report.signingTime ? dateText(report.signingTime) : "not stated", "signing-time"],
  ];
  return h(
    "div",
    {
      class: "signer",
      "data-role": "signer",
      "data-signature": report.signature,
      "data-chain": report.chain,
      "data-address-match": String(report.addressMatch),
    },
    h(
      "dl",
      {},
      ...rows.flatMap(([term, text, role]) => [h("dt", {}, term), h("dd", { "data-role": role }, text)]),
    ),
  );
}

/** @param {SignerReport} report */
function algorithmsText(report) {
  const digest = digestName(report.digest);
  const weak = report.weakDigest && !/weak/i.test(digest) ? " (weak digest)" : "";
  return `${digest}${weak} with ${algorithmName(report.signatureAlgorithm)}`;
}

/**
 * "trusted. Issued by smime-wasm Demo CA; valid from ... to ..." or
 * "not trusted: no trusted authority issued it (ERR_UNKNOWN_ISSUER). Issued by ..."
 * @param {SignerReport} report
 */
function certificateText(report) {
  const info = report.certificate;
  const problem = chainProblem(report);
  const state = `${chainState(report)}${problem ? `: ${problem} (${report.chainError})` : ""}.`;
  if (!info) return state;
  return `${state} Issued by ${commonName(info.issuer)}; valid from ${dayText(info.notBefore)} to ${dayText(info.notAfter)}.`;
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
    h("p", { class: "hint", "data-role": "protection-note" }, protectionNote(verdict(opened.layers))),
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
 * @param {ReturnType<typeof verdict>} state
 */
function protectionNote(state) {
  switch (state) {
    case "valid":
      return "The header fields above travel outside the signature; only the text below is signed.";
    case "untrusted":
      return "The text below is signed, but the signer's certificate is not trusted; the header fields above are not signed.";
    case "broken":
      return "The signature does not hold: the text below may have been changed by someone else.";
    default:
      return "Nothing in this message is signed: anyone could have written or changed it.";
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
