// The whole loop a person goes through, as the must-show list has it: demo accounts,
// Alice writes to Bob signed and encrypted with an attachment, Bob reads it and replies encrypted
// with the certificate he learned from her mail, Alice reads the reply; a real client's .p12 and
// message through the UI; a tampered message; hostile HTML; and a reload keeping everything.
import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import { describe, test } from "node:test";
import {
  INTEROP,
  answerUnlock,
  assertClean,
  createDemoAccounts,
  replaceInStoredMessages,
  screenshot,
  selectAccount,
  unlabelledControls,
  useBrowser,
  waitReady,
} from "./shell.mjs";

const THUNDERBIRD = `${INTEROP}thunderbird/smime/`;

const browser = useBrowser();

/**
 * Opens the first message in the current folder's list whose text matches `subject`, and waits
 * until the message view has settled.
 * @param {import("playwright-core").Page} page
 * @param {string | RegExp} subject
 */
async function openMessage(page, subject) {
  const item = page.locator('[data-role="message-item"]', { hasText: subject }).first();
  await item.waitFor();
  await item.getByRole("button").first().click().catch(() => item.click());
  await answerUnlock(page, undefined, 1500);
  const view = page.locator('[data-role="message-view"]');
  await page.waitForFunction(
    () => ["shown", "error", "locked"].includes(document.querySelector('[data-role="message-view"]')?.getAttribute("data-state") ?? ""),
    undefined,
    { timeout: 30_000 },
  );
  return view;
}

/**
 * @param {import("playwright-core").Page} page
 * @param {"inbox" | "sent" | "drafts"} folder
 */
async function showFolder(page, folder) {
  await page.locator(`nav button[data-folder="${folder}"]`).click();
}

/**
 * Fills compose and sends; returns the send result text.
 * @param {import("playwright-core").Page} page
 * @param {{ to: string, subject: string, body: string, attachment?: { name: string, mimeType: string, buffer: Buffer } }} message
 */
async function send(page, { to, subject, body, attachment }) {
  await page.locator('[data-role="to"]').fill(to);
  await page.locator('[data-role="subject"]').fill(subject);
  await page.locator('[data-role="body"]').fill(body);
  if (attachment) await page.locator('[data-role="attachment-input"]').setInputFiles(attachment);
  await page.locator(`[data-role="recipient-state"][data-address="${to}"]`).waitFor();
  await page.locator('[data-action="send"]').click();
  await answerUnlock(page, undefined, 1500);
  const result = page.locator('[data-role="send-result"]');
  await result.waitFor({ timeout: 60_000 });
  return result.innerText();
}

