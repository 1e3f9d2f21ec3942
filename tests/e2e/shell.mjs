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
import { mkdir } from "node:fs/promises";
import { after, before } from "node:test";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";
import { startServer } from "./server.mjs";

export const ROOT = fileURLToPath(new URL("../../", import.meta.url));
export const WWW = `${ROOT}www/`;
export const FIXTURES = `${ROOT}tests/fixtures/`;
export const ARTIFACTS = fileURLToPath(new URL("./artifacts/", import.meta.url));
export const THUNDERBIRD = `${ROOT}../shared/interop/thunderbird/smime/`;
export const INTEROP = `${ROOT}../shared/interop/`;
/** The passphrase the tests give the demo accounts. */
export const DEMO_PASSPHRASE = "correct horse battery";

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
  for (const needed of ["pkg/smime_wasm.js", "pkg/smime_wasm_bg.wasm"]) {
    assert.ok(existsSync(`${WWW}${needed}`), `www/${needed} is missing: build first (cargo xtask build)`);
  }
  assert.ok(existsSync(CHROMIUM), `${CHROMIUM} is missing: run cargo xtask setup`);
}

/**
 * Serves www/ (unless E2E_BASE_URL names a server) and starts Chromium.
 * @returns {Promise<{ baseUrl: string,
 *   openShell: (viewport?: { width: number, height: number }) =>
 *     Promise<Awaited<ReturnType<typeof openShell>> & { context: import("playwright-core").BrowserContext }>,
 *   close: () => Promise<void> }>}
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
  return {
    baseUrl,
    openShell: async (viewport) => {
      // A new browser context is a new, empty profile: no IndexedDB, no accounts.
      const context = await browser.newContext({ viewport: viewport ?? { width: 1280, height: 900 } });
      return { ...(await openShell(context, baseUrl)), context };
    },
    close: async () => {
      await browser.close();
      await server?.close();
    },
  };
}

/**
 * One browser for a test file: registers node:test `before` (serve www/, start Chromium) and
 * `after` (close both), and returns the browser. Its members work once `before` has run, that
 * is inside the tests.
 * @returns {{ readonly baseUrl: string, openShell: Awaited<ReturnType<typeof launch>>["openShell"] }}
 */
export function useBrowser() {
  /** @type {Awaited<ReturnType<typeof launch>> | undefined} */
  let browser;
  before(async () => {
    browser = await launch();
  });
  after(async () => {
    await browser?.close();
  });
  const running = () => {
    if (!browser) throw new Error("the browser starts in before(): use it inside a test");
    return browser;
  };
  return {
    get baseUrl() {
      return running().baseUrl;
    },
    openShell: (viewport) => running().openShell(viewport),
  };
}

/**
 * Opens the shell in a new page and waits until it is ready. Console errors,
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
  await waitReady(page, problems);
  return { page, problems };
}

/**
 * Waits until the shell has started (after a load or a reload); throws why it did not.
 * @param {import("playwright-core").Page} page
 * @param {string[]} [problems]
 */
export async function waitReady(page, problems = []) {
  await page.waitForFunction(() => document.body.dataset.appState !== "loading");
  const state = await page.evaluate(() => document.body.dataset.appState);
  if (state !== "ready") {
    throw new Error(`the shell did not start: ${await page.locator("#startup-error").innerText()}\n${problems.join("\n")}`);
  }
}

/**
 * First run: "Create demo accounts" (a demo CA, Alice and Bob) under `passphrase`. Afterwards
 * Alice is the current account, unlocked, and her Inbox is shown.
 * @param {import("playwright-core").Page} page
 * @param {string} [passphrase]
 */
export async function createDemoAccounts(page, passphrase = DEMO_PASSPHRASE) {
  await page.getByRole("button", { name: /create (the )?demo accounts/i }).waitFor();
  await page.locator('[data-role="demo-passphrase"]').fill(passphrase);
  const confirm = page.locator('[data-role="demo-passphrase-confirm"]');
  if ((await confirm.count()) > 0) await confirm.fill(passphrase);
  await page.getByRole("button", { name: /create (the )?demo accounts/i }).click();
  await page.locator('[data-role="account-select"]').waitFor();
  await page.waitForFunction(() => document.body.dataset.view === "mailbox");
}

/**
 * Makes the account with this address the current one (through the account switcher).
 * @param {import("playwright-core").Page} page
 * @param {string} email
 */
export async function selectAccount(page, email) {
  const select = page.locator('[data-role="account-select"]');
  const value = await select.locator("option", { hasText: email }).getAttribute("value");
  assert.ok(value, `an account ${email} is listed`);
  await select.selectOption(value);
  await page.waitForFunction((id) => document.querySelector('[data-role="account-bar"]')?.getAttribute("data-account") === id, value);
}

