//! Running tools: cargo's bin directory first on PATH, each command echoed, failures named.

use std::env;
use std::ffi::OsString;
use std::io::{self, Read, Write};
use std::path::PathBuf;
use std::process::{Command, Stdio};

use crate::Result;

/// `program` with `~/.cargo/bin` (or `$CARGO_HOME/bin`) first on PATH, where `cargo install` puts
/// wasm-pack and wasm-bindgen, even when the caller's shell never sourced `~/.cargo/env`.
pub fn command(program: &str) -> Command {
    let mut command = Command::new(program);
    if let Some(path) = path_with_cargo_bin() {
        command.env("PATH", path);
    }
    command
}

fn path_with_cargo_bin() -> Option<OsString> {
    let cargo_home = env::var_os("CARGO_HOME")
        .map(PathBuf::from)
        .or_else(|| env::var_os("HOME").map(|home| PathBuf::from(home).join(".cargo")))?;
    let current = env::var_os("PATH").unwrap_or_default();
    let dirs = std::iter::once(cargo_home.join("bin")).chain(env::split_paths(&current));
    env::join_paths(dirs).ok()
}

/// Runs `command` with inherited output; an error if it cannot start or does not succeed.
pub fn run(command: &mut Command) -> Result {
    println!("$ {}", describe(command));
    let status = command.status().map_err(|e| cannot_start(command, &e))?;
    if status.success() {
        Ok(())
    } else {
        Err(format!("`{}` failed ({status})", describe(command)).into())
    }
}

/// Like [`run`], and also returns what the command wrote to stdout and stderr (interleaved as
/// written) so that its test counts can be read.
pub fn run_captured(command: &mut Command) -> Result<String> {
    println!("$ {}", describe(command));
    tee(command, &mut io::stdout())
}

/// Runs `command`, copying its output to `echo` as it comes, and returns that output.
fn tee(command: &mut Command, echo: &mut impl Write) -> Result<String> {
    let (mut reader, writer) = io::pipe()?;
    command.stdout(writer.try_clone()?).stderr(writer);
    let mut child = command.spawn().map_err(|e| cannot_start(command, &e))?;
    // The Command still holds the pipe's write ends; drop them so the read below ends when the
    // child (and whatever it started) has exited.
    command.stdout(Stdio::inherit()).stderr(Stdio::inherit());

    let mut captured = Vec::new();
    let mut buffer = [0; 8192];
    loop {
        let n = reader.read(&mut buffer)?;
        let Some(chunk) = buffer.get(..n).filter(|chunk| !chunk.is_empty()) else {
            break;
        };
        echo.write_all(chunk)?;
        echo.flush()?;
        captured.extend_from_slice(chunk);
    }
    let status = child.wait()?;
    if status.success() {
        Ok(String::from_utf8_lossy(&captured).into_owned())
    } else {
        Err(format!("`{}` failed ({status})", describe(command)).into())
    }
}

/// The trimmed stdout of a quiet probe such as `wasm-pack --version`; `None` if the program is
/// missing or fails.
pub fn probe(command: &mut Command) -> Option<String> {
    let output = command.stderr(Stdio::null()).output().ok()?;
    output
        .status
        .success()
        .then(|| String::from_utf8_lossy(&output.stdout).trim().to_owned())
}

/// Whether `program` can be found on the PATH that [`command`] uses.
pub fn on_path(program: &str) -> bool {
    let path = path_with_cargo_bin().or_else(|| env::var_os("PATH"));
    path.is_some_and(|path| env::split_paths(&path).any(|dir| dir.join(program).is_file()))
}

/// The command line as a person would type it, with the variables xtask set (PATH aside).
fn describe(command: &Command) -> String {
    let vars = command
        .get_envs()
        .filter(|(name, _)| *name != "PATH")
        .filter_map(|(name, value)| {
            Some(format!(
                "{}={}",
                name.to_string_lossy(),
                value?.to_string_lossy()
            ))
        });
    let words = std::iter::once(command.get_program())
        .chain(command.get_args())
        .map(|word| quote(&word.to_string_lossy()));
    vars.chain(words).collect::<Vec<_>>().join(" ")
}

fn quote(word: &str) -> String {
    if !word.is_empty() && !word.contains([' ', '"', '\'', '$', '*', '&', ';', '|']) {
        word.to_owned()
    } else {
        format!("'{}'", word.replace('\'', r"'\''"))
    }
}

fn cannot_start(command: &Command, error: &io::Error) -> Box<dyn std::error::Error> {
    let program = command.get_program().to_string_lossy();
    format!("cannot run `{program}`: {error} (`cargo xtask setup` installs the tools)").into()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn describe_shows_variables_and_quotes_words() {
        let mut command = Command::new("wasm-pack");
        command
            .env("WASM_BINDGEN_USE_BROWSER", "1")
            .args(["test", "--version", "=0.2.130", "a b"]);
        assert_eq!(
            describe(&command),
            "WASM_BINDGEN_USE_BROWSER=1 wasm-pack test --version =0.2.130 'a b'"
        );
    }

    #[test]
    fn tee_returns_both_streams_and_fails_with_the_command() -> Result {
        let mut echoed = Vec::new();
        let output = tee(
            Command::new("sh").args(["-c", "echo out; echo err >&2"]),
            &mut echoed,
        )?;
        assert_eq!(output, "out\nerr\n");
        assert_eq!(echoed, output.as_bytes());
        assert!(tee(Command::new("sh").args(["-c", "exit 3"]), &mut io::sink()).is_err());
        Ok(())
    }
}
