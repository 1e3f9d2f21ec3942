// End-to-end tests of the identities and contacts panes: import a .p12, generate an identity,
// download its CSR, export and re-import a .p12; contacts learned from verified mail and
// imported from a file, with the trust toggle for authorities.
import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import { after, before, describe, test } from "node:test";
import {
  ARTIFACTS,
  FIXTURES,
  THUNDERBIRD,
  assertClean,
  compose,
  launch,
  openComposed,
  readError,
  readReport,
} from "./shell.mjs";

/**
 * Imports a .p12 through the identities pane.
 * @param {import("playwright-core").Page} page
 * @param {{ name: string, buffer: Buffer }} file
 * @param {string} password
 */
async function importP12(page, file, password) {
  await page.locator('[data-role="p12-file"]').setInputFiles({ ...file, mimeType: "application/x-pkcs12" });
  await page.locator('[data-role="p12-password"]').fill(password);
  await page.locator('[data-action="import-p12"]').click();
  await page.waitForFunction(() => {
    const error = document.querySelector('[data-role="import-p12-error"]');
    const status = document.querySelector('[data-role="import-p12-status"]');
    return (error instanceof HTMLElement && !error.hidden) || (status?.textContent ?? "") !== "";
  });
}

/** @param {import("playwright-core").Page} page */
function identityEmails(page) {
  return page.locator('[data-role="identity"]').evaluateAll((nodes) => nodes.map((node) => node.getAttribute("data-email")));
}

