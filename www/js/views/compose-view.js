// @ts-check
/**
 * The compose pane: pick a demo sender, write, then sign, encrypt, or sign then encrypt; show,
 * download or open the result.
 */
import { byId, h, sizeText } from "../dom.js";
import { contentEncryptionName, integrityWords, listText, missingCertificatesText } from "../encryption-text.js";
import { addresses, knownAddresses, otherRecipients } from "../recipients.js";
import { commonName, digestName } from "../ui-text.js";
import { clearError, showError, showProblem } from "./error-view.js";
import { protectionMode, setUpProtection } from "./protection-view.js";

/** @typedef {import("../smime-client.js").SmimeClient} SmimeClient */
/** @typedef {import("../smime-client.js").Identity} Identity */
/** @typedef {import("./protection-view.js").Choices} Choices */

/**
 * @typedef {object} ComposeContext
 * @property {SmimeClient} client
 * @property {() => Promise<Identity[]>} senders  the live identities, demo ones reloaded if the worker restarted
 * @property {import("../keyring.js").Keyring} keyring  identities and contacts
 * @property {(bytes: Uint8Array, name: string) => void} verify  hands a message to the reader
 */

/** What the result is called, by what was done to it. */
const RESULTS = {
  sign: { title: "Signed message", file: "signed-message.eml" },
  encrypt: { title: "Encrypted message", file: "encrypted-message.eml" },
  both: { title: "Signed and encrypted message", file: "signed-encrypted-message.eml" },
};

const VERBS = { sign: "sign", encrypt: "encrypt", both: "sign and encrypt", none: "send" };

/**
 * @param {ComposeContext} context
 */
export function setUpCompose(context) {
  const form = byId("compose-form", HTMLFormElement);
  const from = byId("from", HTMLSelectElement);
  const to = byId("to", HTMLInputElement);
  const subject = byId("subject", HTMLInputElement);
  const body = byId("body", HTMLTextAreaElement);
  const errorBox = byId("compose-error", HTMLElement);
  const output = byId("composed-output", HTMLElement);
  const title = byId("composed-title", HTMLElement);
  const summary = byId("composed-summary", HTMLElement);
  const eml = byId("composed-eml", HTMLTextAreaElement);
  const download = byId("download-composed", HTMLAnchorElement);
  const openButton = byId("open-composed", HTMLButtonElement);

  /** Lists the senders by fingerprint, keeping the one chosen. */
  function listSenders() {
    const chosen = from.value;
    from.replaceChildren(
      ...context.keyring.identities().map((identity) =>
        h(
          "option",
          { value: identity.info.fingerprintSha256, selected: identity.info.fingerprintSha256 === chosen },
          `${commonName(identity.info.subject) || identity.info.emails[0]} <${identity.info.emails[0]}>`,
        ),
      ),
    );
  }
  listSenders();
  from.disabled = false;
  const protection = setUpProtection(context.keyring);
  protection.setBusy(false);
  context.keyring.subscribe(() => {
    listSenders();
    protection.refresh();
  });

  /** @type {{ bytes: Uint8Array, file: string } | null} */
  let composed = null;

  form.addEventListener("submit", async (event) => {
    event.preventDefault(); // the page never submits anywhere (CSP form-action 'none')
    clearError(errorBox);
    protection.setBusy(true);
    form.setAttribute("aria-busy", "true");
    const choices = protection.choices();
    const mode = protectionMode(choices);
    try {
      if (mode === "none") return; // the button is off; Enter in a field must not send plain mail
      const identities = await context.senders();
      const sender = identities.find((identity) => identity.info.fingerprintSha256 === from.value);
      if (!sender) {
        showProblem(errorBox, "Could not sign the message.", "The sender's key is gone (the engine restarted): import it again.");
        return;
      }
      const plan = choices.encrypt ? protection.plan(sender, identities) : null;
      if (plan && plan.missing.length > 0) {
        const why = missingCertificatesText(plan.missing, knownAddresses(identities, context.keyring.people()));
        showProblem(errorBox, "Could not encrypt the message.", why);
        return;
      }
      let message = await context.client.composeMessage({
        from: sender.info.emails[0],
        to: addresses(to.value),
        subject: subject.value,
        text: body.value,
      });
      /** @type {string[]} */
      const done = [];
      if (choices.sign) {
        const { format, digest } = choices;
        message = await context.client.sign({ message, signingKey: sender, format, digest });
        done.push(`${format === "opaque" ? "Opaque" : "Detached"} signature by ${sender.info.emails[0]}, ${digestName(digest)}`);
      }
      if (plan) {
        const { contentEncryption } = choices;
        message = await context.client.encrypt({ message, recipients: plan.certificates, contentEncryption });
        const whom = listText([...otherRecipients(plan, sender), `you (${sender.info.emails[0]})`]);
        const how = `${contentEncryptionName(contentEncryption)}, ${integrityWords(contentEncryption)}`;
        done.push(`${choices.sign ? "then encrypted" : "Encrypted"} for ${whom} with ${how}`);
      }
      show(message, done.join(", "), { ...choices, mode });
    } catch (error) {
      showError(errorBox, `Could not ${VERBS[mode]} the message.`, error);
    } finally {
      protection.setBusy(false);
      form.removeAttribute("aria-busy");
    }
  });

  openButton.addEventListener("click", () => {
    if (composed) context.verify(composed.bytes, composed.file);
  });

  /**
   * @param {Uint8Array} bytes
   * @param {string} description
   * @param {Choices & { mode: "sign" | "encrypt" | "both" }} choices
   */
  function show(bytes, description, { sign, encrypt, format, mode }) {
    const result = RESULTS[mode];
    composed = { bytes, file: result.file };
    title.textContent = result.title;
    eml.value = new TextDecoder().decode(bytes);
    summary.textContent = `${description} · ${sizeText(bytes.length)}`;
    output.dataset.format = sign ? format : "";
    output.dataset.encrypted = String(encrypt);
    if (download.href) URL.revokeObjectURL(download.href);
    const blob = new Blob([/** @type {Uint8Array<ArrayBuffer>} */ (bytes)], { type: "message/rfc822" });
    download.href = URL.createObjectURL(blob);
    download.download = result.file;
    output.hidden = false;
  }
}
