//! `hallplan serve`: the what-if page. One hall is loaded once; every request re-plans it
//! with the knobs it names (through the same parser as `--set`) and answers with the
//! same bytes `plan` would write. A small blocking HTTP/1.1 server (tiny_http) on a few
//! threads: the work is CPU-bound planning, so an async runtime would buy nothing but
//! build time (see Cargo.toml).
//!
//! Safety: it listens on 127.0.0.1 unless `--bind` says otherwise (and warns then); no
//! request names a path (the routes are fixed, the assets are inside the binary); bodies
//! are capped at [`api::MAX_BODY`]; every knob is range-checked as on the command line; a
//! request waits at most `--time-limit-s` (then 504, see [`cache`]); the hall is shared
//! read-only, so concurrent requests cannot change it.

mod api;
mod cache;
mod page;

use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Condvar, Mutex};
use std::time::Duration;

use crate::config::ServeConfig;
use crate::error::{Error, Result};

pub use api::State;

/// Threads answering requests (planning happens on worker threads, see [`cache`]).
const HANDLERS: usize = 8;

pub fn run(c: ServeConfig) -> Result<()> {
    let started = std::time::Instant::now();
    let loaded = c.input.load()?;
    let state = Arc::new(State::new(loaded, &c)?);
    eprintln!(
        "loaded the hall and planned today's scenario in {:.1} s",
        started.elapsed().as_secs_f64()
    );
    serve(state, c.addr)
}

/// Listens on `addr` until Ctrl-C (SIGINT) or SIGTERM.
pub fn serve(state: Arc<State>, addr: SocketAddr) -> Result<()> {
    let server = tiny_http::Server::http(addr).map_err(|e| Error::Config {
        what: "--bind/--port".into(),
        message: format!("cannot listen on {addr}: {e}"),
    })?;
    let bound = server.server_addr().to_ip().unwrap_or(addr);
    if !bound.ip().is_loopback() {
        eprintln!("warning: listening on {}, not a loopback address: anyone who can reach this machine can use the page and its CPU (there is no login); use --bind 127.0.0.1 to keep it local", bound.ip());
    }
    let stop = Arc::new(AtomicBool::new(false));
    for sig in [signal_hook::consts::SIGINT, signal_hook::consts::SIGTERM] {
        // A second Ctrl-C while shutting down ends the process at once.
        signal_hook::flag::register_conditional_shutdown(sig, 1, Arc::clone(&stop))
            .and_then(|_| signal_hook::flag::register(sig, Arc::clone(&stop)))
            .map_err(|e| Error::Thread(format!("cannot install the Ctrl-C handler: {e}")))?;
    }
    println!("listening on http://{bound}");
    use std::io::Write;
    std::io::stdout().flush().ok();
    let server = Arc::new(server);
    let handlers: Vec<_> = (0..HANDLERS)
        .map(|_| {
            let (server, state, stop) =
                (Arc::clone(&server), Arc::clone(&state), Arc::clone(&stop));
            std::thread::spawn(move || {
                while !stop.load(Ordering::Relaxed) {
                    match server.recv_timeout(Duration::from_millis(200)) {
                        Ok(Some(request)) => api::handle(&state, request),
                        Ok(None) => {}
                        Err(e) => {
                            eprintln!("serve: {e}");
                            break;
                        }
                    }
                }
            })
        })
        .collect();
    for h in handlers {
        h.join().ok();
    }
    eprintln!("stopped");
    Ok(())
}

/// A counting semaphore: at most `n` plans use the CPU at once, so a burst of requests
/// queues instead of thrashing two cores.
pub(crate) struct Permits {
    free: Mutex<usize>,
    freed: Condvar,
}

impl Permits {
    pub(crate) fn new(n: usize) -> Self {
        Permits {
            free: Mutex::new(n.max(1)),
            freed: Condvar::new(),
        }
    }

    /// Runs `f` holding one permit.
    pub(crate) fn with<T>(&self, f: impl FnOnce() -> T) -> T {
        {
            let mut free = self.free.lock().unwrap_or_else(|p| p.into_inner());
            while *free == 0 {
                free = self.freed.wait(free).unwrap_or_else(|p| p.into_inner());
            }
            *free -= 1;
        }
        // Released even when `f` panics.
        struct Release<'a>(&'a Permits);
        impl Drop for Release<'_> {
            fn drop(&mut self) {
                *self.0.free.lock().unwrap_or_else(|p| p.into_inner()) += 1;
                self.0.freed.notify_one();
            }
        }
        let _release = Release(self);
        f()
    }
}
