// Accounts, contacts and the person's data, end to end in headless Chromium: the first run, the
// demo accounts, locking and unlocking, .p12 import, new identities, certificate import and
// trust, export and deletion, a crashed worker, and the keyboard alone.
import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import { describe, test } from "node:test";
import {
  DEMO_PASSPHRASE,
  FIXTURES,
  INTEROP,
  THUNDERBIRD,
  answerUnlock,
  assertClean,
  createDemoAccounts,
  screenshot,
  selectAccount,
  unlabelledControls,
  useBrowser,
  waitReady,
} from "./shell.mjs";

/** @typedef {import("playwright-core").Page} Page */

const WRONG_PASSPHRASE = "That passphrase is not right. Nothing was changed.";

const browser = useBrowser();

/**
 * Opens a nav place ("Accounts", "Contacts", "Settings and data").
 * @param {Page} page
 * @param {"accounts" | "contacts" | "settings"} view
 */
async function go(page, view) {
  await page.locator(`nav [data-view="${view}"]`).click();
  await page.waitForFunction((name) => document.body.dataset.view === name, view);
}

/** @param {Page} page */
async function accountBar(page) {
  return page.evaluate(() => {
    const bar = /** @type {HTMLElement} */ (document.querySelector('[data-role="account-bar"]'));
    const select = /** @type {HTMLSelectElement} */ (bar.querySelector('[data-role="account-select"]'));
    return {
      account: bar.dataset.account,
      locked: bar.dataset.locked,
      options: [...select.options].map((option) => option.textContent),
      current: select.selectedOptions[0]?.textContent,
    };
  });
}

/**
 * Waits until the current account shows as locked or not.
 * @param {Page} page
 * @param {boolean} locked
 */
async function waitLocked(page, locked) {
  await page.waitForFunction(
    (value) => document.querySelector('[data-role="account-bar"]')?.getAttribute("data-locked") === value,
    String(locked),
  );
}

