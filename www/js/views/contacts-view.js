// @ts-check
/**
 * The current account's contacts: certificates learned from signed mail that checked out (with
 * the capabilities the mail advertised), imported from files, or the demo authority; for
 * authorities, the account's choice to trust them as anchors.
 */
import { contentEncryptionName } from "../encryption-text.js";
import { h } from "../dom.js";
import { commonName, dayText, keyAlgorithmName } from "../ui-text.js";
import { clearError, showError } from "./error-view.js";

/** @typedef {import("../shell.js").Shell} Shell */
/** @typedef {import("../store.js").ContactRecord} ContactRecord */
/** @typedef {import("../store.js").AccountRecord} AccountRecord */

const SOURCES = { mail: "from signed mail", file: "imported", demo: "demo" };

/** Capabilities that name a key transport, in words. */
const KEY_TRANSPORTS = { "rsa-oaep": "RSA-OAEP", "rsa-pkcs1v15": "RSA PKCS#1 v1.5" };

/**
 * @param {Shell} shell
 * @param {HTMLElement} section
 * @returns {{ show: () => Promise<void> }}
 */
export function setUpContacts(shell, section) {
  const { accounts, client, contacts } = shell;

  const heading = h("h2", { id: "contacts-title", tabindex: "-1" }, "Contacts");
  const file = h("input", {
    id: "cert-file",
    type: "file",
    multiple: true,
    accept:
      ".cer,.crt,.pem,.der,.p7c,.p7b,application/pkix-cert,application/x-x509-ca-cert,application/x-pem-file," +
      "application/pkcs7-mime,application/x-pkcs7-certificates",
    "data-role": "cert-file",
    "aria-describedby": "cert-file-hint",
  });
  const importBox = h(
    "div",
    { class: "field import-certificates" },
    h("label", { for: "cert-file" }, "Import certificates (.cer, .crt, .pem, .p7c or .p7b)"),
    file,
    h(
      "p",
      { id: "cert-file-hint", class: "hint" },
      "DER, PEM or PKCS #7; a .pem, .p7c or .p7b file may hold several certificates, and each is added. " +
        "Import an authority's certificate to trust it, or a person's to encrypt mail to them.",
    ),
  );
  const problem = h("div", { class: "error", role: "alert", "data-role": "contacts-error", hidden: true });
  const status = h("p", { class: "view-status", role: "status", "data-role": "contacts-status" });
  const list = h("ul", { class: "cards", "data-role": "contact-list", "aria-labelledby": "contacts-title" });
  const empty = h(
    "p",
    { class: "empty", "data-role": "contacts-empty", hidden: true },
    "No contacts yet. A certificate is added when this account opens signed mail whose signature checks out, " +
      "or when you import one above.",
  );
  const intro = h("p", { class: "lead" });

  section.append(heading, intro, importBox, problem, status, list, empty);

  /** The account whose book is on screen, so a stale read does not overwrite a newer one. */
  let showing = 0;

  async function render() {
    const account = accounts.current;
    const turn = ++showing;
    if (!account) {
      heading.textContent = "Contacts";
      intro.textContent = "Make or import an account first; each account keeps its own contacts.";
      importBox.hidden = true;
      list.replaceChildren();
      empty.hidden = true;
      return;
    }
    const book = await contacts.list(account.id);
    if (turn !== showing) return;
    heading.textContent = `Contacts of ${account.name}`;
    intro.textContent =
      `The certificates ${account.email} knows: mail to these people can be encrypted, and mail signed by ` +
      "certificates from the authorities it trusts shows as trusted.";
    importBox.hidden = false;
    const focused = document.activeElement instanceof HTMLElement && list.contains(document.activeElement)
      ? document.activeElement
      : null;
    const focusedCard = focused?.closest("[data-fingerprint]");
    const focusedRole = focused?.dataset.role;
    list.replaceChildren(...book.map((contact) => card(account, contact)));
    empty.hidden = book.length > 0;
    // Keep a keyboard user on the same switch after the list was drawn again.
    if (focusedCard instanceof HTMLElement && focusedRole) {
      const fingerprint = CSS.escape(focusedCard.dataset.fingerprint ?? "");
      const again = list.querySelector(`[data-fingerprint="${fingerprint}"] [data-role="${focusedRole}"]`);
      if (again instanceof HTMLElement) again.focus();
      else heading.focus();
    }
  }

  /**
   * @param {AccountRecord} account
   * @param {ContactRecord} contact
   */
  function card(account, contact) {
    const { info } = contact;
    const name = commonName(info.subject) || info.emails[0] || info.subject;
    const key = info.fingerprintSha256.slice(0, 16);
    const titleId = `contact-${key}-title`;
    const now = new Date().toISOString();
    const validity =
      now > info.notAfter ? " (expired)" : now < info.notBefore ? " (not valid yet)" : "";

    const facts = h(
      "dl",
      { class: "facts" },
      h("dt", {}, "Emails"),
      h("dd", { "data-role": "contact-emails" }, info.emails.join(", ") || "none"),
      h("dt", {}, "Issuer"),
      h("dd", {}, info.subject === info.issuer ? "self-signed" : commonName(info.issuer)),
      h("dt", {}, "Valid"),
      h("dd", {}, `${dayText(info.notBefore)} to ${dayText(info.notAfter)}`, validity && h("strong", { class: "bad" }, validity)),
      h("dt", {}, "Key"),
      h("dd", {}, keyAlgorithmName(info.keyAlgorithm)),
      h("dt", {}, "Source"),
      h("dd", { "data-role": "contact-source" }, SOURCES[contact.source] ?? contact.source),
    );
    if (!info.isCa) {
      facts.append(
        h("dt", {}, "Capabilities"),
        h("dd", { "data-role": "contact-capabilities" }, capabilityWords(contact.capabilities)),
      );
    }

    /** @type {Node[]} */
    const trust = [];
    if (info.isCa) {
      const switchId = `trust-${key}`;
      const hintId = `trust-${key}-hint`;
      const toggle = h("input", {
        id: switchId,
        type: "checkbox",
        role: "switch",
        checked: contact.trusted,
        "data-role": "trust-switch",
        "aria-describedby": `${titleId} ${hintId}`,
      });
      toggle.addEventListener("change", async () => {
        clearError(problem);
        try {
          await contacts.setTrusted(account.id, contact.fingerprint, toggle.checked);
          status.textContent = toggle.checked
            ? `${account.email} now trusts ${name} as an authority.`
            : `${account.email} no longer trusts ${name}.`;
        } catch (error) {
          toggle.checked = !toggle.checked;
          showError(problem, `Could not change the trust in ${name}.`, error);
        }
      });
      trust.push(
        h(
          "div",
          { class: "trust" },
          h("label", { class: "toggle", for: switchId }, toggle, h("span", {}, `Trust as an authority for ${account.name}`)),
          h(
            "p",
            { id: hintId, class: "hint", "data-role": "trust-text" },
            contact.trusted
              ? "Trusted: mail signed with certificates it issued shows as trusted for this account."
              : "Not trusted: mail signed with certificates it issued shows as not trusted.",
          ),
        ),
      );
    }

    const remove = h("button", { type: "button", "data-role": "remove-contact", "data-action": "remove-contact", "aria-label": `Remove ${name}` }, "Remove");
    remove.addEventListener("click", async () => {
      clearError(problem);
      try {
        await contacts.remove(account.id, contact.fingerprint);
        status.textContent = `Removed ${name} from the contacts of ${account.email}.`;
      } catch (error) {
        showError(problem, `Could not remove ${name}.`, error);
      }
    });

    return h(
      "li",
      {
        class: "card contact-card",
        "data-role": "contact",
        "data-fingerprint": info.fingerprintSha256,
        "data-email": (info.emails[0] ?? "").toLowerCase(),
        "data-ca": String(info.isCa),
        "data-trusted": String(contact.trusted),
        "data-source": contact.source,
      },
      h(
        "div",
        { class: "card-head" },
        h("h3", { id: titleId, class: "card-title" }, name),
        h("span", { class: "badge" }, info.isCa ? "authority" : "person"),
        info.isCa && contact.trusted ? h("span", { class: "badge trusted" }, "trusted") : null,
      ),
      facts,
      ...trust,
      h("div", { class: "card-actions" }, remove),
    );
  }

  file.addEventListener("change", async () => {
    const account = accounts.current;
    const files = [...(file.files ?? [])];
    file.value = "";
    if (!account || files.length === 0) return;
    clearError(problem);
    status.textContent = "";
    /** @type {string[]} */
    const added = [];
    for (const one of files) {
      try {
        const certificates = await client.certificatesIn(new Uint8Array(await one.arrayBuffer()));
        for (const certificate of certificates) {
          const contact = await contacts.add(account.id, certificate, { source: "file" });
          added.push(contact.info.emails[0] ?? commonName(contact.info.subject));
        }
      } catch (error) {
        showError(problem, `Could not import ${one.name}.`, error);
      }
    }
    if (added.length > 0) {
      status.textContent = `Added ${added.join(", ")} to the contacts of ${account.email}.`;
    }
  });

  contacts.addEventListener("change", (event) => {
    if (/** @type {CustomEvent} */ (event).detail === accounts.current?.id) void render();
  });
  let shownAccount = accounts.current?.id;
  accounts.addEventListener("change", () => {
    if (accounts.current?.id === shownAccount) return;
    shownAccount = accounts.current?.id;
    status.textContent = "";
    clearError(problem);
    void render();
  });

  return {
    async show() {
      await render();
    },
  };
}

/**
 * What a contact's mail said it can read: "can read AES-256-GCM, AES-256-CBC; accepts RSA-OAEP".
 * @param {string[]} capabilities
 */
function capabilityWords(capabilities) {
  if (capabilities.length === 0) return "not known yet: learned when signed mail from them arrives";
  const ciphers = capabilities.filter((name) => /^(aes|des|rc2)/i.test(name)).map(contentEncryptionName);
  const transports = capabilities
    .filter((name) => Object.hasOwn(KEY_TRANSPORTS, name))
    .map((name) => KEY_TRANSPORTS[/** @type {keyof typeof KEY_TRANSPORTS} */ (name)]);
  const others = capabilities.length - ciphers.length - transports.length;
  const parts = [];
  if (ciphers.length > 0) parts.push(`can read ${ciphers.join(", ")}`);
  if (transports.length > 0) parts.push(`accepts ${transports.join(", ")}`);
  if (others > 0) parts.push(`${others} other ${others === 1 ? "capability" : "capabilities"}`);
  return parts.join("; ");
}
