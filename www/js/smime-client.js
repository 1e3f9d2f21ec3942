// @ts-check
/**
 * The page's S/MIME API: promise methods that run smime-wasm in a module Worker.
 *
 * ```js
 * const smime = await SmimeClient.start();
 * const ca = await smime.generateIdentity({ email: "ca@example.org", ca: true });
 * const alice = await smime.generateIdentity({ email: "alice@example.org", issuer: ca });
 * const bob = await smime.generateIdentity({ email: "bob@example.org", issuer: ca });
 * const trustAnchors = [ca.certificate];
 * const message = await smime.composeMessage({ from: "alice@example.org", to: ["bob@example.org"],
 *                                              subject: "Hi", text: "Hello" });
 * const signed = await smime.sign({ message, signingKey: alice });
 * const sealed = await smime.encrypt({ message: signed,
 *                                      recipients: [bob.certificate, alice.certificate] });
 * const { layers } = await smime.open({ message: sealed, decryptionKeys: [bob], trustAnchors });
 * // layers: [{ kind: "encrypted", ... }, { kind: "signed", ... }]
 * ```
 *
 * Private keys stay in the worker; an `Identity` here is a handle plus the certificate. Bytes the
 * page passes in are copied to the worker, so the caller's buffers stay usable; bytes coming back
 * are transferred, not copied. Every failure rejects with an `SmimeError` (a real `Error` with a
 * stable `code`). If the worker dies, every pending call rejects with `ERR_INTERNAL`, the
 * identities it held are gone (`isLive` turns false) and the next call starts a fresh worker.
 */

/**
 * @typedef {string | Uint8Array} Cert  a certificate, PEM text or DER bytes
 * @typedef {string | Uint8Array} Key   a private key, PEM text or DER bytes
 *
 * @typedef {object} CertificateInfo
 * @property {string} subject
 * @property {string} issuer
 * @property {string} serialNumber       hex
 * @property {string[]} emails
 * @property {string} notBefore          ISO-8601
 * @property {string} notAfter           ISO-8601
 * @property {string} keyAlgorithm       "rsa-2048", "p-256", ...
 * @property {string[]} keyUsage
 * @property {string[]} extendedKeyUsage
 * @property {boolean} isCa
 * @property {string} fingerprintSha256  hex
 * @property {string[]} [capabilities]
 *
 * @typedef {Cert | { certificate: Cert, capabilities?: string[] }} Recipient  with what it advertised
 *
 * @typedef {object} Identity  a certificate whose private key the worker holds
 * @property {string} handle             names the key inside the worker
 * @property {Uint8Array} certificate    DER
 * @property {Uint8Array[]} chain        DER, issuer first
 * @property {CertificateInfo} info
 *
 * @typedef {object} SignerReport
 * @property {CertificateInfo | null} certificate
 * @property {"valid" | "invalid"} signature
 * @property {string} [signatureError]   a code, when invalid
 * @property {"trusted" | "untrusted" | "expired" | "revoked" | "not-checked"} chain
 * @property {string} [chainError]
 * @property {string} digest
 * @property {string} signatureAlgorithm
 * @property {boolean} [weakDigest]      the digest is no longer safe (SHA-1)
 * @property {string} [signingTime]      ISO-8601
 * @property {boolean | null} addressMatch  From vs certificate; null when there is no From
 * @property {(CertificateInfo & { pem: string }) | null} [encryptionCertificate]  where to encrypt
 *           replies, with learned capabilities; only for a valid signature
 *
 * @typedef {{ kind: "signed", format: "detached" | "opaque", signers: SignerReport[] }} SignedLayer
 * @typedef {{ kind: "encrypted", contentEncryption: string, keyTransport: string,
 *             integrityProtected: boolean, recipient?: CertificateInfo }} EncryptedLayer
 *           `recipient`: whose key opened it
 * @typedef {SignedLayer | EncryptedLayer} Layer
 * @typedef {"aes-128-cbc" | "aes-192-cbc" | "aes-256-cbc" | "aes-128-gcm" | "aes-256-gcm"} ContentEncryption
 * @typedef {"rsa-pkcs1v15" | "rsa-oaep"} KeyTransport  for RSA recipients; EC and X25519
 *           recipients always take the content key by ECDH key agreement
 *
 * @typedef {object} EncryptionChoice  what `encrypt` chooses when the caller does not
 * @property {ContentEncryption} contentEncryption
 * @property {KeyTransport} keyTransport  what RSA recipients get
 *
 * @typedef {object} Opened
 * @property {Uint8Array} content  the innermost MIME entity, exact bytes
 * @property {Layer[]} layers      outermost first; empty for a plain message
 * @property {EmbeddedPart[]} [parts]  S/MIME entities inside the content, each opened alone
 *
 * @typedef {object} EmbeddedPart  an S/MIME entity inside a multipart, opened on its own: its
 *           report covers only itself, and the layers around it do not cover it (Efail)
 * @property {number[]} path        1-based part numbers from the content down
 * @property {Opened} [opened]      its report, or
 * @property {{ code: string, message: string }} [error]  why it could not be opened
 *
 * @typedef {object} Attachment
 * @property {string} filename
 * @property {string} contentType
 * @property {Uint8Array} data
 *
 * @typedef {object} SealedKey  an identity's private key and certificates, encrypted under a passphrase
 * @property {"smime-wasm-sealed-key"} format
 * @property {"PBKDF2-HMAC-SHA-256"} kdf  stretches the passphrase (WebCrypto, in the worker)
 * @property {number} iterations
 * @property {Uint8Array} salt
 * @property {Uint8Array} pkcs12       PBES2 (AES-256-CBC, HMAC-SHA-256 MAC) under the stretched key
 *
 * @typedef {{ name?: string | null, address: string }} Mailbox
 *
 * @typedef {object} MessageHeaders  the outer header fields of a message
 * @property {Mailbox[]} from
 * @property {Mailbox[]} to
 * @property {Mailbox[]} cc
 * @property {Mailbox[]} replyTo
 * @property {string | null} [subject]
 * @property {string | null} [date]        ISO-8601
 * @property {string | null} [messageId]
 * @property {string | null} [inReplyTo]
 * @property {string[]} references
 * @property {"encrypted" | "signed" | "plain"} protection  from the top-level Content-Type only
 *
 * @typedef {object} MessagePart
 * @property {string | null} [filename]
 * @property {string} contentType
 * @property {string | null} [contentId]
 * @property {boolean} inline
 * @property {Uint8Array} data
 *
 * @typedef {object} MessageView  a message decoded for display
 * @property {Omit<MessageHeaders, "protection">} headers
 * @property {string | null} [text]
 * @property {string | null} [html]
 * @property {MessagePart[]} attachments
 * @property {"encrypted" | "signed" | "plain"} protection
 */

