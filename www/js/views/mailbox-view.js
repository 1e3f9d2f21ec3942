// @ts-check
/**
 * The mailbox: a folder's message list (with security badges and unread state) beside the message
 * view, an "Open an .eml file" control, and dropping an .eml anywhere on the view. Drafts open in
 * compose. The nav's Inbox count follows the current account.
 */
import { h } from "../dom.js";
import { BADGE_WORDS, badgesOf, listDateText, mailboxesText } from "../ui-text.js";
import { createMessageView } from "./message-view.js";

/** @typedef {import("../shell.js").Shell} Shell */
/** @typedef {import("../store.js").Folder} Folder */
/** @typedef {import("../store.js").MessageRecord} MessageRecord */

const FOLDER_NAMES = { inbox: "Inbox", sent: "Sent", drafts: "Drafts" };

const EMPTY_WORDS = {
  inbox: "No messages in the Inbox. Mail sent to this account from another account in this browser arrives here.",
  sent: "No sent messages yet.",
  drafts: "No drafts.",
};

/**
 * @param {Shell} shell
 * @param {HTMLElement} section
 * @returns {{ show: (detail?: { folder?: Folder, messageId?: number }) => Promise<void> }}
 */
export function setUpMailbox(shell, section) {
  /** @type {Folder} */
  let folder = "inbox";
  /** @type {string | null} */
  let accountId = null;
  /** @type {number | null} */
  let selectedId = null;
  let listGeneration = 0;

  const title = h("h2", { id: "folder-title", "data-role": "folder-title" }, FOLDER_NAMES.inbox);
  const accountLine = h("p", { class: "hint folder-account", "data-role": "folder-account" });
  const fileInput = h("input", {
    type: "file",
    id: "eml-file",
    class: "visually-hidden",
    accept: ".eml,message/rfc822",
    "data-role": "eml-file",
  });
  const fileLabel = h("label", { for: "eml-file", class: "button" }, "Open an .eml file");
  const list = h("ul", { class: "message-list", "data-role": "message-list", "aria-labelledby": "folder-title" });
  const empty = h("p", { class: "hint empty-folder", "data-role": "empty-folder", hidden: true });
  const viewer = createMessageView(shell, {
    onDeleted: () => {
      selectedId = null;
      const next = list.querySelector("button[data-action='open-message']");
      if (next instanceof HTMLElement) next.focus();
      else list.focus();
    },
  });
  list.tabIndex = -1;

  section.classList.add("mailbox");
  section.replaceChildren(
    h(
      "div",
      { class: "mailbox-head" },
      h("div", { class: "folder-heading" }, title, accountLine),
      h(
        "div",
        { class: "file-open" },
        fileInput,
        fileLabel,
        h("span", { class: "hint" }, "or drop one anywhere here. It is read, not stored."),
      ),
    ),
    h(
      "div",
      { class: "mailbox-body" },
      h("div", { class: "list-pane" }, list, empty),
      h(
        "div",
        { class: "reader-pane" },
        h("p", { class: "hint reader-placeholder" }, "Choose a message to read it, or open an .eml file."),
        viewer.element,
      ),
    ),
  );

  async function refresh() {
    const mine = ++listGeneration;
    const account = shell.accounts.current;
    accountLine.textContent = account ? account.email : "";
    if (!account) {
      list.replaceChildren();
      return;
    }
    const records = await shell.store.messages(account.id, folder);
    if (mine !== listGeneration) return;
    const focused = document.activeElement instanceof HTMLElement ? document.activeElement.closest("[data-message-id]") : null;
    const focusedId = focused instanceof HTMLElement ? focused.dataset.messageId : undefined;
    list.replaceChildren(...records.map(item));
    empty.textContent = EMPTY_WORDS[folder];
    empty.hidden = records.length > 0;
    if (focusedId) {
      const again = list.querySelector(`[data-message-id="${focusedId}"] button[data-action='open-message']`);
      if (again instanceof HTMLElement) again.focus();
    }
    await updateUnread();
  }

  /**
   * @param {MessageRecord} record
   */
  function item(record) {
    const id = String(record.id);
    const unread = !record.seen && folder === "inbox";
    const draft = record.draft;
    const who =
      folder === "inbox"
        ? record.headers?.from.map((m) => m.name || m.address).join(", ") || "(no sender)"
        : `To: ${draft ? draft.to.join(", ") : mailboxesText(record.headers?.to)}`;
    const subject = (draft ? draft.subject : record.headers?.subject) || "(no subject)";
    const iso = record.headers?.date ?? record.receivedAt;
    const badges = draft ? [] : badgesOf(record);
    const open = h(
      "button",
      {
        type: "button",
        class: "message-open",
        "data-action": "open-message",
        "aria-current": record.id === selectedId ? "true" : null,
      },
      unread && h("span", { class: "visually-hidden" }, "Unread: "),
      h("span", { class: "who", "data-role": "message-from" }, who),
      h("span", { class: "subject", "data-role": "message-subject" }, subject),
      h("time", { class: "date", datetime: iso }, listDateText(iso)),
      badges.length > 0 &&
        h(
          "span",
          { class: "badges" },
          ...badges.map((badge) => h("span", { class: "mail-badge", "data-role": "badge", "data-badge": badge }, BADGE_WORDS[badge])),
        ),
    );
    open.addEventListener("click", () => void openRecord(record));
    /** @type {HTMLElement | null} */
    let remove = null;
    if (draft) {
      // Drafts open in compose, so their Delete sits in the list.
      remove = h("button", { type: "button", class: "item-delete", "data-action": "delete-message", "aria-label": `Delete the draft ${subject}` }, "Delete");
      remove.addEventListener("click", async () => {
        if (record.id === undefined) return;
        await shell.store.deleteMessage(record.id);
        shell.announce("The draft was deleted.");
        shell.mail.dispatchEvent(new CustomEvent("change", { detail: { account: record.account, folder: record.folder } }));
      });
    }
    return h(
      "li",
      { class: "message-item", "data-role": "message-item", "data-message-id": id, "data-unread": String(unread) },
      open,
      remove,
    );
  }

  /**
   * @param {MessageRecord} record
   */
  async function openRecord(record) {
    if (record.folder === "drafts") {
      shell.compose({ mode: "draft", record });
      return;
    }
    const fresh = (record.id !== undefined && (await shell.store.message(record.id))) || record;
    selectedId = fresh.id ?? null;
    markSelected();
    await viewer.showRecord(fresh);
  }

  function markSelected() {
    for (const entry of list.querySelectorAll("[data-message-id]")) {
      const button = entry.querySelector("button[data-action='open-message']");
      if (!(entry instanceof HTMLElement) || !button) continue;
      if (selectedId !== null && entry.dataset.messageId === String(selectedId)) button.setAttribute("aria-current", "true");
      else button.removeAttribute("aria-current");
    }
  }

  /** @param {File} file */
  async function openFile(file) {
    selectedId = null;
    markSelected();
    await viewer.showFile(file);
    viewer.element.scrollIntoView?.({ block: "nearest" });
  }

  /** The nav's count of unread Inbox messages of the current account. */
  async function updateUnread() {
    const account = shell.accounts.current;
    const count = account ? (await shell.store.messages(account.id, "inbox")).filter((m) => !m.seen).length : 0;
    for (const badge of document.querySelectorAll("[data-role='unread-count']")) {
      badge.textContent = count > 0 ? String(count) : "";
      if (count > 0) badge.setAttribute("title", `${count} unread`);
      else badge.removeAttribute("title");
    }
  }

  fileInput.addEventListener("change", () => {
    const file = fileInput.files?.[0];
    if (file) void openFile(file);
    fileInput.value = ""; // choosing the same file again opens it again
  });

  // A file dropped anywhere on the view is opened, not navigated to.
  /** @param {DragEvent} event */
  const carriesFiles = (event) => event.dataTransfer?.types.includes("Files") ?? false;
  section.addEventListener("dragover", (event) => {
    if (!carriesFiles(event)) return;
    event.preventDefault();
    if (event.dataTransfer) event.dataTransfer.dropEffect = "copy";
    section.dataset.dragging = "true";
  });
  section.addEventListener("dragleave", (event) => {
    if (!(event.relatedTarget instanceof Node) || !section.contains(event.relatedTarget)) delete section.dataset.dragging;
  });
  section.addEventListener("drop", (event) => {
    if (!carriesFiles(event)) return;
    event.preventDefault();
    delete section.dataset.dragging;
    const file = event.dataTransfer?.files[0];
    if (file) void openFile(file);
  });

  shell.mail.addEventListener("change", (event) => {
    const detail = /** @type {CustomEvent<{ account?: string, folder?: Folder } | null>} */ (event).detail;
    const account = shell.accounts.current?.id;
    if (detail?.account && detail.account !== account) return;
    if (!detail?.folder || detail.folder === folder) void refresh();
    else void updateUnread();
  });
  shell.accounts.addEventListener("change", () => {
    const now = shell.accounts.current?.id ?? null;
    if (now !== accountId) {
      // app.js shows the new account's Inbox; until then nothing of the old one stays open.
      accountId = now;
      selectedId = null;
      viewer.clear();
      void refresh();
    } else {
      void updateUnread();
    }
    viewer.retryIfUnlocked();
  });

  return {
    async show(detail) {
      const wanted = detail?.messageId === undefined ? undefined : await shell.store.message(detail.messageId);
      const record = wanted && wanted.account === shell.accounts.current?.id ? wanted : undefined;
      const nextFolder = record?.folder ?? detail?.folder ?? folder;
      const nextAccount = shell.accounts.current?.id ?? null;
      if (nextFolder !== folder || nextAccount !== accountId) {
        viewer.clear();
        selectedId = null;
      }
      folder = nextFolder;
      accountId = nextAccount;
      title.textContent = FOLDER_NAMES[folder];
      section.dataset.folder = folder;
      await refresh();
      if (record) await openRecord(record);
    },
  };
}
