// @ts-check
/**
 * The webmail shell: opens the store, starts the S/MIME engine, loads the accounts and wires the
 * views. Views get one `Shell` (shell.js) and never import each other.
 */
import { Accounts } from "./accounts.js";
import { Contacts } from "./contacts.js";
import { byId } from "./dom.js";
import { Settings } from "./shell.js";
import { SmimeClient } from "./smime-client.js";
import { Store } from "./store.js";
import { LocalTransport } from "./transport.js";
import { setUpAccountBar } from "./views/account-bar.js";
import { setUpAccounts } from "./views/accounts-view.js";
import { setUpCompose } from "./views/compose-view.js";
import { setUpContacts } from "./views/contacts-view.js";
import { showError } from "./views/error-view.js";
import { setUpMailbox } from "./views/mailbox-view.js";
import { setUpSettings } from "./views/settings-view.js";
import { setUpWelcome } from "./views/welcome-view.js";

/** @typedef {import("./shell.js").Shell} Shell */
/** @typedef {import("./shell.js").ViewName} ViewName */

const status = byId("status", HTMLElement);
const nav = byId("nav", HTMLElement);
const main = byId("main", HTMLElement);

/**
 * @typedef {object} View
 * @property {(detail?: any) => void | Promise<void>} show  called each time the view is shown
 */

async function main_() {
  const store = await Store.open();
  const client = await SmimeClient.start();
  const contacts = new Contacts(client, store);
  const accounts = await Accounts.load(client, store, contacts);
  const settings = await Settings.load(store);
  const transport = new LocalTransport(client, store, accounts);
  const mail = new EventTarget();
  transport.addEventListener("delivered", (event) => {
    const { account } = /** @type {CustomEvent} */ (event).detail;
    mail.dispatchEvent(new CustomEvent("change", { detail: { account, folder: "inbox" } }));
  });

  /** @type {Record<ViewName, View>} */
  const views = /** @type {any} */ ({});
  /** @type {ViewName | null} */
  let currentView = null;

  /** @type {Shell} */
  const shell = {
    client,
    store,
    accounts,
    contacts,
    transport,
    settings,
    mail,
    show(name, detail) {
      const people = accounts.people().length;
      const target = people === 0 && name !== "accounts" && name !== "settings" ? "welcome" : name;
      for (const section of main.querySelectorAll("[data-view-name]")) {
        if (section instanceof HTMLElement) section.hidden = section.dataset.viewName !== target;
      }
      for (const button of nav.querySelectorAll("button[data-view]")) {
        if (!(button instanceof HTMLElement)) continue;
        const folder = detail && "folder" in detail ? detail.folder : undefined;
        const same = button.dataset.view === target && (target !== "mailbox" || button.dataset.folder === (folder ?? "inbox"));
        if (same) button.setAttribute("aria-current", "page");
        else button.removeAttribute("aria-current");
      }
      nav.hidden = people === 0;
      currentView = target;
      document.body.dataset.view = target;
      void views[target].show(detail);
    },
    compose(request) {
      shell.show("compose", request);
    },
    unlocked(accountId, why) {
      return accountBar.unlocked(accountId, why);
    },
    announce(text) {
      status.textContent = text;
    },
  };

  const accountBar = setUpAccountBar(shell, byId("account-bar", HTMLElement));
  views.welcome = setUpWelcome(shell, byId("view-welcome", HTMLElement));
  views.mailbox = setUpMailbox(shell, byId("view-mailbox", HTMLElement));
  views.compose = setUpCompose(shell, byId("view-compose", HTMLElement));
  views.contacts = setUpContacts(shell, byId("view-contacts", HTMLElement));
  views.accounts = setUpAccounts(shell, byId("view-accounts", HTMLElement));
  views.settings = setUpSettings(shell, byId("view-settings", HTMLElement));

  nav.addEventListener("click", (event) => {
    const button = event.target instanceof Element ? event.target.closest("button[data-view]") : null;
    if (!(button instanceof HTMLElement)) return;
    const name = /** @type {ViewName} */ (button.dataset.view);
    if (name === "compose") shell.compose({ mode: "new" });
    else shell.show(name, button.dataset.folder ? { folder: /** @type {any} */ (button.dataset.folder) } : undefined);
  });
  // A change of account shows that account's Inbox; the account list emptying shows the welcome.
  let shownAccount = accounts.current?.id ?? null;
  accounts.addEventListener("change", () => {
    const now = accounts.current?.id ?? null;
    if (now !== shownAccount || (now === null && currentView !== "welcome")) {
      shownAccount = now;
      shell.show(now ? "mailbox" : "welcome", { folder: "inbox" });
    }
  });

  shell.show(accounts.current ? "mailbox" : "welcome", { folder: "inbox" });
  status.textContent = accounts.current
    ? `Ready. ${accounts.people().length} account(s) in this browser, all locked until you enter a passphrase.`
    : "Ready. Create the demo accounts, or add your own, to start.";
  document.body.dataset.appState = "ready";
}

main_().catch((error) => {
  document.body.dataset.appState = "failed";
  status.textContent = "The mail page could not start.";
  showError(byId("startup-error", HTMLElement), "The page cannot sign or read messages. Reload it to try again.", error);
});