/** A failure from the S/MIME engine or the worker; `code` is stable, `message` is not. */
export class SmimeError extends Error {
  /**
   * @param {string} code     e.g. "ERR_MALFORMED_CMS"
   * @param {string} message
   */
  constructor(code, message) {
    super(message);
    this.name = "SmimeError";
    this.code = code;
  }
}

const WORKER_URL = new URL("./smime.worker.js", import.meta.url);

export class SmimeClient {
  /** @type {Worker | null} */
  #worker = null;
  /** @type {Map<number, { resolve: (value: any) => void, reject: (error: SmimeError) => void }>} */
  #pending = new Map();
  #nextId = 1;
  /** identities issued by the current worker; replaced when the worker is */
  #live = new WeakSet();
  /** @type {Set<(reason: string) => void>} */
  #restartListeners = new Set();
  /** @type {Promise<string[]> | null} the engine's advertised capabilities, once asked */
  #advertised = null;

  /**
   * Starts the worker and waits until the wasm module has loaded.
   * @returns {Promise<SmimeClient>}
   */
  static async start() {
    const client = new SmimeClient();
    await client.#call("ready", []);
    return client;
  }

  /**
   * Imports a certificate and its private key into the worker.
   * @param {{ certificate: Cert, privateKey: Key, password?: string, chain?: Cert[] }} options
   * @returns {Promise<Identity>}
   */
  async importIdentity(options) {
    const o = only(options, ["certificate", "privateKey", "password", "chain"], "importIdentity");
    return this.#adopt(await this.#call("importIdentity", [o]));
  }

  /**
   * Imports the identity in a `.p12`/`.pfx` file; a wrong password rejects with ERR_BAD_PASSWORD.
   * @param {Uint8Array} bytes
   * @param {string} password
   * @returns {Promise<Identity>}
   */
  async importPkcs12(bytes, password) {
    return this.#adopt(await this.#call("importPkcs12", [bytes, password]));
  }

