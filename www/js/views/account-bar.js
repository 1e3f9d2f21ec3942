// @ts-check
/**
 * The account bar in the page header: which account the page shows, whether its key is unlocked,
 * and the one unlock dialog of the page. Every view that needs a private key asks through
 * `shell.unlocked(accountId, why)`, which lands here.
 */
import { h } from "../dom.js";
import { cancelled } from "../shell.js";
import { clearError, showError } from "./error-view.js";

/** @typedef {import("../shell.js").Shell} Shell */
/** @typedef {import("../smime-client.js").Identity} Identity */
/** @typedef {import("../store.js").AccountRecord} AccountRecord */

/**
 * @typedef {object} UnlockRequest  one account's turn in the dialog; later askers join it
 * @property {string} accountId
 * @property {string} why
 * @property {Promise<Identity>} promise
 * @property {(identity: Identity) => void} resolve
 * @property {(error: unknown) => void} reject
 */

const WRONG_PASSPHRASE = "That passphrase is not right. Nothing was changed.";
const RESTART_NOTICE = "The S/MIME engine restarted, so your accounts were locked. Enter your passphrase to go on.";

/**
 * @param {Shell} shell
 * @param {HTMLElement} container  the header's `[data-role=account-bar]`
 * @returns {{ unlocked: (accountId: string, why: string) => Promise<Identity> }}
 */