/**
 * If the unlock dialog is open (or opens within `timeout`), enters the passphrase.
 * @param {import("playwright-core").Page} page
 * @param {string} [passphrase]
 * @param {number} [timeout]
 * @returns {Promise<boolean>} whether it was asked
 */
export async function answerUnlock(page, passphrase = DEMO_PASSPHRASE, timeout = 2000) {
  const dialog = page.locator('dialog[data-role="unlock-dialog"][open]');
  try {
    await dialog.waitFor({ timeout });
  } catch {
    return false;
  }
  await dialog.locator('[data-role="unlock-passphrase"]').fill(passphrase);
  await dialog.locator('[data-action="unlock-submit"]').click();
  await dialog.waitFor({ state: "detached", timeout: 20_000 }).catch(() => dialog.waitFor({ state: "hidden" }));
  return true;
}

/**
 * A full-page screenshot in tests/e2e/artifacts/.
 * @param {import("playwright-core").Page} page
 * @param {string} name  without extension
 */
export async function screenshot(page, name) {
  await page.screenshot({ path: `${ARTIFACTS}${name}.png`, fullPage: true });
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
  await page.context().close();
}


// ---- The page's store and a test engine, from inside the page -------------------------------
//
// `page.evaluate` runs its function in the page: it cannot close over the test's values, so they
// travel as its argument, and the page's CSP forbids turning strings into code, so the helpers
// take data, not functions. Stored records are read and written through the app's own Store
// (www/js/store.js), never by hand on IndexedDB. Message bytes travel as latin1 ("binary")
// strings.

/**
 * @typedef {object} StoredMessage  a message record of the page's store, as the tests see it
 * @property {number} id
 * @property {number} [size]   bytes of the raw message
 * @property {string} [raw]    the raw message, latin1 (left out when not asked for)
 * @property {any} [draft]     drafts only, with each attachment's `data` as an array of bytes
 * @property {any} headers
 */

/**
 * The records of an account's folder, newest first, read with the app's Store.
 * @param {import("playwright-core").Page} page
 * @param {string} email  the account's address
 * @param {"inbox" | "sent" | "drafts"} folder
 * @param {{ raw?: boolean }} [options]  `raw: false` leaves the bytes in the page (large mail)
 * @returns {Promise<StoredMessage[]>}
 */
export function storedMessages(page, email, folder, { raw = true } = {}) {
  return page.evaluate(
    async ({ email, folder, raw }) => {
      const { Store } = await import("./js/store.js");
      const store = await Store.open();
      const account = (await store.accounts()).find((a) => a.email === email);
      if (!account) throw new Error(`no account ${email}`);
      const latin1 = (/** @type {Uint8Array} */ bytes) => Array.from(bytes, (b) => String.fromCharCode(b)).join("");
      return (await store.messages(account.id, folder)).map((m) => ({
        id: /** @type {number} */ (m.id),
        size: m.raw?.length,
        raw: raw && m.raw ? latin1(m.raw) : undefined,
        draft: m.draft ? { ...m.draft, attachments: m.draft.attachments.map((a) => ({ ...a, data: Array.from(a.data) })) } : undefined,
        headers: m.headers,
      }));
    },
    { email, folder, raw },
  );
}

/**
 * Changes the raw bytes of every message in an account's folder, as a mail server could:
 * `search` (latin1) becomes `replacement`, through the app's Store.
 * @param {import("playwright-core").Page} page
 * @param {string} email
 * @param {"inbox" | "sent" | "drafts"} folder
 * @param {string} search
 * @param {string} replacement
 * @returns {Promise<number>} how many messages changed
 */
export function replaceInStoredMessages(page, email, folder, search, replacement) {
  return page.evaluate(
    async ({ email, folder, search, replacement }) => {
      const { Store } = await import("./js/store.js");
      const store = await Store.open();
      const account = (await store.accounts()).find((a) => a.email === email);
      if (!account) throw new Error(`no account ${email}`);
      let changed = 0;
      for (const record of await store.messages(account.id, folder)) {
        if (!record.raw) continue;
        const text = Array.from(record.raw, (b) => String.fromCharCode(b)).join("");
        if (!text.includes(search)) continue;
        record.raw = Uint8Array.from(text.replaceAll(search, replacement), (c) => c.charCodeAt(0));
        await store.putMessage(record);
        changed++;
      }
      return changed;
    },
    { email, folder, search, replacement },
  );
}