  /**
   * Makes a new key and certificate in the worker: self-signed, or issued by `issuer` (a CA
   * identity of this client).
   * @param {{ email: string, name?: string,
   *           algorithm?: "rsa-2048" | "rsa-3072" | "rsa-4096" | "p-256" | "p-384" | "ed25519",
   *           validDays?: number, issuer?: Identity, ca?: boolean, now?: Date }} options
   * @returns {Promise<Identity>}
   */
  async generateIdentity(options) {
    const { issuer, ...rest } = only(
      options,
      ["email", "name", "algorithm", "validDays", "issuer", "ca", "now"],
      "generateIdentity",
    );
    /** @type {Record<string, unknown>} */
    const o = { ...rest };
    if (issuer !== undefined) o.issuer = this.#handle(issuer);
    return this.#adopt(await this.#call("generateIdentity", [o]));
  }

  /**
   * A PKCS#10 certificate request (PEM) for this identity's key.
   * @param {Identity} identity
   * @returns {Promise<string>}
   */
  async createCsr(identity) {
    return this.#call("createCsr", [this.#handle(identity)]);
  }

  /**
   * This identity as a `.p12` file under `password`.
   * @param {Identity} identity
   * @param {string} password
   * @returns {Promise<Uint8Array>}
   */
  async exportPkcs12(identity, password) {
    return this.#call("exportPkcs12", [this.#handle(identity), password]);
  }

  /**
   * Encrypts this identity's key and certificates under `passphrase` for storage: the worker
   * stretches the passphrase with PBKDF2-HMAC-SHA-256 (WebCrypto, `iterations`, a fresh 16-byte
   * salt) and seals a PKCS#12 under the result. Only the sealed form leaves the worker.
   * @param {Identity} identity
   * @param {string} passphrase
   * @returns {Promise<SealedKey>}
   */
  async seal(identity, passphrase) {
    return this.#call("seal", [this.#handle(identity), passphrase]);
  }

  /**
   * Opens a sealed key into the worker; a wrong passphrase rejects with ERR_BAD_PASSWORD.
   * @param {SealedKey} sealed
   * @param {string} passphrase
   * @returns {Promise<Identity>}
   */
  async unseal(sealed, passphrase) {
    return this.#adopt(await this.#call("unseal", [sealed, passphrase]));
  }

