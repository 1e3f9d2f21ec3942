// @ts-check
/**
 * The contacts pane: certificates learned from verified mail and imported from files, with the
 * capabilities their owners advertised, and for authorities the user's trust decision.
 */
import { byId, h } from "../dom.js";
import { commonName, dayText, keyAlgorithmName } from "../ui-text.js";
import { clearError, showError, showProblem } from "./error-view.js";

/** @typedef {import("../smime-client.js").SmimeClient} SmimeClient */
/** @typedef {import("../smime-client.js").Opened} Opened */
/** @typedef {import("../keyring.js").Keyring} Keyring */
/** @typedef {import("../keyring.js").Contact} Contact */

const SOURCES = { mail: "from verified mail", file: "imported from a file", "local-ca": "made in this tab" };

/**
 * @param {{ client: SmimeClient, keyring: Keyring }} context
 */
export function setUpContacts({ client, keyring }) {
  const list = byId("contact-list", HTMLElement);
  const empty = byId("contacts-empty", HTMLElement);
  const input = byId("cert-file", HTMLInputElement);
  const errorBox = byId("contacts-error", HTMLElement);
  const announce = byId("contacts-status", HTMLElement);
  input.disabled = false;

  input.addEventListener("change", async () => {
    const file = input.files?.[0];
    input.value = "";
    if (!file) return;
    clearError(errorBox);
    try {
      const bytes = new Uint8Array(await file.arrayBuffer());
      const text = new TextDecoder("utf-8", { fatal: false }).decode(bytes);
      const pem = /-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/.exec(text)?.[0];
      if (!pem && text.includes("-----BEGIN")) {
        showProblem(errorBox, `Could not import ${file.name}.`, "The file holds no certificate.");
        return;
      }
      const certificate = pem ? `${pem}\n` : bytes;
      const info = await client.certificateInfo(certificate);
      keyring.addContact({ info, certificate, capabilities: [], source: "file" });
      announce.textContent = `Added ${info.emails[0] ?? commonName(info.subject)}.`;
    } catch (error) {
      showError(errorBox, `Could not import ${file.name}.`, error);
    }
  });

  function render() {
    const contacts = [...keyring.contacts.values()];
    empty.hidden = contacts.length > 0;
    list.replaceChildren(...contacts.map(item));
  }

  /** @param {Contact} contact */
  function item(contact) {
    const { info } = contact;
    const name = commonName(info.subject) || info.emails[0] || info.subject;
    const id = `trust-${info.fingerprintSha256.slice(0, 16)}`;
    const facts = h(
      "dl",
      { class: "facts" },
      h("dt", {}, "Emails"),
      h("dd", { "data-role": "contact-emails" }, info.emails.join(", ") || "none"),
      h("dt", {}, "Issuer"),
      h("dd", {}, commonName(info.issuer)),
      h("dt", {}, "Valid"),
      h("dd", {}, `${dayText(info.notBefore)} to ${dayText(info.notAfter)}`),
      h("dt", {}, "Key"),
      h("dd", {}, keyAlgorithmName(info.keyAlgorithm)),
      h("dt", {}, "Capabilities"),
      h(
        "dd",
        { "data-role": "contact-capabilities" },
        contact.capabilities.length > 0 ? contact.capabilities.join(", ") : "not known yet (none seen in mail)",
      ),
    );
    /** @type {(Node | string)[]} */
    const trust = [];
    if (info.isCa) {
      const toggle = h("input", { id, type: "checkbox", role: "switch", "data-role": "trust-toggle", checked: contact.trusted });
      toggle.addEventListener("change", () => keyring.setTrusted(info.fingerprintSha256, toggle.checked));
      trust.push(
        h("label", { class: "choice", for: id }, toggle, h("span", {}, h("strong", {}, "Trust as an authority"))),
        h(
          "p",
          { class: "hint", "data-role": "trust-text" },
          contact.trusted
            ? "You trust this authority to vouch for others: mail signed with certificates it issued shows as trusted."
            : "Not trusted: certificates it issued show as not trusted.",
        ),
      );
    }
    return h(
      "li",
      {
        class: "card",
        "data-role": "contact",
        "data-fingerprint": info.fingerprintSha256,
        "data-email": info.emails[0] ?? "",
        "data-ca": String(info.isCa),
        "data-trusted": String(contact.trusted),
      },
      h("p", { class: "card-title" }, h("strong", {}, name), " ", h("span", { class: "hint" }, `${info.isCa ? "authority" : "person"}, ${SOURCES[contact.source]}`)),
      facts,
      ...trust,
    );
  }

  keyring.subscribe(render);
  render();

  return {
    /**
     * Adds the reply certificates of every valid signature in an opened message.
     * @param {Opened} opened
     */
    harvest(opened) {
      for (const layer of opened.layers) {
        if (layer.kind !== "signed") continue;
        for (const signer of layer.signers) {
          const found = signer.encryptionCertificate;
          if (!found) continue;
          const { pem, capabilities = [], ...info } = found;
          keyring.addContact({ info, certificate: pem, capabilities, source: "mail" });
        }
      }
      for (const part of opened.parts ?? []) if (part.opened) this.harvest(part.opened);
    },
  };
}
