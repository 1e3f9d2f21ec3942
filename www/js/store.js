// @ts-check
/**
 * Everything the shell keeps across reloads, in one IndexedDB database: accounts (certificate and
 * *sealed* private key — never a key in the clear), each account's contacts, each account's
 * mail by folder, and settings. Records are plain objects with `Uint8Array` bytes, so a record
 * read back is what was written.
 *
 * ```js
 * const store = await Store.open();
 * await store.putMessage({ account: bob.id, folder: "inbox", raw, headers, receivedAt: new Date().toISOString() });
 * const inbox = await store.messages(bob.id, "inbox");  // newest first
 * ```
 */

/** @typedef {import("./smime-client.js").CertificateInfo} CertificateInfo */
/** @typedef {import("./smime-client.js").SealedKey} SealedKey */

/**
 * @typedef {object} AccountRecord
 * @property {string} id             random, stable
 * @property {"person" | "authority"} kind  a mail account, or a certificate authority kept to issue demo users
 * @property {string} email          lower case
 * @property {string} name
 * @property {Uint8Array} certificate  DER
 * @property {Uint8Array[]} chain    DER, issuer first
 * @property {CertificateInfo} info
 * @property {SealedKey} sealedKey   the private key, encrypted under the account's passphrase
 * @property {"demo" | "pkcs12" | "generated"} origin
 * @property {string} createdAt      ISO-8601
 *
 * @typedef {object} ContactRecord
 * @property {string} account        the account whose address book this is
 * @property {string} fingerprint    SHA-256 of the certificate, hex
 * @property {Uint8Array} certificate  DER
 * @property {CertificateInfo} info
 * @property {string[]} capabilities what the owner's signed mail advertised; empty if unknown
 * @property {"mail" | "file" | "demo"} source
 * @property {boolean} trusted       a trust anchor by the user's choice (authorities only)
 * @property {string} updatedAt      ISO-8601
 *
 * @typedef {"inbox" | "sent" | "drafts"} Folder
 *
 * @typedef {object} Draft  what the compose form held; drafts are not yet a message
 * @property {string[]} to
 * @property {string[]} cc
 * @property {string} subject
 * @property {string} text
 * @property {{ filename: string, contentType: string, data: Uint8Array }[]} attachments
 * @property {boolean} sign
 * @property {boolean} encrypt
 * @property {string} [inReplyTo]
 * @property {string[]} [references]
 *
 * @typedef {object} Security  what opening the message found, cached for the message list
 * @property {boolean} encrypted
 * @property {boolean} [integrityProtected]
 * @property {"trusted" | "untrusted" | "broken" | null} signature  null: not signed
 * @property {string} [signer]       the signer's address
 * @property {string} [error]        a code, when the message could not be opened
 *
 * @typedef {object} MessageRecord
 * @property {number} [id]           given by the store
 * @property {string} account
 * @property {Folder} folder
 * @property {Uint8Array} [raw]      the message as received or sent (not for drafts)
 * @property {Draft} [draft]         drafts only
 * @property {import("./smime-client.js").MessageHeaders} headers  of the outer message
 * @property {string} receivedAt     ISO-8601
 * @property {boolean} seen
 * @property {Security} [security]
 */

const DB_NAME = "smime-webmail";
const DB_VERSION = 1;

/**
 * @template T
 * @param {IDBRequest<T>} request
 * @returns {Promise<T>}
 */
function done(request) {
  return new Promise((resolve, reject) => {
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });
}

/**
 * @param {IDBTransaction} tx
 * @returns {Promise<void>}
 */
function committed(tx) {
  return new Promise((resolve, reject) => {
    tx.oncomplete = () => resolve();
    tx.onerror = () => reject(tx.error);
    tx.onabort = () => reject(tx.error ?? new Error("the storage transaction was aborted"));
  });
}

export class Store {
  /** @type {IDBDatabase} */
  #db;

  /** @param {IDBDatabase} db */
  constructor(db) {
    this.#db = db;
    // Another tab deleting the data, or a newer version of the page: let go so it can proceed.
    db.onversionchange = () => db.close();
  }

  /** @returns {Promise<Store>} */
  static async open() {
    const request = indexedDB.open(DB_NAME, DB_VERSION);
    request.onupgradeneeded = () => {
      const db = request.result;
      db.createObjectStore("accounts", { keyPath: "id" });
      const contacts = db.createObjectStore("contacts", { keyPath: ["account", "fingerprint"] });
      contacts.createIndex("byAccount", "account");
      const messages = db.createObjectStore("messages", { keyPath: "id", autoIncrement: true });
      messages.createIndex("byFolder", ["account", "folder"]);
      messages.createIndex("byAccount", "account");
      db.createObjectStore("settings");
    };
    return new Store(await done(request));
  }

