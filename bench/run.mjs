// The benchmark of smime-wasm: `cargo xtask bench` builds the release www/pkg, then runs this.
//
// Every figure is a median of N timed runs after a warm-up. Ours is the wasm module called
// through its generated bindings (copies in and out of wasm memory included), timed twice: in
// Node.js, and in headless Chromium (page.mjs), because their V8s differ: Node 20 carries
// V8 11.3, Debian's Chromium a much newer one that runs the same wasm 1.2-3.3x faster here.
// The anchors are measured in the same run on inputs of the same size:
// - the `openssl` CLI (`openssl cms`, `openssl pkcs12`, `openssl req`), timed as a whole process
//   from Node's spawnSync, so it includes process start; `openssl version` is timed the same way
//   and printed so that readers can subtract it;
// - the native floor: node:crypto (OpenSSL in-process, no process start) doing only the
//   primitives the operation cannot avoid: the bulk pass over the bytes (SHA-256, AES-256-CBC or
//   AES-256-GCM) plus the one private- or public-key operation; PBKDF2 for PKCS#12.
//
// Usage: node --expose-gc bench/run.mjs [--pkg DIR] [--chromium PATH] [--quick]
//   --pkg DIR        the wasm-pack output to measure (default www/pkg), built with --target web
//   --chromium PATH  also time ours in this Chromium (through playwright-core)
//   --quick          1 KiB and 1 MiB only, shorter budgets: to try the script, not to quote

import { spawnSync } from "node:child_process";
import crypto from "node:crypto";
import fs from "node:fs";
import http from "node:http";
import os from "node:os";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

import { KiB, MiB, P12_ITERATIONS, P12_PASSWORD, measure, workloads } from "./workloads.mjs";

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, "..");
const options = parseArgs(process.argv.slice(2));
const sizes = options.quick ? [KiB, MiB] : [KiB, MiB, 10 * MiB];
const fixtures = path.join(root, "tests/fixtures");
const FIXTURE_NAMES = [
    "demo-ca.cert.pem",
    "alice.cert.pem",
    "alice.key.pem",
    "bob.cert.pem",
    "bob.key.pem",
    "carol.cert.pem",
    "carol.key.pem",
];
/** The fixtures each signer of workloads.mjs is made of. */
const SIGNER_FILES = { "RSA-2048": "alice", "P-256": "carol" };

/** @param {string[]} args */
function parseArgs(args) {
    const parsed = { pkg: path.join(root, "www/pkg"), chromium: "", quick: false };
    for (let i = 0; i < args.length; i++) {
        if (args[i] === "--quick") parsed.quick = true;
        else if (args[i] === "--pkg" && i + 1 < args.length) parsed.pkg = path.resolve(args[++i]);
        else if (args[i] === "--chromium" && i + 1 < args.length) parsed.chromium = args[++i];
        else {
            throw new Error(
                `unknown argument ${args[i]} (usage: run.mjs [--pkg DIR] [--chromium PATH] [--quick])`,
            );
        }
    }
    return parsed;
}

/**
 * One `openssl` process; throws with its stderr if it fails.
 * @param {string[]} args
 */
function openssl(args) {
    const run = spawnSync("openssl", args, { stdio: ["ignore", "ignore", "pipe"] });
    if (run.status !== 0) {
        throw new Error(`openssl ${args.join(" ")} failed (${run.status}): ${run.stderr}`);
    }
}

// ---------------------------------------------------------------------------------------------
// Set-up: the module, the keys, the scratch directory

const pkgJson = JSON.parse(fs.readFileSync(path.join(options.pkg, "package.json"), "utf8"));
const glueName = pkgJson.module ?? pkgJson.main;
const wasmName = fs.readdirSync(options.pkg).find((name) => name.endsWith("_bg.wasm"));
if (!wasmName) throw new Error(`no *_bg.wasm in ${options.pkg}: build it first`);
const wasmPath = path.join(options.pkg, wasmName);
const smime = await import(pathToFileURL(path.join(options.pkg, glueName)).href);
if (typeof smime.initSync !== "function") {
    throw new Error(`${options.pkg} is not a \`--target web\` build (no initSync)`);
}
smime.initSync({ module: fs.readFileSync(wasmPath) });

