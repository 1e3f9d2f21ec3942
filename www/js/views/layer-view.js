// @ts-check
/**
 * The blocks of the report that describe each S/MIME layer: who signed and whether it holds, or
 * how the message was encrypted and whether that protects its integrity. Each layer is reported
 * separately, so nothing unprotected looks protected (Efail).
 */
import { h } from "../dom.js";
import {
  contentEncryptionName,
  contentEncryptionWeakness,
  encryptedSummary,
  integrityAdvice,
  keyFamilyName,
} from "../encryption-text.js";
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
} from "../ui-text.js";

/** @typedef {import("../smime-client.js").Layer} Layer */
/** @typedef {import("../smime-client.js").SignedLayer} SignedLayer */
/** @typedef {import("../smime-client.js").EncryptedLayer} EncryptedLayer */
/** @typedef {import("../smime-client.js").SignerReport} SignerReport */

/**
 * One block per layer, outermost first, each saying only what that layer protects.
 * @param {Layer[]} layers
 * @param {string | undefined} from  the sender's address, as the message states it
 */
export function layerBlocks(layers, from) {
  return layers.map((layer, index) => {
    const title = `Layer ${index + 1}: ${layerTitle(layer)}`;
    if (layer.kind === "signed") return signedBlock(layer, title, from);
    const signedInside = layers.slice(index + 1).some((inner) => inner.kind === "signed");
    return encryptedBlock(layer, title, signedInside);
  });
}

/**
 * @param {EncryptedLayer} layer
 * @param {string} title
 * @param {boolean} signedInside  a signature lies inside this layer
 */
function encryptedBlock(layer, title, signedInside) {
  const protectedIntegrity = layer.integrityProtected === true;
  const cipher = layer.contentEncryption;
  const weakness = contentEncryptionWeakness(cipher);
  const rows = [
    ["Content encryption", `${contentEncryptionName(cipher)} (${cipher})`, "content-encryption"],
    ["Key exchange", `${keyFamilyName(layer.keyTransport)} (${layer.keyTransport})`, "key-transport"],
  ];
  const recipient = layer.recipient;
  if (recipient) rows.push(["Opened with", `the key of ${signerName(recipient)}`, "recipient"]);
  return h(
    "section",
    {
      class: "layer",
      "data-role": "layer",
      "data-kind": "encrypted",
      "data-integrity": protectedIntegrity ? "protected" : "not-protected",
      "data-content-encryption": cipher,
    },
    h("h4", {}, title),
    h("p", { class: "layer-summary", "data-role": "encryption-summary" }, encryptedSummary(layer)),
    !protectedIntegrity && h("p", { class: "hint", "data-role": "integrity-advice" }, integrityAdvice(signedInside)),
    weakness && h("p", { class: "layer-warning", "data-role": "weak-cipher" }, weakness),
    factList(rows),
  );
}

/**
 * @param {SignedLayer} layer
 * @param {string} title
 * @param {string | undefined} from  the sender's address
 */
function signedBlock(layer, title, from) {
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
 * @param {string | undefined} from  the sender's address
 */
function signerBlock(report, from) {
  const info = report.certificate;
  const valid = report.signature === "valid";
  const rows = [
    ["Signer", info ? `${commonName(info.subject)} (${signerName(info)})` : signerName(info), "signer-name"],
    ["Signature", signatureText(report), "signature"],
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
    h("p", { class: "signer-summary", "data-role": "signer-summary" }, signerSummary(report, from)),
    factList(rows),
  );
}

/**
 * A definition list of [term, text, data-role] rows.
 * @param {string[][]} rows
 */
function factList(rows) {
  return h(
    "dl",
    { class: "facts" },
    ...rows.flatMap(([term, text, role]) => [h("dt", {}, term), h("dd", { "data-role": role }, text)]),
  );
}

/** @param {SignerReport} report */
function signatureText(report) {
  if (report.signature === "valid") return "intact: the content is exactly what was signed";
  if (report.signatureError === "ERR_UNSUPPORTED_ALGORITHM") return `not checked: ${signatureProblem(report)}`;
  return `broken: ${signatureProblem(report)}`;
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