  /**
   * Drops an identity's private key from the worker (wiped from wasm memory); the handle is dead
   * afterwards. Releasing a dead identity does nothing.
   * @param {Identity} identity
   */
  async release(identity) {
    if (!this.#live.has(identity)) return;
    this.#live.delete(identity);
    await this.#call("release", [identity.handle]);
  }

  /**
   * Calls `listener(reason)` whenever the worker stopped (a trap, a crash) and every identity it
   * held was lost; the next call starts a fresh worker.
   * @param {(reason: string) => void} listener
   */
  onRestart(listener) {
    this.#restartListeners.add(listener);
  }

  /**
   * Decodes a message for display: header fields, text, HTML and attachments. Nothing is
   * verified or decrypted; pass `Opened.content` to read what a protected message holds.
   * @param {Uint8Array} message
   * @returns {Promise<MessageView>}
   */
  readMessage(message) {
    return this.#call("readMessage", [message]);
  }

  /**
   * The outer header fields only, without decoding the body (for message lists).
   * @param {Uint8Array} message
   * @returns {Promise<MessageHeaders>}
   */
  messageHeaders(message) {
    return this.#call("messageHeaders", [message]);
  }

  /**
   * @param {Cert} certificate
   * @returns {Promise<CertificateInfo>}
   */
  certificateInfo(certificate) {
    return this.#call("certificateInfo", [certificate]);
  }

  /**
   * The certificates in a certificate file: one DER certificate (`.cer`, `.crt`, `.der`), PEM
   * text with any number of CERTIFICATE and PKCS7 blocks (`.pem`), or a certs-only `.p7c`/`.p7b`
   * (DER, BER or PEM). Rejects with ERR_MALFORMED_CERTIFICATE when the file cannot be read or
   * holds no certificate (a private key, a request), ERR_TOO_LARGE beyond 4 MiB or 256
   * certificates.
   * @param {Uint8Array | string} bytes  the file's bytes, or its text
   * @returns {Promise<Uint8Array[]>}  DER, in file order, each certificate once (never empty)
   */
  certificatesIn(bytes) {
    return this.#call("certificatesIn", [bytes]);
  }

  /**
   * Builds an RFC 5322 message.
   * @param {{ from: string, to: string[], cc?: string[], subject: string, text?: string,
   *           html?: string, attachments?: Attachment[], date?: Date, messageId?: string,
   *           inReplyTo?: string, references?: string[] }} options
   * @returns {Promise<Uint8Array>}
   */
  async composeMessage(options) {
    const keys = ["from", "to", "cc", "subject", "text", "html", "attachments", "date", "messageId",
      "inReplyTo", "references"];
    return this.#call("composeMessage", [only(options, keys, "composeMessage")]);
  }

  /**
   * Signs a whole RFC 5322 message; the outer headers stay outside the signature.
   * @param {{ message: Uint8Array, signingKey: Identity, format?: "detached" | "opaque",
   *           digest?: "sha256" | "sha384" | "sha512", now?: Date }} options
   * @returns {Promise<Uint8Array>}
   */
  async sign(options) {
    const { message, signingKey, ...rest } = only(
      options,
      ["message", "signingKey", "format", "digest", "now"],
      "sign",
    );
    return this.#call("sign", [message, { ...rest, signingKey: this.#handle(signingKey) }]);
  }

  /**
   * Encrypts a whole RFC 5322 message to the recipients' certificates; the outer headers stay
   * outside the encryption. Include the sender's own certificate to keep sent mail readable.
   * @param {{ message: Uint8Array, recipients: Recipient[], contentEncryption?: ContentEncryption,
   *           keyTransport?: KeyTransport,
   *           recipientIdentifier?: "issuer-and-serial" | "subject-key-identifier" }} options
   * @returns {Promise<Uint8Array>}
   */
  async encrypt(options) {
    const { message, ...rest } = only(
      options,
      ["message", "recipients", "contentEncryption", "keyTransport", "recipientIdentifier"],
      "encrypt",
    );
    return this.#call("encrypt", [message, rest]);
  }

  /**
   * The algorithms `encrypt` chooses for these recipients (given as `encrypt` takes them) when
   * `contentEncryption` and `keyTransport` are left out: AES-GCM and RSA-OAEP only when every
   * recipient advertised them. Rejects as `encrypt` would for the same recipients.
   * @param {Recipient[]} recipients
   * @returns {Promise<EncryptionChoice>}
   */
  encryptionChoice(recipients) {
    return this.#call("encryptionChoice", [recipients]);
  }

  /**
   * What this engine's signatures advertise (SMIMECapabilities), by name, in preference order,
   * "rsa-oaep" last: what a correspondent that runs this engine reads, before any of its signed
   * mail has said so. A constant of the engine, asked of the worker once.
   * @returns {Promise<string[]>}
   */
  async advertisedCapabilities() {
    const asked = (this.#advertised ??= this.#call("advertisedCapabilities", []));
    try {
      return [...(await asked)];
    } catch (error) {
      if (this.#advertised === asked) this.#advertised = null; // ask again next time
      throw error;
    }
  }

  /**
   * Removes the encryption with whichever of `decryptionKeys` the message was encrypted for;
   * signatures inside are not checked (`open` does both). Rejects with ERR_NOT_ENCRYPTED,
   * ERR_NO_MATCHING_RECIPIENT or ERR_DECRYPT_FAILED.
   * @param {{ message: Uint8Array, decryptionKeys: Identity[], now?: Date }} options
   * @returns {Promise<Opened>}
   */
  async decrypt(options) {
    const { message, decryptionKeys, ...rest } = only(
      options,
      ["message", "decryptionKeys", "now"],
      "decrypt",
    );
    const keys = this.#handles(decryptionKeys, "decrypt");
    return this.#call("decrypt", [message, { ...rest, decryptionKeys: keys }]);
  }

  /**
   * Checks every signature of a signed message. A broken signature is reported, not thrown.
   * @param {{ message: Uint8Array, trustAnchors?: Cert[], intermediates?: Cert[], now?: Date }} options
   * @returns {Promise<Opened>}
   */
  async verify(options) {
    const { message, ...rest } = only(
      options,
      ["message", "trustAnchors", "intermediates", "now"],
      "verify",
    );
    return this.#call("verify", [message, rest]);
  }

  /**
   * Peels every layer (encrypted, signed, nested) and reports each.
   * @param {{ message: Uint8Array, decryptionKeys?: Identity[], trustAnchors?: Cert[],
   *           intermediates?: Cert[], now?: Date }} options
   * @returns {Promise<Opened>}
   */
  async open(options) {
    const { message, decryptionKeys, ...rest } = only(
      options,
      ["message", "decryptionKeys", "trustAnchors", "intermediates", "now"],
      "open",
    );
    /** @type {Record<string, unknown>} */
    const o = { ...rest };
    if (decryptionKeys !== undefined) o.decryptionKeys = this.#handles(decryptionKeys, "open");
    return this.#call("open", [message, o]);
  }

  /**
   * Whether the worker that holds this identity's key is still running.
   * @param {Identity} identity
   */
  isLive(identity) {
    return this.#live.has(identity);
  }

  /**
   * @param {Identity} identity
   * @returns {Identity}
   */
  #adopt(identity) {
    const frozen = Object.freeze(identity);
    this.#live.add(frozen);
    return frozen;
  }

  /**
   * @param {Identity} identity
   * @returns {string}
   */
  #handle(identity) {
    if (!identity || typeof identity.handle !== "string") {
      throw new SmimeError("ERR_INVALID_ARGUMENT", "expected an Identity from this client");
    }
    if (!this.#live.has(identity)) {
      throw new SmimeError(
        "ERR_INVALID_ARGUMENT",
        "this identity's key was held by a worker that has stopped; import it again",
      );
    }
    return identity.handle;
  }

  /**
   * @param {unknown} identities  should be an array of Identity
   * @param {string} method
   * @returns {string[]}
   */
  #handles(identities, method) {
    if (!Array.isArray(identities)) {
      throw new SmimeError("ERR_INVALID_ARGUMENT", `${method}: decryptionKeys must be an array`);
    }
    return identities.map((identity) => this.#handle(identity));
  }

  /**
   * @param {string} op
   * @param {unknown[]} args
   * @returns {Promise<any>}
   */
  #call(op, args) {
    const worker = this.#ensureWorker();
    const id = this.#nextId++;
    return new Promise((resolve, reject) => {
      this.#pending.set(id, { resolve, reject });
      try {
        worker.postMessage({ id, op, args });
      } catch (e) {
        // Only a value that cannot be cloned (a function, a DOM node) ends up here.
        this.#pending.delete(id);
        reject(new SmimeError("ERR_INVALID_ARGUMENT", `${op}: ${e instanceof Error ? e.message : e}`));
      }
    });
  }

