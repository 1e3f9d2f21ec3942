// End-to-end tests of the webmail shell in www/: headless Chromium (Debian's /usr/bin/chromium)
// driven by playwright-core, against a static server on 127.0.0.1 (./server.mjs, or the one
// `cargo xtask test` started when it passes E2E_BASE_URL). Needs a built www/pkg and www/demo
// (`cargo xtask build`); without them the tests fail, never skip.
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { mkdir, readFile } from "node:fs/promises";
import { after, before, describe, test } from "node:test";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";
import { startServer } from "./server.mjs";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const WWW = `${ROOT}www/`;
const ARTIFACTS = fileURLToPath(new URL("./artifacts/", import.meta.url));
const THUNDERBIRD = `${ROOT}../shared/interop/thunderbird/smime/`;
const CHROMIUM = process.env.CHROMIUM_PATH || "/usr/bin/chromium";
const CHROMIUM_ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];
const BODY_LINE = "Hi Bob,";

/** @type {import("playwright-core").Browser} */
let browser;
/** @type {import("playwright-core").BrowserContext} */
let context;
/** @type {{ url: string, close: () => Promise<void> }} */
let server;
/** @type {string} */
let baseUrl;

/** Fails (never skips) when the shell has not been built or Chromium is not installed. */
function assertPrerequisites() {
  for (const needed of ["pkg/smime_wasm.js", "pkg/smime_wasm_bg.wasm", "demo/alice.cert.pem", "demo/demo-ca.cert.pem"]) {
    assert.ok(existsSync(`${WWW}${needed}`), `www/${needed} is missing: build first (cargo xtask build)`);
  }
  assert.ok(existsSync(CHROMIUM), `${CHROMIUM} is missing: run cargo xtask setup`);
}

// Its own test, so that a missing build counts as a failure, not only as cancelled tests.
test("the shell is built: www/pkg and www/demo exist", assertPrerequisites);