describe("webmail", () => {
  test("Alice writes to Bob signed and encrypted with an attachment; Bob replies encrypted; Alice reads it", async () => {
    const { page, problems } = await browser.openShell();
    await createDemoAccounts(page);

    // Alice, unlocked by the demo creation, writes to Bob.
    const attachment = Buffer.from(Array.from({ length: 70_000 }, (_, i) => (i * 7 + 3) % 256));
    await page.locator('nav [data-action="write"]').click();
    await page.locator('[data-role="sign-switch"]').check();
    await page.locator('[data-role="to"]').fill("bob@example.org");
    const bobState = page.locator('[data-role="recipient-state"][data-address="bob@example.org"]');
    await bobState.waitFor();
    assert.notEqual(await bobState.getAttribute("data-state"), "missing");
    await page.locator('[data-role="encrypt-switch"]').check();
    await screenshot(page, "webmail-compose");
    const sent = await send(page, {
      to: "bob@example.org",
      subject: "Quarterly numbers",
      body: "Hi Bob,\nthe numbers are attached.\nAlice",
      attachment: { name: "numbers.bin", mimeType: "application/octet-stream", buffer: attachment },
    });
    assert.match(sent, /delivered/i);
    assert.match(sent, /bob@example\.org/);

    // Bob reads it: decrypted, signed by Alice, trusted, and the attachment is byte for byte hers.
    await selectAccount(page, "bob@example.org");
    await showFolder(page, "inbox");
    const item = page.locator('[data-role="message-item"]', { hasText: "Quarterly numbers" });
    await item.waitFor();
    assert.ok((await item.locator('[data-role="badge"][data-badge="encrypted"]').count()) > 0, "the list shows it is encrypted");
    const view = await openMessage(page, "Quarterly numbers");
    assert.equal(await view.getAttribute("data-state"), "shown");
    const panel = page.locator('[data-role="security-panel"]');
    assert.equal(await panel.getAttribute("data-verdict"), "valid");
    const panelText = await panel.innerText();
    assert.match(panelText, /alice@example\.org/);
    assert.match(panelText, /trusted/i);
    assert.match(panelText, /encrypted/i);
    // Bob's certificate came from the local directory, which says he runs this engine: AES-GCM
    // from the first message, before any signed mail of his was read.
    assert.match(panelText, /AES-256-GCM/);
    assert.match(panelText, /AES-256-GCM, integrity protected/);
    assert.doesNotMatch(panelText, /not integrity protected/);
    assert.match(await view.innerText(), /the numbers are attached/);
    const signer = panel.locator('[data-role="signer"]').first();
    assert.equal(await signer.getAttribute("data-signature"), "valid");
    assert.equal(await signer.getAttribute("data-chain"), "trusted");
    await screenshot(page, "webmail-security-panel");
    assert.deepEqual(await unlabelledControls(page), [], "every control of the message view is labelled");

    const [download] = await Promise.all([
      page.waitForEvent("download"),
      page.locator('[data-role="attachment"]', { hasText: "numbers.bin" }).getByRole("button").first().click(),
    ]);
    const got = await readFile(/** @type {string} */ (await download.path()));
    assert.ok(got.equals(attachment), "the attachment Bob downloads is the bytes Alice attached");

    // Reading it taught Bob's contacts Alice's certificate.
    await page.locator('nav button[data-view="contacts"]').click();
    const alice = page.locator('[data-role="contact"]', { hasText: "alice@example.org" });
    await alice.waitFor();
    assert.match(await alice.innerText(), /signed mail/i);

    // Bob replies, encrypted with the certificate learned from Alice's mail.
    await showFolder(page, "inbox");
    await openMessage(page, "Quarterly numbers");
    await page.locator('[data-action="reply"]').click();
    const to = page.locator('[data-role="to"]');
    await to.waitFor();
    assert.match(await to.inputValue(), /alice@example\.org/);
    assert.match(await page.locator('[data-role="subject"]').inputValue(), /^Re: Quarterly numbers/);
    assert.equal(await page.locator('[data-role="encrypt-switch"]').isChecked(), true, "a reply to encrypted mail is encrypted");
    const aliceState = page.locator('[data-role="recipient-state"][data-address="alice@example.org"]');
    await aliceState.waitFor();
    assert.equal(await aliceState.getAttribute("data-state"), "contact");
    assert.match(await aliceState.innerText(), /signed mail/i);
    await page.locator('[data-role="body"]').fill("Thanks Alice, got them.\n\n" + (await page.locator('[data-role="body"]').inputValue()));
    await page.locator('[data-action="send"]').click();
    await answerUnlock(page, undefined, 1500);
    await page.locator('[data-role="send-result"]').waitFor({ timeout: 60_000 });
    assert.match(await page.locator('[data-role="send-result"]').innerText(), /delivered/i);

    // Alice reads the reply.
    await selectAccount(page, "alice@example.org");
    await showFolder(page, "inbox");
    const reply = await openMessage(page, "Re: Quarterly numbers");
    assert.equal(await reply.getAttribute("data-state"), "shown");
    assert.match(await reply.innerText(), /Thanks Alice, got them/);
    const replyPanel = page.locator('[data-role="security-panel"]');
    assert.equal(await replyPanel.getAttribute("data-verdict"), "valid");
    assert.match(await replyPanel.innerText(), /bob@example\.org/);
    await screenshot(page, "webmail-inbox");

    // Reload: the accounts are still there, locked; Bob's contacts and both mailboxes too.
    await page.reload();
    await waitReady(page, problems);
    assert.equal(await page.locator('[data-role="account-bar"]').getAttribute("data-locked"), "true");
    const options = await page.locator('[data-role="account-select"] option').allInnerTexts();
    assert.ok(options.some((text) => text.includes("alice@example.org")));
    assert.ok(options.some((text) => text.includes("bob@example.org")));
    await showFolder(page, "inbox");
    await page.locator('[data-role="message-item"]', { hasText: "Re: Quarterly numbers" }).waitFor();
    await showFolder(page, "sent");
    await page.locator('[data-role="message-item"]', { hasText: "Quarterly numbers" }).first().waitFor();
    await selectAccount(page, "bob@example.org");
    await page.locator('nav button[data-view="contacts"]').click();
    await page.locator('[data-role="contact"]', { hasText: "alice@example.org" }).waitFor();
    // Locked after the reload: reading the encrypted mail asks for the passphrase again.
    await showFolder(page, "inbox");
    const again = page.locator('[data-role="message-item"]', { hasText: "Quarterly numbers" }).first();
    await again.getByRole("button").first().click();
    assert.equal(await answerUnlock(page, undefined, 10_000), true, "the passphrase is asked after a reload");
    await page.waitForFunction(() => document.querySelector('[data-role="message-view"]')?.getAttribute("data-state") === "shown");
    await assertClean(page, problems);
  });

  test("a Thunderbird .p12 imported through the UI opens Thunderbird's encrypted, signed mail", async () => {
    const { page, problems } = await browser.openShell();
    await createDemoAccounts(page);

    // Bob's .p12 from Thunderbird's test data (password "nss", MANIFEST.md), as a new account.
    await page.locator('nav button[data-view="accounts"]').click();
    await page.locator('[data-role="p12-file"]').setInputFiles(`${THUNDERBIRD}Bob.p12`);
    await page.locator('[data-role="p12-password"]').fill("nss");
    await page.locator('[data-role="p12-same"]').uncheck();
    await page.locator('[data-role="p12-passphrase"]').fill("thunderbird bob");
    await page.locator('[data-action="import-p12"]').click();
    await page.locator('[data-role="account-select"] option', { hasText: "bob@example.com" }).waitFor({ state: "attached" });
    await selectAccount(page, "bob@example.com");

    // Thunderbird's test CA, imported into Bob's contacts and trusted.
    await page.locator('nav button[data-view="contacts"]').click();
    await page.locator('[data-role="cert-file"]').setInputFiles(`${THUNDERBIRD}TestCA.pem`);
    const ca = page.locator('[data-role="contact"]', { hasText: "NSS Test CA" });
    await ca.waitFor();
    await ca.locator('[data-role="trust-switch"]').check();

    // MANIFEST.md: alice.dsig.SHA256.multipart.env.eml "decrypts, sig GOOD"; chain OK to TestCA.
    await showFolder(page, "inbox");
    await page.locator('[data-role="eml-file"]').setInputFiles(`${THUNDERBIRD}alice.dsig.SHA256.multipart.env.eml`);
    await answerUnlock(page, "thunderbird bob", 3000);
    await page.waitForFunction(() => document.querySelector('[data-role="message-view"]')?.getAttribute("data-state") === "shown");
    const panel = page.locator('[data-role="security-panel"]');
    assert.equal(await panel.getAttribute("data-verdict"), "valid");
    assert.match(await panel.innerText(), /alice@example\.com/i);
    assert.match(await panel.innerText(), /AES-128-CBC/);
    assert.match(await page.locator('[data-role="message-view"]').innerText(), /This is a test message from Alice to Bob\./);

    // MANIFEST.md: alice.dsig.SHA256.multipart.bad.eml "sig BAD" (body altered after signing).
    await page.locator('[data-role="eml-file"]').setInputFiles(`${THUNDERBIRD}alice.dsig.SHA256.multipart.bad.eml`);
    await page.waitForFunction(() => document.querySelector('[data-role="security-panel"]')?.getAttribute("data-verdict") === "broken");
    assert.equal(await panel.locator('[data-role="signer"]').first().getAttribute("data-signature"), "invalid");
    await assertClean(page, problems);
  });

  test("a message tampered with after signing shows a broken signature", async () => {
    const { page, problems } = await browser.openShell();
    await createDemoAccounts(page);
    await page.locator('nav [data-action="write"]').click();
    await page.locator('[data-role="encrypt-switch"]').uncheck();
    await page.locator('[data-role="sign-switch"]').check();
    const result = await send(page, { to: "bob@example.org", subject: "Pay 100 EUR", body: "Please pay 100 EUR to account 1234." });
    assert.match(result, /delivered/i);

    // Bob's copy is changed in storage, as a mail server could; he then opens it.
    assert.equal(await replaceInStoredMessages(page, "bob@example.org", "inbox", "account 1234", "account 6666"), 1);
    await selectAccount(page, "bob@example.org");
    await showFolder(page, "inbox");
    await openMessage(page, "Pay 100 EUR");
    const panel = page.locator('[data-role="security-panel"]');
    assert.equal(await panel.getAttribute("data-verdict"), "broken");
    assert.match(await panel.innerText(), /changed|broken/i);
    assert.equal(await panel.locator('[data-role="signer"]').first().getAttribute("data-signature"), "invalid");
    await assertClean(page, problems);
  });

  test("hostile HTML makes no network request and runs no script", async () => {
    const { page, problems } = await browser.openShell();
    await createDemoAccounts(page);
    const beacon = "http://198.51.100.7:8123";
    const hostile = [
      "From: mallory@example.net",
      "To: alice@example.org",
      "Subject: You won",
      "Message-ID: <hostile@example.net>",
      "MIME-Version: 1.0",
      "Content-Type: text/html; charset=utf-8",
      "",
      `<html><head><link rel="stylesheet" href="${beacon}/css"><style>body{background:url(${beacon}/bg)}</style></head>`,
      `<body><h1>Claim your prize</h1><img src="${beacon}/pixel.gif"><img src="//198.51.100.7/p2">`,
      `<script>parent.document.title = "pwned"; fetch("${beacon}/script");</script>`,
      `<form action="${beacon}/form" method="post"><input name="pw" value="x"><button id="go">Go</button></form>`,
      `<iframe src="${beacon}/frame"></iframe><video poster="${beacon}/poster"></video>`,
      `<a href="${beacon}/link" id="link">click</a></body></html>`,
      "",
    ].join("\r\n");
    /** @type {string[]} */
    const requests = [];
    page.on("request", (request) => requests.push(request.url()));
    const title = await page.title();
    await page.locator('[data-role="eml-file"]').setInputFiles({ name: "hostile.eml", mimeType: "message/rfc822", buffer: Buffer.from(hostile) });
    await page.waitForFunction(() => document.querySelector('[data-role="message-view"]')?.getAttribute("data-state") === "shown");
    const frame = page.frameLocator('[data-role="message-html"]');
    await frame.locator("h1").waitFor();
    await frame.locator("#go").click({ timeout: 2000 }).catch(() => {});
    await frame.locator("#link").click({ timeout: 2000 }).catch(() => {});
    await page.waitForTimeout(500);
    const foreign = requests.filter((url) => !url.startsWith(browser.baseUrl) && !url.startsWith("blob:") && !url.startsWith("data:"));
    assert.deepEqual(foreign, [], "nothing left the page");
    assert.equal(await page.title(), title, "the message's script did not run");
    await screenshot(page, "webmail-hostile-html");
    // The blocked loads are the message's, reported by its own CSP; the page itself is clean.
    await page.evaluate(() => {
      /** @type {any} */ (window).__cspViolations = [];
    });
    await assertClean(page, problems);
  });
});
