// @ts-check
/**
 * The module Worker that owns the smime-wasm instance and every unlocked private key.
 *
 * It is the only file that imports `pkg/`. Private keys enter here once (importIdentity,
 * importPkcs12, generateIdentity, unseal) and never leave: the page holds a handle string instead.
 *
 * Protocol: `{ id, op, args }` in; `{ id, ok: true, value }` or
 * `{ id, ok: false, error: { name, code, message } }` out, with the reply's ArrayBuffers
 * transferred. `args` are the wasm function's positional arguments, with identity handles in
 * place of `Identity` objects.
 *
 * A wasm trap (`WebAssembly.RuntimeError`) leaves the instance in an unknown state, so after
 * answering the call that trapped, the worker rethrows the trap: the client sees the worker's
 * `error` event, rejects every pending call with ERR_INTERNAL and starts a fresh worker.
 */
import init, * as smime from "../pkg/smime_wasm.js";

/**
 * The wasm module loads once, when the worker starts; every call waits for it. Resolves to the
 * reason it could not load, or null.
 * @type {Promise<unknown>}
 */
const started = init().then(
  () => null,
  (/** @type {unknown} */ e) => new Error(`the wasm module could not be loaded: ${e instanceof Error ? e.message : e}`),
);

/** @type {Map<string, smime.Identity>} handle -> wasm Identity (holds the private key) */
const identities = new Map();
let nextHandle = 1;

/**
 * What the page sees of an identity (smime-client.js's `Identity`).
 * @typedef {{ handle: string, certificate: Uint8Array, chain: Uint8Array[],
 *             info: import("./smime-client.js").CertificateInfo }} IdentityRef
 */

/** @type {Record<string, (args: any[]) => unknown>} */
const ops = {
  ready: () => true,
  importIdentity: ([o]) => keep(smime.importIdentity(o)),
  importPkcs12: ([bytes, password]) => keep(smime.importPkcs12(bytes, password)),
  generateIdentity: ([o]) => {
    const { issuer, ...rest } = o ?? {};
    return keep(smime.generateIdentity(issuer === undefined ? rest : { ...rest, issuer: lookup(issuer) }));
  },
  createCsr: ([handle]) => smime.createCsr(lookup(handle)),
  exportPkcs12: ([handle, password]) => lookup(handle).exportPkcs12(password, undefined),
  seal: ([handle, passphrase]) => seal(lookup(handle), passphrase),
  unseal: async ([sealed, passphrase]) => keep(smime.importPkcs12(sealed?.pkcs12, await stretch(sealed, passphrase))),
  release: ([handle]) => {
    identities.get(handle)?.free(); // drops the key; the core wipes it
    identities.delete(handle);
    return true;
  },
  readMessage: ([message]) => smime.readMessage(message),
  messageHeaders: ([message]) => smime.messageHeaders(message),
  certificateInfo: ([certificate]) => smime.certificateInfo(certificate),
  certificatesIn: ([bytes]) => smime.certificatesIn(bytes),
  composeMessage: ([o]) => smime.composeMessage(o),
  sign: ([message, o]) => smime.sign(message, { ...o, signingKey: lookup(o.signingKey) }),
  encrypt: ([message, o]) => smime.encrypt(message, o),
  encryptionChoice: ([recipients]) => smime.encryptionChoice(recipients),
  advertisedCapabilities: () => smime.advertisedCapabilities(),
  decrypt: ([message, o]) =>
    smime.decrypt(message, { ...o, decryptionKeys: lookupAll(o?.decryptionKeys, "decryptionKeys") }),
  verify: ([message, o]) => plainPartErrors(smime.verify(message, o)),
  open: ([message, o]) => plainPartErrors(smime.open(message, withKeys(o, "decryptionKeys"))),
};

self.onmessage = async (/** @type {MessageEvent} */ event) => {
  const { id, op, args } = event.data ?? {};
  /** @type {unknown} */
  let fatal = await started;
  try {
    if (fatal) throw fatal;
    const run = Object.hasOwn(ops, op) ? ops[op] : null;
    if (!run) throw smimeError("ERR_INVALID_ARGUMENT", `unknown worker operation: ${op}`);
    const value = await run(Array.isArray(args) ? args : []);
    self.postMessage({ id, ok: true, value }, { transfer: transferables(value) });
  } catch (e) {
    self.postMessage({ id, ok: false, error: describe(e) });
    if (e instanceof WebAssembly.RuntimeError) fatal = e;
  }
  // A trap or a failed start leaves nothing worth keeping: the uncaught error reaches the
  // client as the worker's `error` event, and the client replaces the worker.
  if (fatal) {
    setTimeout(() => {
      throw fatal;
    });
  }
};

/**
 * Keeps a wasm Identity in the worker and returns what the page may see of it.
 * @param {smime.Identity} identity
 * @returns {IdentityRef}
 */
function keep(identity) {
  const handle = `identity-${nextHandle++}`;
  identities.set(handle, identity);
  return reference(handle);
}

/**
 * A fresh description of a kept identity (its bytes are transferred away with each reply).
 * @param {string} handle
 * @returns {IdentityRef}
 */
function reference(handle) {
  const identity = lookup(handle);
  return { handle, certificate: identity.certificate, chain: identity.chain, info: identity.info };
}

/**
 * @param {unknown} handle
 * @returns {smime.Identity}
 */
function lookup(handle) {
  const identity = typeof handle === "string" ? identities.get(handle) : undefined;
  if (!identity) throw smimeError("ERR_INVALID_ARGUMENT", `unknown identity handle: ${handle}`);
  return identity;
}

