//! `cargo xtask serve`: a small static file server for `www/`, on 127.0.0.1 only.
//!
//! Written on std rather than running `python3 -m http.server`, so that serving needs nothing
//! beyond Rust on a fresh machine, and so that the types the shell depends on are fixed here
//! instead of in the host's mime.types: `application/wasm` (streaming compilation refuses
//! anything else), JavaScript for module scripts and the worker, and `.pem`/`.eml` for files
//! opened by hand. Every response is `no-store`, so a rebuilt `www/pkg` is never hidden by a cache.

use std::fs;
use std::io::{self, BufRead, BufReader, Read, Write};
use std::net::{Ipv4Addr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::thread;
use std::time::Duration;

use crate::project::Profile;
use crate::{Project, Result, build};

/// Bounds on a request head, so a stuck or hostile client cannot hold a thread forever.
const MAX_LINE: u64 = 8 * 1024;
const MAX_HEADERS: usize = 100;
const READ_TIMEOUT: Duration = Duration::from_secs(10);

pub struct Options {
    /// Overrides wasm-pack.toml's port; 0 picks a free one.
    pub port: Option<u16>,
    pub profile: Option<Profile>,
    pub build: bool,
}

pub fn run(project: &Project, options: &Options) -> Result {
    if options.build {
        build::run(project, options.profile)?;
    } else if !project.path(&project.config.build.out_dir).exists() {
        eprintln!(
            "warning: {} does not exist yet; run `cargo xtask build`",
            project.config.build.out_dir.display()
        );
    }
    let root = project.path(&project.config.serve.root);
    let server = Server::bind(&root, options.port.unwrap_or(project.config.serve.port))?;
    // Tests that start this command read the URL from this line.
    println!(
        "Serving {} at {}",
        project.config.serve.root.display(),
        server.url()?
    );
    println!("Press Ctrl-C to stop.");
    server.run(true);
    Ok(())
}

/// A bound listener serving the files under `root`.
pub struct Server {
    listener: TcpListener,
    root: PathBuf,
}

impl Server {
    pub fn bind(root: &Path, port: u16) -> Result<Self> {
        let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, port))
            .map_err(|e| format!("cannot listen on 127.0.0.1:{port}: {e}"))?;
        Ok(Self {
            listener,
            root: root.to_path_buf(),
        })
    }

    /// `http://127.0.0.1:PORT/` with the port actually bound.
    pub fn url(&self) -> Result<String> {
        Ok(format!("http://{}/", self.listener.local_addr()?))
    }

    /// Serves in a background thread for as long as this process runs.
    pub fn spawn(self) {
        thread::spawn(move || self.run(false));
    }

    /// Serves forever, one thread per connection, logging each request if `log`.
    fn run(self, log: bool) {
        for stream in self.listener.incoming() {
            let Ok(stream) = stream else { continue };
            let root = self.root.clone();
            thread::spawn(move || {
                if let Err(error) = handle(&stream, &root, log)
                    && log
                {
                    eprintln!("serve: {error}");
                }
            });
        }
    }
}

struct Response {
    status: &'static str,
    content_type: &'static str,
    location: Option<String>,
    body: Vec<u8>,
}

impl Response {
    fn text(status: &'static str) -> Self {
        Self {
            status,
            content_type: "text/plain; charset=utf-8",
            location: None,
            body: format!("{status}\n").into_bytes(),
        }
    }
}

fn handle(stream: &TcpStream, root: &Path, log: bool) -> io::Result<()> {
    stream.set_read_timeout(Some(READ_TIMEOUT))?;
    let mut reader = BufReader::new(stream);
    let mut request_line = String::new();
    (&mut reader).take(MAX_LINE).read_line(&mut request_line)?;
    for _ in 0..MAX_HEADERS {
        let mut header = String::new();
        if (&mut reader).take(MAX_LINE).read_line(&mut header)? == 0 || header.trim().is_empty() {
            break;
        }
    }
    let mut words = request_line.split_whitespace();
    let (method, target) = (words.next().unwrap_or(""), words.next().unwrap_or(""));
    let response = respond(method, target, root);
    if log {
        println!("{method} {target} {}", response.status);
    }

    let mut head = format!(
        "HTTP/1.1 {}\r\nContent-Type: {}\r\nContent-Length: {}\r\nCache-Control: no-store\r\n\
         X-Content-Type-Options: nosniff\r\nConnection: close\r\n",
        response.status,
        response.content_type,
        response.body.len()
    );
    if let Some(location) = &response.location {
        head.push_str(&format!("Location: {location}\r\n"));
    }
    head.push_str("\r\n");
    let mut writer = stream;
    writer.write_all(head.as_bytes())?;
    if method != "HEAD" {
        writer.write_all(&response.body)?;
    }
    writer.flush()
}

fn respond(method: &str, target: &str, root: &Path) -> Response {
    if method != "GET" && method != "HEAD" {
        return Response::text("405 Method Not Allowed");
    }
    let url_path = target.split(['?', '#']).next().unwrap_or_default();
    let Some(decoded) = percent_decode(url_path) else {
        return Response::text("400 Bad Request");
    };
    let Some(mut file) = resolve(root, &decoded) else {
        return Response::text("404 Not Found");
    };
    if file.is_dir() {
        // Relative URLs in index.html resolve against the directory only with the slash.
        if !decoded.ends_with('/') {
            return Response {
                location: Some(format!("{url_path}/")),
                ..Response::text("301 Moved Permanently")
            };
        }
        file.push("index.html");
    }
    match fs::read(&file) {
        Ok(body) => Response {
            status: "200 OK",
            content_type: content_type(&file),
            location: None,
            body,
        },
        Err(error) if error.kind() == io::ErrorKind::NotFound => Response::text("404 Not Found"),
        Err(_) => Response::text("500 Internal Server Error"),
    }
}

