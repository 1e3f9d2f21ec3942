//! `cargo xtask setup`: installs what is missing and skips what is present at the right version.
//!
//! Everything comes from package registries (rustup, crates.io, Debian, npm): prebuilt binaries
//! from elsewhere cannot be downloaded on the CI machines (TOOLCHAIN.md).

use std::fs;
use std::path::Path;

use crate::process::{self, on_path, probe};
use crate::{Project, Result};

const WASM_TARGET: &str = "wasm32-unknown-unknown";

/// How much to set up.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    /// What `wasm-pack build` needs: the wasm32 target, wasm-pack and wasm-bindgen-cli.
    Build,
    /// Build, plus what the benchmark runs: Node.js, the `openssl` CLI and, unless skipped,
    /// Chromium with the npm dependencies (playwright-core drives it).
    Bench { browser: bool },
    /// Build, plus rustfmt, clippy, Node.js and the npm test dependencies.
    TestWithoutBrowser,
    /// All of the above, plus Chromium and ChromeDriver.
    Everything,
}

pub fn run(project: &Project, scope: Scope) -> Result {
    wasm_target(project)?;
    cargo_tool(
        project,
        "wasm-pack",
        "wasm-pack",
        &project.config.tools.wasm_pack,
    )?;
    cargo_tool(
        project,
        "wasm-bindgen",
        "wasm-bindgen-cli",
        &project.wasm_bindgen_version()?,
    )?;
    match scope {
        Scope::Build => return Ok(()),
        Scope::Bench { browser } => {
            debian_packages(project, browser)?;
            return if browser {
                npm_dependencies(project)
            } else {
                Ok(())
            };
        }
        Scope::TestWithoutBrowser | Scope::Everything => {}
    }
    rust_components(project)?;
    debian_packages(project, scope == Scope::Everything)?;
    npm_dependencies(project)
}

fn wasm_target(project: &Project) -> Result {
    let installed = probe(
        project
            .command("rustup")
            .args(["target", "list", "--installed"]),
    )
    .ok_or("`rustup` is missing; install Rust through rustup (https://rustup.rs)")?;
    if installed.lines().any(|line| line.trim() == WASM_TARGET) {
        return done(WASM_TARGET);
    }
    process::run(
        project
            .command("rustup")
            .args(["target", "add", WASM_TARGET]),
    )
}

fn rust_components(project: &Project) -> Result {
    let installed = probe(
        project
            .command("rustup")
            .args(["component", "list", "--installed"]),
    )
    .unwrap_or_default();
    let missing: Vec<&str> = ["rustfmt", "clippy"]
        .into_iter()
        .filter(|component| !installed.lines().any(|line| line.starts_with(component)))
        .collect();
    if missing.is_empty() {
        return done("rustfmt, clippy");
    }
    process::run(
        project
            .command("rustup")
            .args(["component", "add"])
            .args(missing),
    )
}

/// `cargo install`s `krate` at exactly `version` unless `binary --version` already says so.
fn cargo_tool(project: &Project, binary: &str, krate: &str, version: &str) -> Result {
    let found = probe(project.command(binary).arg("--version"));
    // `wasm-pack 0.15.1`, `wasm-bindgen 0.2.130`
    let found_version = found
        .as_deref()
        .and_then(|line| line.split_whitespace().nth(1));
    if found_version == Some(version) {
        return done(&format!("{binary} {version}"));
    }
    if let Some(other) = found_version {
        println!("setup: {binary} is {other}, installing {version}");
    }
    let mut install = project.command("cargo");
    install.args(["install", krate, "--version", &format!("={version}")]);
    // wasm-bindgen-cli's own lockfile wants a webpki-roots the registry lacks, so it resolves
    // afresh (TOOLCHAIN.md); wasm-pack builds with its lockfile.
    if krate != "wasm-bindgen-cli" {
        install.arg("--locked");
    }
    process::run(&mut install)
}

/// Chromium and ChromeDriver for the browser tiers, the `openssl` CLI for the interop tests,
/// and Node.js where it is missing.
fn debian_packages(project: &Project, browser: bool) -> Result {
    let test = &project.config.test;
    let mut missing = Vec::new();
    if browser && !test.chromium.exists() {
        missing.push("chromium");
    }
    if browser && !test.chromedriver.exists() {
        missing.push("chromium-driver");
    }
    if !on_path("openssl") {
        missing.push("openssl");
    }
    if !on_path("node") {
        missing.push("nodejs");
    }
    if !on_path("npm") {
        missing.push("npm");
    }
    if missing.is_empty() {
        return done(if browser {
            "chromium, chromedriver, openssl, node, npm"
        } else {
            "openssl, node, npm"
        });
    }
    if !on_path("apt-get") {
        return Err(format!(
            "missing Debian packages {} and there is no apt-get: install them with the system's \
             package manager (paths in wasm-pack.toml [test]), or test with \
             `cargo xtask test --skip-browser`",
            missing.join(", ")
        )
        .into());
    }
    let apt_get = || {
        let mut command = if is_root(project) {
            project.command("apt-get")
        } else {
            let mut sudo = project.command("sudo");
            sudo.arg("apt-get");
            sudo
        };
        command.env("DEBIAN_FRONTEND", "noninteractive");
        command
    };
    process::run(apt_get().arg("update"))?;
    process::run(apt_get().args(["install", "-y"]).args(&missing))
}

fn is_root(project: &Project) -> bool {
    probe(project.command("id").arg("-u")).as_deref() == Some("0")
}

/// Runs `npm ci` (or `npm install` without a lockfile) when package.json or package-lock.json
/// changed since the last install; a stamp in node_modules remembers what was installed.
fn npm_dependencies(project: &Project) -> Result {
    let manifest = project.path("package.json");
    if !manifest.exists() {
        println!("setup: no package.json yet, no npm dependencies to install");
        return Ok(());
    }
    let lockfile = project.path("package-lock.json");
    let stamp = project.path("node_modules/.xtask-stamp");
    if fs::read_to_string(&stamp).ok() == Some(npm_stamp(&manifest, &lockfile)) {
        return done("npm dependencies");
    }
    let mut npm = project.command("npm");
    if lockfile.exists() {
        npm.arg("ci");
    } else {
        println!("setup: no package-lock.json; `npm install` writes one, commit it");
        npm.arg("install");
    }
    process::run(npm.args(["--no-audit", "--no-fund"]))?;
    // npm install may have written the lockfile, so the stamp is taken afterwards.
    fs::write(&stamp, npm_stamp(&manifest, &lockfile))
        .map_err(|e| format!("cannot write {}: {e}", stamp.display()).into())
}

fn npm_stamp(manifest: &Path, lockfile: &Path) -> String {
    let mut bytes = fs::read(manifest).unwrap_or_default();
    bytes.extend(fs::read(lockfile).unwrap_or_default());
    format!("{:016x}\n", fnv1a(&bytes))
}

/// FNV-1a: a hash that stays the same across Rust releases, unlike `DefaultHasher`.
fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |hash, &byte| {
        (hash ^ u64::from(byte)).wrapping_mul(0x0100_0000_01b3)
    })
}

fn done(what: &str) -> Result {
    println!("setup: {what} ok");
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::fnv1a;

    #[test]
    fn fnv1a_matches_the_reference_vectors() {
        assert_eq!(fnv1a(b""), 0xcbf2_9ce4_8422_2325);
        assert_eq!(fnv1a(b"a"), 0xaf63_dc4c_8601_ec8c);
    }
}
