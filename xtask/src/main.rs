//! Task runner of smime-wasm: `cargo xtask setup | build | serve | test | bench`.

mod bench;
mod build;
mod process;
mod project;
mod serve;
mod setup;
mod test;

use std::process::ExitCode;

use project::{Profile, Project};

/// Every task fails with a message for the person at the terminal.
pub type Result<T = ()> = std::result::Result<T, Box<dyn std::error::Error>>;

const USAGE: &str = "\
Usage: cargo xtask <command> [options]

Commands:
  setup                       Install what is missing: wasm32 target, wasm-pack, wasm-bindgen-cli
                              (the version in Cargo.lock), rustfmt, clippy, Chromium, ChromeDriver,
                              npm test dependencies
  build [--dev]               Build www/pkg with wasm-pack and print the wasm size (raw and gzip -9)
  serve [--port N] [--dev] [--no-build]
                              Build, then serve www/ on http://127.0.0.1:N/
  test [--skip-browser] [--skip-e2e]
                              Set up, then run every test tier; the last line reads
                              \"N passed, 0 failed\"
  bench [--quick] [--skip-browser]
                              Build www/pkg (release), then time sign, verify, encrypt, decrypt,
                              PKCS#12 import and key generation in Node.js and headless Chromium
                              against the openssl CLI and node:crypto (bench/run.mjs); prints
                              medians and ratios. Not a test: it never fails on a number

Settings are in wasm-pack.toml.
";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match run(&args) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("\nerror: {error}");
            ExitCode::FAILURE
        }
    }
}

fn run(args: &[String]) -> Result {
    let Some((command, options)) = args.split_first() else {
        print!("{USAGE}");
        return Ok(());
    };
    let mut options = Options::new(options);
    match command.as_str() {
        "setup" => {
            options.finish()?;
            setup::run(&Project::load()?, setup::Scope::Everything)
        }
        "build" => {
            let profile = options.flag("--dev").then_some(Profile::Dev);
            options.finish()?;
            build::run(&Project::load()?, profile)
        }
        "serve" => {
            let serve = serve::Options {
                port: options.value("--port")?,
                profile: options.flag("--dev").then_some(Profile::Dev),
                build: !options.flag("--no-build"),
            };
            options.finish()?;
            serve::run(&Project::load()?, &serve)
        }
        "test" => {
            let test = test::Options {
                skip_browser: options.flag("--skip-browser"),
                skip_e2e: options.flag("--skip-e2e"),
            };
            options.finish()?;
            test::run(&Project::load()?, &test)
        }
        "bench" => {
            let bench = bench::Options {
                quick: options.flag("--quick"),
                skip_browser: options.flag("--skip-browser"),
            };
            options.finish()?;
            bench::run(&Project::load()?, &bench)
        }
        "help" | "--help" | "-h" => {
            print!("{USAGE}");
            Ok(())
        }
        other => Err(format!("unknown command `{other}`\n\n{USAGE}").into()),
    }
}

/// A subcommand's options; whatever no one asked for is an error.
struct Options<'a> {
    rest: Vec<&'a str>,
}

impl<'a> Options<'a> {
    fn new(args: &'a [String]) -> Self {
        Self {
            rest: args.iter().map(String::as_str).collect(),
        }
    }

    /// Takes `name` if present.
    fn flag(&mut self, name: &str) -> bool {
        let before = self.rest.len();
        self.rest.retain(|arg| *arg != name);
        self.rest.len() != before
    }

    /// Takes `name VALUE` or `name=VALUE` if present.
    fn value<T: std::str::FromStr>(&mut self, name: &str) -> Result<Option<T>> {
        let Some(index) = self.rest.iter().position(|arg| {
            *arg == name || arg.strip_prefix(name).is_some_and(|v| v.starts_with('='))
        }) else {
            return Ok(None);
        };
        let arg = self.rest.remove(index);
        let value = match arg.strip_prefix(name).and_then(|v| v.strip_prefix('=')) {
            Some(value) => value,
            None if index < self.rest.len() => self.rest.remove(index),
            None => return Err(format!("{name} needs a value").into()),
        };
        value
            .parse()
            .map(Some)
            .map_err(|_| format!("invalid value for {name}: `{value}`").into())
    }

    fn finish(self) -> Result {
        match self.rest.first() {
            None => Ok(()),
            Some(arg) => {
                Err(format!("unexpected argument `{arg}` (see `cargo xtask help`)").into())
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::Options;

    fn args(list: &[&str]) -> Vec<String> {
        list.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn options_take_flags_and_values_in_any_order() {
        let list = args(&["--no-build", "--port", "9000"]);
        let mut options = Options::new(&list);
        assert_eq!(options.value::<u16>("--port").ok().flatten(), Some(9000));
        assert!(options.flag("--no-build"));
        assert!(!options.flag("--dev"));
        assert!(options.finish().is_ok());

        let list = args(&["--port=81"]);
        let mut options = Options::new(&list);
        assert_eq!(options.value::<u16>("--port").ok().flatten(), Some(81));
    }

    #[test]
    fn options_reject_leftovers_and_bad_values() {
        let list = args(&["--verbose"]);
        assert!(Options::new(&list).finish().is_err());
        let list = args(&["--port", "http"]);
        assert!(Options::new(&list).value::<u16>("--port").is_err());
        let list = args(&["--port"]);
        assert!(Options::new(&list).value::<u16>("--port").is_err());
    }
}
