//! `cargo xtask build`: wasm-pack into `www/pkg`, and the size.

use std::fmt;
use std::fs;
use std::path::Path;

use crate::project::Profile;
use crate::{Project, Result, process, setup};

/// Sets up what the build needs, then builds; `profile` overrides wasm-pack.toml's.
pub fn run(project: &Project, profile: Option<Profile>) -> Result {
    setup::run(project, setup::Scope::Build)?;
    build(project, profile.unwrap_or(project.config.build.profile))?;
    Ok(())
}

/// Builds without setting up first (for callers that already did); prints the wasm size and
/// returns it.
pub fn build(project: &Project, profile: Profile) -> Result<WasmSize> {
    let settings = &project.config.build;
    let manifest = project.manifest(profile)?;
    if !manifest.wasm_opt_off {
        return Err(format!(
            "Cargo.toml must set `wasm-opt = false` in [package.metadata.wasm-pack.profile.{}]: \
             wasm-pack would download binaryen, which fails here (TOOLCHAIN.md pitfall 2)",
            profile.name()
        )
        .into());
    }

    let mut wasm_pack = project.command("wasm-pack");
    wasm_pack
        .arg("build")
        // Use the wasm-bindgen that setup installed; never fetch one behind our back.
        .args([
            "--mode",
            "no-install",
            "--target",
            &settings.target,
            "--out-dir",
        ])
        .arg(&settings.out_dir)
        .arg(match profile {
            Profile::Dev => "--dev",
            Profile::Release => "--release",
        });
    process::run(&mut wasm_pack)?;

    let wasm = project.path(&settings.out_dir).join(format!(
        "{}_bg.wasm",
        manifest.package_name.replace('-', "_")
    ));
    let size = WasmSize::of(&wasm, profile)?;
    println!("{size}");
    Ok(size)
}

/// The size of the built wasm file, raw and after `gzip -9` (what a server would send).
pub struct WasmSize {
    name: String,
    profile: Profile,
    raw: u64,
    gzip: u64,
}

impl WasmSize {
    fn of(wasm: &Path, profile: Profile) -> Result<Self> {
        let raw = fs::metadata(wasm)
            .map_err(|e| format!("cannot read {}: {e}", wasm.display()))?
            .len();
        let gzip = process::command("gzip")
            .args(["-9", "-c"])
            .arg(wasm)
            .output()
            .map_err(|e| format!("cannot run gzip: {e}"))?;
        if !gzip.status.success() {
            return Err(format!("gzip -9 {} failed ({})", wasm.display(), gzip.status).into());
        }
        Ok(Self {
            name: wasm
                .file_name()
                .unwrap_or_default()
                .to_string_lossy()
                .into_owned(),
            profile,
            raw,
            gzip: gzip.stdout.len() as u64,
        })
    }
}

impl fmt::Display for WasmSize {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "size: {} ({}): {} raw, {} gzip -9",
            self.name,
            self.profile.name(),
            bytes(self.raw),
            bytes(self.gzip)
        )
    }
}

fn bytes(n: u64) -> String {
    format!("{n} B ({:.1} KiB)", n as f64 / 1024.0)
}
