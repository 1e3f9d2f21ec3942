// @ts-check
/**
 * The message view: opens one message — from a folder, or from an .eml file that is stored
 * nowhere — with the account's keys and trust anchors, and shows its header fields (labelled as
 * outside the protection), the security panel, the content, each protected part in a box of its
 * own, and the actions. `data-state` is opening, shown, error or locked (encrypted, and the
 * person did not unlock the account).
 */
import { downloadFile, fileStem, h } from "../dom.js";
import { isCancelled } from "../shell.js";
import { dateText, mailboxesText, securityOf, verdictSentence } from "../ui-text.js";
import { clearError, errorCode, showError } from "./error-view.js";
import { contentBlock, contentNote, errorPanel, headerNote, protectedPartBox, securityPanel } from "./report-view.js";

/** @typedef {import("../shell.js").Shell} Shell */
/** @typedef {import("../store.js").MessageRecord} MessageRecord */
/** @typedef {import("../smime-client.js").Identity} Identity */
/** @typedef {import("../smime-client.js").Opened} Opened */
/** @typedef {import("../smime-client.js").MessageView} MessageView */
/** @typedef {import("../smime-client.js").MessageHeaders} MessageHeaders */
/** @typedef {import("../smime-client.js").EmbeddedPart} EmbeddedPart */

/** Larger files are refused before they reach the engine. */
export const MAX_FILE_BYTES = 25 * 1024 * 1024;

const WHY_UNLOCK = "to read this encrypted message";

/**
 * @typedef {{ kind: "record", record: MessageRecord }
 *         | { kind: "file", name: string, raw: Uint8Array, account: string | null }} Source
 *
 * @typedef {"opening" | "shown" | "error" | "locked"} State
 *
 * @typedef {object} PartRead  an embedded S/MIME part, decoded for display
 * @property {EmbeddedPart} part
 * @property {MessageView | null} view  null when it could not be opened
 * @property {PartRead[]} inner          S/MIME parts inside it
 *
 * @typedef {object} MessageViewer
 * @property {HTMLElement} element
 * @property {(record: MessageRecord) => Promise<void>} showRecord
 * @property {(file: File) => Promise<void>} showFile
 * @property {() => void} clear
 * @property {() => number | null} shownId   the id of the stored message shown, if any
 * @property {() => void} retryIfUnlocked    a locked message opens once its account is unlocked
 */

/**
 * @param {Shell} shell
 * @param {{ onDeleted: (id: number) => void }} hooks
 * @returns {MessageViewer}
 */
