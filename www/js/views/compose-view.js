// @ts-check
/**
 * The compose pane: pick a demo sender, write, sign; then show, download or verify the result.
 */
import { byId, h, sizeText } from "../dom.js";
import { commonName, digestName } from "../ui-text.js";
import { clearError, showError } from "./error-view.js";

/** @typedef {import("../smime-client.js").SmimeClient} SmimeClient */
/** @typedef {import("../smime-client.js").Identity} Identity */

/**
 * @typedef {object} ComposeContext
 * @property {SmimeClient} client
 * @property {() => Promise<Identity[]>} senders  the demo identities, reloaded if the worker restarted
 * @property {(bytes: Uint8Array, name: string) => void} verify  hands a message to the reader
 */

const FILE_NAME = "signed-message.eml";

/**
 * @param {ComposeContext} context
 * @param {Identity[]} senders
 */
export function setUpCompose(context, senders) {
  const form = byId("compose-form", HTMLFormElement);
  const from = byId("from", HTMLSelectElement);
  const to = byId("to", HTMLInputElement);
  const subject = byId("subject", HTMLInputElement);
  const body = byId("body", HTMLTextAreaElement);
  const digest = byId("digest", HTMLSelectElement);
  const signButton = byId("sign-button", HTMLButtonElement);
  const errorBox = byId("compose-error", HTMLElement);
  const output = byId("signed-output", HTMLElement);
  const summary = byId("signed-summary", HTMLElement);
  const eml = byId("signed-eml", HTMLTextAreaElement);
  const download = byId("download-signed", HTMLAnchorElement);
  const verifyButton = byId("verify-signed", HTMLButtonElement);

  from.replaceChildren(
    ...senders.map((identity, index) =>
      h("option", { value: String(index) }, `${commonName(identity.info.subject)} <${identity.info.emails[0]}>`),
    ),
  );
  from.disabled = false;
  signButton.disabled = false;

  /** @type {Uint8Array | null} */
  let signed = null;

  form.addEventListener("submit", async (event) => {
    event.preventDefault(); // the page never submits anywhere (CSP form-action 'none')
    clearError(errorBox);
    signButton.disabled = true;
    form.setAttribute("aria-busy", "true");
    try {
      const sender = (await context.senders())[Number(from.value)];
      const format = /** @type {"detached" | "opaque"} */ (
        new FormData(form).get("format") === "opaque" ? "opaque" : "detached"
      );
      const hash = /** @type {"sha256" | "sha384" | "sha512"} */ (digest.value);
      const message = await context.client.composeMessage({
        from: sender.info.emails[0],
        to: addresses(to.value),
        subject: subject.value,
        text: body.value,
      });
      signed = await context.client.sign({ message, signingKey: sender, format, digest: hash });
      show(signed, `${format === "opaque" ? "Opaque" : "Detached"} signature by ${sender.info.emails[0]}, ${digestName(hash)}`, format);
    } catch (error) {
      showError(errorBox, "Could not sign the message.", error);
    } finally {
      signButton.disabled = false;
      form.removeAttribute("aria-busy");
    }
  });

  verifyButton.addEventListener("click", () => {
    if (signed) context.verify(signed, FILE_NAME);
  });

  /**
   * @param {Uint8Array} bytes
   * @param {string} description
   * @param {string} format
   */
  function show(bytes, description, format) {
    eml.value = new TextDecoder().decode(bytes);
    summary.textContent = `${description} · ${sizeText(bytes.length)}`;
    output.dataset.format = format;
    if (download.href) URL.revokeObjectURL(download.href);
    const blob = new Blob([/** @type {Uint8Array<ArrayBuffer>} */ (bytes)], { type: "message/rfc822" });
    download.href = URL.createObjectURL(blob);
    download.download = FILE_NAME;
    output.hidden = false;
  }
}

/**
 * "a@x.org, b@y.org" -> ["a@x.org", "b@y.org"]
 * @param {string} value
 */
function addresses(value) {
  return value
    .split(/[,;]/)
    .map((address) => address.trim())
    .filter(Boolean);
}