describe("identities and contacts in the webmail shell", () => {
  /** @type {Awaited<ReturnType<typeof launch>>} */
  let shell;
  before(async () => {
    shell = await launch();
  });
  after(async () => {
    await shell?.close();
  });

  test("a wrong password says so plainly and loses nothing; the right one imports Bob", async () => {
    const { page, problems } = await shell.openShell();
    const bob = { name: "Bob.p12", buffer: await readFile(`${THUNDERBIRD}Bob.p12`) };
    const before = await identityEmails(page);
    assert.equal(before.length, 3);

    await importP12(page, bob, "not the password");
    const error = await readError(page, /** @type {any} */ ("import-p12-error"));
    assert.equal(error.code, "ERR_BAD_PASSWORD");
    assert.match(error.text, /The password is wrong\./);
    assert.deepEqual(await identityEmails(page), before, "nothing lost");
    await page.screenshot({ path: `${ARTIFACTS}20-p12-wrong-password.png`, fullPage: true });

    await importP12(page, bob, "nss");
    assert.equal(await page.locator('[data-role="import-p12-error"]').isVisible(), false);
    assert.deepEqual(await identityEmails(page), [...before, "Bob@example.com"]);
    // The new identity is a sender in compose.
    assert.equal(await page.locator("#from option", { hasText: "Bob@example.com" }).count(), 1);
    await page.screenshot({ path: `${ARTIFACTS}21-p12-imported.png`, fullPage: true });
    await assertClean(page, problems);
  });

  test("generate a P-256 identity, download its CSR, export a .p12 and import it again", async () => {
    const { page, problems } = await shell.openShell();
    await page.locator('[data-role="new-email"]').fill("dana@example.net");
    await page.locator('[data-role="new-name"]').fill("Dana Example");
    await page.locator('[data-role="new-algorithm"]').selectOption("p-256");
    await page.locator('[data-action="generate"]').click();
    const card = page.locator('[data-role="identity"][data-email="dana@example.net"]');
    await card.waitFor();
    assert.match(await card.innerText(), /ECDSA P-256/);
    assert.match(await card.innerText(), /self-signed/);

    const [csrDownload] = await Promise.all([
      page.waitForEvent("download"),
      card.locator('[data-action="download-csr"]').click(),
    ]);
    assert.equal(csrDownload.suggestedFilename(), "dana@example.net.csr");
    const csr = (await readFile(await csrDownload.path())).toString("utf8");
    assert.ok(csr.startsWith("-----BEGIN CERTIFICATE REQUEST-----"), csr.slice(0, 60));

    await card.locator('[data-role="export-password"]').fill("correct horse");
    const [p12Download] = await Promise.all([
      page.waitForEvent("download"),
      card.locator('[data-action="export-p12"]').click(),
    ]);
    assert.equal(p12Download.suggestedFilename(), "dana@example.net.p12");
    const p12 = await readFile(await p12Download.path());
    await page.screenshot({ path: `${ARTIFACTS}22-generated-identity.png`, fullPage: true });

    // In a fresh page (nothing kept between pages), the exported file imports with its password.
    const fresh = await shell.openShell();
    await importP12(fresh.page, { name: "dana.p12", buffer: p12 }, "correct horse");
    assert.ok((await identityEmails(fresh.page)).includes("dana@example.net"));
    await assertClean(fresh.page, fresh.problems);
    await assertClean(page, problems);
  });

  test("an identity issued by a local demo CA signs mail that shows as trusted", async () => {
    const { page, problems } = await shell.openShell();
    await page.locator('[data-action="create-ca"]').click();
    await page.locator('[data-role="contact"][data-ca="true"]').waitFor();
    assert.equal(await page.locator('[data-role="new-by-ca"]').isChecked(), true);
    await page.locator('[data-role="new-email"]').fill("erin@example.net");
    await page.locator('[data-role="new-algorithm"]').selectOption("rsa-2048");
    await page.locator('[data-action="generate"]').click();
    const card = page.locator('[data-role="identity"][data-email="erin@example.net"]');
    await card.waitFor();
    assert.match(await card.innerText(), /issued by Local demo CA/);
    await compose(page, { sender: "erin@example.net" });
    await openComposed(page);
    const report = await readReport(page);
    assert.deepEqual(report.signers, [{ signature: "valid", chain: "trusted", addressMatch: "true" }]);
    await assertClean(page, problems);
  });

  test("verified mail adds the signer to contacts; an imported CA can be trusted", async () => {
    const { page, problems } = await shell.openShell();
    await compose(page, { sender: "alice@example.org" });
    await openComposed(page);
    assert.equal((await readReport(page)).verdict, "valid");
    const alice = page.locator('[data-role="contact"][data-email="alice@example.org"]');
    await alice.waitFor();
    assert.match(await alice.locator('[data-role="contact-capabilities"]').innerText(), /aes-256-gcm/);
    assert.equal(await alice.locator('[data-role="trust-toggle"]').count(), 0, "no trust toggle for a person");

    await page
      .locator('[data-role="cert-file"]')
      .setInputFiles({ name: "other-ca.cert.pem", mimeType: "application/x-pem-file", buffer: await readFile(`${FIXTURES}other-ca.cert.pem`) });
    const ca = page.locator('[data-role="contact"][data-ca="true"]');
    await ca.waitFor();
    assert.equal(await ca.getAttribute("data-trusted"), "false");
    await ca.getByRole("switch", { name: "Trust as an authority" }).check();
    await page.locator('[data-role="contact"][data-ca="true"][data-trusted="true"]').waitFor();
    assert.match(
      await page.locator('[data-role="contact"][data-ca="true"] [data-role="trust-text"]').innerText(),
      /You trust this authority to vouch for others/,
    );
    // Opening again passes the chosen anchor along with the demo CA: still valid.
    await openComposed(page);
    assert.equal((await readReport(page)).verdict, "valid");
    await page.locator("#contacts").screenshot({ path: `${ARTIFACTS}23-contacts.png` });
    await page.screenshot({ path: `${ARTIFACTS}24-contacts-page.png`, fullPage: true });
    await assertClean(page, problems);
  });

  test("compose encrypts to a contact learned from mail", async () => {
    const { page, problems } = await shell.openShell();
    await importP12(page, { name: "Bob.p12", buffer: await readFile(`${THUNDERBIRD}Bob.p12`) }, "nss");
    // Bob (Thunderbird's) signs a message; opening it makes him a contact.
    await compose(page, { sender: "Bob@example.com", to: "alice@example.org" });
    await openComposed(page);
    await page.locator('[data-role="contact"][data-email="Bob@example.com"]').waitFor();
    await compose(page, { sender: "alice@example.org", to: "Bob@example.com", encrypt: true });
    await openComposed(page);
    const report = await readReport(page);
    assert.equal(report.layers[0].kind, "encrypted");
    await assertClean(page, problems);
  });
});
