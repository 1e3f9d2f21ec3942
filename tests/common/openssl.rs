//! A scratch directory and the `openssl` CLI, for the interop tests.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::atomic::{AtomicUsize, Ordering};

/// A scratch directory under the system temp dir, removed on drop.
pub struct Workdir {
    path: PathBuf,
}

impl Workdir {
    /// A fresh directory; `tag` names it for people reading /tmp.
    pub fn new(tag: &str) -> Self {
        // Tests run in parallel: a counter keeps every directory apart.
        static NEXT: AtomicUsize = AtomicUsize::new(0);
        let n = NEXT.fetch_add(1, Ordering::Relaxed);
        let name = format!("smime-wasm-{}-{n}-{tag}", std::process::id());
        let path = std::env::temp_dir().join(name);
        let _ = std::fs::remove_dir_all(&path);
        std::fs::create_dir_all(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        Self { path }
    }

    /// The directory.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Write a file in the directory.
    pub fn write(&self, name: &str, bytes: impl AsRef<[u8]>) {
        std::fs::write(self.path.join(name), bytes).expect("write to temp dir");
    }

    /// Read a file of the directory.
    pub fn read(&self, name: &str) -> Vec<u8> {
        std::fs::read(self.path.join(name)).unwrap_or_else(|e| panic!("{name}: {e}"))
    }

    /// Run `openssl args...` here (`$OPENSSL`, else `openssl` on PATH). A missing CLI fails
    /// the test: these tests never skip.
    pub fn openssl(&self, args: &[&str]) -> Output {
        let program = std::env::var_os("OPENSSL").unwrap_or_else(|| "openssl".into());
        Command::new(&program)
            .args(args)
            .current_dir(&self.path)
            .output()
            .unwrap_or_else(|e| {
                panic!(
                    "cannot run `{}` ({e}): these tests need the OpenSSL 3.x CLI on PATH \
                     (Debian/Ubuntu: apt-get install openssl), or OPENSSL=/path/to/openssl",
                    program.to_string_lossy()
                )
            })
    }

    /// Run openssl and fail the test with its stderr unless it succeeds; its stdout.
    pub fn openssl_ok(&self, args: &[&str]) -> Vec<u8> {
        let out = self.openssl(args);
        assert!(
            out.status.success(),
            "openssl {}: {}",
            args.join(" "),
            stderr(&out)
        );
        out.stdout
    }

    /// Run openssl; its stdout, or its complaint.
    pub fn openssl_result(&self, args: &[&str]) -> Result<String, String> {
        let out = self.openssl(args);
        if out.status.success() {
            Ok(String::from_utf8_lossy(&out.stdout).into_owned())
        } else {
            Err(format!(
                "openssl {}: {}{}",
                args.join(" "),
                String::from_utf8_lossy(&out.stdout).trim(),
                stderr(&out)
            ))
        }
    }
}

impl Drop for Workdir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.path);
    }
}

/// What a command said on stderr, trimmed.
pub fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).trim().to_owned()
}
