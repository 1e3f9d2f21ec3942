// @ts-check
/**
 * Plain words for what the S/MIME engine reports: error codes, signer reports, algorithms.
 * The views show these sentences; they never show a stack trace or guess from a message text.
 */

import { encryptedTitle } from "./encryption-text.js";

/** @typedef {import("./smime-client.js").SignerReport} SignerReport */
/** @typedef {import("./smime-client.js").CertificateInfo} CertificateInfo */
/** @typedef {import("./smime-client.js").Layer} Layer */

/** Sentences for the stable error codes (README's error table; ERR_INTERNAL is the client's). */
const ERROR_SENTENCES = {
  ERR_MALFORMED_MIME: "This file is not a mail message that can be read.",
  ERR_MALFORMED_CMS: "The S/MIME data in this message is damaged, or is not S/MIME at all.",
  ERR_MALFORMED_CERTIFICATE: "A certificate could not be read.",
  ERR_MALFORMED_KEY: "The private key could not be read.",
  ERR_BAD_PASSWORD: "The password is wrong.",
  ERR_KEY_MISMATCH: "The private key does not belong to the certificate.",
  ERR_UNSUPPORTED_ALGORITHM: "The message uses an algorithm that is not supported.",
  ERR_NOT_SIGNED: "This message carries no signature.",
  ERR_NESTING_TOO_DEEP: "The message is nested too deeply to read safely.",
  ERR_TOO_LARGE: "The message is too large to read safely.",
  ERR_SIGNING_FAILED: "The private key could not make the signature.",
  ERR_RANDOM: "The browser could not provide random numbers.",
  ERR_NOT_ENCRYPTED: "This message is not encrypted.",
  ERR_DECRYPT_FAILED:
    "It is encrypted for one of your keys but could not be decrypted: it was damaged or changed " +
    "on the way, or made for a different key. Nothing of its content is shown.",
  ERR_NO_MATCHING_RECIPIENT:
    "It is encrypted for other people: none of your keys can open it. " +
    "Ask the sender to encrypt it for your certificate.",
  ERR_INVALID_ARGUMENT: "The page made a request the S/MIME engine does not accept. This is a bug.",
  ERR_INTERNAL: "The S/MIME engine stopped unexpectedly; it starts afresh on the next try.",
};

/** Why a signature does not hold, by `signatureError` code. */
const SIGNATURE_PROBLEMS = {
  ERR_DIGEST_MISMATCH: "the message was changed after signing",
  ERR_SIGNATURE_INVALID: "the signature does not match the signed data; it was changed or forged",
  ERR_SIGNER_CERT_MISSING: "the signer's certificate is not in the message, so it cannot be checked",
  ERR_BAD_SIGNED_ATTRIBUTES: "the signed attributes break the rules of the standard",
  ERR_UNSUPPORTED_ALGORITHM: "it uses an algorithm that is not supported",
};

/** Why a chain does not hold, by `chainError` code. */
const CHAIN_PROBLEMS = {
  ERR_UNKNOWN_ISSUER: "no trusted authority issued it",
  ERR_CERT_EXPIRED: "a certificate on the path has expired",
  ERR_CERT_NOT_YET_VALID: "a certificate on the path is not valid yet",
  ERR_CERT_SIGNATURE_INVALID: "a certificate's signature does not hold",
  ERR_NOT_A_CA: "an issuing certificate is not allowed to issue certificates",
};

/** What a chain state means, in words. */
const CHAIN_WORDS = {
  trusted: "certificate trusted",
  untrusted: "certificate not trusted",
  expired: "certificate expired",
  revoked: "certificate revoked",
  "not-checked": "certificate not checked",
};

const DIGEST_NAMES = {
  sha1: "SHA-1 (weak)",
  sha224: "SHA-224",
  sha256: "SHA-256",
  sha384: "SHA-384",
  sha512: "SHA-512",
};

const ALGORITHM_NAMES = {
  "rsa-pkcs1v15": "RSA PKCS#1 v1.5",
  "rsa-pkcs1-v1_5": "RSA PKCS#1 v1.5",
  rsa: "RSA PKCS#1 v1.5",
  "rsa-pss": "RSASSA-PSS",
  "rsassa-pss": "RSASSA-PSS",
  ecdsa: "ECDSA",
  "ecdsa-p256": "ECDSA P-256",
  "ecdsa-p384": "ECDSA P-384",
  ed25519: "Ed25519",
};

/**
 * @param {Record<string, string>} table
 * @param {string | undefined} key
 * @returns {string | undefined}
 */
function lookUp(table, key) {
  if (!key) return undefined;
  return Object.hasOwn(table, key) ? table[key] : table[key.toLowerCase()];
}

/**
 * The sentence to show for an error code.
 * @param {string} code
 */
export function errorSentence(code) {
  return lookUp(ERROR_SENTENCES, code) ?? "Something went wrong.";
}

/**
 * The first e-mail address of a certificate, or its subject when it names none.
 * @param {CertificateInfo | null} info
 */
export function signerName(info) {
  if (!info) return "an unknown signer (the certificate is not in the message)";
  return info.emails[0] ?? commonName(info.subject);
}

/**
 * The CN of a distinguished name ("CN=smime-wasm Demo CA,O=..." -> "smime-wasm Demo CA").
 * @param {string} name
 */
