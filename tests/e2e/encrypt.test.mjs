// End-to-end tests of encryption in the webmail shell: compose with the Encrypt switch, read
// encrypted mail with the demo users' keys, and refuse what cannot be read in plain words.
// The page holds Alice's, Bob's and Carol's keys, so "as Bob" means the page reading a message
// that only Bob (and the sender) can open.
import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import { after, before, describe, test } from "node:test";
import {
  ARTIFACTS,
  BODY_LINE,
  FIXTURES,
  THUNDERBIRD,
  assertClean,
  chooseFile,
  compose,
  dropFile,
  fillCompose,
  launch,
  openComposed,
  readError,
  readReport,
  waitForReader,
} from "./shell.mjs";

const CBC_SUMMARY =
  "Encrypted for you (AES-256-CBC, RSA). Not integrity protected: the encryption alone cannot show the message was unchanged.";

/**
 * Text as the report shows it, for comparing with what was typed.
 * @param {string} text
 */
const normalized = (text) => text.replace(/\r\n/g, "\n").trimEnd();

/**
 * Opens `eml` in the page with only the named demo users' keys, through the page's own client.
 * Resolves to the layer kinds, or to the error code.
 * @param {import("playwright-core").Page} page
 * @param {string} eml  latin1
 * @param {string[]} users  e-mail addresses of demo users
 */
function openAs(page, eml, users) {
  return page.evaluate(
    async ([text, emails]) => {
      const { SmimeClient } = await import("./js/smime-client.js");
      const client = await SmimeClient.start();
      const { identities } = await client.loadDemoIdentities();
      const keys = identities.filter((identity) => emails.includes(identity.info.emails[0]));
      const message = Uint8Array.from(text, (c) => c.charCodeAt(0));
      return client.open({ message, decryptionKeys: keys }).then(
        (opened) => opened.layers.map((layer) => layer.kind).join(","),
        (e) => e.code,
      );
    },
    [eml, users],
  );
}

/**
 * Where the `fromEnd`-th base64 character before the end of the message is (padding and line
 * breaks not counted).
 * @param {string} eml
 * @param {number} fromEnd
 */
function base64Position(eml, fromEnd) {
  let seen = 0;
  for (let i = eml.length - 1; i >= 0; i--) {
    if (/[A-Za-z0-9+/]/.test(eml[i]) && ++seen === fromEnd) return i;
  }
  throw new Error("the message has too little base64");
}