describe("webmail shell", () => {
  before(async () => {
    assertPrerequisites();
    await mkdir(ARTIFACTS, { recursive: true });
    if (process.env.E2E_BASE_URL) {
      baseUrl = new URL(process.env.E2E_BASE_URL).href;
    } else {
      server = await startServer(WWW);
      baseUrl = server.url;
    }
    browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
    context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  });

  after(async () => {
    await context?.close();
    await browser?.close();
    await server?.close();
  });

  test("the page loads with no console error and no CSP violation", async () => {
    const { page, problems } = await openShell();
    assert.match(await page.locator('[data-role="status"]').innerText(), /Ready\. Demo users: alice, bob, carol/);
    assert.equal(await page.locator("#from option").count(), 3);
    await page.screenshot({ path: `${ARTIFACTS}01-loaded.png`, fullPage: true });
    await assertClean(page, problems);
  });

  test("Alice signs detached; verifying shows valid and trusted", async () => {
    const { page, problems } = await openShell();
    const eml = await signAs(page, { sender: "alice@example.org", format: "detached" });
    assert.match(eml, /Content-Type: multipart\/signed/i);
    assert.match(eml, /^From: .*alice@example\.org/im);
    await verifyLast(page);
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
    const { page, problems } = await openShell();
    const body = await page.getByLabel("Message", { exact: true }).inputValue();
    await page.getByLabel("Message", { exact: true }).fill(`${body}\n\nGrüße — Carol ✓`);
    const eml = await signAs(page, { sender: "carol@example.org", format: "opaque", digest: "sha384" });
    assert.match(eml, /Content-Type: application\/(x-)?pkcs7-mime/i);
    assert.doesNotMatch(eml, new RegExp(BODY_LINE), "opaque: the text is inside the CMS, not in clear");
    await verifyLast(page);
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
    const { page, problems } = await openShell();
    await signAs(page, { sender: "alice@example.org", format: "opaque" });
    await verifyLast(page);
    const report = await readReport(page);
    assert.equal(report.verdict, "valid");
    assert.deepEqual(report.signers, [{ signature: "valid", chain: "trusted", addressMatch: "true" }]);
    assert.equal(report.format, "opaque");
    await assertClean(page, problems);
  });

  test("one changed body byte, dropped onto the page, shows a broken signature", async () => {
    const { page, problems } = await openShell();
    const eml = await signAs(page, { sender: "alice@example.org", format: "detached" });
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
    const { page, problems } = await openShell();
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

    await signAs(page, { sender: "bob@example.org", format: "detached" });
    await verifyLast(page);
    const report = await readReport(page);
    assert.equal(report.verdict, "valid");
    assert.match(report.verdictText, /^Signed by bob@example\.org/);
    assert.ok(await error.isHidden(), "the old error is gone");
    await assertClean(page, problems);
  });

  test("Thunderbird's signed mail: signature valid, its CA not trusted here", async () => {
    const { page, problems } = await openShell();
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
    const { page, problems } = await openShell();
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

/**
 * Opens the shell in a new page of the shared context and waits until the demo users are loaded.
 * Console errors, uncaught exceptions and CSP violations (from the page and its workers) are
 * collected in `problems`.
 */
async function openShell() {
  const page = await context.newPage();
  /** @type {string[]} */
  const problems = [];
  page.on("console", (message) => {
    if (message.type() === "error") problems.push(`console: ${message.text()}`);
  });
  page.on("pageerror", (error) => problems.push(`uncaught: ${error.message}`));
  page.on("worker", (worker) => {
    worker.on("console", (message) => {
      if (message.type() === "error") problems.push(`worker console: ${message.text()}`);
    });
  });
  await page.addInitScript(() => {
    document.addEventListener("securitypolicyviolation", (event) => {
      const w = /** @type {any} */ (window);
      (w.__cspViolations ??= []).push(`${event.violatedDirective} ${event.blockedURI}`);
    });
  });
  await page.goto(baseUrl);
  await page.waitForFunction(() => document.body.dataset.appState !== "loading");
  const state = await page.evaluate(() => document.body.dataset.appState);
  if (state !== "ready") {
    throw new Error(`the shell did not start: ${await page.locator("#startup-error").innerText()}\n${problems.join("\n")}`);
  }
  return { page, problems };
}

/**
 * @param {import("playwright-core").Page} page
 * @param {string[]} problems
 */
async function assertClean(page, problems) {
  const csp = await page.evaluate(() => /** @type {any} */ (window).__cspViolations ?? []);
  assert.deepEqual(csp, [], "no CSP violation");
  assert.deepEqual(problems, [], "no console error");
  await page.close();
}

/**
 * Signs the compose form's message as a demo user; returns the .eml text shown.
 * @param {import("playwright-core").Page} page
 * @param {{ sender: string, format: "detached" | "opaque", digest?: string }} options
 */
async function signAs(page, { sender, format, digest = "sha256" }) {
  const from = page.getByLabel("From", { exact: true });
  const label = await from.locator("option", { hasText: sender }).innerText();
  await from.selectOption({ label });
  await page.locator(`[data-role="format-${format}"]`).check();
  await page.getByLabel("Digest").selectOption(digest);
  const output = page.locator('[data-role="signed-eml"]');
  const before = (await output.isVisible()) ? await output.inputValue() : null;
  await page.getByRole("button", { name: "Sign", exact: true }).click();
  await page.waitForFunction(
    (previous) => {
      const error = document.querySelector('[data-role="compose-error"]');
      if (error instanceof HTMLElement && !error.hidden) return true;
      const eml = document.querySelector('[data-role="signed-eml"]');
      return eml instanceof HTMLTextAreaElement && eml.value !== "" && eml.value !== previous;
    },
    before,
  );
  const error = page.locator('[data-role="compose-error"]');
  if (await error.isVisible()) throw new Error(`signing failed: ${await error.innerText()}`);
  assert.match(await page.locator('[data-role="signed-summary"]').innerText(), new RegExp(sender));
  // The exact bytes, through the download link (a textarea's value has its CRLFs turned to LFs).
  const [download] = await Promise.all([
    page.waitForEvent("download"),
    page.getByRole("link", { name: "Download .eml" }).click(),
  ]);
  assert.equal(download.suggestedFilename(), "signed-message.eml");
  const eml = (await readFile(await download.path())).toString("latin1");
  assert.equal(eml.replace(/\r\n/g, "\n"), (await output.inputValue()).replace(/\r\n/g, "\n"));
  return eml;
}

/** @param {import("playwright-core").Page} page */
async function verifyLast(page) {
  await page.getByRole("button", { name: "Verify the message I just signed" }).click();
  await waitForReader(page);
}

/** @param {import("playwright-core").Page} page */
async function waitForReader(page) {
  await page.waitForFunction(() => {
    const state = document.querySelector('[data-role="report"]')?.getAttribute("data-state");
    return state === "shown" || state === "error";
  });
}

/**
 * Opens a file through the file picker.
 * @param {import("playwright-core").Page} page
 * @param {string} name
 * @param {string} text
 */
async function chooseFile(page, name, text) {
  await page
    .locator('[data-role="eml-file"]')
    .setInputFiles({ name, mimeType: "message/rfc822", buffer: Buffer.from(text, "latin1") });
  await waitForReader(page);
}

/**
 * Opens a file by dropping it on the drop zone, as a person dragging it from the desktop would.
 * @param {import("playwright-core").Page} page
 * @param {string} name
 * @param {string} text
 */
async function dropFile(page, name, text) {
  const transfer = await page.evaluateHandle(
    ([fileName, content]) => {
      const data = new DataTransfer();
      const bytes = Uint8Array.from(content, (c) => c.charCodeAt(0));
      data.items.add(new File([bytes], fileName, { type: "message/rfc822" }));
      return data;
    },
    [name, text],
  );
  const zone = page.locator('[data-role="drop-zone"]');
  await zone.dispatchEvent("dragover", { dataTransfer: transfer });
  assert.equal(await zone.getAttribute("data-dragging"), "true", "the drop zone shows a drag");
  await zone.dispatchEvent("drop", { dataTransfer: transfer });
  await waitForReader(page);
}

/**
 * What the report shows, read from its data-* attributes and visible text.
 * @param {import("playwright-core").Page} page
 */
async function readReport(page) {
  const error = page.locator('[data-role="reader-error"]');
  if (await error.isVisible()) throw new Error(`opening failed: ${await error.innerText()}`);
  const report = page.locator('[data-role="report"]');
  const verdict = report.locator('[data-role="verdict"]');
  const signers = await report.locator('[data-role="signer"]').evaluateAll((nodes) =>
    nodes.map((node) => ({
      signature: node.getAttribute("data-signature"),
      chain: node.getAttribute("data-chain"),
      addressMatch: node.getAttribute("data-address-match"),
    })),
  );
  return {
    verdict: await verdict.getAttribute("data-verdict"),
    verdictText: (await verdict.innerText()).trim(),
    signers,
    format: await report.locator('[data-role="layer"][data-kind="signed"]').first().getAttribute("data-format"),
    algorithms: await report.locator('[data-role="algorithms"]').first().innerText(),
    text: await report.locator('[data-role="message-text"]').innerText(),
  };
}
