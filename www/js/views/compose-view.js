// @ts-check
/**
 * The compose view: From (the current account), To, Cc, Subject, the text, attachments (picker
 * or drag-and-drop), each recipient's certificate state, the protection panel, then Send (the
 * pipeline in outbox.js, with progress) or Save draft. New messages, replies, reply-all,
 * forwards and reopened drafts all start here from a `ComposeRequest`.
 */
import {
  DRAFT_NOTE,
  STEP_TEXT,
  certificateStateText,
  deliveredText,
  forwardSubject,
  forwardedBody,
  notDeliveredText,
  quotedReply,
  replySubject,
} from "../compose-text.js";
import { downloadFile, fileStem, h, sizeText } from "../dom.js";
import { listText } from "../encryption-text.js";
import { saveDraft, send } from "../outbox.js";
import { CertificateFinder, addresses, mailboxText, replyAddresses, unique } from "../recipients.js";
import { isCancelled } from "../shell.js";
import { clearError, showError, showProblem } from "./error-view.js";
import { setUpProtection } from "./protection-view.js";

/** @typedef {import("../shell.js").Shell} Shell */
/** @typedef {import("../shell.js").ComposeRequest} ComposeRequest */
/** @typedef {import("../store.js").AccountRecord} AccountRecord */
/** @typedef {import("../store.js").Folder} Folder */
/** @typedef {import("../outbox.js").OutgoingAttachment} OutgoingAttachment */
/** @typedef {import("../outbox.js").Sent} Sent */
/** @typedef {import("../recipients.js").RecipientCertificate} RecipientCertificate */
/** @typedef {import("../recipients.js").Encryption} Encryption */
/**
 * @typedef {object} Lookup  what is known of the recipients typed so far
 * @property {RecipientCertificate[]} entries  one per address
 * @property {Encryption} encryption  whom the message is encrypted for, and with what
 */

/** From this total size on, the view says that sending takes a moment. */
const LARGE = 10 * 1024 * 1024;

const TITLES = {
  new: "New message",
  reply: "Reply",
  "reply-all": "Reply to all",
  forward: "Forward",
  draft: "Draft",
};

/**
 * @param {Shell} shell
 * @param {HTMLElement} section
 * @returns {{ show: (request?: ComposeRequest) => void }}
 */
