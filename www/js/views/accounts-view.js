// @ts-check
/**
 * The accounts of this browser: each person's and each authority's certificate, lock state and
 * key actions (certificate, .p12 and certificate-request downloads, delete), plus the two ways to
 * add one: import a .p12/.pfx, or make a new identity, self-signed or issued by an authority here.
 */
import { Accounts, MIN_PASSPHRASE } from "../accounts.js";
import { downloadFile, fileStem, h } from "../dom.js";
import { isCancelled } from "../shell.js";
import { commonName, dayText } from "../ui-text.js";
import { clearError, errorCode, showError, showProblem } from "./error-view.js";

/** @typedef {import("../shell.js").Shell} Shell */
/** @typedef {import("../store.js").AccountRecord} AccountRecord */

/** What each key can do in mail, by `CertificateInfo.keyAlgorithm`. */
const KEY_USES = {
  "rsa-2048": "RSA 2048: signs, and opens mail encrypted to it (RSA key transport)",
  "rsa-3072": "RSA 3072: signs, and opens mail encrypted to it (RSA key transport)",
  "rsa-4096": "RSA 4096: signs, and opens mail encrypted to it (RSA key transport)",
  "p-256": "P-256: signs (ECDSA), and opens mail encrypted to it (ECDH)",
  "p-384": "P-384: signs (ECDSA), and opens mail encrypted to it (ECDH)",
  ed25519: "Ed25519: signs only",
};

/** The algorithms offered for a new identity. */
const NEW_ALGORITHMS = /** @type {const} */ ([
  ["rsa-2048", "RSA 2048 (every mail program reads it)"],
  ["p-256", "P-256 (smaller and faster)"],
  ["p-384", "P-384 (a larger curve)"],
]);

const ORIGINS = { demo: "demo account", pkcs12: "imported from a .p12 file", generated: "made in this browser" };

/**
 * @param {Shell} shell
 * @param {HTMLElement} section
 * @returns {{ show: (detail?: { form?: "import" | "generate" }) => void }}
 */
