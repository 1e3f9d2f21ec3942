//! `cargo xtask bench`: the release build, then `bench/run.mjs`, which times the wasm module in
//! Node.js and in headless Chromium against the `openssl` CLI and node:crypto, all in one run,
//! and prints the ratios.
//!
//! Not a test tier: timings vary with the machine and its load, so nothing here passes or fails
//! on a number (DESIGN.md: ratios against anchors, never timed assertions).

use crate::project::Profile;
use crate::{Project, Result, build, process, setup};

const SCRIPT: &str = "bench/run.mjs";

pub struct Options {
    /// Two message sizes and short time budgets, to try the benchmark rather than quote it.
    pub quick: bool,
    /// Leaves out the Chromium column (no Chromium, playwright-core or npm needed).
    pub skip_browser: bool,
}

pub fn run(project: &Project, options: &Options) -> Result {
    setup::run(
        project,
        setup::Scope::Bench {
            browser: !options.skip_browser,
        },
    )?;
    // Always the release profile, whatever wasm-pack.toml says: that is what ships.
    let size = build::build(project, Profile::Release)?;

    let mut node = project.command("node");
    // --expose-gc lets the script collect garbage before each measurement, not during one.
    node.args(["--expose-gc", SCRIPT, "--pkg"])
        .arg(project.path(&project.config.build.out_dir));
    if !options.skip_browser {
        node.arg("--chromium").arg(&project.config.test.chromium);
    }
    if options.quick {
        node.arg("--quick");
    }
    process::run(&mut node)?;
    println!("{size}");
    Ok(())
}
