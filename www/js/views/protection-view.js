// @ts-check
/**
 * The compose view's protection panel: the Sign and Encrypt switches, the advanced options
 * (signature format, digest, content encryption), a summary of what will happen to the message,
 * and — when Encrypt is on and a recipient has no certificate — why sending is blocked and how
 * to get one, with an explicit way to switch encryption off.
 */
import {
  HOW_TO_GET_A_CERTIFICATE,
  SEND_UNENCRYPTED_TEXT,
  blockedText,
  protectionLines,
} from "../compose-text.js";
import { h } from "../dom.js";

/** @typedef {import("../smime-client.js").ContentEncryption} ContentEncryption */
/** @typedef {import("../smime-client.js").EncryptionChoice} EncryptionChoice */
/** @typedef {import("../store.js").AccountRecord} AccountRecord */
/** @typedef {import("../recipients.js").RecipientCertificate} RecipientCertificate */

/**
 * @typedef {object} Choices
 * @property {boolean} sign
 * @property {boolean} encrypt
 * @property {"detached" | "opaque"} format
 * @property {"sha256" | "sha384" | "sha512"} digest
 * @property {ContentEncryption | undefined} contentEncryption  undefined: the engine chooses
 *           from the recipients' capabilities
 */

/** The content encryption choices of the advanced options ("" lets the engine choose). */
const CIPHERS = [
  ["", "Automatic (the strongest every recipient reads)"],
  ["aes-256-gcm", "AES-256-GCM (integrity protected; older mail programs cannot read it)"],
  ["aes-128-gcm", "AES-128-GCM (integrity protected; older mail programs cannot read it)"],
  ["aes-256-cbc", "AES-256-CBC (every S/MIME program reads it; not integrity protected)"],
];

let uid = 0;
/** @param {string} name  a unique id or radio group name */
const nextId = (name) => `protection-${name}-${++uid}`;

/**
 * Builds the panel.
 * @param {{ onChange: () => void }} hooks  called when a switch or an option changes
 */
