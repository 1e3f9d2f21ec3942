//! `cargo xtask test`: every test tier in order, failing fast, with the passed tests counted.
//!
//! Exit codes are not enough: `wasm-pack test` exits 0 having run no test at all (TOOLCHAIN.md
//! pitfall 3), so the "test result" lines are read and the binding tests must run, in equal
//! number, under Node.js and in Chrome.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use crate::project::Profile;
use crate::serve::Server;
use crate::{Project, Result, build, process, setup};

pub struct Options {
    /// Skips the tiers that need Chromium: `wasm-pack test --chrome` and end-to-end.
    pub skip_browser: bool,
    pub skip_e2e: bool,
}

pub fn run(project: &Project, options: &Options) -> Result {
    let scope = if options.skip_browser {
        setup::Scope::TestWithoutBrowser
    } else {
        setup::Scope::Everything
    };
    setup::run(project, scope)?;

    let mut report = Report::default();
    report.tier("format", || {
        cargo(project, &["fmt", "--all", "--", "--check"])
    })?;
    report.tier("clippy (native)", || {
        cargo(
            project,
            &[
                "clippy",
                "--workspace",
                "--all-targets",
                "--",
                "-D",
                "warnings",
            ],
        )
    })?;
    report.tier("clippy (wasm32)", || {
        let package = project.manifest(Profile::Release)?.package_name;
        cargo(
            project,
            &[
                "clippy",
                "--package",
                &package,
                "--target",
                "wasm32-unknown-unknown",
                "--lib",
                "--",
                "-D",
                "warnings",
            ],
        )
    })?;
    report.tier("cargo test (native)", || {
        let output = process::run_captured(project.command("cargo").args(["test", "--workspace"]))?;
        Ok(Outcome::Ran(Some(passed_count(&output))))
    })?;
    let node = report.tier("wasm-pack test --node", || node_tests(project))?;
    let chrome = report.tier("wasm-pack test --chrome", || {
        chrome_tests(project, options, node)
    })?;
    if node.is_none() && chrome.is_none() {
        report.warn("no binding tests ran: both wasm-pack tiers are skipped");
    }
    report.tier("build (release)", || {
        build::build(project, Profile::Release)?;
        Ok(Outcome::Ran(None))
    })?;
    report.tier("typecheck www/ (tsc against pkg/*.d.ts)", || {
        process::run(
            project
                .command("npm")
                .args(["run", "--silent", "typecheck"]),
        )?;
        Ok(Outcome::Ran(None))
    })?;
    report.tier("end-to-end (Playwright)", || {
        if options.skip_e2e {
            Ok(Outcome::Skipped("--skip-e2e"))
        } else if options.skip_browser {
            Ok(Outcome::Skipped("--skip-browser"))
        } else {
            end_to_end(project)
        }
    })?;

    report.print();
    println!("{} passed, 0 failed", report.passed());
    Ok(())
}

/// A cargo command whose exit status is the whole verdict.
fn cargo(project: &Project, args: &[&str]) -> Result<Outcome> {
    process::run(project.command("cargo").args(args))?;
    Ok(Outcome::Ran(None))
}

fn node_tests(project: &Project) -> Result<Outcome> {
    if !project.config.test.node {
        return Ok(Outcome::Skipped("off in wasm-pack.toml"));
    }
    wasm_pack_test(&mut wasm_pack_test_command(project, &["--node"]))
}

/// The binding tests in Chrome; `node` is how many passed under Node.js, if they ran.
fn chrome_tests(project: &Project, options: &Options, node: Option<u64>) -> Result<Outcome> {
    let settings = &project.config.test;
    if !settings.chrome {
        return Ok(Outcome::Skipped("off in wasm-pack.toml"));
    }
    if options.skip_browser {
        return Ok(Outcome::Skipped("--skip-browser"));
    }
    let mut command = wasm_pack_test_command(project, &[]);
    if settings.headless {
        command.arg("--headless");
    }
    command
        .arg("--chrome")
        .arg("--chromedriver")
        .arg(&settings.chromedriver)
        // Without this variable the tests skip themselves in the browser (pitfall 3).
        .env("WASM_BINDGEN_USE_BROWSER", "1");
    let outcome = wasm_pack_test(&mut command)?;
    if let (Some(node), Some(chrome)) = (node, outcome.count())
        && node != chrome
    {
        return Err(format!(
            "{node} binding tests passed under Node.js but {chrome} in Chrome: every \
             #[wasm_bindgen_test] must run in both (no `wasm_bindgen_test_configure!`)"
        )
        .into());
    }
    Ok(outcome)
}

/// `wasm-pack test` with the settings every run shares.
fn wasm_pack_test_command(project: &Project, args: &[&str]) -> Command {
    let mut command = project.command("wasm-pack");
    // no-install: use the wasm-bindgen-test-runner setup installed, never a silent download.
    command.args(["test", "--mode", "no-install"]).args(args);
    if project.config.test.profile == Profile::Release {
        command.arg("--release");
    }
    command
}

fn wasm_pack_test(command: &mut Command) -> Result<Outcome> {
    let passed = passed_count(&process::run_captured(command)?);
    if passed == 0 {
        return Err(
            "wasm-pack test passed 0 tests (TOOLCHAIN.md pitfall 3): no \
                    #[wasm_bindgen_test] ran"
                .into(),
        );
    }
    Ok(Outcome::Ran(Some(passed)))
}

