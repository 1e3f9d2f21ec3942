// @ts-check
/**
 * Whom a message goes to and how it can be encrypted for them. Each address is matched to a
 * certificate: this account's contacts first (a certificate learned from their signed mail, or
 * imported), then the transport's directory. An address without one blocks encryption; nothing
 * here guesses. The sender's own certificate is always added, so that sent mail stays readable.
 */

import { encryptsTo } from "./contacts.js";

/** @typedef {import("./smime-client.js").Recipient} Recipient */
/** @typedef {import("./smime-client.js").EncryptionChoice} EncryptionChoice */
/** @typedef {import("./smime-client.js").SmimeClient} SmimeClient */
/** @typedef {import("./store.js").AccountRecord} AccountRecord */
/** @typedef {import("./store.js").ContactRecord} ContactRecord */
/** @typedef {import("./contacts.js").Contacts} Contacts */
/** @typedef {import("./smime-client.js").Mailbox} Mailbox */
/** @typedef {import("./transport.js").Transport} Transport */

/**
 * @typedef {object} RecipientCertificate  what is known about one address
 * @property {string} address
 * @property {"contact" | "directory" | "missing" | "invalid"} state
 *           invalid: not an e-mail address at all, so the message cannot go to it
 * @property {ContactRecord["source"]} [source]  for a contact: where the certificate came from
 * @property {Uint8Array} [certificate]  DER
 * @property {string[]} [capabilities]   what their mail program reads: learned from their signed
 *           mail, or given by the directory; empty when unknown
 * @property {string} [fingerprint]      SHA-256, hex
 *
 * @typedef {object} Encryption  how a message to some recipients is encrypted
 * @property {Recipient[]} recipients  each recipient's certificate (with what they advertised)
 *           and the sender's, once each
 * @property {EncryptionChoice} choice  what the engine chooses for them, unless the person picks
 */

/**
 * "a@x.org, Bob <b@y.org>; c@z.org" -> ["a@x.org", "b@y.org", "c@z.org"], each once (compared
 * without case), in order.
 * @param {string} value
 * @returns {string[]}
 */
export function addresses(value) {
  const all = value
    .split(/[,;]/)
    .map((part) => (/<([^<>]*)>\s*$/.exec(part)?.[1] ?? part).trim())
    .filter(Boolean);
  return unique(all);
}

/**
 * Each address once, compared without case, first spelling kept.
 * @param {string[]} list
 */