  /**
   * @param {string | string[]} names
   * @param {IDBTransactionMode} mode
   */
  #tx(names, mode) {
    return this.#db.transaction(names, mode);
  }

  /** @returns {Promise<AccountRecord[]>} oldest first */
  async accounts() {
    /** @type {AccountRecord[]} */
    const all = await done(this.#tx("accounts", "readonly").objectStore("accounts").getAll());
    return all.sort((a, b) => a.createdAt.localeCompare(b.createdAt));
  }

  /** @param {AccountRecord} account */
  async putAccount(account) {
    const tx = this.#tx("accounts", "readwrite");
    tx.objectStore("accounts").put(account);
    await committed(tx);
  }

  /**
   * Removes an account with its contacts and mail.
   * @param {string} id
   */
  async deleteAccount(id) {
    const tx = this.#tx(["accounts", "contacts", "messages"], "readwrite");
    tx.objectStore("accounts").delete(id);
    tx.objectStore("contacts").delete(IDBKeyRange.bound([id, ""], [id, "\uffff"]));
    const byAccount = tx.objectStore("messages").index("byAccount");
    const keys = await done(byAccount.getAllKeys(id));
    for (const key of keys) tx.objectStore("messages").delete(key);
    await committed(tx);
  }

  /**
   * @param {string} account
   * @returns {Promise<ContactRecord[]>}
   */
  async contacts(account) {
    const index = this.#tx("contacts", "readonly").objectStore("contacts").index("byAccount");
    return done(index.getAll(account));
  }

  /** @param {ContactRecord} contact */
  async putContact(contact) {
    const tx = this.#tx("contacts", "readwrite");
    tx.objectStore("contacts").put(contact);
    await committed(tx);
  }

  /**
   * @param {string} account
   * @param {string} fingerprint
   */
  async deleteContact(account, fingerprint) {
    const tx = this.#tx("contacts", "readwrite");
    tx.objectStore("contacts").delete([account, fingerprint]);
    await committed(tx);
  }

  /**
   * @param {string} account
   * @param {Folder} folder
   * @returns {Promise<MessageRecord[]>} newest first
   */
  async messages(account, folder) {
    const index = this.#tx("messages", "readonly").objectStore("messages").index("byFolder");
    /** @type {MessageRecord[]} */
    const all = await done(index.getAll([account, folder]));
    return all.sort((a, b) => b.receivedAt.localeCompare(a.receivedAt) || (b.id ?? 0) - (a.id ?? 0));
  }

  /**
   * @param {number} id
   * @returns {Promise<MessageRecord | undefined>}
   */
  async message(id) {
    return done(this.#tx("messages", "readonly").objectStore("messages").get(id));
  }

  /**
   * Adds a message, or replaces the one with the same `id`.
   * @param {MessageRecord} message
   * @returns {Promise<number>} its id
   */
  async putMessage(message) {
    const tx = this.#tx("messages", "readwrite");
    const id = /** @type {Promise<number>} */ (done(tx.objectStore("messages").put(message)));
    await committed(tx);
    return id;
  }

  /** @param {number} id */
  async deleteMessage(id) {
    const tx = this.#tx("messages", "readwrite");
    tx.objectStore("messages").delete(id);
    await committed(tx);
  }

  /**
   * @param {string} key
   * @returns {Promise<unknown>}
   */
  async setting(key) {
    return done(this.#tx("settings", "readonly").objectStore("settings").get(key));
  }

  /**
   * @param {string} key
   * @param {unknown} value
   */
  async putSetting(key, value) {
    const tx = this.#tx("settings", "readwrite");
    tx.objectStore("settings").put(value, key);
    await committed(tx);
  }

  /**
   * Every record, for the user's export.
   * @returns {Promise<{ accounts: AccountRecord[], contacts: ContactRecord[],
   *                     messages: MessageRecord[], settings: Record<string, unknown> }>}
   */
  async everything() {
    const tx = this.#tx(["accounts", "contacts", "messages", "settings"], "readonly");
    const [accounts, contacts, messages, keys, values] = await Promise.all([
      done(tx.objectStore("accounts").getAll()),
      done(tx.objectStore("contacts").getAll()),
      done(tx.objectStore("messages").getAll()),
      done(tx.objectStore("settings").getAllKeys()),
      done(tx.objectStore("settings").getAll()),
    ]);
    const settings = Object.fromEntries(keys.map((key, i) => [String(key), values[i]]));
    return { accounts, contacts, messages, settings };
  }

  /** Deletes every record (the database itself stays, empty). */
  async clear() {
    const names = ["accounts", "contacts", "messages", "settings"];
    const tx = this.#tx(names, "readwrite");
    for (const name of names) tx.objectStore(name).clear();
    await committed(tx);
  }
}
