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
  ERR_MALFORMED_PKCS12: "The .p12 file could not be read.",
  ERR_MALFORMED_CRL: "A certificate revocation list could not be read.",
  ERR_NO_PRIVATE_KEY: "The file holds no private key.",
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
  ERR_CERT_REVOKED: "a certificate on the path has been revoked",
  ERR_CERT_KEY_USAGE: "the certificate is not meant for signing mail",
  ERR_CERT_EXT_KEY_USAGE: "the certificate is not meant for e-mail",
  ERR_CERT_PATH_LENGTH: "the path of authorities is longer than they allow",
  ERR_CERT_NAME_CONSTRAINTS: "an authority is not allowed to certify this address",
  ERR_CERT_CRITICAL_EXTENSION: "a certificate has a critical extension this page does not know",
  ERR_CERT_UNSUPPORTED: "a certificate uses a feature this page does not support",
  ERR_CERT_UNSUPPORTED_ALGORITHM: "a certificate uses an algorithm this page does not support",
};

/** What a chain state means, in words. */
const CHAIN_STATES = {
  trusted: "trusted",
  untrusted: "not trusted",
  expired: "expired",
  revoked: "revoked",
  "not-checked": "not checked",
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
  "1.2.840.10040.4.1": "DSA",
  "1.2.840.10040.4.3": "DSA with SHA-1",
  "2.16.840.1.101.3.4.3.2": "DSA with SHA-256",
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
 * One signer in one line: "Signed by alice@example.org — certificate trusted"; "Signed by
 * alice@example.com — signature intact, but the certificate is not trusted (issued by NSS Test
 * CA, which is not among your trusted authorities)"; "Signature broken: the message was changed
 * after signing". A signer whose address is not the sender's says so at the end.
 * @param {SignerReport} report
 * @param {string} [from]  the sender's address, as the message states it
 */
export function signerSummary(report, from) {
  if (report.signature !== "valid" && report.signatureError === "ERR_UNSUPPORTED_ALGORITHM") {
    return `Signature not checked: it uses an algorithm that is not supported (${algorithmName(report.signatureAlgorithm)}), so nothing shows who wrote this or that it is unchanged`;
  }
  if (report.signature !== "valid") return `Signature broken: ${signatureProblem(report)}`;
  const who = `Signed by ${signerName(report.certificate)}`;
  const chain = report.chain === "trusted" ? ` — ${chainSummary(report)}` : ` — signature intact, but the ${chainSummary(report)}`;
  const mismatch = report.addressMatch === false ? ` — but the message says it is from ${from ?? "someone else"}` : "";
  return `${who}${chain}${mismatch}`;
}

/**
 * Why the signature does not hold.
 * @param {SignerReport} report
 */
export function signatureProblem(report) {
  return lookUp(SIGNATURE_PROBLEMS, report.signatureError) ?? "the message was changed after signing";
}

/**
 * "certificate trusted", "certificate is not trusted (issued by X, which is not among your
 * trusted authorities)", "certificate has expired", ...
 * @param {SignerReport} report
 */
export function chainSummary(report) {
  const issuer = report.certificate ? commonName(report.certificate.issuer) : null;
  switch (report.chain) {
    case "trusted":
      return "certificate trusted";
    case "untrusted":
      return issuer
        ? `certificate is not trusted (issued by ${issuer}, which is not among your trusted authorities)`
        : "certificate is not trusted";
    case "expired":
      return "certificate has expired";
    case "revoked":
      return "certificate has been revoked";
    default:
      return "certificate was not checked";
  }
}

/**
 * The chain state alone: "trusted", "not trusted", "expired", ...
 * @param {SignerReport} report
 */
export function chainState(report) {
  return lookUp(CHAIN_STATES, report.chain) ?? report.chain;
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
 * @typedef {"valid" | "untrusted" | "broken" | "encrypted-only" | "plain" | "error"} Verdict
 * The overall state of a message, from its own layers only (never from parts opened on their
 * own, Efail): "valid" every signature holds, chains to a trusted authority and names the
 * sender; "untrusted" the signatures hold but a chain or an address does not; "broken" a
 * signature does not hold; "encrypted-only" encrypted and not signed; "plain" neither;
 * "error" it could not be opened.
 */

/**
 * @param {Layer[]} layers
 * @returns {Exclude<Verdict, "error">}
 */
export function verdict(layers) {
  const signers = layers.flatMap((layer) => (layer.kind === "signed" ? layer.signers : []));
  if (signers.length === 0) return layers.some((layer) => layer.kind === "encrypted") ? "encrypted-only" : "plain";
  if (signers.some((s) => s.signature !== "valid")) return "broken";
  if (signers.some((s) => s.chain !== "trusted" || s.addressMatch === false)) return "untrusted";
  return "valid";
}

/**
 * The headline of a message's security panel.
 * @param {Layer[]} layers
 * @param {string} [from]  the sender's address
 */
export function verdictSentence(layers, from) {
  const state = verdict(layers);
  if (state === "plain") return "Not signed and not encrypted: anyone could have written or changed this message.";
  if (state === "encrypted-only") return "Encrypted, but not signed: nothing shows who wrote this message.";
  const signers = layers.flatMap((layer) => (layer.kind === "signed" ? layer.signers : []));
  const worst =
    signers.find((s) => s.signature !== "valid") ??
    signers.find((s) => s.chain !== "trusted" || s.addressMatch === false) ??
    signers[0];
  const summary = signerSummary(worst, from);
  const encrypted = layers.some((layer) => layer.kind === "encrypted");
  return encrypted && summary.startsWith("Signed by") ? `Encrypted and s${summary.slice(1)}` : summary;
}

/**
 * What the message list keeps of an opened message.
 * @param {Layer[]} layers
 * @returns {import("./store.js").Security}
 */
export function securityOf(layers) {
  const encrypted = layers.filter((layer) => layer.kind === "encrypted");
  const signers = layers.flatMap((layer) => (layer.kind === "signed" ? layer.signers : []));
  const state = verdict(layers);
  /** @type {import("./store.js").Security} */
  const security = {
    encrypted: encrypted.length > 0,
    signature: state === "valid" ? "trusted" : state === "untrusted" || state === "broken" ? state : null,
  };
  if (encrypted.length > 0) security.integrityProtected = encrypted.some((layer) => layer.integrityProtected);
  const signer = signers[0]?.certificate?.emails[0];
  if (signer) security.signer = signer;
  return security;
}

/**
 * @typedef {"encrypted" | "signed" | "trusted" | "untrusted" | "broken" | "error"} Badge
 */

/** What each badge says. */
export const BADGE_WORDS = {
  encrypted: "Encrypted",
  signed: "Signed (not checked yet)",
  trusted: "Signed, trusted",
  untrusted: "Signed, not trusted",
  broken: "Signature broken",
  error: "Cannot be read",
};

/**
 * The badges of a message in a list: what opening it found, or, before it was opened, what its
 * outer Content-Type announces.
 * @param {Pick<import("./store.js").MessageRecord, "security" | "headers">} record
 * @returns {Badge[]}
 */
export function badgesOf({ security, headers }) {
  if (!security) {
    const announced = headers?.protection;
    return announced === "encrypted" || announced === "signed" ? [announced] : [];
  }
  /** @type {Badge[]} */
  const badges = [];
  if (security.encrypted) badges.push("encrypted");
  if (security.signature) badges.push(security.signature);
  if (security.error) badges.push("error");
  return badges;
}

/**
 * A mailbox as people write it: "Alice Demo <alice@example.org>", or the bare address.
 * @param {{ name?: string | null, address: string }} mailbox
 */
export function mailboxText({ name, address }) {
  return name ? `${name} <${address}>` : address;
}

/**
 * A list of mailboxes, comma separated.
 * @param {{ name?: string | null, address: string }[] | undefined} mailboxes
 */
export function mailboxesText(mailboxes) {
  return (mailboxes ?? []).map(mailboxText).join(", ");
}

/**
 * A short date for a message list: the time for today, else the day.
 * @param {string} iso
 * @param {Date} [now]
 */
export function listDateText(iso, now = new Date()) {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return "";
  return date.toDateString() === now.toDateString()
    ? date.toLocaleTimeString(undefined, { timeStyle: "short" })
    : date.toLocaleDateString(undefined, { dateStyle: "medium" });
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