/** @param {string} name */
const fixture = (name) => path.join(fixtures, name);
const pem = Object.fromEntries(
    FIXTURE_NAMES.map((name) => [name, fs.readFileSync(fixture(name), "utf8")]),
);
/** node:crypto's copies of the keys, by signer name, and Bob's. */
const nativeKey = {
    "RSA-2048": crypto.createPrivateKey(pem["alice.key.pem"]),
    "P-256": crypto.createPrivateKey(pem["carol.key.pem"]),
    bob: crypto.createPrivateKey(pem["bob.key.pem"]),
};
const bobPublic = crypto.createPublicKey(nativeKey.bob);

const scratch = fs.mkdtempSync(path.join(os.tmpdir(), "smime-bench-"));
process.on("exit", () => fs.rmSync(scratch, { recursive: true, force: true }));
/** @type {Map<Uint8Array, string>} */
const scratchFiles = new Map();
/**
 * A file holding `bytes` in the scratch directory, written once per input.
 * @param {Uint8Array} bytes
 */
function scratchFile(bytes) {
    let file = scratchFiles.get(bytes);
    if (!file) {
        file = path.join(scratch, `input-${scratchFiles.size}.eml`);
        fs.writeFileSync(file, bytes);
        scratchFiles.set(bytes, file);
    }
    return file;
}

// OpenSSL 3 writes both bags with PBES2 (PBKDF2-HMAC-SHA-256, AES-256-CBC) and the MAC with
// SHA-256, each at -iter rounds: the same file for ours and for the CLI.
const p12File = path.join(scratch, "alice.p12");
openssl([
    "pkcs12", "-export", "-in", fixture("alice.cert.pem"), "-inkey", fixture("alice.key.pem"),
    "-certfile", fixture("demo-ca.cert.pem"), "-iter", String(P12_ITERATIONS),
    "-passout", `pass:${P12_PASSWORD}`, "-out", p12File,
]);
const p12 = fs.readFileSync(p12File);

// ---------------------------------------------------------------------------------------------
// The anchors of each workload

// The signed attributes a signer hashes and signs are ~200 bytes; the floor signs as many.
const signedAttributes = crypto.randomBytes(200);
const salt = crypto.randomBytes(16);

/**
 * The CLI command and the native floor for workload `w`, after checking that the CLI accepts
 * our output where it reads it (verify, decrypt).
 * @param {import("./workloads.mjs").Workload} w
 * @returns {{ cli: () => void, floor: () => unknown }}
 */