export function createMessageView(shell, { onDeleted }) {
  const element = h("section", {
    class: "message-view",
    "data-role": "message-view",
    "aria-label": "Message",
    tabindex: "-1",
    hidden: true,
  });
  let generation = 0; // a newer message wins over a slower older one
  /** @type {Source | null} */
  let current = null;

  /** @param {State} state */
  function setState(state) {
    element.dataset.state = state;
    if (state === "opening") element.setAttribute("aria-busy", "true");
    else element.removeAttribute("aria-busy");
  }

  /** @param {Source} source */
  async function display(source) {
    const mine = ++generation;
    const stale = () => mine !== generation;
    current = source;
    setState("opening");
    element.hidden = false;
    const raw = source.kind === "record" ? (source.record.raw ?? new Uint8Array()) : source.raw;
    const accountId = source.kind === "record" ? source.record.account : source.account;
    // What the message itself says, not the summary cached when it arrived.
    const headers = (await headersOf(raw)) ?? (source.kind === "record" ? source.record.headers : null);
    if (stale()) return;
    const parts = frame(source, headers);
    parts.main.replaceChildren(h("p", { class: "hint", "data-role": "opening" }, "Opening the message…"));

    try {
      /** @type {Identity | null} */
      let identity = accountId ? shell.accounts.identity(accountId) : null;
      if (!identity && accountId && headers?.protection === "encrypted") {
        identity = await shell.unlocked(accountId, WHY_UNLOCK);
      }
      if (stale()) return;
      const anchors = accountId ? await shell.contacts.trustAnchors(accountId) : [];
      /** @type {Opened} */
      let opened;
      try {
        opened = await shell.client.open({ message: raw, decryptionKeys: identity ? [identity] : [], trustAnchors: anchors });
      } catch (error) {
        // Encryption inside a signature is not announced by the outer Content-Type.
        if (errorCode(error) !== "ERR_NO_MATCHING_RECIPIENT" || identity || !accountId) throw error;
        identity = await shell.unlocked(accountId, WHY_UNLOCK);
        if (stale()) return;
        opened = await shell.client.open({ message: raw, decryptionKeys: [identity], trustAnchors: anchors });
      }
      if (stale()) return;
      const learned = accountId ? await learn(accountId, opened) : [];
      const view = await readable(opened.content);
      const partViews = await Promise.all((opened.parts ?? []).map((part) => readPart(part)));
      if (stale()) return;
      const from = headers?.from[0]?.address;
      parts.headerNote.textContent = headerNote(opened.layers);
      parts.main.replaceChildren(
        securityPanel(opened.layers, from),
        contentBlock(view, {
          label: "The message",
          note: contentNote(opened.layers),
          protectedHeaders: opened.layers.length > 0,
          hideSmimeParts: partViews.length > 0,
        }),
        ...partViews.map((part) => renderPart(part, from, accountId)),
      );
      parts.actions.replaceChildren(...actionButtons(source, headers, { view, opened }));
      setState("shown");
      const verdictText = verdictSentence(opened.layers, from);
      shell.announce(learned.length > 0 ? `${verdictText}. Learned a certificate for ${learned.join(", ")}.` : verdictText);
      if (source.kind === "record") await remember(source.record, securityOf(opened.layers));
    } catch (error) {
      if (stale()) return;
      if (isCancelled(error)) {
        showLocked(parts, accountId);
        return;
      }
      const code = errorCode(error);
      showError(parts.error, "Could not open this message.", error);
      parts.main.replaceChildren(errorPanel(code));
      parts.headerNote.textContent = headerNote(null);
      parts.actions.replaceChildren(...actionButtons(source, headers, null));
      setState("error");
      if (source.kind === "record") {
        await remember(source.record, { encrypted: headers?.protection === "encrypted", signature: null, error: code });
      }
    }
  }

  /**
   * The view's fixed frame: where it came from, actions, the outer header fields, the error box,
   * and the place for the rest.
   * @param {Source} source
   * @param {MessageHeaders | null} headers
   */
  function frame(source, headers) {
    const actions = h("div", { class: "message-actions", role: "toolbar", "aria-label": "Message actions" });
    actions.replaceChildren(...actionButtons(source, headers, null));
    const error = h("div", { class: "error", role: "alert", "data-role": "message-error", hidden: true });
    clearError(error);
    const note = h("p", { class: "hint header-note", "data-role": "header-note" }, headerNote(null));
    const main = h("div", { class: "message-main" });
    const subject = headers?.subject || "(no subject)";
    const origin =
      source.kind === "file"
        ? [
            h(
              "p",
              { class: "message-source", "data-role": "message-source" },
              `Opened from the file ${source.name}, not in a folder: it is not stored in this browser.`,
            ),
          ]
        : [];
    element.replaceChildren(
      ...origin,
      actions,
      h(
        "header",
        { class: "message-header" },
        h("h3", { class: "message-subject", id: "message-subject", "data-role": "message-subject" }, subject),
        headerList(headers),
        note,
      ),
      error,
      main,
    );
    element.setAttribute("aria-labelledby", "message-subject");
    return { actions, error, headerNote: note, main };
  }

  /**
   * @param {{ main: HTMLElement, actions: HTMLElement, headerNote: HTMLElement }} parts
   * @param {string | null} accountId
   */
  function showLocked(parts, accountId) {
    const email = (accountId && shell.accounts.get(accountId)?.email) || "your account";
    const unlock = h("button", { type: "button", class: "primary", "data-action": "unlock" }, `Unlock ${email}`);
    unlock.addEventListener("click", () => {
      if (current) void display(current);
    });
    parts.main.replaceChildren(
      h(
        "div",
        { class: "locked", "data-role": "locked" },
        h("p", {}, `This message is encrypted. Unlock ${email} to read it.`),
        h("p", { class: "hint" }, "Your private key stays locked under your passphrase until you unlock the account."),
        unlock,
      ),
    );
    setState("locked");
  }

  /**
   * The actions a message offers; reply and forward only once it was opened.
   * @param {Source} source
   * @param {MessageHeaders | null} headers
   * @param {{ view: MessageView, opened: Opened } | null} read
   */
  function actionButtons(source, headers, read) {
    /** @type {HTMLElement[]} */
    const buttons = [];
    /**
     * @param {string} action
     * @param {string} label
     * @param {() => void} run
     */
    const button = (action, label, run) => {
      const b = h("button", { type: "button", "data-action": action }, label);
      b.addEventListener("click", run);
      buttons.push(b);
    };
    const record = recordOf(source, headers);
    if (read && record) {
      const view = withOuterHeaders(read.view, record.headers);
      for (const [mode, label] of /** @type {const} */ ([["reply", "Reply"], ["reply-all", "Reply all"], ["forward", "Forward"]])) {
        button(mode, label, () => shell.compose({ mode, record, view, opened: read.opened }));
      }
    }
    const raw = source.kind === "record" ? source.record.raw : source.raw;
    if (raw) {
      button("download-eml", "Download .eml", () => {
        const name = source.kind === "file" ? source.name : `${fileStem(headers?.subject || "message")}.eml`;
        downloadFile(raw, name, "message/rfc822");
      });
    }
    if (source.kind === "record") {
      button("delete-message", "Delete", () => void remove(source.record));
    } else {
      button("close-message", "Close", () => clear());
    }
    return buttons;
  }

  /**
   * @param {MessageRecord} record
   */
  async function remove(record) {
    if (record.id === undefined) return;
    await shell.store.deleteMessage(record.id);
    clear();
    shell.announce("The message was deleted.");
    shell.mail.dispatchEvent(new CustomEvent("change", { detail: { account: record.account, folder: record.folder } }));
    onDeleted(record.id);
  }

  /**
   * Learns the certificates of valid signers; returns the addresses new to the address book.
   * @param {string} accountId
   * @param {Opened} opened
   */
  async function learn(accountId, opened) {
    const known = new Set((await shell.contacts.list(accountId)).map((c) => c.fingerprint));
    const learned = await shell.contacts.harvest(accountId, opened);
    return learned.filter((c) => !known.has(c.fingerprint)).map((c) => c.info.emails[0] ?? c.info.subject);
  }

  /**
   * Caches what opening found, for the message list, and marks the message read.
   * @param {MessageRecord} record
   * @param {import("../store.js").Security} security
   */
  async function remember(record, security) {
    if (record.id === undefined) return;
    const stored = await shell.store.message(record.id);
    if (!stored) return;
    if (stored.seen && JSON.stringify(stored.security) === JSON.stringify(security)) return;
    await shell.store.putMessage({ ...stored, security, seen: true });
    shell.mail.dispatchEvent(new CustomEvent("change", { detail: { account: stored.account, folder: stored.folder } }));
  }

  /**
   * @param {EmbeddedPart} part
   * @returns {Promise<PartRead>}
   */
  async function readPart(part) {
    if (!part.opened) return { part, view: null, inner: [] };
    const [view, inner] = await Promise.all([
      readable(part.opened.content),
      Promise.all((part.opened.parts ?? []).map((p) => readPart(p))),
    ]);
    return { part, view, inner };
  }

  /**
   * @param {PartRead} read
   * @param {string | undefined} from
   * @param {string | null} accountId
   * @returns {HTMLElement}
   */
  function renderPart({ part, view, inner }, from, accountId) {
    const path = part.path.join(".");
    if (!part.opened || !view) {
      const code = part.error?.code ?? "ERR_INTERNAL";
      const box = h("div", { class: "error", "data-role": "part-error" });
      showError(box, `Part ${path} could not be opened.`, part.error ?? { code });
      const children = [errorPanel(code, { role: "part-security-panel", title: `Security of part ${path}` }), box];
      // A part's encryption is not announced by the message's Content-Type: offer the key now.
      if (code === "ERR_NO_MATCHING_RECIPIENT" && accountId && !shell.accounts.isUnlocked(accountId)) {
        const email = shell.accounts.get(accountId)?.email ?? "your account";
        const unlock = h("button", { type: "button", "data-action": "unlock" }, `Unlock ${email} to read this part`);
        unlock.addEventListener("click", async () => {
          try {
            await shell.unlocked(accountId, WHY_UNLOCK);
          } catch (error) {
            if (!isCancelled(error)) throw error;
            return;
          }
          if (current) await display(current);
        });
        children.push(unlock);
      }
      return protectedPartBox(path, children);
    }
    const layers = part.opened.layers;
    return protectedPartBox(path, [
      securityPanel(layers, from, { role: "part-security-panel", title: `Security of part ${path}` }),
      contentBlock(view, {
        label: `Part ${path}`,
        note: contentNote(layers),
        protectedHeaders: layers.length > 0,
        hideSmimeParts: inner.length > 0,
      }),
      ...inner.map((p) => renderPart(p, from, accountId)),
    ]);
  }

  /**
   * Decodes content for display. Content that is not MIME (raw text signed with `openssl cms`)
   * is shown as text.
   * @param {Uint8Array} content
   * @returns {Promise<MessageView>}
   */
  async function readable(content) {
    try {
      return await shell.client.readMessage(content);
    } catch {
      return {
        headers: { from: [], to: [], cc: [], replyTo: [], references: [] },
        text: new TextDecoder().decode(content),
        attachments: [],
        protection: "plain",
      };
    }
  }

  /**
   * @param {Uint8Array} raw
   * @returns {Promise<MessageHeaders | null>}
   */
  async function headersOf(raw) {
    try {
      return await shell.client.messageHeaders(raw);
    } catch {
      return null;
    }
  }

  function clear() {
    generation++;
    current = null;
    element.replaceChildren();
    element.hidden = true;
    delete element.dataset.state;
    element.removeAttribute("aria-busy");
  }

  return {
    element,
    async showRecord(record) {
      await display({ kind: "record", record });
    },
    async showFile(file) {
      const account = shell.accounts.current?.id ?? null;
      if (file.size > MAX_FILE_BYTES) {
        generation++;
        current = null;
        element.hidden = false;
        const parts = frame({ kind: "file", name: file.name, raw: new Uint8Array(), account }, null);
        parts.actions.replaceChildren();
        const tooLarge = { code: "ERR_TOO_LARGE", message: `${file.name} is larger than 25 MB` };
        showError(parts.error, `Could not open ${file.name}.`, tooLarge);
        parts.main.replaceChildren(errorPanel("ERR_TOO_LARGE"));
        setState("error");
        return;
      }
      const raw = new Uint8Array(await file.arrayBuffer());
      await display({ kind: "file", name: file.name, raw, account });
    },
    clear,
    shownId: () => (current?.kind === "record" ? (current.record.id ?? null) : null),
    retryIfUnlocked() {
      if (element.dataset.state !== "locked" || !current) return;
      const accountId = current.kind === "record" ? current.record.account : current.account;
      if (accountId && shell.accounts.isUnlocked(accountId)) void display(current);
    },
  };
}