describe("accounts", () => {
  test("the first run shows the welcome, and checks the passphrase before it starts", async () => {
    const { page, problems } = await browser.openShell();
    assert.equal(await page.evaluate(() => document.body.dataset.view), "welcome");
    await page.getByRole("heading", { name: /welcome/i }).waitFor();
    assert.equal(await page.locator("#nav").isHidden(), true, "no navigation without an account");
    assert.equal(await page.locator('[data-role="account-select"]').isHidden(), true);
    await page.locator("#view-welcome").getByText("cannot be recovered").waitFor();

    const welcome = page.locator("#view-welcome");
    const passphrase = welcome.getByLabel("Passphrase", { exact: true });
    const confirm = welcome.getByLabel("The passphrase again");
    await passphrase.fill("short");
    await confirm.fill("short");
    await page.getByRole("button", { name: "Create demo accounts" }).click();
    await page.locator('[data-role="welcome-error"]').getByText("at least 8 characters").waitFor();
    assert.equal(await passphrase.getAttribute("aria-invalid"), "true");
    assert.equal(await page.evaluate(() => document.activeElement?.getAttribute("data-role")), "demo-passphrase");

    await passphrase.fill(DEMO_PASSPHRASE);
    await confirm.fill(`${DEMO_PASSPHRASE}!`);
    await page.getByRole("button", { name: "Create demo accounts" }).click();
    await page.locator('[data-role="welcome-error"]').getByText("not the same").waitFor();
    await screenshot(page, "welcome");

    // The other ways in lead to the accounts view, onto the right form.
    await page.getByRole("button", { name: "Import a .p12" }).click();
    await page.waitForFunction(() => document.body.dataset.view === "accounts");
    assert.equal(await page.evaluate(() => document.activeElement?.getAttribute("data-role")), "p12-file");
    await assertClean(page, problems);
  });

  test("demo accounts: Alice and Bob trust the demo CA; a reload keeps them, locked", async () => {
    const { page, problems } = await browser.openShell();
    await createDemoAccounts(page);
    let bar = await accountBar(page);
    assert.deepEqual(bar.options, ["Alice Demo <alice@example.org>", "Bob Demo <bob@example.org>"]);
    assert.equal(bar.current, "Alice Demo <alice@example.org>");
    assert.equal(bar.locked, "false", "the demo accounts start unlocked");

    for (const email of ["alice@example.org", "bob@example.org"]) {
      await selectAccount(page, email);
      await go(page, "contacts");
      const ca = page.locator('[data-role="contact"][data-ca="true"]');
      await ca.waitFor();
      assert.equal(await ca.count(), 1);
      assert.match(await ca.innerText(), /smime-wasm Demo CA/);
      assert.equal(await ca.getAttribute("data-trusted"), "true");
      assert.equal(await ca.getAttribute("data-source"), "demo");
      const name = email.startsWith("alice") ? "Alice Demo" : "Bob Demo";
      const trust = page.getByRole("switch", { name: `Trust as an authority for ${name}` });
      assert.equal(await trust.isChecked(), true);
    }
    await screenshot(page, "contacts");

    await page.reload();
    await waitReady(page, problems);
    bar = await accountBar(page);
    assert.deepEqual(bar.options, ["Alice Demo <alice@example.org> (locked)", "Bob Demo <bob@example.org> (locked)"]);
    assert.equal(bar.current, "Bob Demo <bob@example.org> (locked)", "the chosen account is remembered");
    assert.equal(bar.locked, "true");
    await go(page, "accounts");
    const states = await page.locator('[data-role="account"]').evaluateAll((cards) => cards.map((c) => c.getAttribute("data-locked")));
    assert.deepEqual(states, ["true", "true", "true"], "Alice, Bob and the demo CA are all locked");
    await assertClean(page, problems);
  });

  test("unlock: a wrong passphrase says so and stays locked; the right one unlocks; lock locks", async () => {
    const { page, problems } = await browser.openShell();
    await createDemoAccounts(page);
    await page.reload();
    await waitReady(page, problems);
    await waitLocked(page, true);

    await page.locator('[data-role="account-bar"] [data-action="unlock"]').click();
    const dialog = page.locator('dialog[data-role="unlock-dialog"][open]');
    await dialog.waitFor();
    await dialog.getByRole("heading", { name: /Alice Demo/ }).waitFor();
    const field = dialog.getByLabel("Passphrase");
    await field.fill("not the passphrase");
    await screenshot(page, "unlock-dialog");
    await dialog.locator('[data-action="unlock-submit"]').click();
    await dialog.locator('[data-role="unlock-error"]').getByText(WRONG_PASSPHRASE).waitFor();
    assert.equal(await field.inputValue(), "", "the field is cleared");
    assert.equal(await page.evaluate(() => document.activeElement?.getAttribute("data-role")), "unlock-passphrase");
    assert.equal(await dialog.isVisible(), true, "the dialog stays open");
    assert.equal((await accountBar(page)).locked, "true");
    await screenshot(page, "unlock-dialog-wrong");

    await field.fill(DEMO_PASSPHRASE);
    await dialog.locator('[data-action="unlock-submit"]').click();
    await waitLocked(page, false);
    assert.equal(await page.locator('dialog[data-role="unlock-dialog"]').evaluate((d) => /** @type {HTMLDialogElement} */ (d).open), false);
    assert.equal((await accountBar(page)).current, "Alice Demo <alice@example.org>");

    // Escape cancels an unlock and changes nothing.
    await selectAccount(page, "bob@example.org");
    await page.locator('[data-role="account-bar"] [data-action="unlock"]').click();
    await dialog.waitFor();
    await page.keyboard.press("Escape");
    await dialog.waitFor({ state: "detached" });
    assert.equal((await accountBar(page)).locked, "true");
    await answerUnlock(page, DEMO_PASSPHRASE, 10).then((asked) => assert.equal(asked, false));

    // Two unlocked: "Lock all" appears and locks both.
    const lockAll = page.getByRole("button", { name: "Lock all" });
    assert.equal(await lockAll.isHidden(), true, "one unlocked account needs no Lock all");
    await page.locator('[data-role="account-bar"] [data-action="unlock"]').click();
    assert.equal(await answerUnlock(page), true);
    await waitLocked(page, false);
    assert.deepEqual((await accountBar(page)).options, ["Alice Demo <alice@example.org>", "Bob Demo <bob@example.org>"]);
    await lockAll.click();
    await waitLocked(page, true);
    assert.deepEqual((await accountBar(page)).options, [
      "Alice Demo <alice@example.org> (locked)",
      "Bob Demo <bob@example.org> (locked)",
    ]);
    assert.equal(await lockAll.isHidden(), true);

    // Lock locks the current account only.
    await page.locator('[data-role="account-bar"] [data-action="unlock"]').click();
    assert.equal(await answerUnlock(page), true);
    await waitLocked(page, false);
    await page.locator('[data-role="account-bar"] [data-action="lock"]').click();
    await waitLocked(page, true);
    await assertClean(page, problems);
  });

  test("import a .p12 (wrong password first), and make an identity issued by the demo CA", async () => {
    const { page, problems } = await browser.openShell();
    await createDemoAccounts(page);
    await go(page, "accounts");
    const cards = page.locator('[data-role="account"]');
    assert.equal(await cards.count(), 3);

    const bobP12 = `${THUNDERBIRD}Bob.p12`;
    await page.locator('[data-role="p12-file"]').setInputFiles(bobP12);
    await page.locator('[data-role="p12-password"]').fill("not the file's password");
    await page.locator('[data-action="import-p12"]').click();
    await page.locator('[data-role="import-error"]').getByText("The file's password is not right. Nothing was added.").waitFor();
    assert.equal(await cards.count(), 3, "nothing was added");

    // The file's password ("nss") is too short to become the account's passphrase.
    await page.locator('[data-role="p12-password"]').fill("nss");
    await page.locator('[data-action="import-p12"]').click();
    await page.locator('[data-role="import-error"]').getByText("shorter than 8 characters").waitFor();
    await page.locator('[data-role="p12-same"]').uncheck();
    await page.locator('[data-role="p12-passphrase"]').fill(DEMO_PASSPHRASE);
    await page.locator('[data-action="import-p12"]').click();
    const imported = page.locator('[data-role="account"][data-email="bob@example.com"]');
    await imported.waitFor();
    assert.equal(await page.locator('[data-role="import-error"]').isHidden(), true);
    assert.match(await page.locator('[data-role="accounts-status"]').innerText(), /Added Bob <bob@example\.com>/);
    assert.match(await imported.innerText(), /NSS Test CA/);
    assert.equal(await imported.getAttribute("data-locked"), "false");
    assert.ok((await accountBar(page)).options.includes("Bob <bob@example.com>"));

    // After a reload the demo CA is locked: issuing asks for its passphrase.
    await page.reload();
    await waitReady(page, problems);
    await go(page, "accounts");
    await page.getByLabel("E-mail address").fill("dana@example.org");
    await page.getByLabel("Name (optional)").fill("Dana Example");
    await page.getByLabel("Key", { exact: true }).selectOption("p-256");
    assert.equal(await page.locator('[data-role="new-issuer"] option:checked').innerText(), "Issued by smime-wasm Demo CA");
    await page.locator('[data-role="new-passphrase"]').fill(DEMO_PASSPHRASE);
    await page.locator('[data-role="new-passphrase-confirm"]').fill(DEMO_PASSPHRASE);
    await page.locator('[data-action="generate"]').click();
    const dialog = page.locator('dialog[data-role="unlock-dialog"][open]');
    await dialog.getByRole("heading", { name: /smime-wasm Demo CA/ }).waitFor();
    assert.match(await dialog.innerText(), /to issue the new certificate/);
    assert.equal(await answerUnlock(page), true);
    const dana = page.locator('[data-role="account"][data-email="dana@example.org"]');
    await dana.waitFor({ timeout: 30_000 });
    const danaText = await dana.innerText();
    assert.match(danaText, /Dana Example/);
    assert.match(danaText, /smime-wasm Demo CA/);
    assert.match(danaText, /P-256: signs \(ECDSA\), and opens mail encrypted to it \(ECDH\)/);
    await screenshot(page, "accounts");

    // Dana trusts the authority that issued her.
    await selectAccount(page, "dana@example.org");
    await go(page, "contacts");
    const ca = page.locator('[data-role="contact"][data-ca="true"]');
    await ca.waitFor();
    assert.equal(await ca.getAttribute("data-trusted"), "true");
    await assertClean(page, problems);
  });

  test("downloads: certificate, .p12 under a new password, and a CSR", async () => {
    const { page, problems } = await browser.openShell();
    await createDemoAccounts(page);
    await page.reload();
    await waitReady(page, problems);
    await go(page, "accounts");
    const alice = page.locator('[data-role="account"][data-email="alice@example.org"]');

    const [pem] = await Promise.all([page.waitForEvent("download"), alice.locator('[data-action="download-cert-pem"]').click()]);
    assert.equal(pem.suggestedFilename(), "alice@example.org.pem");
    assert.match(await readFile(/** @type {string} */ (await pem.path()), "utf8"), /^-----BEGIN CERTIFICATE-----\n/);

    await alice.locator('[data-action="export-p12"]').click();
    const exportDialog = page.locator('dialog[data-role="export-p12-dialog"][open]');
    await exportDialog.locator('[data-role="export-password"]').fill("export password");
    await exportDialog.locator('[data-role="export-password-confirm"]').fill("export password");
    const p12Download = page.waitForEvent("download");
    await exportDialog.locator('[data-action="export-p12-submit"]').click();
    assert.equal(await answerUnlock(page), true, "exporting the key asks to unlock it");
    const p12 = await p12Download;
    assert.equal(p12.suggestedFilename(), "alice@example.org.p12");
    const bytes = await readFile(/** @type {string} */ (await p12.path()));
    const reopened = await page.evaluate(async (data) => {
      const { SmimeClient } = await import("./js/smime-client.js");
      const client = await SmimeClient.start();
      const identity = await client.importPkcs12(new Uint8Array(data), "export password");
      return identity.info.emails;
    }, [...bytes]);
    assert.deepEqual(reopened, ["alice@example.org"]);

    const [csr] = await Promise.all([page.waitForEvent("download"), alice.locator('[data-action="download-csr"]').click()]);
    assert.match(await readFile(/** @type {string} */ (await csr.path()), "utf8"), /BEGIN CERTIFICATE REQUEST/);
    await assertClean(page, problems);
  });

  test("delete one account: asked first, then gone with its contacts", async () => {
    const { page, problems } = await browser.openShell();
    await createDemoAccounts(page);
    await go(page, "accounts");
    const alice = page.locator('[data-role="account"][data-email="alice@example.org"]');
    await alice.locator('[data-action="delete-account"]').click();
    const dialog = page.locator('dialog[data-role="delete-account-dialog"][open]');
    await dialog.getByRole("heading", { name: "Delete Alice Demo <alice@example.org>?" }).waitFor();
    assert.match(await dialog.innerText(), /its contacts and all its mail/);
    assert.equal(await page.evaluate(() => document.activeElement?.getAttribute("data-action")), "cancel-delete-account");
    await page.keyboard.press("Escape");
    await dialog.waitFor({ state: "detached" });
    assert.equal(await alice.count(), 1, "Escape keeps the account");

    const aliceId = await alice.getAttribute("data-account-id");
    await alice.locator('[data-action="delete-account"]').click();
    await dialog.locator('[data-action="confirm-delete-account"]').click();
    await page.waitForFunction(() => (document.querySelector('[data-role="account-select"]')?.children.length ?? 0) === 1);
    assert.deepEqual((await accountBar(page)).options, ["Bob Demo <bob@example.org>"]);
    assert.notEqual((await accountBar(page)).account, aliceId);
    const left = await page.evaluate(async (id) => {
      const { Store } = await import("./js/store.js");
      const store = await Store.open();
      return [(await store.accounts()).length, (await store.contacts(/** @type {string} */ (id))).length];
    }, aliceId);
    assert.deepEqual(left, [2, 0], "Bob and the demo CA stay; Alice's contacts went with her");
    await assertClean(page, problems);
  });

  test("contacts: import certificates from .pem and .p7c files, trust an authority, and it persists", async () => {
    const { page, problems } = await browser.openShell();
    await createDemoAccounts(page);
    await go(page, "contacts");
    const nss = page.locator('[data-role="contact"][data-ca="true"]', { hasText: "NSS Test CA (RSA)" });

    await page.locator('[data-role="cert-file"]').setInputFiles(`${THUNDERBIRD}TestCA.pem`);
    await nss.waitFor();
    assert.equal(await nss.getAttribute("data-trusted"), "false", "an imported authority is not trusted until chosen");
    assert.equal(await nss.getAttribute("data-source"), "file");
    assert.match(await nss.innerText(), /imported/);

    // One PEM file with two certificates adds both.
    const two = `${await readFile(`${INTEROP}thunderbird/derived-pem/Dave.cert.pem`, "utf8")}\n${await readFile(
      `${INTEROP}thunderbird/derived-pem/Eve.cert.pem`,
      "utf8",
    )}`;
    await page.locator('[data-role="cert-file"]').setInputFiles({ name: "two.pem", mimeType: "application/x-pem-file", buffer: Buffer.from(two) });
    await page.locator('[data-role="contact"][data-email="dave@example.com"]').waitFor();
    await page.locator('[data-role="contact"][data-email="eve@example.net"]').waitFor();
    assert.match(await page.locator('[data-role="contacts-status"]').innerText(), /Added Dave@example\.com, eve@example\.net/);

    // A certs-only PKCS #7 file (.p7c, DER, from tests/fixtures/make.sh) with two certificates adds both.
    await page.locator('[data-role="cert-file"]').setInputFiles(`${FIXTURES}dave-frank.p7c`);
    await page.locator('[data-role="contact"][data-email="dave@example.org"]').waitFor();
    await page.locator('[data-role="contact"][data-email="frank@example.org"]').waitFor();
    assert.match(await page.locator('[data-role="contacts-status"]').innerText(), /Added dave@example\.org, frank@example\.org/);

    // A key is not a certificate.
    const key = await readFile(`${INTEROP}thunderbird/derived-pem/Dave.key.pem`);
    await page.locator('[data-role="cert-file"]').setInputFiles({ name: "dave.key.pem", mimeType: "application/x-pem-file", buffer: key });
    await page.locator('[data-role="contacts-error"]').getByText("holds no certificate").waitFor();
    assert.equal(await page.locator('[data-role="contacts-error"] [data-role="error-code"]').innerText(), "ERR_MALFORMED_CERTIFICATE");

    await nss.getByRole("switch", { name: "Trust as an authority for Alice Demo" }).check();
    await page.waitForFunction(() =>
      [...document.querySelectorAll('[data-role="contact"]')].some(
        (c) => c.textContent?.includes("NSS Test CA") && c.getAttribute("data-trusted") === "true",
      ),
    );
    await screenshot(page, "contacts-imported");

    await page.reload();
    await waitReady(page, problems);
    await go(page, "contacts");
    await nss.waitFor();
    assert.equal(await nss.getAttribute("data-trusted"), "true", "the trust choice survives a reload");
    assert.equal(await nss.getByRole("switch").isChecked(), true);
    assert.equal(await page.locator('[data-role="contact"]').count(), 6);

    // Bob's book is his own.
    await selectAccount(page, "bob@example.org");
    await go(page, "contacts");
    await page.waitForFunction(() => document.querySelector("#contacts-title")?.textContent === "Contacts of Bob Demo");
    assert.equal(await page.locator('[data-role="contact"]').count(), 1);

    await selectAccount(page, "alice@example.org");
    await go(page, "contacts");
    await page.locator('[data-role="contact"][data-email="eve@example.net"] [data-action="remove-contact"]').click();
    await page.locator('[data-role="contact"][data-email="eve@example.net"]').waitFor({ state: "detached" });
    assert.equal(await page.locator('[data-role="contact"]').count(), 5);
    await assertClean(page, problems);
  });

  test("settings: the defaults persist; export my data keeps keys sealed", async () => {
    const { page, problems } = await browser.openShell();
    await createDemoAccounts(page);
    await go(page, "settings");
    const sign = page.getByRole("switch", { name: "Sign new messages" });
    const encrypt = page.getByRole("switch", { name: "Encrypt new messages" });
    assert.equal(await sign.isChecked(), true);
    assert.equal(await encrypt.isChecked(), true);
    await encrypt.uncheck();
    await page.locator('[data-role="settings-status"]').getByText("not encrypted").waitFor();

    await page.reload();
    await waitReady(page, problems);
    await go(page, "settings");
    assert.equal(await page.locator('[data-role="default-encrypt"]').isChecked(), false);
    assert.equal(await page.locator('[data-role="default-sign"]').isChecked(), true);

    await screenshot(page, "settings");
    const [download] = await Promise.all([page.waitForEvent("download"), page.locator('[data-action="export-data"]').click()]);
    assert.match(download.suggestedFilename(), /^smime-webmail-export-\d{4}-\d{2}-\d{2}\.json$/);
    const text = await readFile(/** @type {string} */ (await download.path()), "utf8");
    assert.doesNotMatch(text, /PRIVATE KEY/);
    const data = JSON.parse(text);
    assert.equal(data.accounts.length, 3);
    for (const account of data.accounts) {
      assert.equal(account.sealedKey.format, "smime-wasm-sealed-key");
      assert.equal(typeof account.sealedKey.pkcs12.$bytes, "string");
      assert.ok(account.sealedKey.pkcs12.$bytes.length > 1000);
      assert.equal(typeof account.certificate.$bytes, "string");
    }
    assert.equal(data.contacts.length, 2, "each demo user's book holds the demo CA");
    assert.deepEqual(data.settings["compose-defaults"], { sign: true, encrypt: false });
    await assertClean(page, problems);
  });

  test("delete all my data returns to the welcome, also after a reload", async () => {
    const { page, problems } = await browser.openShell();
    await createDemoAccounts(page);
    await go(page, "settings");
    await page.locator('[data-action="delete-data"]').click();
    const dialog = page.locator('dialog[data-role="delete-data-dialog"][open]');
    await dialog.waitFor();
    await dialog.getByRole("button", { name: "Cancel" }).click();
    await dialog.waitFor({ state: "detached" });
    assert.equal((await accountBar(page)).options.length, 2, "cancel keeps everything");

    await page.locator('[data-action="delete-data"]').click();
    await page.locator('[data-action="confirm-delete"]').click();
    await page.waitForFunction(() => document.body.dataset.view === "welcome");
    assert.equal(await page.locator('[data-role="account-select"]').isHidden(), true);
    assert.equal(await page.locator("#nav").isHidden(), true);

    await page.reload();
    await waitReady(page, problems);
    assert.equal(await page.evaluate(() => document.body.dataset.view), "welcome");
    const stored = await page.evaluate(async () => {
      const { Store } = await import("./js/store.js");
      const everything = await (await Store.open()).everything();
      return [everything.accounts.length, everything.contacts.length, everything.messages.length];
    });
    assert.deepEqual(stored, [0, 0, 0]);
    await assertClean(page, problems);
  });

  test("a crashed worker locks the accounts, says so, and asks for the passphrase again", async () => {
    const { page, problems } = await browser.openShell();
    await createDemoAccounts(page);
    await waitLocked(page, false);
    const worker = page.workers().find((w) => w.url().endsWith("/js/smime.worker.js"));
    assert.ok(worker, "the S/MIME worker runs");
    await worker.evaluate(() => {
      setTimeout(() => {
        throw new Error("simulated crash of the S/MIME worker");
      });
    });

    const notice = page.locator('[data-role="restart-notice"]');
    await notice.getByText("The S/MIME engine restarted, so your accounts were locked. Enter your passphrase to go on.").waitFor();
    assert.equal(await notice.getAttribute("role"), "alert");
    await waitLocked(page, true);
    const dialog = page.locator('dialog[data-role="unlock-dialog"][open]');
    await dialog.getByRole("heading", { name: /Alice Demo/ }).waitFor();
    await screenshot(page, "worker-restart");
    assert.equal(await answerUnlock(page), true);
    await waitLocked(page, false);
    await notice.waitFor({ state: "hidden" });

    // A fresh worker holds Alice's key again: her card says so, and her key signs a request.
    await go(page, "accounts");
    const alice = page.locator('[data-role="account"][data-email="alice@example.org"]');
    assert.equal(await alice.getAttribute("data-locked"), "false");
    assert.equal(await page.locator('[data-role="account"][data-email="bob@example.org"]').getAttribute("data-locked"), "true");
    const [csr] = await Promise.all([page.waitForEvent("download"), alice.locator('[data-action="download-csr"]').click()]);
    assert.match(await readFile(/** @type {string} */ (await csr.path()), "utf8"), /BEGIN CERTIFICATE REQUEST/);
    assert.equal(await answerUnlock(page, DEMO_PASSPHRASE, 10), false, "no second passphrase prompt");
    await assertClean(page, problems);
  });

  test("calls pending when the worker dies reject with ERR_INTERNAL, and the next call gets a fresh worker", async () => {
    const { page, problems } = await browser.openShell();
    // The next worker script loaded takes calls, answers none, and dies 50 ms after the first.
    let served = 0;
    await page.route("**/js/smime.worker.js", (route) => {
      served += 1;
      if (served > 1) return route.continue();
      return route.fulfill({
        contentType: "text/javascript",
        body: 'self.onmessage = () => setTimeout(() => { throw new Error("simulated crash"); }, 50);',
      });
    });
    const outcome = await page.evaluate(async () => {
      const { SmimeClient } = await import("./js/smime-client.js");
      const settle = (/** @type {Promise<unknown>} */ p) =>
        p.then(
          () => "resolved",
          (/** @type {any} */ e) => `${e.name} ${e.code}`,
        );
      const started = await settle(SmimeClient.start());
      const client = await SmimeClient.start(); // the real worker this time
      /** @type {string[]} */
      const restarts = [];
      client.onRestart((why) => restarts.push(why));
      const info = await client.advertisedCapabilities();
      return { started, capabilities: info.length > 0, restarts };
    });
    assert.deepEqual(outcome, { started: "SmimeError ERR_INTERNAL", capabilities: true, restarts: [] });
    assert.equal(served, 2, "a second worker was started for the next call");
    await page.unroute("**/js/smime.worker.js");
    await assertClean(page, problems);
  });

  test("keyboard only: create the demo accounts, and every control is labelled", async () => {
    const { page, problems } = await browser.openShell();
    let steps = 0;
    while ((await page.evaluate(() => document.activeElement?.getAttribute("data-role"))) !== "demo-passphrase") {
      assert.ok(++steps <= 4, "the passphrase field is among the first stops of Tab");
      await page.keyboard.press("Tab");
    }
    await page.keyboard.type(DEMO_PASSPHRASE);
    await page.keyboard.press("Tab");
    assert.equal(await page.evaluate(() => document.activeElement?.getAttribute("data-role")), "demo-passphrase-confirm");
    await page.keyboard.type(DEMO_PASSPHRASE);
    await page.keyboard.press("Enter");
    await page.waitForFunction(() => document.body.dataset.view === "mailbox", undefined, { timeout: 30_000 });
    assert.equal((await accountBar(page)).options.length, 2);

    // Every control of these views and of the account bar has a name; no positive tabindex.
    for (const view of ["mailbox", "compose", "accounts", "contacts", "settings"]) {
      await page.locator(`nav [data-view="${view}"]`).first().focus();
      await page.keyboard.press("Enter");
      await page.waitForFunction((name) => document.body.dataset.view === name, view);
      assert.deepEqual(await unlabelledControls(page), [], `every control of ${view} is labelled`);
    }
    assert.deepEqual(
      await page.evaluate(() => [...document.querySelectorAll("[tabindex]")].filter((e) => Number(e.getAttribute("tabindex")) > 0).length),
      0,
    );

    // Lock and unlock Alice from the keyboard: the dialog takes the focus, Enter submits.
    await page.locator('[data-role="account-bar"] [data-action="lock"]').focus();
    await page.keyboard.press("Enter");
    await waitLocked(page, true);
    assert.equal(await page.evaluate(() => document.activeElement?.getAttribute("data-action")), "unlock", "the focus stays on the button");
    await page.keyboard.press("Enter");
    await page.locator('dialog[data-role="unlock-dialog"][open]').waitFor();
    assert.equal(await page.evaluate(() => document.activeElement?.getAttribute("data-role")), "unlock-passphrase");
    await page.keyboard.type(DEMO_PASSPHRASE);
    await page.keyboard.press("Enter");
    await waitLocked(page, false);
    assert.equal(await page.evaluate(() => document.activeElement?.getAttribute("data-action")), "lock", "the focus is back on the button");
    await assertClean(page, problems);
  });
});