function anchors(w) {
    const message = w.message ?? new Uint8Array();
    switch (w.kind) {
        case "sign": {
            const name = SIGNER_FILES[w.key === "P-256" ? "P-256" : "RSA-2048"];
            const key = w.key === "P-256" ? nativeKey["P-256"] : nativeKey["RSA-2048"];
            // -binary: the input is already canonical (CRLF); OpenSSL skips a conversion pass.
            const args = [
                "cms", "-sign", "-binary", "-md", "sha256", "-in", scratchFile(message),
                "-signer", fixture(`${name}.cert.pem`), "-inkey", fixture(`${name}.key.pem`),
                "-out", "/dev/null",
            ];
            return {
                cli: () => openssl(args),
                floor: () => {
                    crypto.createHash("sha256").update(message).digest();
                    return crypto.sign("sha256", signedAttributes, key);
                },
            };
        }
        case "verify": {
            const report = w.run().layers[0]?.signers?.[0];
            if (report?.signature !== "valid" || report?.chain !== "trusted") {
                throw new Error(`our own signature does not verify: ${JSON.stringify(report)}`);
            }
            // No -binary here: OpenSSL 3.0's binary multipart reader keeps the CR of the CRLF
            // before the boundary when the part itself ends in a line break (ours ends with its
            // closing multipart boundary), so it would digest one byte too many. Text mode
            // costs it a canonicalisation pass instead.
            const args = [
                "cms", "-verify", "-in", scratchFile(w.input ?? message),
                "-CAfile", fixture("demo-ca.cert.pem"), "-purpose", "smimesign", "-out", "/dev/null",
            ];
            openssl(args);
            const key = w.key === "P-256" ? nativeKey["P-256"] : nativeKey["RSA-2048"];
            const publicKey = crypto.createPublicKey(key);
            const signature = crypto.sign("sha256", signedAttributes, key);
            return {
                cli: () => openssl(args),
                floor: () => {
                    crypto.createHash("sha256").update(message).digest();
                    return crypto.verify("sha256", signedAttributes, publicKey, signature);
                },
            };
        }
        case "encrypt": {
            const cipher = w.cipher ?? "";
            const args = [
                "cms", "-encrypt", "-binary", `-${cipher}`, "-in", scratchFile(message),
                "-out", "/dev/null", fixture("bob.cert.pem"),
            ];
            const padding = crypto.constants.RSA_PKCS1_PADDING;
            return {
                cli: () => openssl(args),
                floor: () => {
                    bulk(cipher, message, false);
                    return crypto.publicEncrypt({ key: bobPublic, padding }, crypto.randomBytes(32));
                },
            };
        }
        case "decrypt": {
            const cipher = w.cipher ?? "";
            const args = [
                "cms", "-decrypt", "-binary", "-in", scratchFile(w.input ?? message),
                "-recip", fixture("bob.cert.pem"), "-inkey", fixture("bob.key.pem"),
                "-out", "/dev/null",
            ];
            openssl(args);
            // Node 20 refuses PKCS#1 v1.5 private decryption (the Marvin attack); an OAEP
            // unwrap costs the same private-key exponentiation.
            const padding = crypto.constants.RSA_PKCS1_OAEP_PADDING;
            const wrapped = crypto.publicEncrypt({ key: bobPublic, padding }, crypto.randomBytes(32));
            return {
                cli: () => openssl(args),
                floor: () => {
                    crypto.privateDecrypt({ key: nativeKey.bob, padding }, wrapped);
                    bulk(cipher, message, true);
                },
            };
        }
        case "pkcs12": {
            const args = [
                "pkcs12", "-in", p12File, "-passin", `pass:${P12_PASSWORD}`, "-nodes",
                "-out", "/dev/null",
            ];
            return {
                cli: () => openssl(args),
                // Two PBKDF2 derivations (key bag, certificate bag) and the MAC key, whose
                // RFC 7292 KDF hashes once per round where PBKDF2-HMAC hashes twice: half a PBKDF2.
                floor: () => {
                    crypto.pbkdf2Sync(P12_PASSWORD, salt, P12_ITERATIONS, 32, "sha256");
                    crypto.pbkdf2Sync(P12_PASSWORD, salt, P12_ITERATIONS, 32, "sha256");
                    crypto.pbkdf2Sync(P12_PASSWORD, salt, P12_ITERATIONS / 2, 32, "sha256");
                },
            };
        }
        case "keygen": {
            const args = [
                "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "/dev/null",
                "-out", "/dev/null", "-subj", "/CN=bench/emailAddress=bench@example.org",
                "-days", "365",
            ];
            return {
                cli: () => openssl(args),
                floor: () => crypto.generateKeyPairSync("rsa", { modulusLength: 2048 }),
            };
        }
    }
}

/**
 * One bulk AES-256 pass over `bytes` in node:crypto. Decrypting random bytes would fail the
 * tag or padding check in final(), after the bulk pass: final() is left out.
 * @param {string} cipher "aes-256-cbc" or "aes-256-gcm"
 * @param {Uint8Array} bytes
 * @param {boolean} decrypting
 */
function bulk(cipher, bytes, decrypting) {
    const key = crypto.randomBytes(32);
    const iv = crypto.randomBytes(cipher === "aes-256-gcm" ? 12 : 16);
    if (!decrypting) {
        const c = crypto.createCipheriv(cipher, key, iv);
        c.update(bytes);
        c.final();
    } else if (cipher === "aes-256-gcm") {
        crypto.createDecipheriv(cipher, key, iv).setAuthTag(Buffer.alloc(16)).update(bytes);
    } else {
        crypto.createDecipheriv(cipher, key, iv).update(bytes);
    }
}

// ---------------------------------------------------------------------------------------------
// Measurements: Node (ours and the anchors), then Chromium (ours)

