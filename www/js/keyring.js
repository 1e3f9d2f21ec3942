// @ts-check
/**
 * What the page knows, in memory only (persistence is a later issue): the identities whose keys
 * the worker holds (the demo users, imported and generated ones), a local demo CA, and the
 * contacts' certificates with the user's trust decisions. Views subscribe to changes.
 */

/** @typedef {import("./smime-client.js").Identity} Identity */
/** @typedef {import("./smime-client.js").CertificateInfo} CertificateInfo */
/** @typedef {import("./smime-client.js").Cert} Cert */

/**
 * @typedef {object} Contact
 * @property {CertificateInfo} info
 * @property {Cert} certificate      PEM text (from mail) or as imported
 * @property {string[]} capabilities  what the owner's mail advertised; empty if unknown
 * @property {"mail" | "file" | "local-ca"} source
 * @property {boolean} trusted       a trust anchor by the user's choice (CA certificates only)
 */

export class Keyring {
  /** @type {Identity[]} the demo users, replaced when the worker restarts */
  demo = [];
  /** @type {Identity[]} imported and generated; lost if the worker restarts */
  own = [];
  /** @type {Identity | null} the local demo CA, made in this tab */
  localCa = null;
  /** @type {Map<string, Contact>} by SHA-256 fingerprint */
  contacts = new Map();
  /** @type {Set<() => void>} */
  #listeners = new Set();

  /** @param {() => void} listener */
  subscribe(listener) {
    this.#listeners.add(listener);
  }

  changed() {
    for (const listener of this.#listeners) listener();
  }

  /** Every identity that can sign and decrypt: the demo users, then the user's own. */
  identities() {
    return [...this.demo, ...this.own];
  }

  /** @param {Identity} identity */
  addIdentity(identity) {
    const fingerprint = identity.info.fingerprintSha256;
    this.own = [...this.own.filter((known) => known.info.fingerprintSha256 !== fingerprint), identity];
    this.changed();
  }

  /**
   * Adds a certificate, or updates the one with the same fingerprint (keeping the trust choice,
   * merging capabilities learned from newer mail).
   * @param {Omit<Contact, "trusted"> & { trusted?: boolean }} contact
   */
  addContact(contact) {
    const fingerprint = contact.info.fingerprintSha256;
    const old = this.contacts.get(fingerprint);
    const capabilities = contact.capabilities.length > 0 ? contact.capabilities : (old?.capabilities ?? []);
    this.contacts.set(fingerprint, {
      ...contact,
      capabilities,
      source: old?.source === "mail" ? "mail" : contact.source,
      certificate: typeof old?.certificate === "string" ? old.certificate : contact.certificate,
      trusted: contact.info.isCa && (old?.trusted ?? contact.trusted ?? false),
    });
    this.changed();
  }

  /**
   * @param {string} fingerprint
   * @param {boolean} trusted
   */
  setTrusted(fingerprint, trusted) {
    const contact = this.contacts.get(fingerprint);
    if (!contact || !contact.info.isCa) return;
    this.contacts.set(fingerprint, { ...contact, trusted });
    this.changed();
  }

  /** The certificates the user chose to trust as authorities. */
  trustedAnchors() {
    return [...this.contacts.values()].filter((contact) => contact.trusted).map((contact) => contact.certificate);
  }

  /** Contacts that are people (not authorities), for encrypting to. */
  people() {
    return [...this.contacts.values()].filter((contact) => !contact.info.isCa);
  }
}