/**
 * Replaces a list of handles under `key` by the identities they name, leaving an absent key
 * absent (the wasm side rejects unknown keys, and `undefined` is best not sent at all).
 * @param {Record<string, unknown> | undefined} o
 * @param {string} key
 */
function withKeys(o, key) {
  if (!o || !(key in o)) return o;
  return { ...o, [key]: lookupAll(o[key], key) };
}

/**
 * @param {unknown} handles  should be an array of handles
 * @param {string} key       the option's name, for the error
 * @returns {smime.Identity[]}
 */
function lookupAll(handles, key) {
  if (!Array.isArray(handles)) throw smimeError("ERR_INVALID_ARGUMENT", `${key} must be an array`);
  return handles.map(lookup);
}

/**
 * Passphrase stretching for stored keys: PBKDF2-HMAC-SHA-256 at OWASP's 2023 figure, run by
 * WebCrypto (native code: about a quarter of a second, where the same in wasm takes seconds).
 */
const SEAL_KDF = "PBKDF2-HMAC-SHA-256";
const SEAL_ITERATIONS = 600_000;
/** The PKCS#12's own PBKDF2 runs over an already stretched 256-bit key, so few rounds suffice. */
const SEAL_PKCS12_ITERATIONS = 10_000;
/** Sealed keys claiming more than this are refused rather than run. */
const MAX_SEAL_ITERATIONS = 10_000_000;

/**
 * @param {smime.Identity} identity
 * @param {unknown} passphrase
 */
async function seal(identity, passphrase) {
  const salt = crypto.getRandomValues(new Uint8Array(16));
  const sealed = { format: "smime-wasm-sealed-key", kdf: SEAL_KDF, iterations: SEAL_ITERATIONS, salt };
  const pkcs12 = identity.exportPkcs12(await stretch(sealed, passphrase), { iterations: SEAL_PKCS12_ITERATIONS });
  return { ...sealed, pkcs12 };
}

/**
 * The PKCS#12 password for a sealed key: the passphrase stretched as the record says.
 * @param {any} sealed
 * @param {unknown} passphrase
 * @returns {Promise<string>}
 */
async function stretch(sealed, passphrase) {
  if (typeof passphrase !== "string" || passphrase.length === 0) {
    throw smimeError("ERR_INVALID_ARGUMENT", "a passphrase is required");
  }
  const { format, kdf, iterations, salt } = sealed ?? {};
  if (format !== "smime-wasm-sealed-key" || kdf !== SEAL_KDF || !(salt instanceof Uint8Array)) {
    throw smimeError("ERR_INVALID_ARGUMENT", "not a sealed key of this application");
  }
  if (!Number.isInteger(iterations) || iterations < 1 || iterations > MAX_SEAL_ITERATIONS) {
    throw smimeError("ERR_INVALID_ARGUMENT", `sealed key with ${iterations} iterations`);
  }
  const material = await crypto.subtle.importKey("raw", new TextEncoder().encode(passphrase), "PBKDF2", false, [
    "deriveBits",
  ]);
  const params = { name: "PBKDF2", hash: "SHA-256", salt: /** @type {Uint8Array<ArrayBuffer>} */ (salt), iterations };
  const bits = await crypto.subtle.deriveBits(params, material, 256);
  return btoa(String.fromCharCode(...new Uint8Array(bits)));
}

/**
 * Replaces the `Error` of each embedded part that could not be opened by the protocol's
 * `{ name, code, message }`: structured cloning keeps an Error's message but drops its `code`.
 * @param {any} opened  an `Opened` from the wasm module
 */
function plainPartErrors(opened) {
  for (const part of opened?.parts ?? []) {
    if (part.error !== undefined) part.error = describe(part.error);
    if (part.opened !== undefined) plainPartErrors(part.opened);
  }
  return opened;
}

/**
 * @param {string} code
 * @param {string} message
 */
function smimeError(code, message) {
  return Object.assign(new Error(message), { name: "SmimeError", code });
}

/**
 * Turns anything thrown into the protocol's error shape; never forwards a stack.
 * @param {unknown} e
 * @returns {{ name: string, code: string, message: string }}
 */
function describe(e) {
  const error = /** @type {{ name?: unknown, code?: unknown, message?: unknown }} */ (
    e instanceof Object ? e : {}
  );
  if (error.name === "SmimeError" && typeof error.code === "string") {
    return { name: "SmimeError", code: error.code, message: String(error.message ?? "") };
  }
  const why =
    e instanceof WebAssembly.RuntimeError
      ? `the wasm module trapped: ${e.message}`
      : String(error.message ?? e);
  return { name: "SmimeError", code: "ERR_INTERNAL", message: why };
}

/**
 * The ArrayBuffers of every Uint8Array in `value` that owns its whole buffer (a view into the
 * wasm memory, or a slice of a larger buffer, is copied instead).
 * @param {unknown} value
 * @param {Set<ArrayBuffer>} [found]
 * @returns {ArrayBuffer[]}
 */
function transferables(value, found = new Set()) {
  if (value instanceof Uint8Array) {
    const { buffer } = value;
    if (buffer instanceof ArrayBuffer && value.byteOffset === 0 && value.byteLength === buffer.byteLength) {
      found.add(buffer);
    }
  } else if (Array.isArray(value)) {
    for (const item of value) transferables(item, found);
  } else if (value !== null && typeof value === "object" && Object.getPrototypeOf(value) === Object.prototype) {
    for (const item of Object.values(value)) transferables(item, found);
  }
  return [...found];
}