/**
 * @typedef {import("./workloads.mjs").Timing} Timing
 * @typedef {{ op: string, size: string, node: Timing, chromium?: Timing, cli: Timing,
 *   floor: Timing }} Row
 */
/** @type {Row[]} */
const rows = [];
const startedAt = new Date();
const loadAtStart = os.loadavg();
const startup = measure(() => openssl(["version"]), { budgetMs: 1000, min: 11, max: 101 });

for (const w of workloads(smime, { pem, p12, sizes, quick: options.quick })) {
    const { cli, floor } = anchors(w);
    const row = {
        op: w.op,
        size: w.size,
        node: measure(w.run, w.limits),
        cli: measure(cli, w.limits),
        floor: measure(floor, w.limits),
    };
    rows.push(row);
    process.stderr.write(
        `  ${w.op} ${w.size}: node ${ms(row.node.median)} ms, ` +
            `openssl ${ms(row.cli.median)} ms, floor ${ms(row.floor.median)} ms\n`,
    );
}

let chromium = { version: "", crossOriginIsolated: false };
if (options.chromium) {
    process.stderr.write(`  Chromium (${options.chromium}): the same workloads\n`);
    const result = await inChromium();
    chromium = result;
    for (const timing of result.rows) {
        const row = rows.find((r) => r.op === timing.op && r.size === timing.size);
        if (row) row.chromium = { median: timing.median, n: timing.n };
    }
}

/**
 * Serves bench/, the package and the fixtures on 127.0.0.1, opens page.html in headless
 * Chromium and runs the workloads there.
 * @returns {Promise<{ rows: ({ op: string, size: string } & Timing)[],
 *   crossOriginIsolated: boolean, version: string }>}
 */
async function inChromium() {
    // playwright-core is a devDependency already (the end-to-end tests); only this path needs it.
    const { chromium: launcher } = await import("playwright-core");
    /** @type {Record<string, string>} */
    const types = {
        ".html": "text/html",
        ".mjs": "text/javascript",
        ".js": "text/javascript",
        ".wasm": "application/wasm",
    };
    /** @param {string} url */
    const fileFor = (url) => {
        const [, dir, name] = /^\/(bench|pkg|fixtures)\/([\w.-]+)$/.exec(url) ?? [];
        if (url === "/bench/p12") return p12File;
        if (dir === "bench") return path.join(here, name);
        if (dir === "pkg") return path.join(options.pkg, name);
        if (dir === "fixtures" && FIXTURE_NAMES.includes(name)) return fixture(name);
        return undefined;
    };
    const server = http.createServer((request, response) => {
        const file = fileFor(request.url ?? "");
        if (!file || !fs.existsSync(file)) {
            response.writeHead(404).end();
            return;
        }
        response.writeHead(200, {
            "content-type": types[path.extname(file)] ?? "application/octet-stream",
            // Cross-origin isolation: performance.now() at 5 µs instead of 100 µs resolution.
            "cross-origin-opener-policy": "same-origin",
            "cross-origin-embedder-policy": "require-corp",
        });
        response.end(fs.readFileSync(file));
    });
    await new Promise((resolve) => server.listen(0, "127.0.0.1", () => resolve(undefined)));
    const address = server.address();
    const port = typeof address === "object" && address ? address.port : 0;
    // The flags of TOOLCHAIN.md: this machine's closed network refuses Chromium's background
    // connections.
    const browser = await launcher.launch({
        executablePath: options.chromium,
        args: [
            "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
            "--disable-background-networking", "--disable-component-update", "--disable-sync",
        ],
    });
    try {
        const page = await browser.newPage();
        await page.goto(`http://127.0.0.1:${port}/bench/page.html`);
        await page.waitForFunction(() => "runBench" in globalThis);
        const config = {
            glue: `/pkg/${glueName}`,
            wasm: `/pkg/${wasmName}`,
            fixtures: FIXTURE_NAMES,
            sizes,
            quick: options.quick,
        };
        const result = await page.evaluate((c) => globalThis.runBench(c), config);
        return { ...result, version: browser.version() };
    } finally {
        await browser.close();
        server.close();
    }
}

