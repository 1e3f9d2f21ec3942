// @ts-check
/**
 * The first run, while this browser holds no mail account: what the page is, and "Create demo
 * accounts" (a demo CA, Alice and Bob) so that the whole loop works at once. Own identities are
 * added in the accounts view.
 */
import { Accounts, DEMO_USERS, MIN_PASSPHRASE } from "../accounts.js";
import { h } from "../dom.js";
import { clearError, showError, showProblem } from "./error-view.js";

/** @typedef {import("../shell.js").Shell} Shell */

/**
 * @param {Shell} shell
 * @param {HTMLElement} section
 * @returns {{ show: () => void }}
 */
export function setUpWelcome(shell, section) {
  const passphrase = h("input", {
    id: "demo-passphrase",
    type: "password",
    autocomplete: "new-password",
    "aria-required": "true",
    "data-role": "demo-passphrase",
    "aria-describedby": "demo-passphrase-hint",
  });
  const confirm = h("input", {
    id: "demo-passphrase-confirm",
    type: "password",
    autocomplete: "new-password",
    "aria-required": "true",
    "data-role": "demo-passphrase-confirm",
  });
  const problem = h("div", { id: "demo-problem", class: "error", role: "alert", "data-role": "welcome-error", hidden: true });
  const progress = h("p", { class: "progress", role: "status", "data-role": "demo-progress" });
  const create = h("button", { type: "submit", class: "primary", "data-action": "create-demo" }, "Create demo accounts");
  const fields = h(
    "fieldset",
    { class: "plain" },
    h("legend", { class: "visually-hidden" }, "Passphrase for the demo accounts"),
    h(
      "div",
      { class: "field" },
      h("label", { for: "demo-passphrase" }, "Passphrase"),
      passphrase,
      h(
        "p",
        { id: "demo-passphrase-hint", class: "hint" },
        `At least ${MIN_PASSPHRASE} characters. It protects the private keys stored in this browser, ` +
          "and it cannot be recovered: forget it and the keys are lost.",
      ),
    ),
    h("div", { class: "field" }, h("label", { for: "demo-passphrase-confirm" }, "The passphrase again"), confirm),
    h("div", { class: "actions" }, create),
  );
  const form = h("form", { class: "welcome-demo", "aria-labelledby": "demo-title", novalidate: true }, fields, problem, progress);
  const names = DEMO_USERS.map((user) => `${user.name.split(" ")[0]} (${user.email})`).join(" and ");

  const heading = h("h2", { id: "welcome-title", tabindex: "-1" }, "Welcome to S/MIME mail in your browser");
  const importLink = h("button", { type: "button", "data-action": "go-import" }, "Import a .p12");
  const generateLink = h("button", { type: "button", "data-action": "go-generate" }, "Make a new identity");

  section.append(
    heading,
    h(
      "p",
      { class: "lead" },
      "Write, sign and encrypt mail with S/MIME, and read and check what arrives, with private keys that are made " +
        "and kept in this browser and never uploaded.",
    ),
    h(
      "section",
      { class: "welcome-card", "aria-labelledby": "demo-title" },
      h("h3", { id: "demo-title" }, "Try it with demo accounts"),
      h(
        "p",
        {},
        `This makes a demo certificate authority and two people who trust it, ${names}, so you can send ` +
          "signed and encrypted mail from one to the other at once.",
      ),
      form,
    ),
    h(
      "section",
      { class: "welcome-card", "aria-labelledby": "own-title" },
      h("h3", { id: "own-title" }, "Or use your own identity"),
      h("p", {}, "Bring a certificate and key from another mail program, or make a new one here."),
      h("div", { class: "actions" }, importLink, generateLink),
    ),
  );

  importLink.addEventListener("click", () => shell.show("accounts", { form: "import" }));
  generateLink.addEventListener("click", () => shell.show("accounts", { form: "generate" }));

  /**
   * @param {HTMLInputElement} field
   * @param {string} sentence
   */
  function refuse(field, sentence) {
    showProblem(problem, "Could not create the demo accounts.", sentence);
    field.setAttribute("aria-invalid", "true");
    field.setAttribute("aria-errormessage", "demo-problem");
    field.focus();
  }

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    clearError(problem);
    for (const field of [passphrase, confirm]) {
      field.removeAttribute("aria-invalid");
      field.removeAttribute("aria-errormessage");
    }
    const tooWeak = Accounts.passphraseProblem(passphrase.value);
    if (tooWeak) return refuse(passphrase, tooWeak);
    if (confirm.value !== passphrase.value) {
      return refuse(confirm, "The two passphrases are not the same. Type the same one twice.");
    }
    fields.disabled = true;
    form.setAttribute("aria-busy", "true");
    try {
      await shell.accounts.createDemo(passphrase.value, (step) => {
        progress.textContent = step;
      });
      progress.textContent = "";
      passphrase.value = "";
      confirm.value = "";
      shell.announce("Demo accounts ready: Alice and Bob are unlocked for this session.");
    } catch (error) {
      progress.textContent = "";
      showError(problem, "Could not create the demo accounts.", error);
    } finally {
      fields.disabled = false;
      form.removeAttribute("aria-busy");
    }
  });

  let shownBefore = false;
  return {
    show() {
      clearError(problem);
      // Coming back here (all data deleted, the last account removed) leaves the focus on
      // something gone: start here instead. On a page load the focus stays where it is.
      const focused = document.activeElement;
      if (shownBefore && (!focused || focused === document.body || focused.closest("[hidden]"))) heading.focus();
      shownBefore = true;
    },
  };
}
