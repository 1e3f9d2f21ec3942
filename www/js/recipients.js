// @ts-check
/**
 * Whom a message is encrypted for: each To address matched to a certificate the page knows (the
 * demo users'), plus the sender, so that sent mail stays readable. An address without a
 * certificate blocks encryption; nothing here guesses.
 */

/** @typedef {import("./smime-client.js").Identity} Identity */

/**
 * @typedef {object} EncryptionPlan
 * @property {{ address: string, identity: Identity }[]} found  To addresses with a certificate
 * @property {string[]} missing          To addresses without one: encryption is blocked
 * @property {Uint8Array[]} certificates  the found certificates and the sender's, once each
 */

/**
 * "a@x.org, Bob <b@y.org>" -> ["a@x.org", "b@y.org"]
 * @param {string} value
 * @returns {string[]}
 */
export function addresses(value) {
  return value
    .split(/[,;]/)
    .map((part) => (/<([^<>]*)>\s*$/.exec(part)?.[1] ?? part).trim())
    .filter(Boolean);
}

/**
 * The first address of each identity, for the "known here" list.
 * @param {Identity[]} known
 */
export function knownAddresses(known) {
  return known.flatMap((identity) => identity.info.emails.slice(0, 1));
}

/**
 * Matches the To addresses against the known certificates (addresses compared without case)
 * and adds the sender's certificate.
 * @param {string[]} to
 * @param {Identity} sender
 * @param {Identity[]} known
 * @returns {EncryptionPlan}
 */
export function planEncryption(to, sender, known) {
  /** @type {EncryptionPlan["found"]} */
  const found = [];
  /** @type {string[]} */
  const missing = [];
  const seen = new Set();
  for (const address of to) {
    const key = address.toLowerCase();
    if (seen.has(key)) continue;
    seen.add(key);
    const identity = known.find((candidate) =>
      candidate.info.emails.some((email) => email.toLowerCase() === key),
    );
    if (identity) found.push({ address, identity });
    else missing.push(address);
  }
  /** @type {Map<string, Uint8Array>} by SHA-256 fingerprint, so nobody is listed twice */
  const certificates = new Map();
  for (const identity of [...found.map((match) => match.identity), sender]) {
    certificates.set(identity.info.fingerprintSha256, identity.certificate);
  }
  return { found, missing, certificates: [...certificates.values()] };
}

/**
 * The To addresses that will get the message, without the sender's own (who is "you").
 * @param {EncryptionPlan} plan
 * @param {Identity} sender
 */
export function otherRecipients(plan, sender) {
  const self = sender.info.emails.map((email) => email.toLowerCase());
  return plan.found.map((match) => match.address).filter((address) => !self.includes(address.toLowerCase()));
}
