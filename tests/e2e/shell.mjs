// What the end-to-end tests share: starting Chromium against the served www/, and driving the
// shell the way a person does (compose, open a file, read the report). Not a test file itself:
// `node --test` and `cargo xtask test` run only *.test.mjs.
//
// Headless Chromium is Debian's /usr/bin/chromium driven by playwright-core; www/ is served by
// ./server.mjs on 127.0.0.1, or by the server `cargo xtask test` started when it passes
// E2E_BASE_URL. The shell must be built (`cargo xtask build`): without it the tests fail, never
// skip.
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { mkdir, readFile } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";
import { startServer } from "./server.mjs";

export const ROOT = fileURLToPath(new URL("../../", import.meta.url));
export const WWW = `${ROOT}www/`;
export const FIXTURES = `${ROOT}tests/fixtures/`;
export const ARTIFACTS = fileURLToPath(new URL("./artifacts/", import.meta.url));
export const THUNDERBIRD = `${ROOT}../shared/interop/thunderbird/smime/`;
/** The first line of the compose form's default message. */
export const BODY_LINE = "Hi Bob,";

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

/** Fails (never skips) when the shell has not been built or Chromium is not installed. */
export function assertPrerequisites() {
  for (const needed of ["pkg/smime_wasm.js", "pkg/smime_wasm_bg.wasm", "demo/alice.cert.pem", "demo/demo-ca.cert.pem"]) {
    assert.ok(existsSync(`${WWW}${needed}`), `www/${needed} is missing: build first (cargo xtask build)`);
  }
  assert.ok(existsSync(CHROMIUM), `${CHROMIUM} is missing: run cargo xtask setup`);
}

/**
 * Serves www/ (unless E2E_BASE_URL names a server) and starts Chromium.
 * @returns {Promise<{ openShell: (viewport?: { width: number, height: number }) => ReturnType<typeof openShell>,
 *                     close: () => Promise<void> }>}
 */
export async function launch() {
  assertPrerequisites();
  await mkdir(ARTIFACTS, { recursive: true });
  /** @type {{ url: string, close: () => Promise<void> } | null} */
  let server = null;
  let baseUrl;
  if (process.env.E2E_BASE_URL) {
    baseUrl = new URL(process.env.E2E_BASE_URL).href;
  } else {
    server = await startServer(WWW);
    baseUrl = server.url;
  }
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  return {
    openShell: async (viewport) => {
      const shell = await openShell(context, baseUrl);
      if (viewport) await shell.page.setViewportSize(viewport);
      return shell;
    },
    close: async () => {
      await context.close();
      await browser.close();
      await server?.close();
    },
  };
}

/**
 * Opens the shell in a new page and waits until the demo users are loaded. Console errors,
 * uncaught exceptions and CSP violations (from the page and its workers) are collected in
 * `problems`.
 * @param {import("playwright-core").BrowserContext} context
 * @param {string} baseUrl
 */