export function setUpCompose(shell, section) {
  const finder = new CertificateFinder(shell);

  // ---- the form ----
  const title = h("h2", { "data-role": "compose-title", tabindex: "-1" }, TITLES.new);
  const from = h("p", { class: "compose-from", id: "compose-from", "data-role": "from" });
  const to = textInput("compose-to", "to");
  const cc = textInput("compose-cc", "cc");
  const subject = h("input", { type: "text", id: "compose-subject", "data-role": "subject", autocomplete: "off" });
  const body = h("textarea", { id: "compose-body", rows: "12", "data-role": "body" });
  const states = h("ul", { class: "recipient-states", "data-role": "recipient-states", "aria-live": "polite", "aria-label": "Recipients' certificates" });
  const fileInput = h("input", { type: "file", multiple: true, id: "compose-files", class: "visually-hidden", "data-role": "attachment-input" });
  const attachmentList = h("ul", { class: "attachment-list", "data-role": "attachment-list", "aria-label": "Attachments" });
  const attachmentTotal = h("p", { class: "hint", "data-role": "attachment-total", hidden: true });
  const protection = setUpProtection({ onChange: () => updateButtons() });
  const sendButton = h("button", { type: "submit", class: "primary", "data-action": "send" }, "Send");
  const draftButton = h("button", { type: "button", "data-action": "save-draft" }, "Save draft");
  const discardButton = h("button", { type: "button", "data-action": "discard" }, "Discard");
  const draftStatus = h("p", { class: "hint draft-status", "data-role": "draft-status", "aria-live": "polite" });
  const progressBar = h("progress", { max: "1", value: "0", "aria-labelledby": "compose-step" });
  const progressStep = h("span", { id: "compose-step", "data-role": "send-step" });
  const progress = h("div", { class: "send-progress", "data-role": "send-progress", hidden: true }, progressBar, progressStep);
  const errorBox = h("div", { class: "error", role: "alert", "data-role": "compose-error", hidden: true });
  const fields = h(
    "fieldset",
    { class: "compose-fields" },
    h("legend", { class: "visually-hidden" }, "Message"),
    h("div", { class: "compose-row" }, h("span", { class: "compose-label", id: "compose-from-label" }, "From"), from),
    h("div", { class: "compose-row" }, h("label", { for: "compose-to", class: "compose-label" }, "To"), to),
    h("div", { class: "compose-row" }, h("label", { for: "compose-cc", class: "compose-label" }, "Cc"), cc),
    h("p", { class: "hint compose-hint", id: "compose-address-hint" }, "Separate several addresses with commas."),
    states,
    h("div", { class: "compose-row" }, h("label", { for: "compose-subject", class: "compose-label" }, "Subject"), subject),
    protection.element,
    h("div", { class: "field" }, h("label", { for: "compose-body" }, "Message"), body),
    h(
      "div",
      { class: "attachments", "data-role": "attachments" },
      fileInput,
      h("label", { for: "compose-files", class: "button attach-button" }, "Attach files…"),
      " ",
      h("span", { class: "hint" }, "or drop files anywhere on this message."),
      attachmentList,
      attachmentTotal,
    ),
    h("div", { class: "actions" }, sendButton, draftButton, discardButton),
    h("p", { class: "hint", "data-role": "draft-note" }, DRAFT_NOTE),
    draftStatus,
  );
  const form = h("form", { class: "compose-form", "data-role": "compose-form", novalidate: true }, fields, progress, errorBox);
  to.setAttribute("aria-describedby", "compose-address-hint");
  cc.setAttribute("aria-describedby", "compose-address-hint");
  from.setAttribute("aria-labelledby", "compose-from-label");

  // ---- the result of sending ----
  const delivered = h("p", { class: "delivered", "data-role": "delivered" });
  const notDelivered = h("p", { class: "not-delivered", "data-role": "not-delivered" });
  const downloadButton = h("button", { type: "button", class: "primary", "data-action": "download-eml" }, "Download the .eml");
  const notDeliveredBox = h("div", { class: "not-delivered-box" }, notDelivered, downloadButton);
  const protectionDone = h("p", { "data-role": "sent-protection" });
  const openSent = h("button", { type: "button", "data-action": "open-sent" }, "Open Sent");
  const another = h("button", { type: "button", "data-action": "write-another" }, "Write another message");
  const result = h(
    "div",
    { class: "send-result", "data-role": "send-result", hidden: true },
    delivered,
    notDeliveredBox,
    protectionDone,
    h("p", {}, "A copy is in your Sent folder."),
    h("div", { class: "actions" }, openSent, another),
  );

  section.replaceChildren(title, form, result);
  section.classList.add("compose");

  // ---- state ----
  /**
   * @typedef {object} State
   * @property {AccountRecord} account
   * @property {ComposeRequest} request
   * @property {number} [draftId]
   * @property {OutgoingAttachment[]} attachments
   * @property {string} [inReplyTo]
   * @property {string[]} [references]
   * @property {RecipientCertificate[]} entries
   * @property {boolean} sending
   * @property {(Sent & { filename: string }) | null} sent
   */
  /** @type {State | null} */
  let state = null;
  let generation = 0;
  /** @type {ReturnType<typeof setTimeout> | undefined} */
  let lookupTimer;

  shell.contacts.addEventListener("change", () => {
    finder.forget();
    refreshQuietly();
  });
  shell.accounts.addEventListener("change", () => finder.forget()); // the directory may have changed

  // ---- recipients ----
  /** The To and Cc addresses typed so far. */
  function typed() {
    return { to: addresses(to.value), cc: addresses(cc.value) };
  }

  /**
   * Looks up every address's certificate and what the engine will choose for them, and shows
   * both; resolves to them (null when nothing is being written).
   * @returns {Promise<Lookup | null>}
   */
  async function refreshRecipients() {
    if (!state) return null;
    const { account } = state;
    const mine = ++generation;
    const { to: toList, cc: ccList } = typed();
    const all = unique([...toList, ...ccList]);
    const entries = await Promise.all(all.map((address) => finder.find(account.id, address)));
    const encryption = await finder.encryptionFor(entries, account);
    if (mine !== generation || !state) return { entries, encryption }; // a newer lookup is on its way
    state.entries = entries;
    states.replaceChildren(
      ...entries.map((entry) =>
        h(
          "li",
          { "data-role": "recipient-state", "data-address": entry.address, "data-state": entry.state },
          h("span", { class: "recipient-address" }, entry.address),
          " ",
          h("span", { class: "recipient-certificate" }, certificateStateText(entry)),
        ),
      ),
    );
    protection.update(account, entries, encryption.choice);
    updateButtons();
    return { entries, encryption };
  }

  /** Refreshes the states in the background; a failed lookup is shown, never thrown. */
  function refreshQuietly() {
    refreshRecipients().catch((error) => showError(errorBox, "Could not look up the recipients' certificates.", error));
  }

  function scheduleLookup() {
    clearTimeout(lookupTimer);
    lookupTimer = setTimeout(refreshQuietly, 150);
  }
  to.addEventListener("input", scheduleLookup);
  cc.addEventListener("input", scheduleLookup);
  to.addEventListener("change", refreshQuietly);
  cc.addEventListener("change", refreshQuietly);

  function updateButtons() {
    const invalid = (state?.entries ?? []).some((entry) => entry.state === "invalid");
    const blocked = protection.missing().length > 0;
    sendButton.disabled = !state || state.sending || blocked || invalid;
    draftButton.disabled = !state || state.sending;
    sendButton.title = blocked ? "Encryption is on and not every recipient's certificate is known" : "";
  }

  // ---- attachments ----
  /** @param {FileList | File[]} files */
  function addFiles(files) {
    if (!state) return;
    for (const file of files) {
      state.attachments.push({ filename: file.name, contentType: file.type || "application/octet-stream", size: file.size, blob: file });
    }
    renderAttachments();
    shell.announce(files.length === 1 ? `${files[0].name} attached.` : `${files.length} files attached.`);
  }

  function renderAttachments() {
    const list = state?.attachments ?? [];
    attachmentList.replaceChildren(
      ...list.map((attachment, index) => {
        const remove = h("button", { type: "button", class: "link", "data-action": "remove-attachment", "aria-label": `Remove ${attachment.filename}` }, "Remove");
        remove.addEventListener("click", () => {
          state?.attachments.splice(index, 1);
          renderAttachments();
          fileInput.focus();
        });
        return h(
          "li",
          { "data-role": "attachment", "data-filename": attachment.filename },
          h("span", { class: "attachment-name" }, attachment.filename),
          " ",
          h("span", { class: "attachment-size", "data-role": "attachment-size" }, sizeText(attachment.size)),
          " ",
          remove,
        );
      }),
    );
    const total = list.reduce((sum, a) => sum + a.size, 0);
    attachmentTotal.hidden = list.length === 0;
    attachmentTotal.textContent =
      `${list.length === 1 ? "1 attachment" : `${list.length} attachments`}, ${sizeText(total)} in all.` +
      (total >= LARGE ? " Large attachments take a few seconds to sign and encrypt; the progress is shown while the message is sent." : "");
  }

  fileInput.addEventListener("change", () => {
    if (fileInput.files && fileInput.files.length > 0) addFiles([...fileInput.files]);
    fileInput.value = "";
  });

  /** @param {DragEvent} event */
  const carriesFiles = (event) => event.dataTransfer?.types.includes("Files") ?? false;
  section.addEventListener("dragenter", (event) => {
    if (!carriesFiles(event) || !state || state.sending || form.hidden) return;
    event.preventDefault();
    section.dataset.dragging = "true";
  });
  section.addEventListener("dragover", (event) => {
    if (!carriesFiles(event) || !state || state.sending || form.hidden) return;
    event.preventDefault();
    if (event.dataTransfer) event.dataTransfer.dropEffect = "copy";
    section.dataset.dragging = "true";
  });
  section.addEventListener("dragleave", (event) => {
    if (!(event.relatedTarget instanceof Node && section.contains(event.relatedTarget))) delete section.dataset.dragging;
  });
  section.addEventListener("drop", (event) => {
    delete section.dataset.dragging;
    if (!carriesFiles(event) || !state || state.sending || form.hidden) return;
    event.preventDefault();
    const files = event.dataTransfer?.files;
    if (files && files.length > 0) addFiles([...files]);
  });

  // ---- sending ----
  /** A Send is being prepared (lookups, the passphrase) or made: a second click does nothing. */
  let sendInFlight = false;
  form.addEventListener("submit", async (event) => {
    event.preventDefault(); // the page never submits anywhere (CSP form-action 'none')
    if (sendInFlight) return;
    sendInFlight = true;
    try {
      await sendNow();
    } finally {
      sendInFlight = false;
    }
  });

  async function sendNow() {
    if (!state || state.sending) return;
    const current = state;
    clearError(errorBox);
    const { to: toList, cc: ccList } = typed();
    if (toList.length + ccList.length === 0) {
      showProblem(errorBox, "Could not send the message.", "Add at least one recipient in To or Cc.");
      to.focus();
      return;
    }
    clearTimeout(lookupTimer);
    /** @type {Lookup | null} */
    let lookup;
    try {
      lookup = await refreshRecipients();
    } catch (error) {
      showError(errorBox, "Could not look up the recipients' certificates.", error);
      return;
    }
    if (!lookup) return;
    const { entries, encryption } = lookup;
    const invalid = entries.filter((entry) => entry.state === "invalid").map((entry) => entry.address);
    if (invalid.length > 0) {
      const what = invalid.length === 1 ? `${invalid[0]} is not an e-mail address.` : `${listText(invalid)} are not e-mail addresses.`;
      showProblem(errorBox, "Could not send the message.", `${what} Correct it, or remove it.`);
      return;
    }
    const choices = protection.choices();
    if (choices.encrypt && entries.some((entry) => entry.state === "missing")) {
      protection.focusBlocked(); // the explanation is on screen: how to get a certificate
      return;
    }
    let key = null;
    if (choices.sign) {
      try {
        key = await shell.unlocked(current.account.id, "to sign this message");
      } catch (error) {
        if (!isCancelled(error)) showError(errorBox, "Could not unlock your key to sign the message.", error);
        return;
      }
    }
    if (state !== current) return; // the view moved on while the passphrase was asked
    setSending(true);
    try {
      const sent = await send(
        shell,
        {
          account: current.account,
          to: toList,
          cc: ccList,
          subject: subject.value,
          text: body.value,
          attachments: current.attachments,
          inReplyTo: current.inReplyTo,
          references: current.references,
          sign: key ? { key, format: choices.format, digest: choices.digest } : null,
          encrypt: choices.encrypt
            ? { recipients: encryption.recipients, contentEncryption: choices.contentEncryption }
            : null,
          draftId: current.draftId,
        },
        ({ step, index, total }) => {
          progressBar.max = total;
          progressBar.value = index;
          progressStep.textContent = STEP_TEXT[step];
          progress.dataset.step = step;
        },
      );
      if (state !== current) return;
      current.draftId = undefined;
      current.sent = { ...sent, filename: `${fileStem(subject.value.trim() || "message")}.eml` };
      showResult(current.sent, choices);
    } catch (error) {
      if (state === current) showError(errorBox, "Could not send the message.", error);
    } finally {
      if (state === current) setSending(false);
    }
  }

  /** @param {boolean} sending */
  function setSending(sending) {
    if (!state) return;
    state.sending = sending;
    fields.disabled = sending;
    progress.hidden = !sending;
    form.setAttribute("aria-busy", String(sending));
    if (sending) {
      progressBar.value = 0;
      progressStep.textContent = "Starting…";
    }
    updateButtons();
  }

  /**
   * @param {Sent} sent
   * @param {{ sign: boolean, encrypt: boolean }} choices
   */
  function showResult(sent, { sign, encrypt }) {
    form.hidden = true;
    result.hidden = false;
    result.dataset.delivered = String(sent.delivered.length);
    result.dataset.notDelivered = String(sent.notDelivered.length);
    title.textContent =
      sent.notDelivered.length === 0
        ? "Message sent"
        : sent.delivered.length > 0
          ? "Message sent; some addresses need the .eml"
          : "Message ready: download the .eml";
    delivered.hidden = sent.delivered.length === 0;
    delivered.textContent = sent.delivered.length > 0 ? deliveredText(sent.delivered, shell.transport.name) : "";
    notDeliveredBox.hidden = sent.notDelivered.length === 0;
    notDelivered.textContent = sent.notDelivered.length > 0 ? notDeliveredText(sent.notDelivered) : "";
    protectionDone.textContent =
      sign && encrypt ? "It was signed and encrypted." : sign ? "It was signed, not encrypted." : encrypt ? "It was encrypted, not signed." : "It was neither signed nor encrypted.";
    shell.announce(`${title.textContent}.`);
    title.focus();
  }

  downloadButton.addEventListener("click", () => {
    if (state?.sent) downloadFile(state.sent.raw, state.sent.filename, "message/rfc822");
  });
  openSent.addEventListener("click", () => {
    if (state?.sent) shell.show("mailbox", { folder: "sent", messageId: state.sent.sentId });
  });
  another.addEventListener("click", () => shell.compose({ mode: "new" }));

  // ---- drafts ----
  draftButton.addEventListener("click", async () => {
    if (!state || state.sending) return;
    const current = state;
    clearError(errorBox);
    const choices = protection.choices();
    const { to: toList, cc: ccList } = typed();
    draftButton.disabled = true;
    try {
      current.draftId = await saveDraft(
        shell,
        current.account,
        {
          to: toList,
          cc: ccList,
          subject: subject.value,
          text: body.value,
          attachments: current.attachments,
          sign: choices.sign,
          encrypt: choices.encrypt,
          inReplyTo: current.inReplyTo,
          references: current.references,
        },
        current.draftId,
      );
      title.textContent = TITLES.draft;
      section.dataset.draftId = String(current.draftId);
      draftStatus.textContent = `Draft saved at ${new Date().toLocaleTimeString()}.`;
      shell.announce("Draft saved.");
    } catch (error) {
      showError(errorBox, "Could not save the draft.", error);
    } finally {
      draftButton.disabled = false;
      updateButtons();
    }
  });

  discardButton.addEventListener("click", () => {
    const request = state?.request;
    /** @type {Folder} */
    const folder = request?.mode === "draft" ? "drafts" : (request?.record?.folder ?? "inbox");
    state = null;
    shell.show("mailbox", { folder, messageId: request?.mode === "draft" ? undefined : request?.record?.id });
  });

  // ---- showing a request ----
  /** @param {ComposeRequest} [request] */
  function show(request = { mode: "new" }) {
    const account = shell.accounts.current;
    if (!account) return;
    if (state?.sending && state.account.id === account.id && request.mode === "new" && !request.to) {
      return; // the Write button pressed while sending: keep showing the progress
    }
    clearTimeout(lookupTimer);
    clearError(errorBox);
    generation++;
    form.hidden = false;
    result.hidden = true;
    fields.disabled = false;
    progress.hidden = true;
    form.removeAttribute("aria-busy");
    draftStatus.textContent = "";
    delete section.dataset.draftId;
    delete section.dataset.dragging;
    states.replaceChildren();

    const filled = prefill(request, account);
    state = {
      account,
      request,
      draftId: request.mode === "draft" ? request.record?.id : undefined,
      attachments: filled.attachments,
      inReplyTo: filled.inReplyTo,
      references: filled.references,
      entries: [],
      sending: false,
      sent: null,
    };
    if (state.draftId !== undefined) section.dataset.draftId = String(state.draftId);
    section.dataset.mode = request.mode;
    title.textContent = TITLES[request.mode] ?? TITLES.new;
    from.textContent = mailboxText(account.email, account.name);
    to.value = filled.to.join(", ");
    cc.value = filled.cc.join(", ");
    subject.value = filled.subject;
    body.value = filled.text;
    renderAttachments();
    protection.reset({ sign: filled.sign, encrypt: filled.encrypt });
    updateButtons();

    const current = state;
    refreshRecipients().then((lookup) => {
      // A reply to encrypted mail stays encrypted when every recipient's certificate is known.
      const known = lookup?.entries.every((e) => e.state === "contact" || e.state === "directory") ?? false;
      if (state === current && filled.keepEncryption && known) {
        protection.encryptOn();
        updateButtons();
      }
    }, (error) => showError(errorBox, "Could not look up the recipients' certificates.", error));

    if (request.mode === "reply" || request.mode === "reply-all") {
      body.focus();
      body.setSelectionRange(0, 0);
    } else if (!to.value) {
      to.focus();
    } else if (!subject.value) {
      subject.focus();
    } else {
      body.focus();
    }
  }

  /**
   * What the form starts with for a request.
   * @param {ComposeRequest} request
   * @param {AccountRecord} account
   */
  function prefill(request, account) {
    const defaults = { sign: shell.settings.sign, encrypt: shell.settings.encrypt };
    /** @type {{ to: string[], cc: string[], subject: string, text: string, attachments: OutgoingAttachment[],
     *           inReplyTo?: string, references?: string[], sign: boolean, encrypt: boolean, keepEncryption: boolean }} */
    const filled = { to: request.to ?? [], cc: [], subject: "", text: "", attachments: [], ...defaults, keepEncryption: false };
    const record = request.record;
    if (request.mode === "draft" && record?.draft) {
      const d = record.draft;
      return {
        ...filled,
        to: d.to,
        cc: d.cc,
        subject: d.subject,
        text: d.text,
        attachments: d.attachments.map((a) => ({ ...a, size: a.data.length })),
        inReplyTo: d.inReplyTo,
        references: d.references,
        sign: d.sign,
        encrypt: d.encrypt,
      };
    }
    if (request.mode === "new" || request.mode === "draft" || !record) return filled;

    const headers = request.view?.headers ?? record.headers;
    const text = request.view?.text ?? htmlText(request.view?.html) ?? "";
    const encrypted =
      request.opened?.layers.some((layer) => layer.kind === "encrypted") ??
      (record.security?.encrypted || record.headers.protection === "encrypted");
    const messageId = headers.messageId ?? undefined;
    const references = messageId ? [...(headers.references ?? []).filter((r) => r !== messageId), messageId] : [...(headers.references ?? [])];
    if (request.mode === "forward") {
      return {
        ...filled,
        subject: forwardSubject(headers.subject),
        text: forwardedBody(headers, text),
        attachments: (request.view?.attachments ?? []).map((part, i) => ({
          filename: part.filename || `attachment-${i + 1}`,
          contentType: part.contentType,
          size: part.data.length,
          data: part.data,
        })),
        references: references.length > 0 ? references : undefined,
        keepEncryption: encrypted,
      };
    }
    const { to: replyTo, cc: replyCc } = replyAddresses(headers, request.mode, account.email);
    return {
      ...filled,
      to: replyTo,
      cc: replyCc,
      subject: replySubject(headers.subject),
      text: quotedReply(headers, text),
      inReplyTo: messageId,
      references: references.length > 0 ? references : undefined,
      keepEncryption: encrypted,
    };
  }

  return { show };
}

/**
 * An address field.
 * @param {string} id
 * @param {string} role
 */
function textInput(id, role) {
  return h("input", { type: "text", id, "data-role": role, inputmode: "email", autocomplete: "off", spellcheck: "false" });
}

/**
 * The text of an HTML body, for quoting (parsed inertly: nothing loads, nothing runs).
 * @param {string | null | undefined} html
 */
function htmlText(html) {
  if (!html) return null;
  const doc = new DOMParser().parseFromString(html, "text/html");
  for (const br of doc.querySelectorAll("br")) br.replaceWith("\n");
  for (const block of doc.querySelectorAll("p, div, li, tr, h1, h2, h3, h4, h5, h6")) block.append("\n");
  return (doc.body.textContent ?? "").replace(/\n{3,}/g, "\n\n").trim();
}
