//! The repository: its root, the settings in `wasm-pack.toml`, and what xtask reads from Cargo.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

use serde::Deserialize;

use crate::{Result, process};

/// The repository xtask works on, with its settings loaded.
pub struct Project {
    pub root: PathBuf,
    pub config: Config,
}

/// `wasm-pack.toml`; see the comments there for what each setting means.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    pub tools: Tools,
    pub build: Build,
    pub serve: Serve,
    pub test: Test,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct Tools {
    pub wasm_pack: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct Build {
    pub target: String,
    pub out_dir: PathBuf,
    pub profile: Profile,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct Serve {
    pub root: PathBuf,
    pub port: u16,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct Test {
    pub profile: Profile,
    pub node: bool,
    pub chrome: bool,
    pub headless: bool,
    pub chromedriver: PathBuf,
    pub chromium: PathBuf,
    pub e2e_dir: PathBuf,
}

/// A wasm-pack build profile.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Profile {
    Dev,
    Release,
}

impl Profile {
    /// The name wasm-pack uses in `[package.metadata.wasm-pack.profile.<name>]`.
    pub fn name(self) -> &'static str {
        match self {
            Profile::Dev => "dev",
            Profile::Release => "release",
        }
    }
}

impl Project {
    /// Finds the repository (the parent of `xtask/`) and reads `wasm-pack.toml`.
    pub fn load() -> Result<Self> {
        // `cargo run` sets the variable at run time too; prefer that to the compile-time value,
        // which a copied or moved checkout can reuse from a stale build of xtask.
        let xtask_dir = std::env::var_os("CARGO_MANIFEST_DIR")
            .map_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")), PathBuf::from);
        let root = xtask_dir
            .parent()
            .ok_or("xtask is not inside a repository")?
            .to_path_buf();
        let config = parse_config(&read(&root.join("wasm-pack.toml"))?)?;
        Ok(Self { root, config })
    }

    /// `relative` inside the repository.
    pub fn path(&self, relative: impl AsRef<Path>) -> PathBuf {
        self.root.join(relative)
    }

    /// A command that runs in the repository root with cargo's bin directory on PATH.
    pub fn command(&self, program: &str) -> Command {
        let mut command = process::command(program);
        command.current_dir(&self.root);
        command
    }

    /// The exact version of the `wasm-bindgen` crate in Cargo.lock, which wasm-bindgen-cli must
    /// match (TOOLCHAIN.md pitfall 1).
    pub fn wasm_bindgen_version(&self) -> Result<String> {
        let path = self.path("Cargo.lock");
        if !path.exists() {
            process::run(self.command("cargo").arg("generate-lockfile"))?;
        }
        wasm_bindgen_version(&read(&path)?)
    }

    /// The package name and whether `[package.metadata.wasm-pack.profile.<profile>]` in
    /// Cargo.toml turns wasm-opt off.
    pub fn manifest(&self, profile: Profile) -> Result<Manifest> {
        parse_manifest(&read(&self.path("Cargo.toml"))?, profile)
    }
}

/// What xtask needs from the root Cargo.toml.
pub struct Manifest {
    pub package_name: String,
    pub wasm_opt_off: bool,
}

fn read(path: &Path) -> Result<String> {
    fs::read_to_string(path).map_err(|e| format!("cannot read {}: {e}", path.display()).into())
}

fn parse_config(text: &str) -> Result<Config> {
    toml::from_str(text).map_err(|e| format!("wasm-pack.toml: {e}").into())
}

fn wasm_bindgen_version(lockfile: &str) -> Result<String> {
    #[derive(Deserialize)]
    struct Lockfile {
        #[serde(default)]
        package: Vec<Package>,
    }
    #[derive(Deserialize)]
    struct Package {
        name: String,
        version: String,
    }

    let lockfile: Lockfile = toml::from_str(lockfile).map_err(|e| format!("Cargo.lock: {e}"))?;
    let mut versions = lockfile
        .package
        .into_iter()
        .filter(|package| package.name == "wasm-bindgen")
        .map(|package| package.version);
    match (versions.next(), versions.next()) {
        (Some(version), None) => Ok(version),
        (None, _) => Err("Cargo.lock has no `wasm-bindgen` package".into()),
        (Some(a), Some(b)) => Err(format!(
            "Cargo.lock has two `wasm-bindgen` versions ({a}, {b}); wasm-pack needs exactly one"
        )
        .into()),
    }
}

fn parse_manifest(text: &str, profile: Profile) -> Result<Manifest> {
    let manifest: toml::Table = toml::from_str(text).map_err(|e| format!("Cargo.toml: {e}"))?;
    let package = manifest.get("package");
    let package_name = package
        .and_then(|package| package.get("name"))
        .and_then(toml::Value::as_str)
        .ok_or("Cargo.toml has no package name")?
        .to_owned();
    let wasm_opt = [
        "metadata",
        "wasm-pack",
        "profile",
        profile.name(),
        "wasm-opt",
    ]
    .iter()
    .fold(package, |value, key| value.and_then(|v| v.get(key)));
    Ok(Manifest {
        package_name,
        wasm_opt_off: wasm_opt.and_then(toml::Value::as_bool) == Some(false),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_repository_settings_parse() -> Result {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
        let config = parse_config(&read(&root.join("wasm-pack.toml"))?)?;
        assert_eq!(config.build.out_dir, Path::new("www/pkg"));
        Ok(())
    }

    #[test]
    fn unknown_settings_are_rejected() -> Result {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
        let text = read(&root.join("wasm-pack.toml"))?;
        let typo = text.replace("out-dir =", "outdir =");
        assert!(parse_config(&typo).is_err());
        Ok(())
    }

    #[test]
    fn wasm_bindgen_version_comes_from_the_lockfile() -> Result {
        let lockfile = r#"
            version = 4
            [[package]]
            name = "wasm-bindgen-macro"
            version = "0.2.130"
            [[package]]
            name = "wasm-bindgen"
            version = "0.2.130"
            source = "registry+https://github.com/rust-lang/crates.io-index"
        "#;
        assert_eq!(wasm_bindgen_version(lockfile)?, "0.2.130");
        assert!(wasm_bindgen_version("version = 4").is_err());
        Ok(())
    }

    #[test]
    fn manifest_reports_wasm_opt() -> Result {
        let text = r#"
            [package]
            name = "smime-wasm"
            [package.metadata.wasm-pack.profile.release]
            wasm-opt = false
            [package.metadata.wasm-pack.profile.dev]
            wasm-opt = ["-O"]
        "#;
        let release = parse_manifest(text, Profile::Release)?;
        assert_eq!(release.package_name, "smime-wasm");
        assert!(release.wasm_opt_off);
        assert!(!parse_manifest(text, Profile::Dev)?.wasm_opt_off);
        Ok(())
    }
}