  /** @returns {Worker} */
  #ensureWorker() {
    if (this.#worker) return this.#worker;
    const worker = new Worker(WORKER_URL, { type: "module", name: "smime" });
    worker.addEventListener("message", (event) => this.#settle(event.data));
    worker.addEventListener("error", (event) => {
      event.preventDefault(); // handled here: keep it out of the console as "uncaught"
      this.#stop(worker, event.message || "the S/MIME worker failed to start or crashed");
    });
    worker.addEventListener("messageerror", () => {
      this.#stop(worker, "the S/MIME worker sent a reply that could not be read");
    });
    this.#worker = worker;
    this.#live = new WeakSet();
    return worker;
  }

  /**
   * @param {{ id: number, ok: boolean, value?: unknown,
   *           error?: { name: string, code: string, message: string } }} reply
   */
  #settle(reply) {
    const call = this.#pending.get(reply?.id);
    if (!call) return;
    this.#pending.delete(reply.id);
    if (reply.ok) {
      call.resolve(reply.value);
    } else {
      const { code = "ERR_INTERNAL", message = "unknown error" } = reply.error ?? {};
      call.reject(new SmimeError(code, message));
    }
  }

  /**
   * @param {Worker} worker
   * @param {string} why
   */
  #stop(worker, why) {
    if (this.#worker !== worker) return;
    worker.terminate();
    this.#worker = null;
    this.#live = new WeakSet();
    const pending = [...this.#pending.values()];
    this.#pending.clear();
    for (const call of pending) call.reject(new SmimeError("ERR_INTERNAL", why));
    for (const listener of this.#restartListeners) listener(why);
  }
}

/**
 * Checks an options object against the keys a method takes: an unknown key is an error, not
 * ignored (API.md), and keys whose value is `undefined` are dropped.
 * @template {object} T
 * @param {T} options
 * @param {string[]} allowed
 * @param {string} method
 * @returns {T}
 */
function only(options, allowed, method) {
  if (options === null || typeof options !== "object") {
    throw new SmimeError("ERR_INVALID_ARGUMENT", `${method}: expected an options object`);
  }
  /** @type {Record<string, unknown>} */
  const picked = {};
  for (const [key, value] of Object.entries(options)) {
    if (!allowed.includes(key)) {
      throw new SmimeError("ERR_INVALID_ARGUMENT", `${method}: unknown option "${key}"`);
    }
    if (value !== undefined) picked[key] = value;
  }
  return /** @type {T} */ (picked);
}
