// @ts-check
/**
 * Each account's address book of certificates: harvested from signed mail the account opened
 * (only when the signature is valid, with the capabilities the mail advertised), imported from
 * files, or the demo CA. Certificate authorities become trust anchors only by the user's choice.
 *
 * Events (`change`, detail: the account id) after every write.
 */

/** @typedef {import("./smime-client.js").SmimeClient} SmimeClient */
/** @typedef {import("./smime-client.js").Opened} Opened */
/** @typedef {import("./smime-client.js").CertificateInfo} CertificateInfo */
/** @typedef {import("./store.js").Store} Store */
/** @typedef {import("./store.js").ContactRecord} ContactRecord */

export class Contacts extends EventTarget {
  /** @type {SmimeClient} */
  #client;
  /** @type {Store} */
  #store;

  /**
   * @param {SmimeClient} client
   * @param {Store} store
   */
  constructor(client, store) {
    super();
    this.#client = client;
    this.#store = store;
  }

  /**
   * @param {string} account
   * @returns {Promise<ContactRecord[]>} people first, then authorities, each by name
   */
  async list(account) {
    const all = await this.#store.contacts(account);
    const key = (/** @type {ContactRecord} */ c) => `${c.info.isCa ? 1 : 0}${c.info.subject}`;
    return all.sort((a, b) => key(a).localeCompare(key(b)));
  }

  /**
   * Adds a certificate to an account's book, or updates the one with the same fingerprint: the
   * trust choice is kept, newer capabilities replace older ones, and "mail" wins as the source.
   * @param {string} account
   * @param {string | Uint8Array} certificate  PEM or DER
   * @param {{ source: ContactRecord["source"], capabilities?: string[], trusted?: boolean }} how
   * @returns {Promise<ContactRecord>}
   */
  async add(account, certificate, { source, capabilities = [], trusted }) {
    // The first certificate of the PEM text or bytes, as DER: what certificateInfo describes.
    const [der] = await this.#client.certificatesIn(certificate);
    const info = await this.#client.certificateInfo(der);
    const old = (await this.#store.contacts(account)).find((c) => c.fingerprint === info.fingerprintSha256);
    /** @type {ContactRecord} */
    const contact = {
      account,
      fingerprint: info.fingerprintSha256,
      certificate: der,
      info,
      capabilities: capabilities.length > 0 ? capabilities : (old?.capabilities ?? []),
      source: old?.source === "mail" ? "mail" : source,
      trusted: info.isCa && (trusted ?? old?.trusted ?? false),
      updatedAt: new Date().toISOString(),
    };
    await this.#store.putContact(contact);
    this.#changed(account);
    return contact;
  }

  /**
   * Learns the certificates of valid signers in an opened message, for encrypting replies.
   * @param {string} account
   * @param {Opened} opened
   * @returns {Promise<ContactRecord[]>} the contacts added or refreshed
   */
  async harvest(account, opened) {
    const learned = [];
    for (const layer of layersOf(opened)) {
      if (layer.kind !== "signed") continue;
      for (const signer of layer.signers) {
        const certificate = signer.encryptionCertificate;
        if (signer.signature !== "valid" || !certificate || certificate.isCa) continue;
        learned.push(
          await this.add(account, certificate.pem, { source: "mail", capabilities: certificate.capabilities ?? [] }),
        );
      }
    }
    return learned;
  }

  /**
   * @param {string} account
   * @param {string} fingerprint
   * @param {boolean} trusted
   */
  async setTrusted(account, fingerprint, trusted) {
    const contact = (await this.#store.contacts(account)).find((c) => c.fingerprint === fingerprint);
    if (!contact || !contact.info.isCa) return;
    await this.#store.putContact({ ...contact, trusted, updatedAt: new Date().toISOString() });
    this.#changed(account);
  }

  /**
   * @param {string} account
   * @param {string} fingerprint
   */
  async remove(account, fingerprint) {
    await this.#store.deleteContact(account, fingerprint);
    this.#changed(account);
  }

  /**
   * The authorities this account trusts, DER.
   * @param {string} account
   */
  async trustAnchors(account) {
    return (await this.#store.contacts(account)).filter((c) => c.trusted).map((c) => c.certificate);
  }

  /**
   * The best certificate this account knows for an address: a person's certificate naming it,
   * valid now, preferring one learned from mail, then the latest to expire.
   * @param {string} account
   * @param {string} address
   * @returns {Promise<ContactRecord | undefined>}
   */
  async forAddress(account, address) {
    const now = Date.now();
    const candidates = (await this.#store.contacts(account)).filter((c) => encryptsTo(c.info, address, now));
    const rank = (/** @type {ContactRecord} */ c) => `${c.source === "mail" ? 1 : 0}${c.info.notAfter}`;
    return candidates.sort((a, b) => rank(b).localeCompare(rank(a)))[0];
  }

  /** @param {string} account */
  #changed(account) {
    this.dispatchEvent(new CustomEvent("change", { detail: account }));
  }
}

/**
 * Whether mail to `address` may be encrypted to this certificate: a person's (not an
 * authority's), naming the address, valid at `now` (milliseconds). Times are compared as times,
 * not as text: "…:05Z" sorts after "…:05.300Z" of the same second.
 * @param {CertificateInfo} info
 * @param {string} address
 * @param {number} now
 */
export function encryptsTo(info, address, now) {
  const wanted = address.trim().toLowerCase();
  return (
    !info.isCa &&
    info.emails.some((email) => email.toLowerCase() === wanted) &&
    Date.parse(info.notBefore) <= now &&
    now <= Date.parse(info.notAfter)
  );
}

/**
 * Every layer of a message, including those of S/MIME parts found inside it.
 * @param {Opened} opened
 * @returns {import("./smime-client.js").Layer[]}
 */
function layersOf(opened) {
  return [...opened.layers, ...(opened.parts ?? []).flatMap((part) => (part.opened ? layersOf(part.opened) : []))];
}