export function commonName(name) {
  const match = /(?:^|[,/+;]\s*)CN\s*=\s*((?:\\.|[^,/+;])*)/i.exec(name);
  return match ? match[1].replace(/\\(.)/g, "$1").trim() : name;
}

/**
 * "Signed by alice@example.org — signature valid — certificate trusted (smime-wasm Demo CA)",
 * or, for a broken signature, "Signature broken: the message was changed after signing".
 * @param {SignerReport} report
 */
export function signerSummary(report) {
  if (report.signature !== "valid") return `Signature broken: ${signatureProblem(report)}`;
  return `Signed by ${signerName(report.certificate)} — signature valid — ${chainSummary(report)}`;
}

/**
 * Why the signature does not hold.
 * @param {SignerReport} report
 */
export function signatureProblem(report) {
  return lookUp(SIGNATURE_PROBLEMS, report.signatureError) ?? "the message was changed after signing";
}

/**
 * "certificate trusted (smime-wasm Demo CA)", "certificate not trusted (issued by X, which is
 * not among your trusted authorities)", ...
 * @param {SignerReport} report
 */
export function chainSummary(report) {
  const words = lookUp(CHAIN_WORDS, report.chain) ?? `certificate ${report.chain}`;
  const issuer = report.certificate ? commonName(report.certificate.issuer) : null;
  if (!issuer) return words;
  if (report.chain === "trusted") return `${words} (${issuer})`;
  if (report.chain === "untrusted") {
    return `${words} (issued by ${issuer}, which is not among your trusted authorities)`;
  }
  return words;
}

/**
 * The chain state alone: "trusted", "not trusted", "expired", ...
 * @param {SignerReport} report
 */
export function chainState(report) {
  return (lookUp(CHAIN_WORDS, report.chain) ?? report.chain).replace(/^certificate /, "");
}

/**
 * Why the chain does not hold, when the engine said so.
 * @param {SignerReport} report
 * @returns {string | undefined}
 */
export function chainProblem(report) {
  return report.chainError && (lookUp(CHAIN_PROBLEMS, report.chainError) ?? report.chainError);
}

/**
 * Whether the signer is the sender.
 * @param {SignerReport} report
 * @param {string | undefined} from  the From header, as shown
 */
export function addressSummary(report, from) {
  const signer = report.certificate?.emails.join(", ") || "no address";
  if (report.addressMatch === true) return `matches the sender (From: ${from ?? signer})`;
  if (report.addressMatch === false) {
    return `does not match: the message says From ${from ?? "(unknown)"}, the certificate is for ${signer}`;
  }
  return "not checked: the message has no From address";
}

/**
 * @param {string} digest
 */
export function digestName(digest) {
  return lookUp(DIGEST_NAMES, digest) ?? digest;
}

/**
 * @param {string} algorithm
 */
export function algorithmName(algorithm) {
  return lookUp(ALGORITHM_NAMES, algorithm) ?? algorithm;
}

/**
 * A date in the reader's locale, with the exact ISO time kept for a tooltip.
 * @param {string} iso
 */
export function dateText(iso) {
  const date = new Date(iso);
  return Number.isNaN(date.getTime())
    ? iso
    : date.toLocaleString(undefined, { dateStyle: "medium", timeStyle: "long" });
}

/**
 * A calendar day in the reader's locale.
 * @param {string} iso
 */
export function dayText(iso) {
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? iso : date.toLocaleDateString(undefined, { dateStyle: "medium" });
}

/**
 * A one-line description of a layer for the layer list.
 * @param {Layer} layer
 */
export function layerTitle(layer) {
  if (layer.kind === "signed") {
    return layer.format === "opaque"
      ? "Signed (opaque: application/pkcs7-mime, needs S/MIME to read)"
      : "Signed (detached: multipart/signed, readable without S/MIME)";
  }
  return encryptedTitle(layer);
}

/**
 * The overall state of an opened message, for the verdict banner:
 * "valid" (every signature holds and chains to a trusted authority), "untrusted" (signatures
 * hold but a chain does not), "broken" (a signature does not hold) or "unsigned".
 * @param {Layer[]} layers
 * @returns {"valid" | "untrusted" | "broken" | "unsigned"}
 */
export function verdict(layers) {
  const signers = layers.flatMap((layer) => (layer.kind === "signed" ? layer.signers : []));
  if (signers.length === 0) return "unsigned";
  if (signers.some((s) => s.signature !== "valid")) return "broken";
  if (signers.some((s) => s.chain !== "trusted")) return "untrusted";
  return "valid";
}

const KEY_ALGORITHM_NAMES = {
  "rsa-2048": "RSA 2048",
  "rsa-3072": "RSA 3072",
  "rsa-4096": "RSA 4096",
  "p-256": "ECDSA P-256",
  "p-384": "ECDSA P-384",
  "p-521": "ECDSA P-521",
  ed25519: "Ed25519",
  x25519: "X25519",
};

/**
 * A certificate's key algorithm in words ("p-256" -> "ECDSA P-256").
 * @param {string} algorithm
 */
export function keyAlgorithmName(algorithm) {
  return Object.hasOwn(KEY_ALGORITHM_NAMES, algorithm)
    ? KEY_ALGORITHM_NAMES[/** @type {keyof typeof KEY_ALGORITHM_NAMES} */ (algorithm)]
    : algorithm;
}
