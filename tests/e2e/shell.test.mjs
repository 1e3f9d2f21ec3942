// End-to-end tests of the webmail shell in www/, signing and reading: headless Chromium against
// the served shell (see ./shell.mjs). Encryption is in ./encrypt.test.mjs.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import {
  ARTIFACTS,
  BODY_LINE,
  THUNDERBIRD,
  assertClean,
  assertPrerequisites,
  chooseFile,
  compose,
  dropFile,
  launch,
  openComposed,
  readReport,
  waitForReader,
} from "./shell.mjs";

// Its own test, so that a missing build counts as a failure, not only as cancelled tests.
test("the shell is built: www/pkg and www/demo exist", assertPrerequisites);

describe("webmail shell", () => {
  /** @type {Awaited<ReturnType<typeof launch>>} */
  let shell;
  before(async () => {
    shell = await launch();
  });
  after(async () => {
    await shell?.close();
  });

  test("the page loads with no console error and no CSP violation", async () => {
    const { page, problems } = await shell.openShell();
    assert.match(await page.locator('[data-role="status"]').innerText(), /Ready\. Demo users: alice, bob, carol/);
    assert.equal(await page.locator("#from option").count(), 3);
    await page.screenshot({ path: `${ARTIFACTS}01-loaded.png`, fullPage: true });
    await assertClean(page, problems);
  });

  test("Alice signs detached; verifying shows valid and trusted", async () => {
    const { page, problems } = await shell.openShell();
    const eml = await compose(page, { sender: "alice@example.org", format: "detached" });
    assert.match(eml, /Content-Type: multipart\/signed/i);
    assert.match(eml, /^From: .*alice@example\.org/im);
    await openComposed(page);
    const report = await readReport(page);
    assert.equal(report.verdict, "valid");
    assert.match(report.verdictText, /^Signed by alice@example\.org — signature valid — certificate trusted \(.*Demo CA\)$/);
    assert.deepEqual(report.signers, [{ signature: "valid", chain: "trusted", addressMatch: "true" }]);
    assert.equal(report.format, "detached");
    assert.match(report.text, new RegExp(BODY_LINE));
    assert.match(report.algorithms, /SHA-256/);
    await page.screenshot({ path: `${ARTIFACTS}02-signed-detached-valid.png`, fullPage: true });
    await assertClean(page, problems);
  });

  test("Carol signs opaque with SHA-384; verifying shows valid", async () => {
    const { page, problems } = await shell.openShell();
    const body = await page.getByLabel("Message", { exact: true }).inputValue();
    await page.getByLabel("Message", { exact: true }).fill(`${body}\n\nGrüße — Carol ✓`);
    const eml = await compose(page, { sender: "carol@example.org", format: "opaque", digest: "sha384" });
    assert.match(eml, /Content-Type: application\/(x-)?pkcs7-mime/i);
    assert.doesNotMatch(eml, new RegExp(BODY_LINE), "opaque: the text is inside the CMS, not in clear");
    await openComposed(page);
    const report = await readReport(page);
    assert.equal(report.verdict, "valid");
    assert.match(report.verdictText, /^Signed by carol@example\.org — signature valid/);
    assert.equal(report.format, "opaque");
    assert.match(report.algorithms, /SHA-384/);
    assert.match(report.text, new RegExp(BODY_LINE));
    assert.match(report.text, /Grüße — Carol ✓/, "non-ASCII text survives signing and reading");
    await page.screenshot({ path: `${ARTIFACTS}03-signed-opaque-valid.png`, fullPage: true });
    await assertClean(page, problems);
  });

  test("Alice signs opaque with the defaults; verifying shows valid", async () => {
    const { page, problems } = await shell.openShell();
    await compose(page, { sender: "alice@example.org", format: "opaque" });
    await openComposed(page);
    const report = await readReport(page);
    assert.equal(report.verdict, "valid");
    assert.deepEqual(report.signers, [{ signature: "valid", chain: "trusted", addressMatch: "true" }]);
    assert.equal(report.format, "opaque");
    await assertClean(page, problems);
  });

  test("one changed body byte, dropped onto the page, shows a broken signature", async () => {
    const { page, problems } = await shell.openShell();
    const eml = await compose(page, { sender: "alice@example.org", format: "detached" });
    assert.equal(eml.split(BODY_LINE).length, 2, "the body line occurs once");
    const tampered = eml.replace(BODY_LINE, BODY_LINE.replace("Bob", "Rob"));
    await dropFile(page, "tampered.eml", tampered);
    const report = await readReport(page);
    assert.equal(report.verdict, "broken");
    assert.equal(report.verdictText, "Signature broken: the message was changed after signing");
    assert.equal(report.signers[0].signature, "invalid");
    assert.match(report.text, /Hi Rob,/, "the changed text is shown, under the broken verdict");
    await page.screenshot({ path: `${ARTIFACTS}04-tampered-broken.png`, fullPage: true });
    await assertClean(page, problems);
  });

  test("a garbage file shows an error code, and the page keeps working", async () => {
    const { page, problems } = await shell.openShell();
    const garbage = [
      "From: mallory@example.org",
      "Content-Type: application/pkcs7-mime; smime-type=signed-data; name=smime.p7m",
      "Content-Transfer-Encoding: base64",
      "",
      Buffer.from("this is not CMS at all, just bytes \u0000\u0001\u0002").toString("base64"),
      "",
    ].join("\r\n");
    await chooseFile(page, "garbage.eml", garbage);
    const error = page.locator('[data-role="reader-error"]');
    await error.waitFor({ state: "visible" });
    const code = await error.getAttribute("data-error-code");
    assert.match(code ?? "", /^ERR_[A-Z_]+$/);
    assert.notEqual(code, "ERR_INTERNAL", "a bad file is the file's fault, not a crash");
    const shown = await error.innerText();
    assert.ok(shown.includes(code ?? "?"), "the code is visible");
    assert.match(shown, /Could not open garbage\.eml\./);
    assert.doesNotMatch(shown, /\bat \S+:\d+|wasm-function|\.js:\d+/, "no stack trace");
    assert.ok(await page.locator('[data-role="report"]').isHidden());
    await page.screenshot({ path: `${ARTIFACTS}05-garbage-error.png`, fullPage: true });

    await compose(page, { sender: "bob@example.org", format: "detached" });
    await openComposed(page);
    const report = await readReport(page);
    assert.equal(report.verdict, "valid");
    assert.match(report.verdictText, /^Signed by bob@example\.org/);
    assert.ok(await error.isHidden(), "the old error is gone");
    await assertClean(page, problems);
  });

  test("Thunderbird's signed mail: signature valid, its CA not trusted here", async () => {
    const { page, problems } = await shell.openShell();
    const file = `${THUNDERBIRD}alice.dsig.SHA256.multipart.eml`;
    await page.locator('[data-role="eml-file"]').setInputFiles(file);
    await waitForReader(page);
    const report = await readReport(page);
    assert.equal(report.verdict, "untrusted");
    assert.equal(report.signers.length, 1);
    assert.equal(report.signers[0].signature, "valid");
    assert.equal(report.signers[0].chain, "untrusted");
    assert.match(report.verdictText, /^Signed by alice@example\.com — signature valid — certificate not trusted/i);
    assert.match(report.text, /This is a test message from Alice to Bob\./);
    assert.equal(report.format, "detached");
    await page.screenshot({ path: `${ARTIFACTS}06-thunderbird-untrusted.png`, fullPage: true });
    await assertClean(page, problems);
  });

  test("the client rejects unknown options, and survives its worker dying", async () => {
    const { page, problems } = await shell.openShell();
    const unknownOption = await page.evaluate(async () => {
      const { SmimeClient } = await import("./js/smime-client.js");
      const client = await SmimeClient.start();
      const { identities } = await client.loadDemoIdentities();
      return client.sign({ message: new Uint8Array(1), signingKey: identities[0], colour: "red" }).then(
        () => "resolved",
        (e) => `${e instanceof Error} ${e.name} ${e.code} ${e.message}`,
      );
    });
    assert.match(unknownOption, /^true SmimeError ERR_INVALID_ARGUMENT .*"colour"/);

    // The next worker script the page loads crashes on its first message; later ones are real.
    let served = 0;
    await page.route("**/js/smime.worker.js", (route) => {
      served += 1;
      if (served > 1) return route.continue();
      return route.fulfill({
        contentType: "text/javascript",
        body: 'self.onmessage = () => { throw new Error("simulated wasm trap"); };',
      });
    });
    const afterCrash = await page.evaluate(async () => {
      const { SmimeClient } = await import("./js/smime-client.js");
      const first = await SmimeClient.start().then(
        () => "started",
        (e) => `${e.name} ${e.code}`,
      );
      const client = await SmimeClient.start(); // a fresh worker, the real one this time
      const { identities } = await client.loadDemoIdentities();
      return { first, live: client.isLive(identities[0]), emails: identities.map((i) => i.info.emails[0]) };
    });
    assert.equal(afterCrash.first, "SmimeError ERR_INTERNAL");
    assert.deepEqual(afterCrash, {
      first: "SmimeError ERR_INTERNAL",
      live: true,
      emails: ["alice@example.org", "bob@example.org", "carol@example.org"],
    });
    assert.equal(served, 2);
    await page.unroute("**/js/smime.worker.js");
    await assertClean(page, problems);
  });
});
