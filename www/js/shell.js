// @ts-check
/**
 * What every view of the webmail gets: the engine client, the stores and models, the transport,
 * and a few page-level actions. app.js makes the one `Shell` of the page; views receive it and
 * never import each other.
 */

/** @typedef {import("./smime-client.js").SmimeClient} SmimeClient */
/** @typedef {import("./smime-client.js").Identity} Identity */
/** @typedef {import("./smime-client.js").Opened} Opened */
/** @typedef {import("./smime-client.js").MessageView} MessageView */
/** @typedef {import("./store.js").Store} Store */
/** @typedef {import("./store.js").Folder} Folder */
/** @typedef {import("./store.js").MessageRecord} MessageRecord */
/** @typedef {import("./accounts.js").Accounts} Accounts */
/** @typedef {import("./contacts.js").Contacts} Contacts */
/** @typedef {import("./transport.js").Transport} Transport */

/**
 * @typedef {"welcome" | "mailbox" | "compose" | "contacts" | "accounts" | "settings"} ViewName
 *
 * @typedef {object} ComposeRequest
 * @property {"new" | "reply" | "reply-all" | "forward" | "draft"} mode
 * @property {MessageRecord} [record]   the message replied to / forwarded, or the draft
 * @property {MessageView} [view]       what the reader decoded of it (inside every layer)
 * @property {Opened} [opened]          what `open` reported of it
 * @property {string[]} [to]            prefill for a new message
 *
 * @typedef {object} ShowDetail
 * @property {Folder} [folder]          the mailbox folder to show
 * @property {number} [messageId]       the message to open in it
 * @property {"import" | "generate"} [form]  the accounts view's form to start on
 *
 * @typedef {object} Shell
 * @property {SmimeClient} client
 * @property {Store} store
 * @property {Accounts} accounts
 * @property {Contacts} contacts
 * @property {Transport} transport
 * @property {Settings} settings
 * @property {EventTarget} mail   fires `change` (detail: `{ account, folder }`) when a folder's content changed
 * @property {(name: ViewName, detail?: ShowDetail | ComposeRequest) => void} show
 *           compose gets a `ComposeRequest`, the other views a `ShowDetail`
 * @property {(request: ComposeRequest) => void} compose
 * @property {(accountId: string, why: string) => Promise<Identity>} unlocked
 *           the account's identity, asking for its passphrase first if it is locked; rejects with
 *           an `AbortError` DOMException if the person cancels
 * @property {(text: string) => void} announce   a polite screen-reader and status-line message
 */

/**
 * The person's defaults, persisted. Compose starts from them.
 */
export class Settings extends EventTarget {
  /** Sign new mail. */
  sign = true;
  /** Encrypt new mail when every recipient's certificate is known. */
  encrypt = true;

  /** @type {Store} */
  #store;

  /** @param {Store} store */
  constructor(store) {
    super();
    this.#store = store;
  }

  /** @param {Store} store */
  static async load(store) {
    const settings = new Settings(store);
    const saved = /** @type {{ sign?: unknown, encrypt?: unknown } | undefined} */ (await store.setting("compose-defaults"));
    if (typeof saved?.sign === "boolean") settings.sign = saved.sign;
    if (typeof saved?.encrypt === "boolean") settings.encrypt = saved.encrypt;
    return settings;
  }

  /** @param {{ sign?: boolean, encrypt?: boolean }} changes */
  async save(changes) {
    Object.assign(this, changes);
    await this.#store.putSetting("compose-defaults", { sign: this.sign, encrypt: this.encrypt });
    this.dispatchEvent(new Event("change"));
  }
}

/** The rejection of `Shell.unlocked` when the person cancels. */
export function cancelled() {
  return new DOMException("cancelled by the user", "AbortError");
}

/**
 * @param {unknown} error
 * @returns {boolean} whether it is the person's cancellation (show nothing)
 */
export function isCancelled(error) {
  return error instanceof DOMException && error.name === "AbortError";
}