export function unique(list) {
  const seen = new Set();
  return list.filter((address) => {
    const key = address.toLowerCase();
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/**
 * Whether the composer (src/mime/compose.rs) takes this as an address: `local@domain`, without
 * spaces, controls or `<>,;"`.
 * @param {string} address
 */
export function isAddress(address) {
  const at = address.lastIndexOf("@");
  return at > 0 && at < address.length - 1 && !/[\s\u0000-\u001f\u007f<>,;"]/.test(address);
}

/**
 * Finds a certificate for each address. The answers are cached per account and address until
 * `forget()`; call it when the contacts change.
 */
export class CertificateFinder {
  /** @type {{ client: SmimeClient, contacts: Contacts, transport: Transport }} */
  #shell;
  /** @type {Map<string, Promise<RecipientCertificate>>} "account\naddress" -> answer */
  #cache = new Map();

  /** @param {{ client: SmimeClient, contacts: Contacts, transport: Transport }} shell */
  constructor(shell) {
    this.#shell = shell;
  }

  /** Drops every cached answer (the contacts or the directory changed). */
  forget() {
    this.#cache.clear();
  }

  /**
   * @param {string} account  the account whose contacts are searched
   * @param {string} address
   * @returns {Promise<RecipientCertificate>}
   */
  find(account, address) {
    const key = `${account}\n${address.toLowerCase()}`;
    let answer = this.#cache.get(key);
    if (!answer) {
      answer = this.#lookUp(account, address);
      // A failed lookup is not remembered: the next keystroke asks again.
      answer.catch(() => this.#cache.delete(key));
      this.#cache.set(key, answer);
    }
    return answer;
  }

  /**
   * The certificates to encrypt for, and the algorithms the engine chooses for them
   * (src/smime/encrypt.rs, `choose_algorithms`: AES-GCM only when every one of them advertised
   * it). The sender runs this engine, so their own copy never holds the choice back.
   * @param {RecipientCertificate[]} found  the ones without a certificate are left out
   * @param {AccountRecord} sender
   * @returns {Promise<Encryption>}
   */
  async encryptionFor(found, sender) {
    const { client } = this.#shell;
    const own = { certificate: sender.certificate, capabilities: await client.advertisedCapabilities() };
    const recipients = encryptionRecipients(found, sender, own);
    return { recipients, choice: await client.encryptionChoice(recipients) };
  }

  /**
   * @param {string} account
   * @param {string} address
   * @returns {Promise<RecipientCertificate>}
   */
  async #lookUp(account, address) {
    if (!isAddress(address)) return { address, state: "invalid" };
    const contact = await this.#shell.contacts.forAddress(account, address);
    if (contact) {
      return {
        address,
        state: "contact",
        source: contact.source,
        certificate: contact.certificate,
        capabilities: contact.capabilities,
        fingerprint: contact.fingerprint,
      };
    }
    const listed = await this.#shell.transport.lookupCertificate(address);
    if (listed) {
      // The directory's word is checked like a contact's.
      const info = await this.#shell.client.certificateInfo(listed.certificate).catch(() => null);
      if (info && encryptsTo(info, address, Date.now())) {
        const { certificate, capabilities } = listed;
        return { address, state: "directory", certificate, capabilities, fingerprint: info.fingerprintSha256 };
      }
    }
    return { address, state: "missing" };
  }
}

/**
 * The certificates to encrypt for: each recipient's (with what their mail advertised) and the
 * sender's, once each.
 * @param {RecipientCertificate[]} found
 * @param {AccountRecord} sender
 * @param {{ certificate: Uint8Array, capabilities: string[] }} own  the sender's
 * @returns {Recipient[]}
 */
function encryptionRecipients(found, sender, own) {
  /** @type {Map<string, Recipient>} by fingerprint */
  const recipients = new Map();
  for (const entry of found) {
    if (!entry.certificate || !entry.fingerprint) continue;
    const capabilities = entry.capabilities ?? [];
    recipients.set(
      entry.fingerprint,
      capabilities.length > 0 ? { certificate: entry.certificate, capabilities } : { certificate: entry.certificate },
    );
  }
  recipients.set(sender.info.fingerprintSha256, own);
  return [...recipients.values()];
}

/**
 * A mailbox as the composer takes it: `Name <address>`, or the address alone.
 * @param {string} address
 * @param {string} [name]
 */
export function mailboxText(address, name) {
  const clean = (name ?? "").replace(/["<>\\]/g, "").trim();
  return clean && clean.toLowerCase() !== address.toLowerCase() ? `${clean} <${address}>` : address;
}

/**
 * Whom a reply goes to. Reply: the original's Reply-To, else its From (or, replying to one's own
 * sent message, its To). Reply-all adds the original To and Cc. The sender's own address is
 * left out, and nobody is named twice.
 * @param {{ from: Mailbox[], to: Mailbox[], cc: Mailbox[], replyTo?: Mailbox[] }} headers
 * @param {"reply" | "reply-all"} mode
 * @param {string} self  the replying account's address
 * @returns {{ to: string[], cc: string[] }}
 */
export function replyAddresses(headers, mode, self) {
  const me = self.toLowerCase();
  /** @param {Mailbox[] | undefined} list */
  const plain = (list) => (list ?? []).map((m) => m.address).filter(Boolean);
  const notMe = (/** @type {string} */ a) => a.toLowerCase() !== me;
  const fromMe = plain(headers.from).length > 0 && plain(headers.from).every((a) => !notMe(a));
  const author = plain(headers.replyTo).length > 0 ? plain(headers.replyTo) : plain(headers.from);
  const primary = fromMe ? plain(headers.to) : author;
  if (mode === "reply") {
    const to = unique(primary.filter(notMe));
    return { to: to.length > 0 ? to : unique(primary), cc: [] };
  }
  const to = unique([...primary, ...plain(headers.to)].filter(notMe));
  const taken = new Set(to.map((a) => a.toLowerCase()));
  const cc = unique(plain(headers.cc).filter((a) => notMe(a) && !taken.has(a.toLowerCase())));
  return { to, cc };
}