export function setUpAccountBar(shell, container) {
  const { accounts } = shell;

  const select = h("select", { id: "account-select", "data-role": "account-select" });
  const lockState = h("span", { class: "lock-state", "data-role": "lock-state" });
  // One button that turns from Unlock to Lock keeps the keyboard focus where it was.
  const lockToggle = h("button", { type: "button", class: "lock-toggle" });
  const lockAll = h("button", { type: "button", "data-action": "lock-all" }, "Lock all");
  const controls = h(
    "div",
    { class: "account-controls" },
    h("label", { for: "account-select" }, "Account"),
    select,
    lockState,
    lockToggle,
    lockAll,
  );
  const dismiss = h("button", { type: "button", class: "link-button", "data-action": "dismiss-restart" }, "Dismiss");
  const notice = h(
    "div",
    { class: "restart-notice", role: "alert", "data-role": "restart-notice", hidden: true },
    h("p", {}, RESTART_NOTICE),
    dismiss,
  );

  const dialog = unlockDialog();
  container.append(controls, notice, dialog.element);

  /** @type {UnlockRequest[]} the request shown first, then those waiting for the dialog */
  const queue = [];

  function render() {
    const people = accounts.people();
    const current = accounts.current;
    controls.hidden = people.length === 0;
    container.dataset.account = current?.id ?? "";
    container.dataset.locked = String(!current || !accounts.isUnlocked(current.id));
    select.replaceChildren(
      ...people.map((account) => {
        const locked = !accounts.isUnlocked(account.id);
        const text = `${account.name} <${account.email}>${locked ? " (locked)" : ""}`;
        return h("option", { value: account.id, selected: account.id === current?.id }, text);
      }),
    );
    if (current) select.value = current.id;
    const unlocked = current !== null && accounts.isUnlocked(current.id);
    lockState.textContent = unlocked ? "Unlocked" : "Locked";
    lockState.dataset.locked = String(!unlocked);
    lockToggle.textContent = unlocked ? "Lock" : "Unlock";
    lockToggle.dataset.action = unlocked ? "lock" : "unlock";
    lockToggle.setAttribute(
      "aria-label",
      current ? `${unlocked ? "Lock" : "Unlock"} ${current.email}` : unlocked ? "Lock" : "Unlock",
    );
    const unlockedCount = accounts.all().filter((account) => accounts.isUnlocked(account.id)).length;
    lockAll.hidden = unlockedCount < 2;
    // The notice has done its work once the account on screen is unlocked again.
    if (unlocked) notice.hidden = true;
  }

  select.addEventListener("change", () => {
    void accounts.select(select.value);
  });

  lockToggle.addEventListener("click", async () => {
    const current = accounts.current;
    if (!current) return;
    if (accounts.isUnlocked(current.id)) {
      // The account counts as locked before the worker confirms; a failed confirmation means the
      // worker, and the key with it, is gone anyway.
      await accounts.lock(current.id).catch(() => {});
      shell.announce(`${current.email} is locked: its private key was dropped from this tab.`);
    } else {
      await unlocked(current.id, "to sign, and to read its encrypted mail").then(
        () => shell.announce(`${current.email} is unlocked for this session.`),
        () => {}, // cancelled: nothing to say
      );
    }
  });

  lockAll.addEventListener("click", async () => {
    await accounts.lockAll().catch(() => {}); // as for one account above
    shell.announce("Every account is locked.");
  });

  dismiss.addEventListener("click", () => {
    notice.hidden = true;
  });

  accounts.addEventListener("change", render);
  accounts.addEventListener("restart", (event) => {
    const lost = /** @type {string[]} */ (/** @type {CustomEvent} */ (event).detail);
    render();
    notice.hidden = false;
    shell.announce("The S/MIME engine restarted: every account is locked again.");
    const current = accounts.current;
    if (current && lost.includes(current.id)) {
      unlocked(current.id, "to go on after the S/MIME engine restarted").catch(() => {});
    }
  });

  /**
   * @param {string} accountId
   * @param {string} why
   * @returns {Promise<Identity>}
   */
  function unlocked(accountId, why) {
    const identity = accounts.identity(accountId);
    if (identity) return Promise.resolve(identity);
    if (!accounts.get(accountId)) return Promise.reject(new Error(`no account ${accountId}`));
    const waiting = queue.find((request) => request.accountId === accountId);
    if (waiting) return waiting.promise;
    /** @type {(identity: Identity) => void} */
    let resolve = () => {};
    /** @type {(error: unknown) => void} */
    let reject = () => {};
    /** @type {Promise<Identity>} */
    const promise = new Promise((yes, no) => {
      resolve = yes;
      reject = no;
    });
    queue.push({ accountId, why, promise, resolve, reject });
    if (queue.length === 1) dialog.ask(queue[0]);
    return promise;
  }

  /** The dialog is done with the first request: show the next one still locked. */
  function next() {
    queue.shift();
    while (queue.length > 0) {
      const request = queue[0];
      const identity = accounts.identity(request.accountId);
      if (identity) {
        request.resolve(identity);
      } else if (!accounts.get(request.accountId)) {
        request.reject(cancelled()); // the account was deleted meanwhile
      } else {
        dialog.ask(request);
        return;
      }
      queue.shift();
    }
  }

  /**
   * The `<dialog>` asking for one account's passphrase.
   */
  function unlockDialog() {
    const title = h("h2", { id: "unlock-title" });
    const reason = h("p", { id: "unlock-reason", "data-role": "unlock-reason" });
    const passphrase = h("input", {
      id: "unlock-passphrase",
      type: "password",
      autocomplete: "current-password",
      "aria-required": "true",
      autofocus: true,
      "data-role": "unlock-passphrase",
      "aria-describedby": "unlock-reason unlock-error",
    });
    const wrong = h("p", { id: "unlock-error", class: "field-error", role: "alert", "data-role": "unlock-error", hidden: true });
    const failure = h("div", { class: "error", role: "alert", "data-role": "unlock-failure", hidden: true });
    const submit = h("button", { type: "submit", class: "primary", "data-action": "unlock-submit" }, "Unlock");
    const cancel = h("button", { type: "button", "data-action": "unlock-cancel" }, "Cancel");
    const form = h(
      "form",
      { class: "dialog-form" },
      title,
      reason,
      h(
        "div",
        { class: "field" },
        h("label", { for: "unlock-passphrase" }, "Passphrase"),
        passphrase,
        wrong,
      ),
      h("p", { class: "hint" }, "The key stays unlocked in this tab until you lock it or close the page."),
      failure,
      h("div", { class: "actions" }, submit, cancel),
    );
    const element = h("dialog", { class: "modal", "data-role": "unlock-dialog", "aria-labelledby": "unlock-title" }, form);

    /** @type {UnlockRequest | null} */
    let asking = null;

    function reset() {
      passphrase.value = "";
      passphrase.removeAttribute("aria-invalid");
      wrong.hidden = true;
      wrong.textContent = "";
      clearError(failure);
      form.removeAttribute("aria-busy");
      submit.disabled = false;
    }

    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      const request = asking;
      if (!request || form.getAttribute("aria-busy") === "true") return;
      wrong.hidden = true;
      clearError(failure);
      if (passphrase.value === "") {
        wrong.textContent = "Enter the passphrase of this account.";
        wrong.hidden = false;
        passphrase.focus();
        return;
      }
      form.setAttribute("aria-busy", "true");
      submit.disabled = true;
      try {
        const identity = await shell.accounts.unlock(request.accountId, passphrase.value);
        asking = null;
        reset();
        element.close();
        request.resolve(identity);
        next();
      } catch (error) {
        form.removeAttribute("aria-busy");
        submit.disabled = false;
        passphrase.value = "";
        if (/** @type {{ code?: unknown }} */ (error)?.code === "ERR_BAD_PASSWORD") {
          wrong.textContent = WRONG_PASSPHRASE;
          wrong.hidden = false;
          passphrase.setAttribute("aria-invalid", "true");
        } else {
          showError(failure, "Could not unlock the account.", error);
        }
        passphrase.focus();
      }
    });

    cancel.addEventListener("click", () => element.close());
    // Escape, the Cancel button, and anything else that closes the dialog while it still asks.
    element.addEventListener("close", () => {
      const request = asking;
      if (!request) return;
      asking = null;
      reset();
      request.reject(cancelled());
      next();
    });

    return {
      element,
      /** @param {UnlockRequest} request */
      ask(request) {
        const account = /** @type {AccountRecord} */ (shell.accounts.get(request.accountId));
        asking = request;
        reset();
        title.textContent = `Unlock ${account.name} <${account.email}>`;
        reason.textContent = `Enter this account's passphrase ${request.why}.`;
        element.showModal();
        passphrase.focus();
      },
    };
  }

  render();
  return { unlocked };
}
