// @ts-check
/**
 * Settings and the person's data: the Sign and Encrypt defaults of new messages, "Export my
 * data" (every record as JSON, keys still sealed) and "Delete all my data".
 */
import { base64, downloadFile, h } from "../dom.js";
import { clearError, showError } from "./error-view.js";

/** @typedef {import("../shell.js").Shell} Shell */

/**
 * @param {Shell} shell
 * @param {HTMLElement} section
 * @returns {{ show: () => void }}
 */
export function setUpSettings(shell, section) {
  const { settings, store, accounts } = shell;

  const sign = h("input", { id: "default-sign", type: "checkbox", role: "switch", "data-role": "default-sign", "aria-describedby": "default-sign-hint" });
  const encrypt = h("input", {
    id: "default-encrypt",
    type: "checkbox",
    role: "switch",
    "data-role": "default-encrypt",
    "aria-describedby": "default-encrypt-hint",
  });
  const status = h("p", { class: "view-status", role: "status", "data-role": "settings-status" });
  const problem = h("div", { class: "error", role: "alert", "data-role": "settings-error", hidden: true });
  const exportButton = h("button", { type: "button", "data-action": "export-data" }, "Export my data");
  const deleteButton = h("button", { type: "button", class: "danger", "data-action": "delete-data" }, "Delete all my data…");
  const confirmDelete = h("button", { type: "button", class: "primary danger", "data-action": "confirm-delete" }, "Delete everything");
  const cancelDelete = h("button", { type: "button", "data-action": "cancel-delete" }, "Cancel");
  const deleteDialog = h(
    "dialog",
    { class: "modal", "data-role": "delete-data-dialog", "aria-labelledby": "delete-data-title", "aria-describedby": "delete-data-what" },
    h(
      "div",
      { class: "dialog-form" },
      h("h2", { id: "delete-data-title" }, "Delete all your data from this browser?"),
      h(
        "p",
        { id: "delete-data-what" },
        "Every account with its private key, every contact, all mail and these settings are deleted from this " +
          "browser. It cannot be undone: export your data, or download each account's .p12, first if you want to keep anything.",
      ),
      h("div", { class: "actions" }, cancelDelete, confirmDelete),
    ),
  );

  section.append(
    h("h2", { id: "settings-title", tabindex: "-1" }, "Settings and data"),
    h(
      "fieldset",
      { class: "options" },
      h("legend", {}, "New messages"),
      h(
        "div",
        { class: "field" },
        h("label", { class: "toggle", for: "default-sign" }, sign, h("span", {}, "Sign new messages")),
        h("p", { id: "default-sign-hint", class: "hint" }, "Recipients can check that the mail is from you and was not changed."),
      ),
      h(
        "div",
        { class: "field" },
        h("label", { class: "toggle", for: "default-encrypt" }, encrypt, h("span", {}, "Encrypt new messages")),
        h(
          "p",
          { id: "default-encrypt-hint", class: "hint" },
          "When the certificate of every recipient is known, only they can read the mail. You can change both for each message.",
        ),
      ),
    ),
    h(
      "section",
      { class: "data-section", "aria-labelledby": "data-title" },
      h("h3", { id: "data-title" }, "Your data"),
      h(
        "p",
        {},
        "Everything this page keeps — accounts, contacts, mail and settings — is stored in this browser (IndexedDB). " +
          "Nothing is uploaded.",
      ),
      h("div", { class: "actions" }, exportButton),
      h(
        "p",
        { class: "hint" },
        "The export is one JSON file with your certificates, contacts, mail and settings. Private keys stay sealed " +
          "under their passphrases: the file holds no key in the clear. Mail that was not encrypted is readable in it.",
      ),
      h("div", { class: "actions" }, deleteButton),
      h("p", { class: "hint" }, "Deletes every account, key, contact and message from this browser."),
    ),
    problem,
    status,
    deleteDialog,
  );

  function render() {
    sign.checked = settings.sign;
    encrypt.checked = settings.encrypt;
  }

  sign.addEventListener("change", () => save({ sign: sign.checked }, sign.checked ? "New messages are signed." : "New messages are not signed."));
  encrypt.addEventListener("change", () =>
    save({ encrypt: encrypt.checked }, encrypt.checked ? "New messages are encrypted when possible." : "New messages are not encrypted."),
  );

  /**
   * @param {{ sign?: boolean, encrypt?: boolean }} changes
   * @param {string} said
   */
  async function save(changes, said) {
    clearError(problem);
    try {
      await settings.save(changes);
      status.textContent = said;
    } catch (error) {
      render();
      showError(problem, "Could not save the setting.", error);
    }
  }

  exportButton.addEventListener("click", async () => {
    clearError(problem);
    try {
      const data = await store.everything();
      const now = new Date();
      const json = JSON.stringify(
        { format: "smime-webmail-export", version: 1, exportedAt: now.toISOString(), ...data },
        (_key, value) => (value instanceof Uint8Array ? { $bytes: base64(value) } : value),
        2,
      );
      const day = `${now.getFullYear()}-${pad(now.getMonth() + 1)}-${pad(now.getDate())}`;
      downloadFile(json, `smime-webmail-export-${day}.json`, "application/json");
      status.textContent =
        `Exported ${data.accounts.length} account(s), ${data.contacts.length} contact(s) and ` +
        `${data.messages.length} message(s). The keys in the file are still sealed.`;
    } catch (error) {
      showError(problem, "Could not export your data.", error);
    }
  });

  deleteButton.addEventListener("click", () => {
    clearError(problem);
    deleteDialog.showModal();
    cancelDelete.focus(); // the safe choice first
  });
  cancelDelete.addEventListener("click", () => deleteDialog.close());
  confirmDelete.addEventListener("click", async () => {
    deleteDialog.close();
    try {
      await accounts.lockAll();
      await store.clear();
      // The defaults are forgotten with everything else; the in-memory ones go back too.
      settings.sign = true;
      settings.encrypt = true;
      render();
      await accounts.reset();
      status.textContent = "";
      shell.announce("All your data was deleted from this browser.");
      shell.show("welcome");
    } catch (error) {
      showError(problem, "Could not delete your data.", error);
    }
  });

  settings.addEventListener("change", render);
  render();

  return {
    show() {
      clearError(problem);
      render();
    },
  };
}

/** @param {number} n */
function pad(n) {
  return String(n).padStart(2, "0");
}
