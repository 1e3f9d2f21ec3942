// @ts-check
/**
 * The local accounts of this browser profile. An account is an identity — a certificate and its
 * private key — stored only sealed under the account's passphrase (see `SmimeClient.seal`).
 * Unlocking opens the key into the worker for the session; locking drops it from there. The page
 * never holds a private key: an unlocked account is a worker handle.
 *
 * Events (`change`): the list, the current account or a lock state changed. If the worker stops,
 * every account is locked at once and `restart` fires with the ids that were unlocked, so the
 * page can ask for their passphrases again.
 */
import { SmimeError } from "./smime-client.js";
import { commonName } from "./ui-text.js";

/** @typedef {import("./smime-client.js").SmimeClient} SmimeClient */
/** @typedef {import("./smime-client.js").Identity} Identity */
/** @typedef {import("./store.js").Store} Store */
/** @typedef {import("./store.js").AccountRecord} AccountRecord */
/** @typedef {import("./contacts.js").Contacts} Contacts */

/** The shortest passphrase accepted for a new account. */
export const MIN_PASSPHRASE = 8;

/** The demo users made by "Create demo accounts", issued by a demo CA made at the same time. */
export const DEMO_USERS = [
  { email: "alice@example.org", name: "Alice Demo", algorithm: /** @type {const} */ ("rsa-2048") },
  { email: "bob@example.org", name: "Bob Demo", algorithm: /** @type {const} */ ("p-256") },
];
const DEMO_CA = { email: "ca@example.org", name: "smime-wasm Demo CA", algorithm: /** @type {const} */ ("p-256") };

export class Accounts extends EventTarget {
  /** @type {SmimeClient} */
  #client;
  /** @type {Store} */
  #store;
  /** @type {Contacts} */
  #contacts;
  /** @type {AccountRecord[]} */
  #list = [];
  /** @type {Map<string, Identity>} account id -> identity in the worker */
  #unlocked = new Map();
  /** @type {string | null} */
  #currentId = null;

