//! Test support: a `hallplan serve` child process on a free port, and a minimal
//! HTTP/1.1 client (one request per connection) to talk to it.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

/// The bundled sample hall, as checked in.
pub fn sample() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("data/binjiang")
}

/// A running `hallplan serve`, stopped when dropped.
pub struct Server {
    pub child: Child,
    /// `127.0.0.1:PORT`
    pub addr: String,
    stderr: Option<std::process::ChildStderr>,
}

impl Server {
    /// `hallplan serve --port 0 ARGS…`, once it prints where it listens.
    pub fn start(args: &[&str]) -> Server {
        let mut child = Command::new(env!("CARGO_BIN_EXE_hallplan"))
            .arg("serve")
            .args(["--port", "0"])
            .args(args)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("starts hallplan serve");
        let mut line = String::new();
        BufReader::new(child.stdout.take().expect("stdout"))
            .read_line(&mut line)
            .expect("reads the first line");
        let Some(addr) = line.trim().strip_prefix("listening on http://") else {
            let mut err = String::new();
            if let Some(mut e) = child.stderr.take() {
                e.read_to_string(&mut err).ok();
            }
            panic!("expected `listening on http://…`, got {line:?}; stderr: {err}");
        };
        let addr = addr.to_string();
        let stderr = child.stderr.take();
        Server {
            child,
            addr,
            stderr,
        }
    }

    pub fn url(&self) -> String {
        format!("http://{}/", self.addr)
    }

    pub fn get(&self, path: &str) -> Reply {
        request(&self.addr, "GET", path, None)
    }

    pub fn post(&self, path: &str, body: &str) -> Reply {
        request(&self.addr, "POST", path, Some(body.as_bytes()))
    }

    /// Sends SIGINT (Ctrl-C) and waits for the exit: (status, stderr).
    pub fn interrupt(mut self) -> (std::process::ExitStatus, String) {
        let pid = self.child.id().to_string();
        let ok = Command::new("kill")
            .args(["-INT", &pid])
            .status()
            .expect("runs kill");
        assert!(ok.success());
        for _ in 0..100 {
            if let Some(status) = self.child.try_wait().expect("waits") {
                let mut err = String::new();
                if let Some(mut e) = self.stderr.take() {
                    e.read_to_string(&mut err).ok();
                }
                return (status, err);
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        panic!("hallplan serve did not stop within 10 s of Ctrl-C");
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.child.kill().ok();
        self.child.wait().ok();
    }
}

/// An HTTP answer.
#[derive(Debug, Clone)]
pub struct Reply {
    pub status: u16,
    pub headers: String,
    pub body: Vec<u8>,
}

impl Reply {
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }

    pub fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.body)
            .unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.text()))
    }
}

/// One request on its own connection (`Connection: close`), read to the end.
pub fn request(addr: &str, method: &str, path: &str, body: Option<&[u8]>) -> Reply {
    let mut s = TcpStream::connect(addr).expect("connects");
    // Generous: a plan on a loaded 2-core CI machine can take a minute.
    s.set_read_timeout(Some(Duration::from_secs(900))).ok();
    let body = body.unwrap_or_default();
    let head = format!(
        "{method} {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n",
        body.len()
    );
    s.write_all(head.as_bytes()).expect("writes");
    // A server may answer (413) before it has read a large body: a failed write of the
    // rest is not the test's business, the answer is.
    let _ = s.write_all(body);
    // Up to the end of the head, then Content-Length bytes (chromedriver may keep the
    // connection open despite `Connection: close`), else to the end.
    let mut raw = Vec::new();
    let mut buf = [0u8; 8192];
    let split = loop {
        if let Some(p) = raw.windows(4).position(|w| w == b"\r\n\r\n") {
            break p;
        }
        match s.read(&mut buf) {
            Ok(0) | Err(_) => panic!("no HTTP head in {:?}", String::from_utf8_lossy(&raw)),
            Ok(n) => raw.extend_from_slice(&buf[..n]),
        }
    };
    let headers = String::from_utf8_lossy(&raw[..split]).into_owned();
    let length = headers.lines().find_map(|l| {
        let (k, v) = l.split_once(':')?;
        k.trim()
            .eq_ignore_ascii_case("content-length")
            .then(|| v.trim().parse::<usize>().ok())?
    });
    match length {
        Some(n) => {
            while raw.len() < split + 4 + n {
                match s.read(&mut buf) {
                    Ok(0) | Err(_) => break,
                    Ok(k) => raw.extend_from_slice(&buf[..k]),
                }
            }
        }
        None => {
            s.read_to_end(&mut raw).ok();
        }
    }
    let status = headers
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .expect("a status code");
    Reply {
        status,
        headers,
        body: raw[split + 4..].to_vec(),
    }
}