/**
 * Makes a message in the page with the S/MIME engine, as the account `from` would send it: its
 * key is unsealed from the page's store with `passphrase`, in a second engine client of the
 * test's own, so the compose view is not needed. `sign` may list several formats: each wraps
 * the last, innermost first.
 * @param {import("playwright-core").Page} page
 * @param {{ from: string, to: string[], subject: string, text?: string, html?: string,
 *           attachments?: { filename: string, contentType: string, data: string }[],
 *           sign?: "detached" | "opaque" | ("detached" | "opaque")[],
 *           encrypt?: "aes-256-cbc" | "aes-128-gcm" | "aes-256-gcm", passphrase?: string }} message
 * @returns {Promise<string>} the message, latin1
 */
export async function makeMessage(page, { passphrase = DEMO_PASSPHRASE, ...message }) {
  await installTestEngine(page);
  return page.evaluate(
    async ({ message, passphrase }) => {
      const w = /** @type {any} */ (window);
      const { client, accounts, key } = await w.__testEngine();
      const account = (/** @type {string} */ address) => {
        const found = accounts.find((/** @type {any} */ a) => a.email === address);
        if (!found) throw new Error(`no account ${address}`);
        return found;
      };
      const bytes = (/** @type {string} */ s) => Uint8Array.from(s, (c) => c.charCodeAt(0));
      let raw = await client.composeMessage({
        from: message.from,
        to: message.to,
        subject: message.subject,
        text: message.text,
        html: message.html,
        attachments: message.attachments?.map((/** @type {any} */ a) => ({ ...a, data: bytes(a.data) })),
      });
      for (const format of [message.sign ?? []].flat()) {
        raw = await client.sign({ message: raw, signingKey: await key(account(message.from), passphrase), format });
      }
      if (message.encrypt) {
        const recipients = [...message.to, message.from].map((address) => account(address).certificate);
        raw = await client.encrypt({ message: raw, recipients, contentEncryption: message.encrypt });
      }
      return Array.from(raw, (b) => String.fromCharCode(/** @type {number} */ (b))).join("");
    },
    { message, passphrase },
  );
}

/**
 * Puts a message into a folder of the account `email` as the local transport would (a
 * MessageRecord with the engine's header summary, through the app's Store), then reloads the
 * page so the shell reads it. The accounts are locked after the reload.
 * @param {import("playwright-core").Page} page
 * @param {string} email
 * @param {string} raw  latin1
 * @param {{ folder?: "inbox" | "sent" | "drafts", seen?: boolean, draft?: object, reload?: boolean }} [options]
 * @returns {Promise<number>} the message's id
 */
export async function deliverMessage(page, email, raw, { folder = "inbox", seen = false, draft, reload = true } = {}) {
  await installTestEngine(page);
  const id = await page.evaluate(
    async ({ email, raw, folder, seen, draft }) => {
      const w = /** @type {any} */ (window);
      const { client, store, accounts } = await w.__testEngine();
      const account = accounts.find((/** @type {any} */ a) => a.email === email);
      if (!account) throw new Error(`no account ${email}`);
      const bytes = Uint8Array.from(raw, (c) => c.charCodeAt(0));
      const headers = await client.messageHeaders(bytes);
      /** @type {Record<string, unknown>} */
      const record = { account: account.id, folder, headers, receivedAt: new Date().toISOString(), seen };
      if (draft) record.draft = draft;
      else record.raw = bytes;
      return /** @type {number} */ (await store.putMessage(record));
    },
    { email, raw, folder, seen, draft },
  );
  if (reload) {
    await page.reload();
    await waitReady(page);
  }
  return id;
}

/**
 * Opens a stored message the way its owner can, without the message view: the account's sealed
 * key unsealed with `passphrase` in the test's own engine client, then `open` and `readMessage`.
 * @param {import("playwright-core").Page} page
 * @param {string} email  whose key
 * @param {number} id     the message record
 * @param {string} [passphrase]
 * @returns {Promise<{ layers: string[], text: string, attachments: { filename: string, data: string }[] } | { error: string }>}
 *          attachment data latin1; `error` the code when it could not be opened
 */
export async function openStoredMessage(page, email, id, passphrase = DEMO_PASSPHRASE) {
  await installTestEngine(page);
  return page.evaluate(
    async ({ email, id, passphrase }) => {
      const w = /** @type {any} */ (window);
      const { client, store, accounts, key } = await w.__testEngine();
      const latin1 = (/** @type {Uint8Array} */ bytes) => Array.from(bytes, (b) => String.fromCharCode(b)).join("");
      try {
        const account = accounts.find((/** @type {any} */ a) => a.email === email);
        const record = await store.message(id);
        const opened = await client.open({ message: record.raw, decryptionKeys: [await key(account, passphrase)] });
        const view = await client.readMessage(opened.content);
        return {
          layers: opened.layers.map((/** @type {any} */ layer) => layer.kind),
          text: view.text ?? "",
          attachments: view.attachments.map((/** @type {any} */ a) => ({ filename: a.filename ?? "", data: latin1(a.data) })),
        };
      } catch (e) {
        return { error: /** @type {any} */ (e).code ?? String(e) };
      }
    },
    { email, id, passphrase },
  );
}

