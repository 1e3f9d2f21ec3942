// @ts-check
/**
 * The words of the compose view: each recipient's certificate state, why encryption is blocked
 * and how to get a certificate, what the Sign and Encrypt choices will do, the send steps and
 * the result, and the subject and quote of replies and forwards.
 */
import { contentEncryptionName, listText, protectsIntegrity } from "./encryption-text.js";
import { dateText, digestName, mailboxesText } from "./ui-text.js";

/** @typedef {import("./recipients.js").RecipientCertificate} RecipientCertificate */
/** @typedef {import("./outbox.js").Step} Step */
/** @typedef {import("./smime-client.js").Mailbox} Mailbox */
/** @typedef {import("./smime-client.js").ContentEncryption} ContentEncryption */

/**
 * What is known of one recipient's certificate, in a few words.
 * @param {RecipientCertificate} entry
 */
export function certificateStateText(entry) {
  switch (entry.state) {
    case "contact":
      return entry.source === "mail" ? "certificate learned from their signed mail" : "imported certificate";
    case "directory":
      return "certificate from the local directory";
    case "invalid":
      return "not an e-mail address";
    default:
      return "no certificate";
  }
}

/** How to get someone's certificate, for the blocked explanation. */
export const HOW_TO_GET_A_CERTIFICATE =
  "Ask them to send you a signed message; opening it teaches this browser their certificate. " +
  "Or import their certificate in Contacts.";

/**
 * Why the message cannot be encrypted.
 * @param {string[]} missing  the addresses without a certificate
 */
export function blockedText(missing) {
  const whom = missing.length === 1 ? `${missing[0]} has` : `${listText(missing)} have`;
  return `Cannot encrypt: ${whom} no certificate here, and a message can only be encrypted for people whose certificate this browser holds.`;
}

/** Next to the explicit switch-off in the blocked explanation. */
export const SEND_UNENCRYPTED_TEXT = "Or send it without encryption: anyone who handles it on the way could read it.";

/**
 * @typedef {object} ProtectionPlan  what the switches will do with this message
 * @property {boolean} sign
 * @property {boolean} encrypt
 * @property {string} sender             the sender's address
 * @property {"detached" | "opaque"} format
 * @property {"sha256" | "sha384" | "sha512"} digest
 * @property {string[]} recipients       the To and Cc addresses with a certificate
 * @property {ContentEncryption} cipher  the content encryption that will be used
 * @property {boolean} cipherChosen      the person picked it (else it follows the recipients)
 */

/**
 * What will happen to the message: one line for the signature, one for the encryption and one
 * for what the algorithm does and does not protect.
 * @param {ProtectionPlan} plan
 * @returns {string[]}
 */
export function protectionLines(plan) {
  const lines = [];
  const how = `${plan.format === "opaque" ? "opaque" : "detached"}, ${digestName(plan.digest)}`;
  lines.push(
    plan.sign
      ? `Signed by you (${plan.sender}, ${how}): recipients can check who wrote it and that nobody changed it.`
      : "Not signed: nothing shows the recipients who wrote it.",
  );
  if (!plan.encrypt) {
    lines.push(
      plan.sign
        ? "Not encrypted: anyone who handles it on the way can read it."
        : "Not encrypted either: anyone who handles it on the way can read and change it.",
    );
    return lines;
  }
  const others = plan.recipients.filter((a) => a.toLowerCase() !== plan.sender.toLowerCase());
  const whom = others.length > 0 ? `${listText(others)} and for you` : "you only, until you add recipients";
  lines.push(`Encrypted for ${whom}, so that your Sent copy stays readable.`);
  const cipher = contentEncryptionName(plan.cipher);
  if (protectsIntegrity(plan.cipher)) {
    const why = plan.cipherChosen ? "as you chose" : "every recipient's mail program is known to read it";
    lines.push(`${cipher}, integrity protected (${why}): any change on the way would be detected.`);
  } else {
    const why = plan.cipherChosen
      ? "as you chose"
      : "which every S/MIME program reads; AES-GCM is used once every recipient is known to read it";
    const integrity = plan.sign
      ? "not integrity protected by itself, but the signature inside shows any change"
      : "not integrity protected, and unsigned: nothing shows whether it was changed on the way";
    lines.push(`${cipher} (${why}): ${integrity}.`);
  }
  return lines;
}

/** The steps of sending, as the progress line says them. */
export const STEP_TEXT = {
  reading: "Reading the attachments…",
  composing: "Composing the message…",
  signing: "Signing with your key…",
  encrypting: "Encrypting…",
  delivering: "Delivering…",
  saving: "Saving a copy in Sent…",
};

/**
 * @param {string[]} delivered
 * @param {string} where  the transport's name ("this browser")
 */
export function deliveredText(delivered, where) {
  return `Delivered to ${listText(delivered)} in ${where}.`;
}

/** @param {string[]} notDelivered */
export function notDeliveredText(notDelivered) {
  return `Not delivered to ${listText(notDelivered)} — download the .eml and send it with your mail program.`;
}

export const DRAFT_NOTE = "Drafts are stored unencrypted in this browser.";

/**
 * "Re: subject", without doubling an existing "Re:".
 * @param {string | null | undefined} subject
 */
export function replySubject(subject) {
  const s = (subject ?? "").trim();
  return /^re\s*:/i.test(s) ? s : `Re: ${s}`.trimEnd();
}

/**
 * "Fwd: subject", without doubling an existing "Fwd:" or "Fw:".
 * @param {string | null | undefined} subject
 */
export function forwardSubject(subject) {
  const s = (subject ?? "").trim();
  return /^fwd?\s*:/i.test(s) ? s : `Fwd: ${s}`.trimEnd();
}

/**
 * The body of a reply: an empty line to write on, then "On <date>, <from> wrote:" and the
 * original, each line quoted with "> ".
 * @param {{ from: Mailbox[], date?: string | null }} headers
 * @param {string} text
 */
export function quotedReply(headers, text) {
  const who = mailboxesText(headers.from) || "someone";
  const intro = headers.date ? `On ${dateText(headers.date)}, ${who} wrote:` : `${who} wrote:`;
  const lines = text.replace(/\r\n/g, "\n").replace(/\n+$/, "").split("\n");
  return `\n\n${intro}\n${lines.map((line) => (line === "" || line.startsWith(">") ? `>${line}` : `> ${line}`)).join("\n")}\n`;
}

/**
 * The body of a forward: the original's header fields, then its text.
 * @param {{ from: Mailbox[], to: Mailbox[], cc: Mailbox[], subject?: string | null, date?: string | null }} headers
 * @param {string} text
 */
export function forwardedBody(headers, text) {
  const fields = [
    ["From", mailboxesText(headers.from)],
    ["Date", headers.date ? dateText(headers.date) : ""],
    ["Subject", headers.subject ?? ""],
    ["To", mailboxesText(headers.to)],
    ["Cc", mailboxesText(headers.cc)],
  ].filter(([, value]) => value);
  return [
    "",
    "",
    "---------- Forwarded message ----------",
    ...fields.map(([name, value]) => `${name}: ${value}`),
    "",
    text.replace(/\r\n/g, "\n"),
  ].join("\n");
}