describe("encryption in the webmail shell", () => {
  /** @type {Awaited<ReturnType<typeof launch>>} */
  let shell;
  before(async () => {
    shell = await launch();
  });
  after(async () => {
    await shell?.close();
  });

  test("Alice signs then encrypts to Bob; the reader shows both layers, trusted, same text", async () => {
    const { page, problems } = await shell.openShell();
    const typed = await page.getByLabel("Message", { exact: true }).inputValue();
    await fillCompose(page, { sender: "alice@example.org", to: "bob@example.org", encrypt: true });
    assert.equal(await page.getByRole("button", { name: "Sign and encrypt", exact: true }).count(), 1);
    const recipients = page.locator('[data-role="encryption-recipients"]');
    assert.equal(await recipients.getAttribute("data-state"), "ready");
    assert.match(
      await recipients.innerText(),
      /^Encrypted for bob@example\.org, and for you \(alice@example\.org\) so that you can read it later\. AES-256-CBC, not integrity protected\.$/,
    );
    await page.screenshot({ path: `${ARTIFACTS}07-compose-sign-encrypt.png`, fullPage: true });

    const eml = await compose(page, { sender: "alice@example.org", encrypt: true });
    assert.match(eml, /^Content-Type: application\/pkcs7-mime; smime-type=enveloped-data/im);
    assert.match(eml, /^From: .*alice@example\.org/im, "the outer headers stay readable");
    assert.doesNotMatch(eml, new RegExp(BODY_LINE), "the text is encrypted");
    assert.doesNotMatch(eml, /multipart\/signed/i, "the signature is inside the encryption");
    assert.match(
      await page.locator('[data-role="composed-summary"]').innerText(),
      /^Detached signature by alice@example\.org, SHA-256, then encrypted for bob@example\.org and you \(alice@example\.org\) with AES-256-CBC, not integrity protected · /,
    );
    assert.equal(await page.locator('[data-role="composed-title"]').innerText(), "Signed and encrypted message");

    await openComposed(page);
    const report = await readReport(page);
    assert.equal(report.verdict, "valid");
    assert.match(report.verdictText, /^Signed by alice@example\.org — signature valid — certificate trusted \(.*Demo CA\)$/);
    assert.deepEqual(report.layers, [
      {
        kind: "encrypted",
        contentEncryption: "aes-256-cbc",
        integrity: "not-protected",
        summary: CBC_SUMMARY,
        advice: "The signature inside shows whether the content was changed.",
      },
      { kind: "signed", format: "detached" },
    ]);
    assert.deepEqual(report.signers, [{ signature: "valid", chain: "trusted", addressMatch: "true" }]);
    assert.equal(normalized(report.text), normalized(typed), "the text that was typed comes back");
    assert.match(report.note, /outside the encryption and the signature/);
    await page.screenshot({ path: `${ARTIFACTS}08-signed-encrypted-read.png`, fullPage: true });

    // Encrypted for Bob and for the sender, and for nobody else.
    assert.equal(await openAs(page, eml, ["bob@example.org"]), "encrypted,signed");
    assert.equal(await openAs(page, eml, ["alice@example.org"]), "encrypted,signed");
    assert.equal(await openAs(page, eml, ["carol@example.org"]), "ERR_NO_MATCHING_RECIPIENT");
    await assertClean(page, problems);
  });

  test("encrypt only, with AES-256-GCM: integrity protected, and said to be unsigned", async () => {
    const { page, problems } = await shell.openShell();
    const typed = await page.getByLabel("Message", { exact: true }).inputValue();
    await fillCompose(page, { sender: "bob@example.org", to: "alice@example.org", sign: false, encrypt: true });
    assert.ok(await page.locator('[data-role="signature-options"]').isHidden(), "no signature options");
    const eml = await compose(page, {
      sender: "bob@example.org",
      sign: false,
      encrypt: true,
      contentEncryption: "aes-256-gcm",
    });
    assert.match(eml, /^Content-Type: application\/pkcs7-mime; smime-type=authEnveloped-data/im);
    assert.doesNotMatch(eml, new RegExp(BODY_LINE));
    await openComposed(page);
    const report = await readReport(page);
    assert.equal(report.verdict, "unsigned");
    assert.equal(report.verdictText, "Encrypted, but not signed: nothing shows who wrote this message.");
    assert.deepEqual(report.layers, [
      {
        kind: "encrypted",
        contentEncryption: "aes-256-gcm",
        integrity: "protected",
        summary:
          "Encrypted for you and integrity protected (AES-256-GCM, RSA): any change to the encrypted message would have been detected.",
        advice: null,
      },
    ]);
    assert.deepEqual(report.signers, []);
    assert.match(report.note, /encrypted but not signed/);
    assert.equal(normalized(report.text), normalized(typed));
    await page.screenshot({ path: `${ARTIFACTS}09-encrypted-gcm-read.png`, fullPage: true });
    await assertClean(page, problems);
  });

  test("encrypt only, with CBC, to Carol (P-256): nothing claims integrity", async () => {
    const { page, problems } = await shell.openShell();
    const eml = await compose(page, { sender: "alice@example.org", to: "carol@example.org", sign: false, encrypt: true });
    await openComposed(page);
    const report = await readReport(page);
    assert.equal(report.verdict, "unsigned");
    const [layer, ...rest] = report.layers;
    assert.deepEqual(rest, []);
    assert.equal(layer.integrity, "not-protected");
    assert.match(layer.summary ?? "", /^Encrypted for you \(AES-256-CBC, (ECDH P-256|RSA)\)\. Not integrity protected/);
    assert.equal(layer.advice, "Nothing inside is signed either: someone could have changed the content on the way.");
    assert.match(report.note, /cannot show changes: anyone could have written or changed it/);
    assert.equal(await openAs(page, eml, ["carol@example.org"]), "encrypted");
    await assertClean(page, problems);
  });

  test("an address without a certificate blocks encryption, in plain words", async () => {
    const { page, problems } = await shell.openShell();
    await fillCompose(page, { sender: "alice@example.org", to: "bob@example.org, dave@example.org", encrypt: true });
    const recipients = page.locator('[data-role="encryption-recipients"]');
    assert.equal(await recipients.getAttribute("data-state"), "blocked");
    const why = /^Cannot encrypt: dave@example\.org has no certificate here, and a message can only be encrypted for people whose certificate you hold\. Certificates known here: alice@example\.org, bob@example\.org, and carol@example\.org\. Remove the address, or send without encryption\.$/;
    assert.match(await recipients.innerText(), why);
    await page.getByRole("button", { name: "Sign and encrypt", exact: true }).click();
    const error = await readError(page, "compose-error");
    assert.equal(error.code, null, "the page found this itself: no engine code");
    assert.match(error.text, /^Could not encrypt the message\. dave@example\.org has no certificate here, and a message/);
    assert.ok(await page.locator('[data-role="composed-output"]').isHidden(), "nothing was made");
    await page.screenshot({ path: `${ARTIFACTS}10-no-certificate.png`, fullPage: true });

    // Without Dave it works, and the explanation goes away.
    await compose(page, { sender: "alice@example.org", to: "bob@example.org", encrypt: true });
    assert.equal(await recipients.getAttribute("data-state"), "ready");
    assert.ok(await page.locator('[data-role="compose-error"]').isHidden());
    await assertClean(page, problems);
  });

  test("a message encrypted for nobody the page holds: a plain error, and the page keeps working", async () => {
    const { page, problems } = await shell.openShell();
    // Dave (P-384) and Erin (X25519) are fixtures, not demo users: the page has no key for them.
    const certificates = await Promise.all(
      ["dave.cert.pem", "erin.cert.pem"].map((name) => readFile(`${FIXTURES}${name}`, "utf8")),
    );
    const eml = await page.evaluate(async (recipients) => {
      const { SmimeClient } = await import("./js/smime-client.js");
      const client = await SmimeClient.start();
      const message = await client.composeMessage({
        from: "alice@example.org",
        to: ["dave@example.org", "erin@example.org"],
        subject: "Not for this page",
        text: "Only Dave and Erin can read this.",
      });
      const sealed = await client.encrypt({ message, recipients, contentEncryption: "aes-128-gcm" });
      return Array.from(sealed, (byte) => String.fromCharCode(byte)).join("");
    }, certificates);
    assert.match(eml, /smime-type=authEnveloped-data/);
    await chooseFile(page, "for-dave-and-erin.eml", eml);
    const error = await readError(page, "reader-error");
    assert.equal(error.code, "ERR_NO_MATCHING_RECIPIENT");
    assert.match(
      error.text,
      /^Could not open for-dave-and-erin\.eml\. It is encrypted for other people: none of your keys can open it\. Ask the sender to encrypt it for your certificate\. Code ERR_NO_MATCHING_RECIPIENT/,
    );
    assert.ok(await page.locator('[data-role="report"]').isHidden(), "no report, no content");
    await page.screenshot({ path: `${ARTIFACTS}11-no-matching-recipient.png`, fullPage: true });

    await compose(page, { sender: "bob@example.org", to: "alice@example.org", encrypt: true });
    await openComposed(page);
    const report = await readReport(page);
    assert.equal(report.verdict, "valid");
    assert.deepEqual(report.layers.map((layer) => layer.kind), ["encrypted", "signed"]);
    assert.ok(await page.locator('[data-role="reader-error"]').isHidden(), "the old error is gone");
    await assertClean(page, problems);
  });

  test("a changed AES-GCM message is refused whole: ERR_DECRYPT_FAILED, no content", async () => {
    const { page, problems } = await shell.openShell();
    const eml = await compose(page, { sender: "alice@example.org", sign: false, encrypt: true, contentEncryption: "aes-256-gcm" });
    // Change one base64 character inside the last 16 bytes: the GCM tag (RFC 5084 `mac`).
    const at = base64Position(eml, 8);
    const tampered = `${eml.slice(0, at)}${eml[at] === "A" ? "B" : "A"}${eml.slice(at + 1)}`;
    assert.notEqual(tampered, eml);
    await dropFile(page, "tampered-gcm.eml", tampered);
    const error = await readError(page, "reader-error");
    assert.equal(error.code, "ERR_DECRYPT_FAILED");
    assert.match(error.text, /^Could not open tampered-gcm\.eml\. It is encrypted for one of your keys but could not be decrypted: .* Nothing of its content is shown\./);
    assert.ok(await page.locator('[data-role="report"]').isHidden());
    await page.screenshot({ path: `${ARTIFACTS}12-tampered-gcm.png`, fullPage: true });
    await assertClean(page, problems);
  });

  test("Thunderbird's encrypted mail for its own Bob: not for any key held here", async () => {
    const { page, problems } = await shell.openShell();
    await page.locator('[data-role="eml-file"]').setInputFiles(`${THUNDERBIRD}alice.env.eml`);
    await waitForReader(page);
    const error = await readError(page, "reader-error");
    assert.equal(error.code, "ERR_NO_MATCHING_RECIPIENT");
    assert.match(error.text, /^Could not open alice\.env\.eml\. It is encrypted for other people/);
    await assertClean(page, problems);
  });

  test("on a phone-sized screen the encrypted report fits without sideways scrolling", async () => {
    const { page, problems } = await shell.openShell({ width: 390, height: 844 });
    await compose(page, { sender: "carol@example.org", to: "alice@example.org, bob@example.org", encrypt: true });
    await page.screenshot({ path: `${ARTIFACTS}13-narrow-compose.png`, fullPage: true });
    await openComposed(page);
    const report = await readReport(page);
    assert.deepEqual(report.layers.map((layer) => layer.kind), ["encrypted", "signed"]);
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    assert.ok(overflow <= 0, `the page is ${overflow}px wider than the screen`);
    await page.locator('[data-role="report"]').screenshot({ path: `${ARTIFACTS}14-narrow-report.png` });
    await assertClean(page, problems);
  });
});
