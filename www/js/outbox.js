// @ts-check
/**
 * Sending, without any UI: compose the message, sign it, encrypt it (for the recipients and the
 * sender), hand it to the transport, keep a copy in Sent. Each step is reported to a progress
 * callback; the heavy ones run in the S/MIME worker, so the page stays responsive while a large
 * message is made. Drafts are saved here too.
 *
 * ```js
 * const sent = await send(shell, { account, to, cc: [], subject, text, attachments: [],
 *                                  sign: { key: identity }, encrypt: { recipients } },
 *                         ({ step, index, total }) => console.log(step, index, total));
 * // sent.delivered, sent.notDelivered, sent.raw (for an .eml download), sent.sentId
 * ```
 */

import { mailboxText } from "./recipients.js";

/** @typedef {import("./shell.js").Shell} Shell */
/** @typedef {Pick<Shell, "client" | "store" | "transport" | "mail">} Outbox  what sending needs */
/** @typedef {import("./smime-client.js").Identity} Identity */
/** @typedef {import("./smime-client.js").Recipient} Recipient */
/** @typedef {import("./smime-client.js").ContentEncryption} ContentEncryption */
/** @typedef {import("./smime-client.js").Mailbox} Mailbox */
/** @typedef {import("./store.js").AccountRecord} AccountRecord */
/** @typedef {import("./store.js").Draft} Draft */
/** @typedef {import("./store.js").Folder} Folder */

/**
 * @typedef {object} OutgoingAttachment
 * @property {string} filename
 * @property {string} contentType
 * @property {number} size
 * @property {Blob} [blob]        a picked or dropped file, read only when it is needed
 * @property {Uint8Array} [data]  bytes already at hand (a forwarded attachment, a draft's)
 *
 * @typedef {object} SignChoice
 * @property {Identity} key  the sender's unlocked identity
 * @property {"detached" | "opaque"} [format]  detached (multipart/signed) unless asked
 * @property {"sha256" | "sha384" | "sha512"} [digest]  SHA-256 unless asked
 *
 * @typedef {object} EncryptChoice
 * @property {Recipient[]} recipients  every recipient's certificate and the sender's
 * @property {ContentEncryption} [contentEncryption]  only when the person picked one; the engine
 *           chooses from the recipients' capabilities otherwise
 *
 * @typedef {object} Outgoing
 * @property {AccountRecord} account  the sender
 * @property {string[]} to
 * @property {string[]} cc
 * @property {string} subject
 * @property {string} text
 * @property {OutgoingAttachment[]} attachments
 * @property {string} [inReplyTo]
 * @property {string[]} [references]
 * @property {SignChoice | null} sign
 * @property {EncryptChoice | null} encrypt
 * @property {number} [draftId]  the draft it was written from: deleted once the message is sent
 *
 * @typedef {"reading" | "composing" | "signing" | "encrypting" | "delivering" | "saving"} Step
 * @typedef {{ step: Step, index: number, total: number }} Progress  `index` counts from 0
 *
 * @typedef {object} Sent
 * @property {Uint8Array} raw         the message exactly as handed to the transport
 * @property {string[]} delivered
 * @property {string[]} notDelivered  the transport cannot reach them: offer the .eml
 * @property {number} sentId          the copy in the sender's Sent folder
 */

/**
 * Sends a message and keeps a copy in the sender's Sent folder.
 * @param {Outbox} shell
 * @param {Outgoing} outgoing
 * @param {(progress: Progress) => void} [progress]
 * @returns {Promise<Sent>}
 */
export async function send(shell, outgoing, progress = () => {}) {
  const { client, store, transport } = shell;
  const { account, to, cc } = outgoing;
  /** @type {Step[]} */
  const steps = [
    ...(outgoing.attachments.some((a) => !a.data) ? /** @type {Step[]} */ (["reading"]) : []),
    "composing",
    ...(outgoing.sign ? /** @type {Step[]} */ (["signing"]) : []),
    ...(outgoing.encrypt ? /** @type {Step[]} */ (["encrypting"]) : []),
    "delivering",
    "saving",
  ];
  /** @param {Step} step */
  const report = (step) => progress({ step, index: steps.indexOf(step), total: steps.length });

  if (steps.includes("reading")) report("reading");
  const attachments = await attachmentBytes(outgoing.attachments);

  report("composing");
  let raw = await client.composeMessage({
    from: mailboxText(account.email, account.name),
    to,
    cc: cc.length > 0 ? cc : undefined,
    subject: outgoing.subject,
    text: outgoing.text,
    attachments: attachments.length > 0 ? attachments : undefined,
    inReplyTo: outgoing.inReplyTo || undefined,
    references: outgoing.references?.length ? outgoing.references : undefined,
  });

  if (outgoing.sign) {
    report("signing");
    const { key, format = "detached", digest = "sha256" } = outgoing.sign;
    raw = await client.sign({ message: raw, signingKey: key, format, digest });
  }

  if (outgoing.encrypt) {
    report("encrypting");
    const { recipients, contentEncryption } = outgoing.encrypt;
    raw = await client.encrypt({ message: raw, recipients, contentEncryption });
  }

  report("delivering");
  const result = await transport.send({ from: account.email, recipients: [...to, ...cc], raw });

  report("saving");
  const sentId = await store.putMessage({
    account: account.id,
    folder: "sent",
    raw,
    headers: await client.messageHeaders(raw),
    receivedAt: new Date().toISOString(),
    seen: true,
  });
  changed(shell, account.id, "sent");
  if (outgoing.draftId !== undefined) {
    await store.deleteMessage(outgoing.draftId);
    changed(shell, account.id, "drafts");
  }
  return { raw, delivered: result.delivered, notDelivered: result.notDelivered, sentId };
}

/**
 * Stores what the compose form holds as a draft (unencrypted, in this browser), or updates the
 * draft `id`.
 * @param {Outbox} shell
 * @param {AccountRecord} account
 * @param {Omit<Draft, "attachments"> & { attachments: OutgoingAttachment[] }} fields
 * @param {number} [id]  the draft being edited
 * @returns {Promise<number>} the draft's id
 */
export async function saveDraft(shell, account, fields, id) {
  /** @type {Draft} */
  const draft = { ...fields, attachments: await attachmentBytes(fields.attachments) };
  /** @param {string} address @returns {Mailbox} */
  const mailbox = (address) => ({ address });
  const saved = await shell.store.putMessage({
    ...(id === undefined ? {} : { id }),
    account: account.id,
    folder: "drafts",
    draft,
    headers: {
      from: [{ name: account.name || null, address: account.email }],
      to: draft.to.map(mailbox),
      cc: draft.cc.map(mailbox),
      replyTo: [],
      subject: draft.subject,
      references: [],
      protection: "plain",
    },
    receivedAt: new Date().toISOString(),
    seen: true,
  });
  changed(shell, account.id, "drafts");
  return saved;
}

/**
 * Every attachment's bytes, reading the files that have not been read.
 * @param {OutgoingAttachment[]} list
 * @returns {Promise<{ filename: string, contentType: string, data: Uint8Array }[]>}
 */
export async function attachmentBytes(list) {
  return Promise.all(
    list.map(async ({ filename, contentType, blob, data }) => ({
      filename,
      contentType,
      data: data ?? new Uint8Array(await /** @type {Blob} */ (blob).arrayBuffer()),
    })),
  );
}

/**
 * @param {Outbox} shell
 * @param {string} account
 * @param {Folder} folder
 */
function changed(shell, account, folder) {
  shell.mail.dispatchEvent(new CustomEvent("change", { detail: { account, folder } }));
}