/// The file for a decoded URL path, or `None` if the path could leave `root`.
fn resolve(root: &Path, url_path: &str) -> Option<PathBuf> {
    let mut file = root.to_path_buf();
    for segment in url_path.strip_prefix('/')?.split('/') {
        match segment {
            "" | "." => {}
            ".." => return None,
            _ if segment.contains(['\\', '\0']) => return None,
            _ => file.push(segment),
        }
    }
    Some(file)
}

fn percent_decode(text: &str) -> Option<String> {
    let mut bytes = Vec::with_capacity(text.len());
    let mut rest = text.as_bytes();
    while let Some((&byte, tail)) = rest.split_first() {
        if byte == b'%' {
            let hex = std::str::from_utf8(tail.get(..2)?).ok()?;
            bytes.push(u8::from_str_radix(hex, 16).ok()?);
            rest = tail.get(2..)?;
        } else {
            bytes.push(byte);
            rest = tail;
        }
    }
    String::from_utf8(bytes).ok()
}

fn content_type(file: &Path) -> &'static str {
    let extension = file
        .extension()
        .and_then(|e| e.to_str())
        .unwrap_or_default();
    match extension.to_ascii_lowercase().as_str() {
        "html" => "text/html; charset=utf-8",
        "js" | "mjs" => "text/javascript; charset=utf-8",
        "css" => "text/css; charset=utf-8",
        "wasm" => "application/wasm",
        "json" | "map" => "application/json",
        "pem" => "application/x-pem-file",
        "eml" => "message/rfc822",
        "txt" | "md" | "ts" => "text/plain; charset=utf-8",
        "svg" => "image/svg+xml",
        "png" => "image/png",
        "ico" => "image/x-icon",
        _ => "application/octet-stream",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_cannot_leave_the_root() {
        let root = Path::new("/srv/www");
        assert_eq!(
            resolve(root, "/pkg/smime_wasm.js"),
            Some(root.join("pkg/smime_wasm.js"))
        );
        assert_eq!(resolve(root, "/./a//b"), Some(root.join("a/b")));
        assert_eq!(resolve(root, "/../etc/passwd"), None);
        assert_eq!(resolve(root, "/pkg/../../x"), None);
        assert_eq!(resolve(root, "no-leading-slash"), None);
        assert_eq!(
            percent_decode("/%2e%2E/x").and_then(|p| resolve(root, &p)),
            None
        );
    }

    #[test]
    fn percent_decoding() {
        assert_eq!(percent_decode("/a%20b").as_deref(), Some("/a b"));
        assert_eq!(percent_decode("/%zz"), None);
        assert_eq!(percent_decode("/%2"), None);
        assert_eq!(percent_decode("/%ff"), None);
    }

    #[test]
    fn types_the_shell_depends_on() {
        assert_eq!(
            content_type(Path::new("smime_wasm_bg.wasm")),
            "application/wasm"
        );
        assert_eq!(
            content_type(Path::new("smime.worker.js")),
            "text/javascript; charset=utf-8"
        );
        assert_eq!(
            content_type(Path::new("x.MJS")),
            "text/javascript; charset=utf-8"
        );
        assert_eq!(
            content_type(Path::new("alice.cert.pem")),
            "application/x-pem-file"
        );
        assert_eq!(content_type(Path::new("m.eml")), "message/rfc822");
    }

    #[test]
    fn serves_files_over_http() -> Result {
        let root = std::env::temp_dir().join(format!("xtask-serve-{}", std::process::id()));
        fs::create_dir_all(root.join("pkg"))?;
        fs::write(root.join("index.html"), "<!doctype html>")?;
        fs::write(root.join("pkg/m_bg.wasm"), b"\0asm")?;
        let server = Server::bind(&root, 0)?;
        let address = server.listener.local_addr()?;
        server.spawn();

        let get = |request: &str| -> Result<String> {
            let mut stream = TcpStream::connect(address)?;
            stream.write_all(request.as_bytes())?;
            let mut response = String::new();
            stream.read_to_string(&mut response)?;
            Ok(response)
        };
        let wasm = get("GET /pkg/m_bg.wasm HTTP/1.1\r\nHost: x\r\n\r\n")?;
        assert!(wasm.starts_with("HTTP/1.1 200 OK\r\n"));
        assert!(wasm.contains("Content-Type: application/wasm\r\n"));
        assert!(wasm.ends_with("\r\n\r\n\0asm"));
        let head = get("HEAD / HTTP/1.1\r\n\r\n")?;
        assert!(head.contains("Content-Type: text/html") && head.ends_with("\r\n\r\n"));
        assert!(get("GET /pkg HTTP/1.1\r\n\r\n")?.contains("Location: /pkg/\r\n"));
        assert!(get("GET /../x HTTP/1.1\r\n\r\n")?.starts_with("HTTP/1.1 404"));
        assert!(get("POST / HTTP/1.1\r\n\r\n")?.starts_with("HTTP/1.1 405"));

        fs::remove_dir_all(&root)?;
        Ok(())
    }
}
