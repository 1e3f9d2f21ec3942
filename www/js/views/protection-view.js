// @ts-check
/**
 * The compose pane's protection choices: the Sign and Encrypt switches, the options each one
 * shows, the submit button's label, and whom the message will be encrypted for (or why it
 * cannot be).
 */
import { byId } from "../dom.js";
import {
  contentEncryptionName,
  integrityWords,
  listText,
  missingCertificatesText,
  protectsIntegrity,
} from "../encryption-text.js";
import { addresses, knownAddresses, otherRecipients, planEncryption } from "../recipients.js";

/** @typedef {import("../smime-client.js").Identity} Identity */
/** @typedef {import("../smime-client.js").ContentEncryption} ContentEncryption */

/**
 * @typedef {object} Choices
 * @property {boolean} sign
 * @property {boolean} encrypt
 * @property {"detached" | "opaque"} format
 * @property {"sha256" | "sha384" | "sha512"} digest
 * @property {ContentEncryption} contentEncryption
 */

/**
 * What the message gets: signed, encrypted, both, or (not allowed) neither.
 * @param {{ sign: boolean, encrypt: boolean }} choices
 * @returns {"sign" | "encrypt" | "both" | "none"}
 */
export function protectionMode({ sign, encrypt }) {
  return sign && encrypt ? "both" : sign ? "sign" : encrypt ? "encrypt" : "none";
}

const BUTTON_LABELS = {
  sign: "Sign",
  encrypt: "Encrypt",
  both: "Sign and encrypt",
  none: "Sign",
};

/** @typedef {import("../keyring.js").Keyring} Keyring */

/**
 * @param {Keyring} keyring  the senders, and the certificates encrypted to
 */
export function setUpProtection(keyring) {
  const form = byId("compose-form", HTMLFormElement);
  const from = byId("from", HTMLSelectElement);
  const to = byId("to", HTMLInputElement);
  const signSwitch = byId("sign-switch", HTMLInputElement);
  const encryptSwitch = byId("encrypt-switch", HTMLInputElement);
  const hint = byId("protection-hint", HTMLElement);
  const signatureOptions = byId("signature-options", HTMLFieldSetElement);
  const encryptionOptions = byId("encryption-options", HTMLFieldSetElement);
  const digest = byId("digest", HTMLSelectElement);
  const recipients = byId("encryption-recipients", HTMLElement);
  const button = byId("compose-button", HTMLButtonElement);
  let busy = true;

  /** @returns {Choices} */
  function choices() {
    return {
      sign: signSwitch.checked,
      encrypt: encryptSwitch.checked,
      format: radioValue("format") === "opaque" ? "opaque" : "detached",
      digest: /** @type {Choices["digest"]} */ (digest.value),
      contentEncryption: /** @type {ContentEncryption} */ (radioValue("contentEncryption") || "aes-256-cbc"),
    };
  }

  /**
   * The checked value of a radio group (read even while its fieldset is disabled, which
   * FormData would skip).
   * @param {string} name
   */
  function radioValue(name) {
    const group = form.elements.namedItem(name);
    return group instanceof RadioNodeList ? group.value : "";
  }

  function refresh() {
    const { sign, encrypt } = choices();
    const mode = protectionMode({ sign, encrypt });
    signatureOptions.hidden = !sign;
    signatureOptions.disabled = !sign;
    encryptionOptions.hidden = !encrypt;
    encryptionOptions.disabled = !encrypt;
    hint.hidden = mode !== "none";
    button.textContent = BUTTON_LABELS[mode];
    button.disabled = busy || mode === "none";
    form.dataset.protection = mode;
    if (encrypt) describeRecipients();
  }

  /** Whom the message will be encrypted for, updated as the To field changes. */
  function describeRecipients() {
    const { sign, contentEncryption: cipher } = choices();
    const known = keyring.identities();
    const sender = known.find((identity) => identity.info.fingerprintSha256 === from.value);
    if (!sender) return;
    const contacts = keyring.people();
    const plan = planEncryption(addresses(to.value), sender, known, contacts);
    if (plan.missing.length > 0) {
      recipients.dataset.state = "blocked";
      recipients.textContent = `Cannot encrypt: ${missingCertificatesText(plan.missing, knownAddresses(known, contacts))}`;
      return;
    }
    recipients.dataset.state = "ready";
    const self = sender.info.emails[0];
    const others = otherRecipients(plan, sender);
    const whom =
      others.length === 0
        ? `Encrypted for you (${self}) only: add the recipients' addresses above.`
        : `Encrypted for ${listText(others)}, and for you (${self}) so that you can read it later.`;
    const how = `${contentEncryptionName(cipher)}, ${integrityWords(cipher)}.`;
    const caution =
      !sign && !protectsIntegrity(cipher)
        ? " Without a signature nothing shows the recipients whether it was changed on the way."
        : "";
    recipients.textContent = `${whom} ${how}${caution}`;
  }

  form.addEventListener("change", refresh); // the switches, the sender, the cipher
  to.addEventListener("input", refresh);

  return {
    choices,
    /**
     * The certificates to encrypt for, or the addresses that have none.
     * @param {Identity} sender
     * @param {Identity[]} identities  the live identities (reloaded if the worker restarted)
     */
    plan: (sender, identities) => planEncryption(addresses(to.value), sender, identities, keyring.people()),
    refresh,
    /** @param {boolean} value  while a message is being made, the button stays off */
    setBusy(value) {
      busy = value;
      refresh();
    },
  };
}