/**
 * Installs `window.__testEngine()` in the page (once per document): an engine client of the
 * test's own (the page's keys stay the page's), the app's Store, the stored accounts, and
 * `key(account, passphrase)`, the account's key unsealed once.
 * @param {import("playwright-core").Page} page
 */
async function installTestEngine(page) {
  await page.evaluate(() => {
    const w = /** @type {any} */ (window);
    w.__testEngine ??= async () => {
      const [{ SmimeClient }, { Store }] = await Promise.all([import("./js/smime-client.js"), import("./js/store.js")]);
      w.__testSmime ??= await SmimeClient.start();
      w.__testStore ??= await Store.open();
      /** @type {Map<string, unknown>} account id -> unsealed identity */
      const keys = (w.__testKeys ??= new Map());
      const client = w.__testSmime;
      /** @param {any} account @param {string} passphrase */
      const key = async (account, passphrase) => {
        if (!keys.has(account.id)) keys.set(account.id, await client.unseal(account.sealedKey, passphrase));
        return keys.get(account.id);
      };
      return { client, store: w.__testStore, accounts: await w.__testStore.accounts(), key };
    };
  });
}

/**
 * Waits until the message view has settled (shown, error or locked); returns its state.
 * @param {import("playwright-core").Page} page
 * @param {number} [timeout]
 */
export async function waitForMessage(page, timeout = 30_000) {
  const settled = ["shown", "error", "locked"];
  await page.waitForFunction(
    (states) => states.includes(document.querySelector('[data-role="message-view"]')?.getAttribute("data-state") ?? ""),
    settled,
    { timeout },
  );
  return page.locator('[data-role="message-view"]').getAttribute("data-state");
}

/**
 * Opens a message file through the "Open an .eml file" picker and waits for the message view.
 * @param {import("playwright-core").Page} page
 * @param {string | { name: string, content: string | Buffer }} file  a path, or a name and content (latin1 text)
 */
export async function openEml(page, file) {
  await page.evaluate(() => document.querySelector('[data-role="message-view"]')?.removeAttribute("data-state"));
  const input = page.locator('[data-role="eml-file"]');
  if (typeof file === "string") await input.setInputFiles(file);
  else {
    const buffer = typeof file.content === "string" ? Buffer.from(file.content, "latin1") : file.content;
    await input.setInputFiles({ name: file.name, mimeType: "message/rfc822", buffer });
  }
  return waitForMessage(page);
}

/**
 * Drops a message file onto the mailbox view and waits for the message view.
 * @param {import("playwright-core").Page} page
 * @param {string} name
 * @param {string} content  latin1
 */
export async function dropEml(page, name, content) {
  await page.evaluate(() => document.querySelector('[data-role="message-view"]')?.removeAttribute("data-state"));
  const transfer = await page.evaluateHandle(
    ([fileName, text]) => {
      const data = new DataTransfer();
      data.items.add(new File([Uint8Array.from(text, (c) => c.charCodeAt(0))], fileName, { type: "message/rfc822" }));
      return data;
    },
    [name, content],
  );
  const target = page.locator('section[data-view-name="mailbox"]');
  await target.dispatchEvent("dragover", { dataTransfer: transfer });
  await target.dispatchEvent("drop", { dataTransfer: transfer });
  return waitForMessage(page);
}

/**
 * The controls of the account bar and the shown view that have no accessible name (no label, no
 * aria-label(ledby), no button text), as the start of their markup; empty when all are named.
 * @param {import("playwright-core").Page} page
 * @returns {Promise<string[]>}
 */
export function unlabelledControls(page) {
  return page.evaluate(() => {
    const scope = [...document.querySelectorAll('[data-role="account-bar"], main > section:not([hidden])')];
    return scope
      .flatMap((root) => [...root.querySelectorAll("input, select, button, textarea")])
      .filter((control) => {
        const element = /** @type {HTMLInputElement} */ (control);
        const named = (element.labels?.length ?? 0) > 0 || element.getAttribute("aria-label") || element.getAttribute("aria-labelledby");
        const text = element instanceof HTMLButtonElement && element.textContent?.trim();
        return !named && !text;
      })
      .map((control) => control.outerHTML.slice(0, 80));
  });
}