export function setUpAccounts(shell, section) {
  const { accounts, client } = shell;

  const people = h("ul", { class: "cards", "data-role": "people-list", "aria-labelledby": "people-title" });
  const authorities = h("ul", { class: "cards", "data-role": "authority-list", "aria-labelledby": "authorities-title" });
  const authoritiesPart = h(
    "div",
    {},
    h("h3", { id: "authorities-title" }, "Certificate authorities"),
    h(
      "p",
      { class: "hint" },
      "Kept here to issue certificates for new identities. Who trusts an authority is each account's choice (see Contacts).",
    ),
    authorities,
  );
  const listError = h("div", { class: "error", role: "alert", "data-role": "accounts-error", hidden: true });
  const status = h("p", { class: "view-status", role: "status", "data-role": "accounts-status" });
  const importForm = setUpImportForm();
  const generateForm = setUpGenerateForm();
  const exportDialog = setUpExportDialog();
  const deleteDialog = setUpDeleteDialog();

  const heading = h("h2", { id: "accounts-title", tabindex: "-1" }, "Accounts");
  section.append(
    heading,
    h(
      "p",
      { class: "lead" },
      "Each account is an identity: a certificate and its private key. The keys are stored only encrypted under " +
        "each account's passphrase, and unlocked into this tab when you enter it.",
    ),
    h("h3", { id: "people-title" }, "People"),
    people,
    authoritiesPart,
    listError,
    status,
    h("div", { class: "account-forms" }, importForm.element, generateForm.element),
    exportDialog.element,
    deleteDialog.element,
  );

  /** @type {Map<string, { element: HTMLElement, update: () => void }>} cards by account id, kept so focus stays put */
  const cards = new Map();

  function render() {
    const all = accounts.all();
    for (const id of cards.keys()) if (!all.some((account) => account.id === id)) cards.delete(id);
    /**
     * @param {HTMLElement} list
     * @param {AccountRecord[]} wanted
     */
    const fill = (list, wanted) => {
      const elements = wanted.map((account) => {
        let entry = cards.get(account.id);
        if (!entry) {
          entry = card(account);
          cards.set(account.id, entry);
        }
        entry.update();
        return entry.element;
      });
      const same = elements.length === list.children.length && elements.every((element, i) => list.children[i] === element);
      if (!same) list.replaceChildren(...elements);
    };
    const list = accounts.people();
    fill(people, list);
    if (list.length === 0) {
      people.replaceChildren(h("li", { class: "empty" }, "No mail account yet. Import a .p12 file or make a new identity below."));
    }
    fill(authorities, accounts.authorities());
    authoritiesPart.hidden = accounts.authorities().length === 0;
    generateForm.refreshIssuers();
  }

  /** @param {AccountRecord} account */
  function card(account) {
    const { info } = account;
    const label = account.email || account.name;
    const expired = info.notAfter < new Date().toISOString();
    const titleId = `account-${account.id}-title`;

    // One button that turns from Unlock to Lock keeps the keyboard focus where it was.
    const lockToggle = h("button", { type: "button", "data-role": "lock-toggle", "aria-describedby": titleId });
    lockToggle.addEventListener("click", () =>
      act(`Could not change the lock of ${label}.`, async () => {
        if (accounts.isUnlocked(account.id)) {
          await accounts.lock(account.id);
          say(`${label} is locked.`);
        } else {
          await shell.unlocked(account.id, "to use it in this session");
          say(`${label} is unlocked for this session.`);
        }
      }),
    );

    const pem = button("download-cert-pem", "Certificate .pem", titleId);
    pem.addEventListener("click", () => {
      downloadFile(derToPem(account.certificate, "CERTIFICATE"), `${fileStem(label)}.pem`, "application/x-pem-file");
      say(`Downloaded the certificate of ${label} (.pem).`);
    });
    const cer = button("download-cert-cer", "Certificate .cer", titleId);
    cer.addEventListener("click", () => {
      downloadFile(account.certificate, `${fileStem(label)}.cer`, "application/pkix-cert");
      say(`Downloaded the certificate of ${label} (.cer).`);
    });
    const p12 = button("export-p12", "Key and certificate .p12…", titleId);
    p12.addEventListener("click", () =>
      act(`Could not make the .p12 file of ${label}.`, async () => {
        const password = await exportDialog.ask(account);
        if (password === null) return;
        const identity = await shell.unlocked(account.id, "to put its private key in a .p12 file");
        downloadFile(await client.exportPkcs12(identity, password), `${fileStem(label)}.p12`, "application/x-pkcs12");
        say(`Downloaded ${label} as a .p12 file, protected by the password you chose.`);
      }),
    );
    const csr = button("download-csr", "Request .csr", titleId);
    csr.addEventListener("click", () =>
      act(`Could not make a certificate request for ${label}.`, async () => {
        const identity = await shell.unlocked(account.id, "to sign a certificate request with its key");
        downloadFile(await client.createCsr(identity), `${fileStem(label)}.csr`, "application/pkcs10");
        say(`Downloaded a certificate request for ${label}. An authority can issue a new certificate from it.`);
      }),
    );
    const remove = button("delete-account", "Delete…", titleId);
    remove.classList.add("danger");
    remove.addEventListener("click", () =>
      act(`Could not delete ${label}.`, async () => {
        if (!(await deleteDialog.ask(account))) return;
        await accounts.remove(account.id);
        say(`Deleted ${label}${account.kind === "person" ? " with its contacts and mail" : ""}.`);
        if (!section.hidden) heading.focus(); // its card, and the button, are gone
      }),
    );
    const open = button("select-account", "Open its mail", titleId);
    open.addEventListener("click", () => void accounts.select(account.id));
    const lockState = h("span", { class: "badge lock-badge", "data-role": "account-lock-state" });
    const shown = h("span", { class: "badge current" }, "Shown now");

    const element = h(
      "li",
      {
        class: "card account-card",
        "data-role": "account",
        "data-account-id": account.id,
        "data-email": account.email,
        "data-kind": account.kind,
      },
      h(
        "div",
        { class: "card-head" },
        h("h4", { id: titleId, class: "card-title" }, account.name, account.email ? h("span", { class: "hint" }, ` <${account.email}>`) : null),
        lockState,
        shown,
      ),
      h(
        "dl",
        { class: "facts" },
        h("dt", {}, "Key"),
        h("dd", { "data-role": "key-algorithm" }, keyUse(info.keyAlgorithm)),
        h("dt", {}, "Issuer"),
        h("dd", {}, info.subject === info.issuer ? "self-signed" : commonName(info.issuer)),
        h("dt", {}, "Valid"),
        h("dd", {}, `${dayText(info.notBefore)} to ${dayText(info.notAfter)}`, expired ? h("strong", { class: "bad" }, " (expired)") : null),
        h("dt", {}, "Origin"),
        h("dd", {}, ORIGINS[account.origin] ?? account.origin),
      ),
      h(
        "div",
        { class: "card-actions" },
        lockToggle,
        open,
        h("span", { class: "actions-label", "aria-hidden": "true" }, "Download"),
        pem,
        cer,
        p12,
        csr,
        remove,
      ),
    );

    function update() {
      const unlocked = accounts.isUnlocked(account.id);
      const current = accounts.current?.id === account.id;
      element.dataset.locked = String(!unlocked);
      lockState.dataset.locked = String(!unlocked);
      lockState.textContent = unlocked ? "Unlocked" : "Locked";
      lockToggle.dataset.action = unlocked ? "lock" : "unlock";
      lockToggle.textContent = unlocked ? "Lock" : "Unlock";
      shown.hidden = !current;
      open.hidden = account.kind !== "person" || current;
    }

    return { element, update };
  }

  /**
   * Runs a card action; a cancelled passphrase or dialog says nothing.
   * @param {string} what
   * @param {() => Promise<void>} action
   */
  async function act(what, action) {
    clearError(listError);
    try {
      await action();
    } catch (error) {
      if (!isCancelled(error)) showError(listError, what, error);
    }
  }

  /** @param {string} text */
  function say(text) {
    status.textContent = text;
  }

  /** The "Import a .p12 or .pfx" form. */
  function setUpImportForm() {
    const file = h("input", { id: "p12-file", type: "file", accept: ".p12,.pfx,application/x-pkcs12", "aria-required": "true", "data-role": "p12-file" });
    const password = h("input", { id: "p12-password", type: "password", autocomplete: "off", "data-role": "p12-password" });
    const same = h("input", { id: "p12-same", type: "checkbox", checked: true, "data-role": "p12-same" });
    const passphrase = h("input", {
      id: "p12-passphrase",
      type: "password",
      autocomplete: "new-password",
      "data-role": "p12-passphrase",
      "aria-describedby": "p12-passphrase-hint",
    });
    const passphraseField = h(
      "div",
      { class: "field", hidden: true },
      h("label", { for: "p12-passphrase" }, "New passphrase for this account"),
      passphrase,
      h("p", { id: "p12-passphrase-hint", class: "hint" }, passphraseHint()),
    );
    const problem = h("div", { class: "error", role: "alert", "data-role": "import-error", hidden: true });
    const submit = h("button", { type: "submit", class: "primary", "data-action": "import-p12" }, "Import");
    const fields = h(
      "fieldset",
      { class: "plain" },
      h("legend", { class: "visually-hidden" }, "The file and its password"),
      h("div", { class: "field" }, h("label", { for: "p12-file" }, "File (.p12 or .pfx)"), file),
      h("div", { class: "field" }, h("label", { for: "p12-password" }, "The file's password"), password),
      h("label", { class: "choice field" }, same, h("span", {}, "Use the file's password as this account's passphrase")),
      passphraseField,
      h("div", { class: "actions" }, submit),
    );
    const element = h(
      "form",
      { class: "subform", "aria-labelledby": "import-title", "data-role": "import-p12-form", novalidate: true },
      h("h3", { id: "import-title", tabindex: "-1" }, "Import a .p12 or .pfx"),
      h("p", { class: "hint" }, "A file exported from Thunderbird, Outlook, a browser or openssl, holding a certificate and its private key."),
      fields,
      problem,
    );

    same.addEventListener("change", () => {
      passphraseField.hidden = same.checked;
    });

    element.addEventListener("submit", async (event) => {
      event.preventDefault();
      clearError(problem);
      const chosen = file.files?.[0];
      if (!chosen) return refuse(problem, file, "Could not import.", "Choose a .p12 or .pfx file first.");
      const newPassphrase = same.checked ? password.value : passphrase.value;
      const weak = Accounts.passphraseProblem(newPassphrase);
      if (weak && same.checked) {
        return refuse(
          problem,
          same,
          "Could not import.",
          `The file's password is shorter than ${MIN_PASSPHRASE} characters, too short to protect the key in this ` +
            "browser. Untick “Use the file's password” and choose a passphrase for the account.",
        );
      }
      if (weak) return refuse(problem, passphrase, "Could not import.", weak);
      fields.disabled = true;
      element.setAttribute("aria-busy", "true");
      say(`Importing ${chosen.name}…`);
      try {
        const bytes = new Uint8Array(await chosen.arrayBuffer());
        const account = await accounts.importPkcs12(bytes, password.value, newPassphrase);
        element.reset();
        passphraseField.hidden = true;
        say(`Added ${account.name} <${account.email}>, unlocked for this session. Choose it in the account menu to use it.`);
      } catch (error) {
        say("");
        fields.disabled = false;
        if (errorCode(error) === "ERR_BAD_PASSWORD") {
          password.value = "";
          refuse(problem, password, `Could not import ${chosen.name}.`, "The file's password is not right. Nothing was added.");
        } else {
          showError(problem, `Could not import ${chosen.name}.`, error);
        }
      } finally {
        fields.disabled = false;
        element.removeAttribute("aria-busy");
      }
    });

    return { element, focus: () => file.focus() };
  }

  /** The "Make a new identity" form. */
  function setUpGenerateForm() {
    const email = h("input", { id: "new-email", type: "email", autocomplete: "off", "aria-required": "true", "data-role": "new-email" });
    const name = h("input", { id: "new-name", type: "text", autocomplete: "off", "data-role": "new-name" });
    const algorithm = h(
      "select",
      { id: "new-algorithm", "data-role": "new-algorithm", "aria-describedby": "new-algorithm-hint" },
      ...NEW_ALGORITHMS.map(([value, text]) => h("option", { value }, text)),
    );
    const issuer = h("select", { id: "new-issuer", "data-role": "new-issuer", "aria-describedby": "new-issuer-hint" });
    const passphrase = h("input", {
      id: "new-passphrase",
      type: "password",
      autocomplete: "new-password",
      "data-role": "new-passphrase",
      "aria-describedby": "new-passphrase-hint",
    });
    const confirm = h("input", { id: "new-passphrase-confirm", type: "password", autocomplete: "new-password", "data-role": "new-passphrase-confirm" });
    const problem = h("div", { class: "error", role: "alert", "data-role": "generate-error", hidden: true });
    const submit = h("button", { type: "submit", class: "primary", "data-action": "generate" }, "Make the identity");
    const fields = h(
      "fieldset",
      { class: "plain" },
      h("legend", { class: "visually-hidden" }, "The new identity"),
      h("div", { class: "field" }, h("label", { for: "new-email" }, "E-mail address"), email),
      h("div", { class: "field" }, h("label", { for: "new-name" }, "Name (optional)"), name),
      h(
        "div",
        { class: "field" },
        h("label", { for: "new-algorithm" }, "Key"),
        algorithm,
        h(
          "p",
          { id: "new-algorithm-hint", class: "hint" },
          "Each signs, and opens mail encrypted to it: RSA by key transport, P-256 and P-384 by ECDH (with ECDSA signatures).",
        ),
      ),
      h(
        "div",
        { class: "field" },
        h("label", { for: "new-issuer" }, "Certificate"),
        issuer,
        h(
          "p",
          { id: "new-issuer-hint", class: "hint" },
          "Whoever trusts the issuing authority trusts the new certificate; a self-signed one is trusted by nobody until they choose to.",
        ),
      ),
      h(
        "div",
        { class: "field" },
        h("label", { for: "new-passphrase" }, "Passphrase"),
        passphrase,
        h("p", { id: "new-passphrase-hint", class: "hint" }, passphraseHint()),
      ),
      h("div", { class: "field" }, h("label", { for: "new-passphrase-confirm" }, "The passphrase again"), confirm),
      h("div", { class: "actions" }, submit),
    );
    const element = h(
      "form",
      { class: "subform", "aria-labelledby": "generate-title", "data-role": "generate-form", novalidate: true },
      h("h3", { id: "generate-title", tabindex: "-1" }, "Make a new identity"),
      h("p", { class: "hint" }, "A new key pair and certificate, made in this browser."),
      fields,
      problem,
    );

    element.addEventListener("submit", async (event) => {
      event.preventDefault();
      clearError(problem);
      const address = email.value.trim().toLowerCase();
      if (!/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(address)) {
        return refuse(problem, email, "Could not make the identity.", "Enter an e-mail address such as dana@example.org.");
      }
      if (accounts.byAddress(address)) {
        return refuse(problem, email, "Could not make the identity.", `${address} already has an account here.`);
      }
      const weak = Accounts.passphraseProblem(passphrase.value);
      if (weak) return refuse(problem, passphrase, "Could not make the identity.", weak);
      if (confirm.value !== passphrase.value) {
        return refuse(problem, confirm, "Could not make the identity.", "The two passphrases are not the same. Type the same one twice.");
      }
      const authority = issuer.value ? accounts.get(issuer.value) : undefined;
      fields.disabled = true;
      element.setAttribute("aria-busy", "true");
      try {
        if (authority) await shell.unlocked(authority.id, "to issue the new certificate");
        say(`Making the key and certificate for ${address}…`);
        const chosen = NEW_ALGORITHMS.find(([value]) => value === algorithm.value)?.[0] ?? "p-256";
        const account = await accounts.generate(
          { email: address, name: name.value.trim() || undefined, algorithm: chosen, issuer: authority?.id },
          passphrase.value,
        );
        element.reset();
        delete issuer.dataset.chosen;
        refreshIssuers();
        say(
          `Made ${account.name} <${account.email}>, ${authority ? `issued by ${authority.name}` : "self-signed"}, unlocked for ` +
            "this session. Choose it in the account menu to use it.",
        );
      } catch (error) {
        say("");
        if (isCancelled(error)) {
          showProblem(problem, "Did not make the identity.", "The authority stayed locked, so it could not issue the certificate.");
        } else {
          showError(problem, "Could not make the identity.", error);
        }
      } finally {
        fields.disabled = false;
        element.removeAttribute("aria-busy");
      }
    });

    /** Offers each authority and self-signed, keeping the person's choice; an authority by default. */
    function refreshIssuers() {
      const chosen = issuer.dataset.chosen === "true" ? issuer.value : undefined;
      const list = accounts.authorities();
      issuer.replaceChildren(
        ...list.map((authority) => h("option", { value: authority.id }, `Issued by ${authority.name}`)),
        h("option", { value: "" }, "Self-signed"),
      );
      const keep = chosen !== undefined && (chosen === "" || list.some((authority) => authority.id === chosen));
      issuer.value = keep ? chosen : (list[0]?.id ?? "");
    }
    issuer.addEventListener("change", () => {
      issuer.dataset.chosen = "true";
    });

    return { element, refreshIssuers, focus: () => email.focus() };
  }

  /** Asks for the password of an exported .p12 file. */
  function setUpExportDialog() {
    const title = h("h2", { id: "export-p12-title" });
    const password = h("input", { id: "export-password", type: "password", autocomplete: "new-password", "data-role": "export-password" });
    const confirm = h("input", { id: "export-password-confirm", type: "password", autocomplete: "new-password", "data-role": "export-password-confirm" });
    const problem = h("div", { class: "error", role: "alert", "data-role": "export-error", hidden: true });
    const cancel = h("button", { type: "button", "data-action": "export-p12-cancel" }, "Cancel");
    const form = h(
      "form",
      { class: "dialog-form", novalidate: true },
      title,
      h(
        "p",
        {},
        "The file holds the private key. Choose a password for it: anyone who has the file and the password can sign and " +
          "read mail as this account.",
      ),
      h("div", { class: "field" }, h("label", { for: "export-password" }, "Password for the file"), password, h("p", { class: "hint" }, `At least ${MIN_PASSPHRASE} characters.`)),
      h("div", { class: "field" }, h("label", { for: "export-password-confirm" }, "The password again"), confirm),
      problem,
      h("div", { class: "actions" }, h("button", { type: "submit", class: "primary", "data-action": "export-p12-submit" }, "Download .p12"), cancel),
    );
    const element = h("dialog", { class: "modal", "data-role": "export-p12-dialog", "aria-labelledby": "export-p12-title" }, form);
    /** @type {string | null} */
    let chosen = null;

    form.addEventListener("submit", (event) => {
      event.preventDefault();
      clearError(problem);
      if (password.value.length < MIN_PASSPHRASE) {
        return refuse(problem, password, "Choose another password.", `It needs at least ${MIN_PASSPHRASE} characters.`);
      }
      if (confirm.value !== password.value) {
        return refuse(problem, confirm, "Choose another password.", "The two passwords are not the same.");
      }
      chosen = password.value;
      element.close();
    });
    cancel.addEventListener("click", () => element.close());

    return {
      element,
      /**
       * @param {AccountRecord} account
       * @returns {Promise<string | null>} the password, or null when cancelled
       */
      ask(account) {
        chosen = null;
        form.reset();
        clearError(problem);
        title.textContent = `Download ${account.email || account.name} as a .p12 file`;
        element.showModal();
        return new Promise((resolve) => {
          element.addEventListener(
            "close",
            () => {
              resolve(chosen);
              form.reset();
            },
            { once: true },
          );
        });
      },
    };
  }

  /** Asks before an account is deleted. */
  function setUpDeleteDialog() {
    const title = h("h2", { id: "delete-account-title" });
    const what = h("p", {});
    const confirm = h("button", { type: "button", class: "primary danger", "data-action": "confirm-delete-account" }, "Delete the account");
    const cancel = h("button", { type: "button", "data-action": "cancel-delete-account" }, "Cancel");
    const element = h(
      "dialog",
      { class: "modal", "data-role": "delete-account-dialog", "aria-labelledby": "delete-account-title", "aria-describedby": "delete-account-what" },
      h("div", { class: "dialog-form" }, title, what, h("div", { class: "actions" }, cancel, confirm)),
    );
    what.id = "delete-account-what";
    let yes = false;
    confirm.addEventListener("click", () => {
      yes = true;
      element.close();
    });
    cancel.addEventListener("click", () => element.close());

    return {
      element,
      /**
       * @param {AccountRecord} account
       * @returns {Promise<boolean>}
       */
      ask(account) {
        yes = false;
        const label = account.email ? `${account.name} <${account.email}>` : account.name;
        title.textContent = `Delete ${label}?`;
        what.textContent =
          account.kind === "person"
            ? "This deletes the account's private key, its contacts and all its mail from this browser. It cannot be " +
              "undone: download its .p12 first if you want to keep the key."
            : "This deletes the authority's private key from this browser, so it can issue no more certificates here. " +
              "Certificates it issued keep working, and accounts that trust it keep trusting it.";
        element.showModal();
        cancel.focus(); // the safe choice first
        return new Promise((resolve) => element.addEventListener("close", () => resolve(yes), { once: true }));
      },
    };
  }

  accounts.addEventListener("change", render);
  render();

  return {
    show(detail) {
      clearError(listError);
      render();
      if (detail?.form === "import") importForm.focus();
      else if (detail?.form === "generate") generateForm.focus();
    },
  };
}

