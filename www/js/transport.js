// @ts-check
/**
 * How mail leaves and arrives. Compose and read only see the `Transport` interface, so a real
 * one (JMAP, or SMTP through a backend) can replace the local one without touching them.
 *
 * The built-in `LocalTransport` delivers to the Inbox of the other accounts in this browser
 * profile, and is their directory: it knows their certificates, as a company directory would.
 * Mail to anyone else is reported as not delivered, and the page offers the `.eml` instead.
 */

/** @typedef {import("./smime-client.js").SmimeClient} SmimeClient */
/** @typedef {import("./store.js").Store} Store */
/** @typedef {import("./accounts.js").Accounts} Accounts */

/**
 * @typedef {object} Envelope
 * @property {string} from          the sender's address
 * @property {string[]} recipients  every To, Cc and Bcc address
 * @property {Uint8Array} raw       the whole message, exactly as it is to be delivered
 *
 * @typedef {object} SendResult
 * @property {string[]} delivered
 * @property {string[]} notDelivered  this transport cannot reach them
 *
 * @typedef {object} Transport
 * @property {string} name            said to the user ("this browser")
 * @property {(envelope: Envelope) => Promise<SendResult>} send
 * @property {(address: string) => Promise<DirectoryEntry | null>} lookupCertificate
 *           a directory: the certificate of an address this transport serves, or null
 *
 * @typedef {object} DirectoryEntry
 * @property {Uint8Array} certificate  DER
 * @property {string[]} capabilities   what the address's mail program reads (SMIMECapabilities
 *           names, as `encrypt` takes them); empty when the directory does not know
 */

/** @implements {Transport} */
export class LocalTransport extends EventTarget {
  name = "this browser";
  /** @type {SmimeClient} */
  #client;
  /** @type {Store} */
  #store;
  /** @type {Accounts} */
  #accounts;

  /**
   * Fires `delivered` (detail: `{ account, id }`) for each message put in an Inbox.
   * @param {SmimeClient} client
   * @param {Store} store
   * @param {Accounts} accounts
   */
  constructor(client, store, accounts) {
    super();
    this.#client = client;
    this.#store = store;
    this.#accounts = accounts;
  }

  /**
   * @param {Envelope} envelope
   * @returns {Promise<SendResult>}
   */
  async send({ recipients, raw }) {
    const headers = await this.#client.messageHeaders(raw);
    /** @type {SendResult} */
    const result = { delivered: [], notDelivered: [] };
    const seen = new Set();
    for (const address of recipients) {
      const key = address.trim().toLowerCase();
      if (seen.has(key)) continue;
      seen.add(key);
      const account = this.#accounts.byAddress(key);
      if (!account) {
        result.notDelivered.push(address);
        continue;
      }
      const id = await this.#store.putMessage({
        account: account.id,
        folder: "inbox",
        raw,
        headers,
        receivedAt: new Date().toISOString(),
        seen: false,
      });
      result.delivered.push(address);
      this.dispatchEvent(new CustomEvent("delivered", { detail: { account: account.id, id } }));
    }
    return result;
  }

  /**
   * The accounts of this browser run this engine, so they read what it advertises: mail between
   * them is AES-256-GCM from the first message, before any signed mail has said so.
   * @param {string} address
   * @returns {Promise<DirectoryEntry | null>}
   */
  async lookupCertificate(address) {
    const account = this.#accounts.byAddress(address);
    if (!account) return null;
    return { certificate: account.certificate, capabilities: await this.#client.advertisedCapabilities() };
  }
}