// ---------------------------------------------------------------------------------------------
// Report

/** @param {number} value */
function ms(value) {
    if (value >= 100) return value.toFixed(0);
    if (value >= 10) return value.toFixed(1);
    if (value >= 1) return value.toFixed(2);
    return value.toFixed(3);
}

/** @param {number} a @param {number} b */
function ratio(a, b) {
    const r = a / b;
    return r >= 100 ? r.toFixed(0) : r >= 10 ? r.toFixed(1) : r.toFixed(2);
}

/** @param {Timing} t */
const timing = (t) => `${ms(t.median)} (${t.n})`;

// Ratios use the Chromium figure when there is one: browsers are where the module runs.
const inBrowser = rows.every((r) => r.chromium);
const ours = inBrowser ? "Chromium" : "Node";
const header = [
    "operation", "size", "Node ms (N)", ...(inBrowser ? ["Chromium ms (N)"] : []),
    "openssl CLI ms", "native floor ms", `${ours}/CLI`, `${ours}/floor`,
];
const table = rows.map((r) => {
    const mine = (inBrowser && r.chromium) || r.node;
    return [
        r.op,
        r.size,
        timing(r.node),
        ...(inBrowser && r.chromium ? [timing(r.chromium)] : []),
        ms(r.cli.median),
        ms(r.floor.median),
        ratio(mine.median, r.cli.median),
        ratio(mine.median, r.floor.median),
    ];
});
const widths = header.map((h, i) => Math.max(h.length, ...table.map((cells) => cells[i].length)));
/** @param {string[]} cells */
const line = (cells) =>
    `| ${cells.map((c, i) => (i < 2 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join(" | ")} |`;
const rule = widths.map((w, i) => (i < 2 ? "-".repeat(w) : `${"-".repeat(w - 1)}:`));

const cpu = os.cpus()[0]?.model ?? "unknown CPU";
const memory = `${(os.totalmem() / 2 ** 30).toFixed(0)} GiB`;
const opensslVersion = spawnSync("openssl", ["version"], { encoding: "utf8" }).stdout.trim();
/** @param {number[]} l */
const load = (l) => l.map((x) => x.toFixed(2)).join(" ");
const isolation = chromium.crossOriginIsolated ? "cross-origin isolated" : "coarse: not isolated";
const chromiumLine = options.chromium
    ? `Chromium ${chromium.version} (headless, performance.now() ${isolation})`
    : "Chromium: not run (no --chromium)";
const shownWasm = path.relative(root, wasmPath).startsWith("..")
    ? wasmPath
    : path.relative(root, wasmPath);

console.log(`
smime-wasm benchmark, ${startedAt.toISOString().slice(0, 16)}Z${options.quick ? " (--quick: not for quoting)" : ""}
machine: ${cpu}, ${os.availableParallelism()} logical CPUs, ${memory}, ${os.type()} ${os.release()}
load average (1, 5, 15 min): ${load(loadAtStart)} at start, ${load(os.loadavg())} at the end
node ${process.version} (V8 ${process.versions.v8}, node:crypto on OpenSSL ${process.versions.openssl})
${chromiumLine}
CLI: ${opensslVersion}
wasm: ${shownWasm}, ${fs.statSync(wasmPath).size} bytes raw
process start (\`openssl version\` via spawnSync): ${ms(startup.median)} ms median of ${startup.n}; in every CLI figure

${line(header)}
${line(rule)}
${table.map(line).join("\n")}

size: the attachment's; the composed message is base64, ~1.37x larger. Medians of N runs after a
warm-up; the CLI and floor columns take their own N within the same time budget.
ours (${options.chromium ? "Node, Chromium" : "Node"}): the wasm API called from JS on the main thread (identities imported
beforehand), copies in and out of wasm memory included; ratios use ${ours}.
openssl CLI: a whole process: start, reading the PEM key and certificate, the operation, S/MIME
output to /dev/null. native floor: node:crypto in-process, the unavoidable primitives only:
SHA-256 or AES-256 over the message plus one RSA/ECDSA operation; for PKCS#12 2.5 x PBKDF2 100k;
for identity generation the bare RSA key pair (no certificate).`);