/**
 * A card's button; its description names the card's account (its name is the visible text, so
 * that speech control finds it).
 * @param {string} id
 * @param {string} text
 * @param {string} titleId  the card title's id
 */
function button(id, text, titleId) {
  return h("button", { type: "button", "data-action": id, "aria-describedby": titleId }, text);
}

/**
 * Shows why a form was refused and puts the focus on the field to fix.
 * @param {HTMLElement} box
 * @param {HTMLElement} field
 * @param {string} what
 * @param {string} sentence
 */
function refuse(box, field, what, sentence) {
  showProblem(box, what, sentence);
  field.focus();
}


function passphraseHint() {
  return `At least ${MIN_PASSPHRASE} characters. It protects the private key stored in this browser and cannot be recovered.`;
}

/** @param {string} algorithm */
function keyUse(algorithm) {
  return Object.hasOwn(KEY_USES, algorithm) ? KEY_USES[/** @type {keyof typeof KEY_USES} */ (algorithm)] : algorithm;
}

/**
 * @param {Uint8Array} der
 * @param {string} label
 */
function derToPem(der, label) {
  const base64 = btoa(Array.from(der, (byte) => String.fromCharCode(byte)).join(""));
  const lines = base64.match(/.{1,64}/g) ?? [];
  return `-----BEGIN ${label}-----\n${lines.join("\n")}\n-----END ${label}-----\n`;
}
