// End-to-end tests of compose and send: recipients' certificate states, signed and encrypted
// mail delivered to another account in the same browser (and readable by the sender from Sent),
// encryption blocked without a certificate, signed-only mail offered as an .eml, drafts, a large
// attachment sent with progress while the page stays responsive, and a reply's prefill.
import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import { describe, test } from "node:test";
import {
  answerUnlock,
  assertClean,
  createDemoAccounts,
  openStoredMessage,
  screenshot,
  selectAccount,
  storedMessages,
  useBrowser,
} from "./shell.mjs";

/** @typedef {import("playwright-core").Page} Page */

/**
 * Opens an empty compose view with the nav's Write button.
 * @param {Page} page
 */
async function write(page) {
  await page.locator('nav [data-action="write"]').click();
  await page.waitForFunction(() => document.body.dataset.view === "compose");
  await page.locator('[data-role="to"]').waitFor();
}

/**
 * Waits for an address's certificate state and returns it.
 * @param {Page} page
 * @param {string} address
 */
async function recipientState(page, address) {
  const item = page.locator(`[data-role="recipient-state"][data-address="${address}"]`);
  await item.waitFor();
  return { state: await item.getAttribute("data-state"), text: await item.innerText() };
}

/**
 * Clicks Send (answering the passphrase if asked) and waits for the result.
 * @param {Page} page
 */
async function sendAndWait(page) {
  await page.locator('[data-action="send"]').click();
  await answerUnlock(page, undefined, 1000);
  const result = page.locator('[data-role="send-result"]');
  await result.waitFor({ timeout: 120_000 });
  return result;
}

/** Test bytes that are not text: every byte value, in a pattern. */
const BINARY = Buffer.from(Array.from({ length: 50_000 }, (_, i) => (i * 31 + 7) % 256));

const browser = useBrowser();

