// The wasm workloads of the benchmark and how they are timed, shared by Node (run.mjs) and the
// Chromium page (page.mjs) so that both run exactly the same calls on inputs of the same size.

export const KiB = 1024;
export const MiB = 1024 * KiB;
export const P12_PASSWORD = "bench";
export const P12_ITERATIONS = 100_000;

/** @typedef {{ budgetMs?: number, min?: number, max?: number, warmup?: number }} Limits */
/** @typedef {{ median: number, n: number }} Timing */

/**
 * Runs `fn` until the budget is spent (at least `min`, at most `max` runs) after a warm-up that
 * lets V8 tier the hot wasm functions up from Liftoff to TurboFan; the median in ms.
 * @param {() => unknown} fn
 * @param {Limits} [limits]
 * @returns {Timing}
 */
export function measure(fn, { budgetMs = 2000, min = 5, max = 51, warmup = 2 } = {}) {
    const gc = /** @type {{ gc?: () => void }} */ (globalThis).gc;
    if (gc) gc();
    const warmStart = performance.now();
    for (let i = 0; i < warmup || (i < 20 && performance.now() - warmStart < 300); i++) fn();
    const times = [];
    const start = performance.now();
    while (times.length < min || (times.length < max && performance.now() - start < budgetMs)) {
        const t = performance.now();
        fn();
        times.push(performance.now() - t);
    }
    times.sort((a, b) => a - b);
    const mid = times.length >> 1;
    const median = times.length % 2 ? times[mid] : (times[mid - 1] + times[mid]) / 2;
    return { median, n: times.length };
}

/** @param {number} size */
export function label(size) {
    return size >= MiB ? `${size / MiB} MiB` : `${size / KiB} KiB`;
}

/** @param {number} n */
function randomBytes(n) {
    const bytes = new Uint8Array(n);
    // getRandomValues fills at most 64 KiB per call.
    for (let i = 0; i < n; i += 65536) {
        crypto.getRandomValues(bytes.subarray(i, Math.min(n, i + 65536)));
    }
    return bytes;
}

/**
 * One row of the table: `run` is what is timed; the rest tells run.mjs which anchors to time.
 * @typedef {{
 *   op: string, size: string, limits: Limits, run: () => unknown,
 *   kind: "sign" | "verify" | "encrypt" | "decrypt" | "pkcs12" | "keygen",
 *   key?: string, cipher?: string, message?: Uint8Array, input?: Uint8Array,
 * }} Workload
 */

/**
 * Every workload in table order. Messages are composed lazily, one size at a time, so that at
 * most one 10 MiB message and its products are alive.
 * @param {any} smime the initialised wasm-bindgen module
 * @param {{ pem: Record<string, string>, p12: Uint8Array, sizes: number[], quick: boolean }} inputs
 *   `pem` maps fixture file names to their text
 * @returns {Generator<Workload>}
 */
export function* workloads(smime, { pem, p12, sizes, quick }) {
    const budget = { budgetMs: quick ? 600 : 2000 };
    /** @param {string} name */
    const identity = (name) =>
        smime.importIdentity({
            certificate: pem[`${name}.cert.pem`],
            privateKey: pem[`${name}.key.pem`],
        });
    const signers = [["RSA-2048", identity("alice")], ["P-256", identity("carol")]];
    const bob = identity("bob");

    for (const bytes of sizes) {
        const size = label(bytes);
        const message = smime.composeMessage({
            from: "alice@example.org",
            to: ["bob@example.org"],
            subject: `Benchmark ${size}`,
            text: "The attachment is random bytes.\r\n",
            attachments: [
                {
                    filename: "data.bin",
                    contentType: "application/octet-stream",
                    data: randomBytes(bytes),
                },
            ],
            date: Date.UTC(2026, 0, 1),
        });
        for (const [key, signingKey] of signers) {
            const sign = () =>
                smime.sign(message, { signingKey, format: "detached", digest: "sha256" });
            yield {
                op: `sign detached SHA-256, ${key}`,
                size,
                limits: budget,
                run: sign,
                kind: "sign",
                key,
                message,
            };
            const signed = sign();
            yield {
                op: `verify (chain to CA), ${key}`,
                size,
                limits: budget,
                run: () => smime.verify(signed, { trustAnchors: [pem["demo-ca.cert.pem"]] }),
                kind: "verify",
                key,
                message,
                input: signed,
            };
        }
        for (const cipher of ["aes-256-cbc", "aes-256-gcm"]) {
            const encrypt = () =>
                smime.encrypt(message, {
                    recipients: [pem["bob.cert.pem"]],
                    contentEncryption: cipher,
                    keyTransport: "rsa-pkcs1v15",
                });
            const name = cipher.toUpperCase();
            yield {
                op: `encrypt ${name}, RSA-2048`,
                size,
                limits: budget,
                run: encrypt,
                kind: "encrypt",
                cipher,
                message,
            };
            const encrypted = encrypt();
            yield {
                op: `decrypt ${name}, RSA-2048`,
                size,
                limits: budget,
                run: () => smime.decrypt(encrypted, { decryptionKeys: [bob] }),
                kind: "decrypt",
                cipher,
                message,
                input: encrypted,
            };
        }
    }
    yield {
        op: `PKCS#12 import, ${P12_ITERATIONS.toLocaleString("en")} iterations`,
        size: `${Math.round(p12.length / KiB)} KiB`,
        limits: { budgetMs: quick ? 1000 : 3000, warmup: 1 },
        run: () => smime.importPkcs12(p12, P12_PASSWORD).free(),
        kind: "pkcs12",
    };
    // RSA key generation time varies with how soon primes turn up: a fixed, larger N.
    yield {
        op: "generate identity RSA-2048 (self-signed)",
        size: "",
        limits: { budgetMs: 0, min: quick ? 5 : 15, max: 15, warmup: 1 },
        run: () =>
            smime.generateIdentity({ email: "bench@example.org", algorithm: "rsa-2048" }).free(),
        kind: "keygen",
    };
}