  /**
   * @param {SmimeClient} client
   * @param {Store} store
   * @param {Contacts} contacts
   */
  constructor(client, store, contacts) {
    super();
    this.#client = client;
    this.#store = store;
    this.#contacts = contacts;
    client.onRestart(() => {
      const lost = [...this.#unlocked.keys()];
      this.#unlocked.clear();
      if (lost.length > 0) {
        this.dispatchEvent(new CustomEvent("restart", { detail: lost }));
        this.#changed();
      }
    });
  }

  /**
   * Reads the stored accounts; all start locked.
   * @param {SmimeClient} client
   * @param {Store} store
   * @param {Contacts} contacts
   */
  static async load(client, store, contacts) {
    const accounts = new Accounts(client, store, contacts);
    accounts.#list = await store.accounts();
    const saved = await store.setting("current-account");
    const people = accounts.people();
    accounts.#currentId = people.find((a) => a.id === saved)?.id ?? people[0]?.id ?? null;
    return accounts;
  }

  /** Every account, oldest first. */
  all() {
    return [...this.#list];
  }

  /** The mail accounts (not the authorities). */
  people() {
    return this.#list.filter((account) => account.kind === "person");
  }

  /** Certificate authorities kept to issue new accounts. */
  authorities() {
    return this.#list.filter((account) => account.kind === "authority");
  }

  /** @param {string} id */
  get(id) {
    return this.#list.find((account) => account.id === id);
  }

  /**
   * The local mail account with this address, if any.
   * @param {string} address
   */
  byAddress(address) {
    const wanted = address.trim().toLowerCase();
    return this.people().find((account) => account.email === wanted);
  }

  /** The account the page is showing, or null before any exists. */
  get current() {
    return this.#currentId ? (this.get(this.#currentId) ?? null) : null;
  }

  /** @param {string} id */
  async select(id) {
    if (!this.get(id) || id === this.#currentId) return;
    this.#currentId = id;
    await this.#store.putSetting("current-account", id);
    this.#changed();
  }

  /** @param {string} id */
  isUnlocked(id) {
    const identity = this.#unlocked.get(id);
    return identity !== undefined && this.#client.isLive(identity);
  }

  /**
   * The unlocked identity of an account, or null when it is locked.
   * @param {string} id
   * @returns {Identity | null}
   */
  identity(id) {
    return this.isUnlocked(id) ? (this.#unlocked.get(id) ?? null) : null;
  }

  /**
   * Opens the account's key into the worker. A wrong passphrase rejects with ERR_BAD_PASSWORD
   * and changes nothing.
   * @param {string} id
   * @param {string} passphrase
   * @returns {Promise<Identity>}
   */
  async unlock(id, passphrase) {
    const account = this.#need(id);
    const already = this.identity(id);
    if (already) return already;
    const identity = await this.#client.unseal(account.sealedKey, passphrase);
    if (identity.info.fingerprintSha256 !== account.info.fingerprintSha256) {
      await this.#client.release(identity);
      throw new SmimeError("ERR_KEY_MISMATCH", "the sealed key holds another certificate than the account");
    }
    this.#unlocked.set(id, identity);
    this.#changed();
    return identity;
  }

  /**
   * Drops the account's key from the worker.
   * @param {string} id
   */
  async lock(id) {
    const identity = this.#unlocked.get(id);
    if (!identity) return;
    this.#unlocked.delete(id);
    this.#changed();
    await this.#client.release(identity);
  }

  async lockAll() {
    await Promise.all([...this.#unlocked.keys()].map((id) => this.lock(id)));
  }

  /**
   * Checks a new passphrase; returns a sentence saying what is wrong, or null.
   * @param {string} passphrase
   */
  static passphraseProblem(passphrase) {
    if (passphrase.length < MIN_PASSPHRASE) {
      return `The passphrase needs at least ${MIN_PASSPHRASE} characters.`;
    }
    return null;
  }

  /**
   * First run: a demo CA, then Alice and Bob issued by it, all sealed under `passphrase` and left
   * unlocked. Each demo user trusts the demo CA. Alice becomes the current account.
   * @param {string} passphrase
   * @param {(step: string) => void} [progress]
   * @returns {Promise<AccountRecord[]>} the two people
   */
  async createDemo(passphrase, progress = () => {}) {
    this.#checkNew(passphrase);
    progress(`Making the demo certificate authority…`);
    const ca = await this.#client.generateIdentity({ ...DEMO_CA, ca: true, validDays: 3650 });
    const caAccount = await this.#add(ca, passphrase, "authority", "demo");
    const people = [];
    for (const user of DEMO_USERS) {
      if (this.byAddress(user.email)) throw new SmimeError("ERR_INVALID_ARGUMENT", `${user.email} already has an account`);
      progress(`Making ${user.name} (${user.email})…`);
      const identity = await this.#client.generateIdentity({ ...user, issuer: ca, validDays: 730 });
      const account = await this.#add(identity, passphrase, "person", "demo");
      await this.#contacts.add(account.id, caAccount.certificate, { source: "demo", trusted: true });
      people.push(account);
    }
    await this.select(people[0].id);
    this.#changed();
    return people;
  }

  /**
   * An account from a `.p12`/`.pfx` file, stored under a new passphrase (which may be the file's
   * password). A wrong file password rejects with ERR_BAD_PASSWORD.
   * @param {Uint8Array} bytes
   * @param {string} password    the file's
   * @param {string} passphrase  the account's
   */
  async importPkcs12(bytes, password, passphrase) {
    this.#checkNew(passphrase);
    const identity = await this.#client.importPkcs12(bytes, password);
    return this.#addPerson(identity, passphrase, "pkcs12");
  }

  /**
   * A new key and certificate: self-signed, or issued by an unlocked authority account.
   * @param {{ email: string, name?: string, algorithm?: "rsa-2048" | "rsa-3072" | "p-256" | "p-384" | "ed25519",
   *           issuer?: string }} options  `issuer`: an authority account's id
   * @param {string} passphrase
   */
  async generate({ issuer, ...options }, passphrase) {
    this.#checkNew(passphrase);
    const issuerIdentity = issuer === undefined ? undefined : this.identity(issuer);
    if (issuer !== undefined && !issuerIdentity) {
      throw new SmimeError("ERR_INVALID_ARGUMENT", "unlock the certificate authority first");
    }
    const identity = await this.#client.generateIdentity({ ...options, issuer: issuerIdentity ?? undefined });
    const account = await this.#addPerson(identity, passphrase, "generated");
    if (issuer !== undefined) {
      const authority = this.#need(issuer);
      await this.#contacts.add(account.id, authority.certificate, { source: "demo", trusted: true });
    }
    return account;
  }

  /**
   * Deletes an account with its contacts and mail.
   * @param {string} id
   */
  async remove(id) {
    await this.lock(id);
    await this.#store.deleteAccount(id);
    this.#list = this.#list.filter((account) => account.id !== id);
    if (this.#currentId === id) this.#currentId = this.people()[0]?.id ?? null;
    this.#changed();
  }

  /** Forgets everything in memory (after the user deleted all data). */
  async reset() {
    await this.lockAll();
    this.#list = [];
    this.#currentId = null;
    this.#changed();
  }

  /**
   * @param {Identity} identity
   * @param {string} passphrase
   * @param {"pkcs12" | "generated"} origin
   */
  async #addPerson(identity, passphrase, origin) {
    const email = identity.info.emails[0]?.toLowerCase();
    if (!email) {
      await this.#client.release(identity);
      throw new SmimeError("ERR_INVALID_ARGUMENT", "the certificate names no e-mail address, so it cannot be a mail account");
    }
    if (this.byAddress(email)) {
      await this.#client.release(identity);
      throw new SmimeError("ERR_INVALID_ARGUMENT", `${email} already has an account`);
    }
    const account = await this.#add(identity, passphrase, "person", origin);
    if (!this.#currentId) await this.select(account.id);
    return account;
  }

  /**
   * @param {Identity} identity
   * @param {string} passphrase
   * @param {"person" | "authority"} kind
   * @param {AccountRecord["origin"]} origin
   * @returns {Promise<AccountRecord>}
   */
  async #add(identity, passphrase, kind, origin) {
    /** @type {AccountRecord} */
    const account = {
      id: crypto.randomUUID(),
      kind,
      email: (identity.info.emails[0] ?? "").toLowerCase(),
      name: commonName(identity.info.subject),
      certificate: identity.certificate,
      chain: identity.chain,
      info: identity.info,
      sealedKey: await this.#client.seal(identity, passphrase),
      origin,
      createdAt: new Date().toISOString(),
    };
    await this.#store.putAccount(account);
    this.#list.push(account);
    this.#unlocked.set(account.id, identity);
    this.#changed();
    return account;
  }

  /** @param {string} passphrase */
  #checkNew(passphrase) {
    const problem = Accounts.passphraseProblem(passphrase);
    if (problem) throw new SmimeError("ERR_INVALID_ARGUMENT", problem);
  }

  /** @param {string} id */
  #need(id) {
    const account = this.get(id);
    if (!account) throw new SmimeError("ERR_INVALID_ARGUMENT", `no account ${id}`);
    return account;
  }

  #changed() {
    this.dispatchEvent(new Event("change"));
  }
}