/**
 * The outer header fields as a definition list.
 * @param {MessageHeaders | null} headers
 */
function headerList(headers) {
  if (!headers) return h("p", { class: "hint", "data-role": "headers" }, "No header fields could be read.");
  /** @type {[string, string][]} */
  const fields = [
    ["From", mailboxesText(headers.from)],
    ["To", mailboxesText(headers.to)],
    ["Cc", mailboxesText(headers.cc)],
    ["Subject", headers.subject ?? ""],
    ["Date", headers.date ? dateText(headers.date) : ""],
  ];
  return h(
    "dl",
    { class: "headers", "data-role": "headers" },
    ...fields.filter(([, value]) => value !== "").flatMap(([label, value]) => [h("dt", {}, label), h("dd", {}, value)]),
  );
}

/**
 * The record compose gets: the stored one, or for a file one that is stored nowhere.
 * @param {Source} source
 * @param {MessageHeaders | null} headers
 * @returns {MessageRecord | null}
 */
function recordOf(source, headers) {
  if (source.kind === "record") return source.record;
  if (!headers || !source.account) return null;
  return { account: source.account, folder: "inbox", raw: source.raw, headers, receivedAt: new Date().toISOString(), seen: true };
}

/**
 * The decoded content's view, with each header field it lacks taken from the outer message
 * (protected fields inside, RFC 8551 §3.1, take precedence), so compose can quote and address.
 * @param {MessageView} view
 * @param {MessageHeaders} outer
 * @returns {MessageView}
 */
function withOuterHeaders(view, outer) {
  const inner = view.headers;
  return {
    ...view,
    headers: {
      from: inner.from.length > 0 ? inner.from : outer.from,
      to: inner.to.length > 0 ? inner.to : outer.to,
      cc: inner.cc.length > 0 ? inner.cc : outer.cc,
      replyTo: inner.replyTo.length > 0 ? inner.replyTo : outer.replyTo,
      subject: inner.subject ?? outer.subject,
      date: inner.date ?? outer.date,
      messageId: inner.messageId ?? outer.messageId,
      inReplyTo: inner.inReplyTo ?? outer.inReplyTo,
      references: inner.references.length > 0 ? inner.references : outer.references,
    },
  };
}