export function setUpProtection({ onChange }) {
  const signSwitch = switchInput("sign-switch");
  const encryptSwitch = switchInput("encrypt-switch");
  const detached = h("input", { type: "radio", name: nextId("format"), value: "detached", checked: true, "data-role": "format-detached" });
  const opaque = h("input", { type: "radio", name: detached.name, value: "opaque", "data-role": "format-opaque" });
  const digestId = nextId("digest");
  const digest = h(
    "select",
    { id: digestId, "data-role": "digest" },
    h("option", { value: "sha256", selected: true }, "SHA-256"),
    h("option", { value: "sha384" }, "SHA-384"),
    h("option", { value: "sha512" }, "SHA-512"),
  );
  const cipherId = nextId("cipher");
  const cipher = h(
    "select",
    { id: cipherId, "data-role": "content-encryption" },
    ...CIPHERS.map(([value, text]) => h("option", { value, selected: value === "" }, text)),
  );
  const summary = h("ul", { class: "protection-summary", "data-role": "protection-summary", "aria-live": "polite" });
  const switchOff = h("button", { type: "button", "data-action": "encrypt-off" }, "Switch encryption off");
  const blockedWhy = h("p", { class: "blocked-why", "data-role": "encrypt-blocked-why" });
  const blocked = h(
    "div",
    { class: "encrypt-blocked", "data-role": "encrypt-blocked", hidden: true },
    blockedWhy,
    h("p", { "data-role": "how-to-get-certificate" }, HOW_TO_GET_A_CERTIFICATE),
    h("p", { class: "blocked-off" }, SEND_UNENCRYPTED_TEXT, " ", switchOff),
  );

  const element = h(
    "fieldset",
    { class: "protection", "data-role": "protection" },
    h("legend", {}, "Protection"),
    h(
      "div",
      { class: "switches" },
      switchLabel(signSwitch, "Sign", "shows who wrote it and that nobody changed it"),
      switchLabel(encryptSwitch, "Encrypt", "only the recipients and you can read it"),
    ),
    blocked,
    summary,
    h(
      "details",
      { class: "advanced", "data-role": "advanced" },
      h("summary", {}, "Advanced options"),
      h(
        "div",
        { class: "advanced-body" },
        h(
          "fieldset",
          { class: "options", "data-role": "signature-options" },
          h("legend", {}, "Signature"),
          h(
            "div",
            { class: "choices" },
            h("label", { class: "choice" }, detached, h("span", {}, h("strong", {}, "Detached"), " ", h("span", { class: "hint" }, "multipart/signed: any mail program shows the text"))),
            h("label", { class: "choice" }, opaque, h("span", {}, h("strong", {}, "Opaque"), " ", h("span", { class: "hint" }, "only S/MIME mail programs show the text"))),
          ),
          h("div", { class: "inline-field" }, h("label", { for: digestId }, "Digest"), digest),
        ),
        h(
          "fieldset",
          { class: "options", "data-role": "encryption-options" },
          h("legend", {}, "Encryption"),
          h("div", { class: "inline-field" }, h("label", { for: cipherId }, "Content encryption"), cipher),
        ),
      ),
    ),
  );

  /** @type {{ sender: AccountRecord, entries: RecipientCertificate[], choice: EncryptionChoice } | null} */
  let shown = null;

  /** @returns {Choices} */
  function choices() {
    return {
      sign: signSwitch.checked,
      encrypt: encryptSwitch.checked,
      format: opaque.checked ? "opaque" : "detached",
      digest: /** @type {Choices["digest"]} */ (digest.value),
      contentEncryption: cipher.value ? /** @type {ContentEncryption} */ (cipher.value) : undefined,
    };
  }

  /** The recipients without a certificate, when Encrypt is on. */
  function missing() {
    if (!encryptSwitch.checked || !shown) return [];
    return shown.entries.filter((entry) => entry.state === "missing").map((entry) => entry.address);
  }

  function render() {
    if (!shown) return;
    const c = choices();
    const lacking = missing();
    blocked.hidden = lacking.length === 0;
    blockedWhy.textContent = lacking.length > 0 ? blockedText(lacking) : "";
    element.dataset.blocked = String(lacking.length > 0);
    const usable = shown.entries.filter((entry) => entry.state === "contact" || entry.state === "directory");
    const cipherUsed = c.contentEncryption ?? shown.choice.contentEncryption;
    summary.dataset.contentEncryption = c.encrypt ? cipherUsed : "";
    summary.hidden = lacking.length > 0;
    const lines = protectionLines({
      sign: c.sign,
      encrypt: c.encrypt,
      sender: shown.sender.email,
      format: c.format,
      digest: c.digest,
      recipients: usable.map((entry) => entry.address),
      cipher: cipherUsed,
      cipherChosen: c.contentEncryption !== undefined,
    });
    summary.replaceChildren(...lines.map((line) => h("li", {}, line)));
    summary.dataset.protection = c.sign && c.encrypt ? "both" : c.sign ? "signed" : c.encrypt ? "encrypted" : "none";
  }

  element.addEventListener("change", () => {
    render();
    onChange();
  });
  switchOff.addEventListener("click", () => {
    encryptSwitch.checked = false;
    render();
    onChange();
    encryptSwitch.focus();
  });

  return {
    element,
    choices,
    /**
     * Sets the switches (a new message: the settings; a draft: its own; a reply: kept
     * encryption) and puts the advanced options back to their defaults.
     * @param {{ sign: boolean, encrypt: boolean }} switches
     */
    reset({ sign, encrypt }) {
      signSwitch.checked = sign;
      encryptSwitch.checked = encrypt;
      detached.checked = true;
      digest.value = "sha256";
      cipher.value = "";
      render();
    },
    /**
     * Turns encryption on (a reply to encrypted mail, once every certificate is known).
     */
    encryptOn() {
      encryptSwitch.checked = true;
      render();
    },
    /**
     * Shows what will happen for this sender and these recipients.
     * @param {AccountRecord} sender
     * @param {RecipientCertificate[]} entries
     * @param {EncryptionChoice} choice  what the engine chooses for them (`CertificateFinder.encryptionFor`)
     */
    update(sender, entries, choice) {
      shown = { sender, entries, choice };
      render();
    },
    /** The addresses that block sending: Encrypt is on and they have no certificate. */
    missing,
    /** Moves the focus to the explanation of what blocks sending. */
    focusBlocked() {
      switchOff.focus();
    },
  };
}

/** @param {string} role */
function switchInput(role) {
  return h("input", { type: "checkbox", role: "switch", "data-role": role });
}

/**
 * @param {HTMLInputElement} input
 * @param {string} name
 * @param {string} hint
 */
function switchLabel(input, name, hint) {
  return h(
    "label",
    { class: "toggle" },
    input,
    h("span", { class: "switch-text" }, h("strong", {}, name), " ", h("span", { class: "hint" }, hint)),
  );
}