async function openShell(context, baseUrl) {
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
 * No CSP violation and no console error happened; closes the page.
 * @param {import("playwright-core").Page} page
 * @param {string[]} problems
 */
export async function assertClean(page, problems) {
  const csp = await page.evaluate(() => /** @type {any} */ (window).__cspViolations ?? []);
  assert.deepEqual(csp, [], "no CSP violation");
  assert.deepEqual(problems, [], "no console error");
  await page.close();
}

/**
 * Sets the compose form's protection: the Sign and Encrypt switches and their options.
 * @param {import("playwright-core").Page} page
 * @param {{ sender: string, to?: string, sign?: boolean, encrypt?: boolean,
 *           format?: "detached" | "opaque", digest?: string, contentEncryption?: string }} options
 */
export async function fillCompose(
  page,
  { sender, to, sign = true, encrypt = false, format = "detached", digest = "sha256", contentEncryption = "aes-256-cbc" },
) {
  const from = page.getByLabel("From", { exact: true });
  const label = await from.locator("option", { hasText: sender }).innerText();
  await from.selectOption({ label });
  if (to !== undefined) await page.getByLabel("To", { exact: true }).fill(to);
  await page.getByRole("switch", { name: /^Sign\b/ }).setChecked(sign);
  await page.getByRole("switch", { name: /^Encrypt\b/ }).setChecked(encrypt);
  if (sign) {
    await page.locator(`[data-role="format-${format}"]`).check();
    await page.getByLabel("Digest").selectOption(digest);
  }
  if (encrypt) await page.locator(`[data-role="cipher-${contentEncryption}"]`).check();
}

/**
 * Fills the form as `fillCompose` does, presses the button and returns the exact .eml bytes
 * (as latin1 text) from the download link.
 * @param {import("playwright-core").Page} page
 * @param {Parameters<typeof fillCompose>[1]} options
 */
export async function compose(page, options) {
  await fillCompose(page, options);
  const { sign = true, encrypt = false } = options;
  const button = { sign: "Sign", encrypt: "Encrypt", both: "Sign and encrypt" }[sign && encrypt ? "both" : encrypt ? "encrypt" : "sign"];
  const output = page.locator('[data-role="composed-eml"]');
  const before = (await output.isVisible()) ? await output.inputValue() : null;
  await page.getByRole("button", { name: button, exact: true }).click();
  await page.waitForFunction(
    (previous) => {
      const error = document.querySelector('[data-role="compose-error"]');
      if (error instanceof HTMLElement && !error.hidden) return true;
      const eml = document.querySelector('[data-role="composed-eml"]');
      return eml instanceof HTMLTextAreaElement && eml.value !== "" && eml.value !== previous;
    },
    before,
  );
  const error = page.locator('[data-role="compose-error"]');
  if (await error.isVisible()) throw new Error(`composing failed: ${await error.innerText()}`);
  assert.match(await page.locator('[data-role="composed-summary"]').innerText(), new RegExp(options.sender));
  // The exact bytes, through the download link (a textarea's value has its CRLFs turned to LFs).
  const [download] = await Promise.all([
    page.waitForEvent("download"),
    page.getByRole("link", { name: "Download .eml" }).click(),
  ]);
  const file = { sign: "signed-message.eml", encrypt: "encrypted-message.eml", both: "signed-encrypted-message.eml" };
  assert.equal(download.suggestedFilename(), file[sign && encrypt ? "both" : encrypt ? "encrypt" : "sign"]);
  const eml = (await readFile(await download.path())).toString("latin1");
  assert.equal(eml.replace(/\r\n/g, "\n"), (await output.inputValue()).replace(/\r\n/g, "\n"));
  return eml;
}

/**
 * Hands the message just composed to the reader and waits for its report.
 * @param {import("playwright-core").Page} page
 */
export async function openComposed(page) {
  await page.getByRole("button", { name: "Open it in the reader" }).click();
  await waitForReader(page);
}

/** @param {import("playwright-core").Page} page */
export async function waitForReader(page) {
  await page.waitForFunction(() => {
    const state = document.querySelector('[data-role="report"]')?.getAttribute("data-state");
    return state === "shown" || state === "error";
  });
}

/**
 * Opens a file through the file picker.
 * @param {import("playwright-core").Page} page
 * @param {string} name
 * @param {string} text  latin1: one char per byte
 */
export async function chooseFile(page, name, text) {
  await page
    .locator('[data-role="eml-file"]')
    .setInputFiles({ name, mimeType: "message/rfc822", buffer: Buffer.from(text, "latin1") });
  await waitForReader(page);
}

/**
 * Opens a file by dropping it on the drop zone, as a person dragging it from the desktop would.
 * @param {import("playwright-core").Page} page
 * @param {string} name
 * @param {string} text  latin1: one char per byte
 */
export async function dropFile(page, name, text) {
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
export async function readReport(page) {
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
  const layers = await report.locator('[data-role="layer"]').evaluateAll((nodes) =>
    nodes.map((node) => {
      const text = (/** @type {string} */ role) =>
        /** @type {HTMLElement | null} */ (node.querySelector(`[data-role="${role}"]`))?.innerText.trim() ?? null;
      return node.getAttribute("data-kind") === "encrypted"
        ? {
            kind: "encrypted",
            contentEncryption: node.getAttribute("data-content-encryption"),
            integrity: node.getAttribute("data-integrity"),
            summary: text("encryption-summary"),
            advice: text("integrity-advice"),
          }
        : { kind: node.getAttribute("data-kind"), format: node.getAttribute("data-format") };
    }),
  );
  const signed = layers.find((layer) => layer.kind === "signed");
  return {
    verdict: await verdict.getAttribute("data-verdict"),
    verdictText: (await verdict.innerText()).trim(),
    signers,
    layers,
    format: signed?.format ?? null,
    algorithms: signers.length > 0 ? await report.locator('[data-role="algorithms"]').first().innerText() : null,
    note: await report.locator('[data-role="protection-note"]').innerText(),
    text: await report.locator('[data-role="message-text"]').innerText(),
  };
}

/**
 * The reader's error box: its code (null for a problem the page found itself) and its text.
 * @param {import("playwright-core").Page} page
 * @param {"reader-error" | "compose-error"} role
 */
export async function readError(page, role) {
  const box = page.locator(`[data-role="${role}"]`);
  await box.waitFor({ state: "visible" });
  const shown = await box.innerText();
  assert.doesNotMatch(shown, /\bat \S+:\d+|wasm-function|\.js:\d+/, "no stack trace");
  return { code: await box.getAttribute("data-error-code"), text: shown.replace(/\s+/g, " ").trim() };
}
