// The Chromium half of the benchmark: run.mjs serves this page and calls window.runBench, which
// times the same workloads as Node does (workloads.mjs) in the browser's own V8.

import { measure, workloads } from "./workloads.mjs";

/**
 * @param {{ glue: string, wasm: string, fixtures: string[], sizes: number[], quick: boolean }} config
 *   URLs of the wasm-bindgen module and its .wasm, fixture names (served under /fixtures/), sizes
 */
async function runBench(config) {
    const smime = await import(config.glue);
    await smime.default({ module_or_path: config.wasm });
    /** @type {Record<string, string>} */
    const pem = {};
    for (const name of config.fixtures) pem[name] = await (await fetch(`../fixtures/${name}`)).text();
    const p12 = new Uint8Array(await (await fetch("p12")).arrayBuffer());
    const rows = [];
    for (const workload of workloads(smime, { pem, p12, sizes: config.sizes, quick: config.quick })) {
        rows.push({ op: workload.op, size: workload.size, ...measure(workload.run, workload.limits) });
    }
    return { rows, crossOriginIsolated: globalThis.crossOriginIsolated };
}

Object.assign(globalThis, { runBench });