describe("compose and send", () => {
  test("Alice sends Bob a signed, encrypted message with an attachment; both can open it", async () => {
    const { page, problems } = await browser.openShell();
    await createDemoAccounts(page);
    await write(page);
    assert.match(await page.locator('[data-role="from"]').innerText(), /alice@example\.org/);
    assert.equal(await page.locator('[data-role="sign-switch"]').isChecked(), true, "signing is on by default");
    assert.equal(await page.locator('[data-role="encrypt-switch"]').isChecked(), true, "encryption is on by default");

    await page.locator('[data-role="to"]').fill("bob@example.org");
    await page.locator('[data-role="subject"]').fill("Quarterly numbers");
    await page.locator('[data-role="body"]').fill("Hi Bob,\n\nthe numbers are attached.\n\nAlice");
    await page.locator('[data-role="attachment-input"]').setInputFiles({ name: "numbers.bin", mimeType: "application/octet-stream", buffer: BINARY });
    const attachment = page.locator('[data-role="attachment-list"] [data-role="attachment"]');
    assert.equal(await attachment.count(), 1);
    assert.match(await attachment.innerText(), /numbers\.bin[\s\S]*48\.8 KB/);

    const bob = await recipientState(page, "bob@example.org");
    assert.equal(bob.state, "directory");
    assert.match(bob.text, /certificate from the local directory/);
    const summary = await page.locator('[data-role="protection-summary"]').innerText();
    assert.match(summary, /Signed by you \(alice@example\.org/);
    assert.match(summary, /Encrypted for bob@example\.org and for you/);
    // Bob is an account of this browser: the directory says his mail program reads AES-GCM, so
    // the first message to him already uses it.
    assert.match(summary, /AES-256-GCM, integrity protected/, "the algorithm that will be used is shown");
    assert.equal(await page.locator('[data-role="protection-summary"]').getAttribute("data-content-encryption"), "aes-256-gcm");
    assert.ok(await page.locator('[data-role="encrypt-blocked"]').isHidden());
    await screenshot(page, "compose");

    const result = await sendAndWait(page);
    assert.match(await result.innerText(), /Delivered to bob@example\.org in this browser/);
    assert.ok(await page.locator('[data-action="download-eml"]').isHidden(), "nothing to download when all was delivered");

    const sent = await storedMessages(page, "alice@example.org", "sent");
    assert.equal(sent.length, 1, "a copy is in Alice's Sent");
    assert.equal(sent[0].headers.subject, "Quarterly numbers");
    const inbox = await storedMessages(page, "bob@example.org", "inbox");
    assert.equal(inbox.length, 1, "it is in Bob's Inbox");
    const raw = /** @type {string} */ (inbox[0].raw);
    assert.match(raw, /^Content-Type: application\/pkcs7-mime; *smime-type=authEnveloped-data/im);
    assert.doesNotMatch(raw, /numbers are attached/, "the text is encrypted");
    assert.equal(sent[0].raw, raw, "Sent keeps the message exactly as delivered");

    for (const who of ["bob@example.org", "alice@example.org"]) {
      const opened = await openStoredMessage(page, who, inbox[0].id);
      assert.ok("layers" in opened, `${who} can open it: ${JSON.stringify(opened)}`);
      assert.deepEqual(opened.layers, ["encrypted", "signed"]);
      assert.match(opened.text, /the numbers are attached/);
      assert.equal(opened.attachments.length, 1);
      assert.equal(opened.attachments[0].filename, "numbers.bin");
      assert.ok(Buffer.from(opened.attachments[0].data, "latin1").equals(BINARY), `${who} gets the attachment byte for byte`);
    }
    await assertClean(page, problems);
  });

  test("encrypting to an address without a certificate is blocked and explained; switched off, it goes signed as an .eml", async () => {
    const { page, problems } = await browser.openShell();
    await createDemoAccounts(page);
    await write(page);
    await page.locator('[data-role="to"]').fill("bob@example.org, carol@nowhere.example");
    await page.locator('[data-role="subject"]').fill("Lunch on Friday?");
    await page.locator('[data-role="body"]').fill("Shall we meet at noon?");
    assert.equal((await recipientState(page, "bob@example.org")).state, "directory");
    const carol = await recipientState(page, "carol@nowhere.example");
    assert.equal(carol.state, "missing");
    assert.match(carol.text, /no certificate/);

    const blocked = page.locator('[data-role="encrypt-blocked"]');
    await blocked.waitFor();
    const why = await blocked.innerText();
    assert.match(why, /carol@nowhere\.example has no certificate/);
    assert.match(why, /Ask them to send you a signed message; opening it teaches this browser their certificate\. Or import their certificate in Contacts\./);
    assert.equal(await page.locator('[data-action="send"]').isDisabled(), true, "Send is blocked");
    await screenshot(page, "compose-blocked");

    // Only an explicit switch-off sends it unencrypted.
    await blocked.locator('[data-action="encrypt-off"]').click();
    assert.equal(await page.locator('[data-role="encrypt-switch"]').isChecked(), false);
    assert.ok(await blocked.isHidden());
    assert.match(await page.locator('[data-role="protection-summary"]').innerText(), /Not encrypted/);
    const result = await sendAndWait(page);
    const text = await result.innerText();
    assert.match(text, /Delivered to bob@example\.org in this browser/);
    assert.match(text, /Not delivered to carol@nowhere\.example — download the \.eml and send it with your mail program/);

    await screenshot(page, "compose-sent");
    const [download] = await Promise.all([page.waitForEvent("download"), page.locator('[data-action="download-eml"]').click()]);
    assert.match(download.suggestedFilename(), /\.eml$/);
    const eml = (await readFile(/** @type {string} */ (await download.path()))).toString("latin1");
    assert.match(eml, /^[A-Za-z-]+: /, "the download starts with a header field");
    assert.match(eml, /multipart\/signed/);
    assert.match(eml, /micalg="?sha-256/i, "a detached SHA-256 signature");
    assert.match(eml, /Shall we meet at noon\?/, "signed only: the text is readable");
    const opened = await openStoredMessage(page, "bob@example.org", (await storedMessages(page, "bob@example.org", "inbox"))[0].id);
    assert.ok("layers" in opened);
    assert.deepEqual(opened.layers, ["signed"]);
    await assertClean(page, problems);
  });

  test("a locked sender is asked for the passphrase to sign; cancelling sends nothing", async () => {
    const { page, problems } = await browser.openShell();
    await createDemoAccounts(page);
    await page.locator('[data-action="lock-all"]').click();
    await write(page);
    await page.locator('[data-role="to"]').fill("bob@example.org, not an address");
    assert.equal((await recipientState(page, "not an address")).state, "invalid");
    assert.equal(await page.locator('[data-action="send"]').isDisabled(), true, "a malformed address stops Send");
    await page.locator('[data-role="to"]').fill("bob@example.org");
    await page.locator('[data-role="subject"]').fill("Locked");
    await page.locator('[data-role="body"]').fill("Signed after unlocking.");
    await recipientState(page, "bob@example.org");
    await page.waitForFunction(() => !document.querySelector('[data-action="send"]')?.hasAttribute("disabled"));

    await page.locator('[data-action="send"]').click();
    const dialog = page.locator('dialog[data-role="unlock-dialog"][open]');
    await dialog.waitFor();
    assert.match(await dialog.innerText(), /to sign this message/);
    await dialog.locator('[data-action="unlock-cancel"]').click();
    await dialog.waitFor({ state: "hidden" });
    assert.ok(await page.locator('[data-role="send-result"]').isHidden(), "nothing was sent");
    assert.ok(await page.locator('[data-role="compose-error"]').isHidden(), "a cancel is not an error");
    assert.equal((await storedMessages(page, "bob@example.org", "inbox")).length, 0);

    const result = await sendAndWait(page);
    assert.match(await result.innerText(), /Delivered to bob@example\.org/);
    await assertClean(page, problems);
  });

  test("drafts are saved, reopened, updated, and removed when sent", async () => {
    const { page, problems } = await browser.openShell();
    await createDemoAccounts(page);
    await write(page);
    assert.match(await page.locator('[data-role="draft-note"]').innerText(), /Drafts are stored unencrypted in this browser/);
    await page.locator('[data-role="to"]').fill("bob@example.org");
    await page.locator('[data-role="subject"]').fill("Plan for next week");
    await page.locator('[data-role="body"]').fill("First thoughts");
    // Attached by drag-and-drop onto the compose view.
    const drop = await page.evaluateHandle(() => {
      const transfer = new DataTransfer();
      transfer.items.add(new File([new Uint8Array([1, 2, 3, 250, 251, 252])], "plan.dat", { type: "application/octet-stream" }));
      return transfer;
    });
    const view = page.locator('[data-view-name="compose"]');
    await view.dispatchEvent("dragenter", { dataTransfer: drop });
    await view.dispatchEvent("dragover", { dataTransfer: drop });
    await view.dispatchEvent("drop", { dataTransfer: drop });
    await page.locator('[data-role="attachment"][data-filename="plan.dat"]').waitFor();
    await page.locator('[data-role="sign-switch"]').uncheck();

    await page.locator('[data-action="save-draft"]').click();
    await page.locator('[data-role="draft-status"]', { hasText: "Draft saved" }).waitFor();
    let drafts = await storedMessages(page, "alice@example.org", "drafts");
    assert.equal(drafts.length, 1);
    assert.deepEqual(drafts[0].draft.to, ["bob@example.org"]);
    assert.equal(drafts[0].draft.subject, "Plan for next week");
    assert.equal(drafts[0].draft.sign, false);
    assert.equal(drafts[0].draft.encrypt, true);
    assert.deepEqual(drafts[0].draft.attachments[0].data, [1, 2, 3, 250, 251, 252]);
    assert.equal(drafts[0].headers.protection, "plain");
    assert.equal(drafts[0].headers.subject, "Plan for next week");
    const draftId = drafts[0].id;

    // Leave, and reopen it from the Drafts folder.
    await page.locator('[data-action="discard"]').click();
    await page.waitForFunction(() => document.body.dataset.view === "mailbox");
    await page.locator('nav button[data-folder="drafts"]').click();
    const item = page.locator('[data-role="message-item"]', { hasText: "Plan for next week" });
    await item.waitFor();
    await item.getByRole("button").first().click().catch(() => item.click());
    await page.waitForFunction(() => document.body.dataset.view === "compose");
    await page.waitForFunction(() => /** @type {HTMLInputElement} */ (document.querySelector('[data-role="subject"]'))?.value === "Plan for next week");
    assert.equal(await page.locator('[data-role="to"]').inputValue(), "bob@example.org");
    assert.equal(await page.locator('[data-role="body"]').inputValue(), "First thoughts");
    assert.equal(await page.locator('[data-role="sign-switch"]').isChecked(), false, "the draft's own switches");
    await page.locator('[data-role="attachment"][data-filename="plan.dat"]').waitFor();

    // Update the same draft.
    await page.locator('[data-role="body"]').fill("Second thoughts");
    await page.locator('[data-role="sign-switch"]').check();
    await page.locator('[data-action="save-draft"]').click();
    await page.locator('[data-role="draft-status"]', { hasText: "Draft saved" }).waitFor();
    drafts = await storedMessages(page, "alice@example.org", "drafts");
    assert.equal(drafts.length, 1, "the draft is updated, not copied");
    assert.equal(drafts[0].id, draftId);
    assert.equal(drafts[0].draft.text, "Second thoughts");

    // Sending removes it.
    await recipientState(page, "bob@example.org");
    const result = await sendAndWait(page);
    assert.match(await result.innerText(), /Delivered to bob@example\.org/);
    assert.equal((await storedMessages(page, "alice@example.org", "drafts")).length, 0, "the draft is gone once sent");
    const inbox = await storedMessages(page, "bob@example.org", "inbox");
    const opened = await openStoredMessage(page, "bob@example.org", inbox[0].id);
    assert.ok("layers" in opened);
    assert.match(opened.text, /Second thoughts/);
    assert.deepEqual(Array.from(Buffer.from(opened.attachments[0].data, "latin1")), [1, 2, 3, 250, 251, 252]);
    await assertClean(page, problems);
  });

  test("a 12 MB attachment is sent with progress while the page stays responsive", async () => {
    const { page, problems } = await browser.openShell();
    await createDemoAccounts(page);
    await write(page);
    await page.locator('[data-role="to"]').fill("bob@example.org");
    await page.locator('[data-role="subject"]').fill("The big file");
    await page.locator('[data-role="body"]').fill("12 MB follow.");
    const SIZE = 12 * 1024 * 1024;
    const drop = await page.evaluateHandle((size) => {
      const data = new Uint8Array(size);
      for (let i = 0; i < size; i += 65536) crypto.getRandomValues(data.subarray(i, Math.min(size, i + 65536)));
      const transfer = new DataTransfer();
      transfer.items.add(new File([data], "big.bin", { type: "application/octet-stream" }));
      return transfer;
    }, SIZE);
    await page.locator('[data-view-name="compose"]').dispatchEvent("drop", { dataTransfer: drop });
    const item = page.locator('[data-role="attachment"][data-filename="big.bin"]');
    await item.waitFor();
    assert.match(await item.innerText(), /12\.0 MB/);
    assert.match(await page.locator('[data-role="attachment-total"]').innerText(), /Large attachments/);
    await recipientState(page, "bob@example.org");

    // A timer in the page counts its ticks while the message is being sent.
    await page.evaluate(() => {
      const w = /** @type {any} */ (window);
      w.__ticks = 0;
      w.__timer = setInterval(() => {
        if (document.querySelector('[data-role="send-progress"]:not([hidden])')) w.__ticks++;
      }, 20);
    });
    await page.locator('[data-action="send"]').click();
    await answerUnlock(page, undefined, 500);
    const progress = page.locator('[data-role="send-progress"]');
    await progress.waitFor();
    assert.equal(await progress.locator("progress").count(), 1);
    /** @type {Set<string>} */
    const steps = new Set();
    let answeredWhileSending = 0;
    while (await progress.isVisible()) {
      // A round trip into the page while the message is made: the page answers.
      const now = await page.evaluate(() => ({
        visible: !document.querySelector('[data-role="send-progress"]')?.hidden,
        step: document.querySelector('[data-role="send-step"]')?.textContent ?? "",
      }));
      if (now.visible) {
        if (answeredWhileSending === 0) await screenshot(page, "compose-sending");
        answeredWhileSending++;
        if (now.step) steps.add(now.step);
      }
    }
    const ticks = await page.evaluate(() => {
      const w = /** @type {any} */ (window);
      clearInterval(w.__timer);
      return w.__ticks;
    });
    const result = page.locator('[data-role="send-result"]');
    await result.waitFor({ timeout: 120_000 });
    assert.match(await result.innerText(), /Delivered to bob@example\.org/);
    assert.ok(answeredWhileSending >= 2, `the page answered while sending (${answeredWhileSending} times)`);
    assert.ok(ticks >= 3, `the page's timers kept running while sending (${ticks} ticks)`);
    assert.ok(steps.size >= 1, `the progress named its steps: ${[...steps].join(" / ")}`);

    assert.equal((await storedMessages(page, "alice@example.org", "inbox", { raw: false })).length, 0);
    const inbox = (await storedMessages(page, "bob@example.org", "inbox", { raw: false })).map((m) => m.size ?? 0);
    assert.equal(inbox.length, 1);
    assert.ok(inbox[0] > SIZE * 1.3, "the whole attachment went, base64 inside the encryption");
    await assertClean(page, problems);
  });

  test("keyboard only: write, fill and send a signed, encrypted message", async () => {
    const { page, problems } = await browser.openShell();
    await createDemoAccounts(page);
    const active = () => page.evaluate(() => document.activeElement?.getAttribute("data-role") ?? document.activeElement?.getAttribute("data-action"));
    /** Presses Tab until the focus is on `target` (a data-role or data-action), at most `limit` times. */
    const tabTo = async (/** @type {string} */ target, limit = 25) => {
      for (let i = 0; (await active()) !== target; i++) {
        assert.ok(i < limit, `${target} is reached with Tab`);
        await page.keyboard.press("Tab");
      }
    };
    await page.locator('nav [data-action="write"]').focus();
    await page.keyboard.press("Enter");
    await page.waitForFunction(() => document.body.dataset.view === "compose");
    await tabTo("to");
    await page.keyboard.type("bob@example.org");
    await tabTo("subject");
    await page.keyboard.type("Typed, not clicked");
    await tabTo("sign-switch");
    if (!(await page.locator('[data-role="sign-switch"]').isChecked())) await page.keyboard.press("Space");
    await tabTo("encrypt-switch");
    if (!(await page.locator('[data-role="encrypt-switch"]').isChecked())) await page.keyboard.press("Space");
    await tabTo("body");
    await page.keyboard.type("Sent with the keyboard alone.");
    assert.equal((await recipientState(page, "bob@example.org")).state, "directory");
    await tabTo("send");
    await page.keyboard.press("Enter");
    const result = page.locator('[data-role="send-result"]');
    await result.waitFor({ timeout: 60_000 });
    assert.match(await result.innerText(), /Delivered to bob@example\.org/);
    const [bob] = await storedMessages(page, "bob@example.org", "inbox");
    assert.equal(bob.headers.subject, "Typed, not clicked");
    assert.equal(bob.headers.protection, "encrypted");
    await assertClean(page, problems);
  });

  test("a reply to encrypted mail is prefilled and stays encrypted", async () => {
    const { page, problems } = await browser.openShell();
    await createDemoAccounts(page);
    await write(page);
    await page.locator('[data-role="to"]').fill("bob@example.org");
    await page.locator('[data-role="cc"]').fill("carol@nowhere.example");
    await page.locator('[data-role="encrypt-switch"]').uncheck();
    await page.locator('[data-role="subject"]').fill("Status");
    await page.locator('[data-role="body"]').fill("All green.\nNothing to report.");
    await recipientState(page, "carol@nowhere.example");
    await sendAndWait(page);
    // Then an encrypted one, to reply to.
    await page.locator('[data-action="write-another"]').click();
    await page.locator('[data-role="to"]').fill("bob@example.org");
    await page.locator('[data-role="subject"]').fill("Re: Secret plan");
    await page.locator('[data-role="body"]').fill("The plan is secret.");
    await recipientState(page, "bob@example.org");
    await sendAndWait(page);

    await selectAccount(page, "bob@example.org");
    await page.locator('nav button[data-folder="inbox"]').click();
    const item = page.locator('[data-role="message-item"]', { hasText: "Secret plan" });
    await item.waitFor();
    await item.getByRole("button").first().click().catch(() => item.click());
    await answerUnlock(page, undefined, 1500);
    await page.waitForFunction(() => document.querySelector('[data-role="message-view"]')?.getAttribute("data-state") === "shown", undefined, { timeout: 30_000 });
    await page.locator('[data-action="reply"]').click();
    await page.waitForFunction(() => document.body.dataset.view === "compose");
    assert.equal(await page.locator('[data-role="to"]').inputValue(), "alice@example.org");
    assert.equal(await page.locator('[data-role="subject"]').inputValue(), "Re: Secret plan", "Re: is not doubled");
    const body = await page.locator('[data-role="body"]').inputValue();
    assert.match(body, /wrote:\n> The plan is secret\./);
    assert.match(body, /alice@example\.org/);
    const alice = await recipientState(page, "alice@example.org");
    assert.equal(alice.state, "contact", "reading Alice's signed mail taught Bob her certificate");
    assert.match(alice.text, /certificate learned from their signed mail/);
    await page.waitForFunction(() => /** @type {HTMLInputElement} */ (document.querySelector('[data-role="encrypt-switch"]'))?.checked);
    // Alice's signed mail said she reads AES-GCM, and so does Bob's own engine: the core picks it.
    assert.match(await page.locator('[data-role="protection-summary"]').innerText(), /AES-256-GCM, integrity protected/);
    const result = await sendAndWait(page);
    assert.match(await result.innerText(), /Delivered to alice@example\.org/);
    const inbox = await storedMessages(page, "alice@example.org", "inbox");
    const reply = inbox.find((m) => m.headers.subject === "Re: Secret plan" && m.headers.inReplyTo);
    assert.ok(reply, "the reply reached Alice");
    const original = (await storedMessages(page, "alice@example.org", "sent")).find((m) => m.headers.subject === "Re: Secret plan");
    assert.equal(reply.headers.inReplyTo, original?.headers.messageId, "In-Reply-To names the original");
    assert.deepEqual(reply.headers.references, [original?.headers.messageId]);
    assert.match(/** @type {string} */ (reply.raw), /smime-type=authEnveloped-data/);

    // Reply-all to the plain message: Alice in To, Carol kept in Cc, Bob himself left out.
    await page.locator('nav button[data-folder="inbox"]').click();
    const status = page.locator('[data-role="message-item"]', { hasText: "Status" });
    await status.waitFor();
    await status.getByRole("button").first().click().catch(() => status.click());
    await page.waitForFunction(() => document.querySelector('[data-role="message-view"]')?.getAttribute("data-state") === "shown", undefined, { timeout: 30_000 });
    const replyAll = page.locator('[data-action="reply-all"]');
    if ((await replyAll.count()) > 0) {
      await replyAll.click();
      await page.waitForFunction(() => document.body.dataset.view === "compose");
      assert.equal(await page.locator('[data-role="to"]').inputValue(), "alice@example.org");
      assert.equal(await page.locator('[data-role="cc"]').inputValue(), "carol@nowhere.example");
      assert.equal(await page.locator('[data-role="subject"]').inputValue(), "Re: Status");
      assert.equal(await page.locator('[data-role="encrypt-switch"]').isChecked(), true, "not encrypted originally: the settings decide");
      assert.ok(await page.locator('[data-role="encrypt-blocked"]').isVisible(), "Carol has no certificate");
      await page.locator('[data-action="discard"]').click();
    }
    await assertClean(page, problems);
  });
});