/// Runs `node --test` on the `*.test.mjs` files with `www/` served on a free port.
///
/// The tests get `E2E_BASE_URL` (the served `www/`) and `CHROMIUM_PATH`; a test file may also
/// start its own server with `cargo xtask serve --no-build --port P`.
fn end_to_end(project: &Project) -> Result<Outcome> {
    let settings = &project.config.test;
    let mut files = Vec::new();
    find_test_files(&project.path(&settings.e2e_dir), &mut files)?;
    if files.is_empty() {
        return Ok(Outcome::Skipped("no *.test.mjs files yet"));
    }
    files.sort();

    let server = Server::bind(&project.path(&project.config.serve.root), 0)?;
    let url = server.url()?;
    server.spawn();

    let mut node = project.command("node");
    node.args(["--test", "--test-reporter=tap"])
        .args(
            files
                .iter()
                .map(|file| file.strip_prefix(&project.root).unwrap_or(file)),
        )
        .env("E2E_BASE_URL", url)
        .env("CHROMIUM_PATH", &settings.chromium);
    let output = process::run_captured(&mut node)?;
    let passed = tap_passed_count(&output);
    if passed == 0 {
        return Err("node --test passed 0 tests".into());
    }
    Ok(Outcome::Ran(Some(passed)))
}

fn find_test_files(dir: &Path, files: &mut Vec<PathBuf>) -> Result {
    let Ok(entries) = fs::read_dir(dir) else {
        return Ok(());
    };
    for entry in entries {
        let path = entry?.path();
        if path.is_dir() {
            if path
                .file_name()
                .is_some_and(|name| name != "node_modules" && name != "artifacts")
            {
                find_test_files(&path, files)?;
            }
        } else if path.to_string_lossy().ends_with(".test.mjs") {
            files.push(path);
        }
    }
    Ok(())
}

/// The sum of "N passed" over the "test result:" lines of libtest and wasm-bindgen-test.
fn passed_count(output: &str) -> u64 {
    output
        .lines()
        .filter_map(|line| line.trim().strip_prefix("test result: ok."))
        .filter_map(|rest| rest.split_whitespace().next()?.parse::<u64>().ok())
        .sum()
}

/// The "# pass N" of `node --test`'s TAP summary.
fn tap_passed_count(output: &str) -> u64 {
    output
        .lines()
        .filter_map(|line| line.trim().strip_prefix("# pass "))
        .filter_map(|n| n.trim().parse::<u64>().ok())
        .next_back()
        .unwrap_or(0)
}

enum Outcome {
    /// Passed, with the number of tests where the tier counts them.
    Ran(Option<u64>),
    Skipped(&'static str),
}

impl Outcome {
    fn count(&self) -> Option<u64> {
        match self {
            Outcome::Ran(count) => *count,
            Outcome::Skipped(_) => None,
        }
    }
}

#[derive(Default)]
struct Report {
    rows: Vec<Row>,
    warnings: Vec<String>,
}

struct Row {
    tier: &'static str,
    result: String,
    passed: Option<u64>,
    time: Duration,
}

impl Report {
    /// Runs one tier; on failure prints the table so far and names the tier in the error.
    /// Returns the tier's test count.
    fn tier(
        &mut self,
        name: &'static str,
        run: impl FnOnce() -> Result<Outcome>,
    ) -> Result<Option<u64>> {
        println!("\n==> {name}");
        let start = Instant::now();
        let outcome = run();
        let elapsed = start.elapsed();
        match outcome {
            Ok(Outcome::Ran(passed)) => {
                self.push(name, "ok".into(), passed, elapsed);
                Ok(passed)
            }
            Ok(Outcome::Skipped(why)) => {
                self.warn(&format!("{name} SKIPPED: {why}"));
                self.push(name, format!("skipped ({why})"), None, elapsed);
                Ok(None)
            }
            Err(error) => {
                self.push(name, "FAILED".into(), None, elapsed);
                self.print();
                Err(format!("test tier `{name}` failed: {error}").into())
            }
        }
    }

    fn push(&mut self, tier: &'static str, result: String, passed: Option<u64>, time: Duration) {
        self.rows.push(Row {
            tier,
            result,
            passed,
            time,
        });
    }

    fn warn(&mut self, message: &str) {
        println!("\n!!! WARNING: {message}");
        self.warnings.push(message.to_owned());
    }

    fn passed(&self) -> u64 {
        self.rows.iter().filter_map(|row| row.passed).sum()
    }

    fn print(&self) {
        println!(
            "\n{:<26} {:<34} {:>6} {:>8}",
            "tier", "result", "passed", "time"
        );
        for row in &self.rows {
            let passed = row.passed.map_or_else(|| "-".to_owned(), |n| n.to_string());
            let time = format!("{:.1}s", row.time.as_secs_f64());
            println!("{:<26} {:<34} {passed:>6} {time:>8}", row.tier, row.result);
        }
        for warning in &self.warnings {
            println!("!!! WARNING: {warning}");
        }
        println!();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_libtest_and_wasm_bindgen_test_results() {
        let output = "\
running 3 tests
test result: ok. 3 passed; 0 failed; 0 ignored; 0 measured; 0 filtered out; finished in 0.01s
     Running tests/api.rs
test result: ok. 12 passed; 0 failed; 0 ignored; 0 filtered out; finished in 0.20s
   Doc-tests smime_wasm
test result: ok. 0 passed; 0 failed; 0 ignored; 0 measured; 0 filtered out; finished in 0.00s
";
        assert_eq!(passed_count(output), 15);
        assert_eq!(passed_count("test result: FAILED. 2 passed; 1 failed;"), 0);
        assert_eq!(passed_count("no tests to run"), 0);
    }

    #[test]
    fn counts_tap_summary() {
        let output =
            "TAP version 13\n# Subtest: x\nok 1 - x\n1..1\n# tests 4\n# pass 4\n# fail 0\n";
        assert_eq!(tap_passed_count(output), 4);
        assert_eq!(tap_passed_count("TAP version 13\n"), 0);
    }
}
