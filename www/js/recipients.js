// @ts-check
/**
 * Whom a message is encrypted for: each To address matched to a certificate the page knows (the
 * identities' own, then the contacts'), plus the sender, so that sent mail stays readable. An
 * address without a certificate blocks encryption; nothing here guesses.
 */

/** @typedef {import("./smime-client.js").Identity} Identity */
/** @typedef {import("./smime-client.js").Recipient} Recipient */
/** @typedef {import("./keyring.js").Contact} Contact */

/**
 * @typedef {object} EncryptionPlan
 * @property {{ address: string, fingerprint: string }[]} found  To addresses with a certificate
 * @property {string[]} missing          To addresses without one: encryption is blocked
 * @property {Recipient[]} certificates  the found certificates and the sender's, once each
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
 * The first address of each identity and contact, for the "known here" list.
 * @param {Identity[]} known
 * @param {Contact[]} [contacts]
 */
export function knownAddresses(known, contacts = []) {
  const all = [...known, ...contacts].flatMap((entry) => entry.info.emails.slice(0, 1));
  return [...new Set(all)];
}

/**
 * Matches the To addresses against the known certificates (addresses compared without case)
 * and adds the sender's certificate. An identity wins over a contact with the same address.
 * @param {string[]} to
 * @param {Identity} sender
 * @param {Identity[]} known
 * @param {Contact[]} [contacts]
 * @returns {EncryptionPlan}
 */
export function planEncryption(to, sender, known, contacts = []) {
  /** @type {EncryptionPlan["found"]} */
  const found = [];
  /** @type {string[]} */
  const missing = [];
  /** @type {Map<string, Recipient>} by SHA-256 fingerprint, so nobody is listed twice */
  const certificates = new Map();
  const seen = new Set();
  /** @param {{ info: { emails: string[] } }} candidate @param {string} key */
  const has = (candidate, key) => candidate.info.emails.some((email) => email.toLowerCase() === key);
  for (const address of to) {
    const key = address.toLowerCase();
    if (seen.has(key)) continue;
    seen.add(key);
    const identity = known.find((candidate) => has(candidate, key));
    const contact = identity ? undefined : contacts.find((candidate) => has(candidate, key));
    if (identity) {
      found.push({ address, fingerprint: identity.info.fingerprintSha256 });
      certificates.set(identity.info.fingerprintSha256, identity.certificate);
    } else if (contact) {
      found.push({ address, fingerprint: contact.info.fingerprintSha256 });
      const { certificate, capabilities } = contact;
      certificates.set(
        contact.info.fingerprintSha256,
        capabilities.length > 0 ? { certificate, capabilities } : certificate,
      );
    } else {
      missing.push(address);
    }
  }
  certificates.set(sender.info.fingerprintSha256, sender.certificate);
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
