//! A large file read in blocks cut after line ends, on several threads, the results taken
//! in file order on the calling thread.
//!
//! Block `k` covers the lines that start in `[from + k·size, from + (k+1)·size)`: it starts
//! after the first `\n` at or after its nominal start − 1 (or at `from`) and ends after the
//! first `\n` at or after the next block's nominal start − 1 (or at the end of the file).
//! Each worker finds both cuts with positioned reads into a buffer it reuses, so the file is
//! never held whole, the copying out of the page cache is shared by the cores, and the
//! blocks run through the caller's `take` in order while later ones are still being read
//! and parsed. A `\r\n` is never split (cuts are after the `\n`), nor a UTF-8 character
//! (`\n` is never part of one). A line longer than a block leaves an empty block.

use std::collections::BTreeMap;
use std::fs::File;
use std::io;
use std::ops::ControlFlow;
use std::os::unix::fs::FileExt;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{mpsc, Condvar, Mutex};

/// How far ahead of the block being taken the workers may run, in blocks per worker: keeps
/// the results waiting for `take` (and memory) bounded if `take` is the slower side.
const AHEAD_PER_WORKER: usize = 4;

/// Reads `file` from byte `from` to its end in blocks of about `size` bytes on `threads`
/// threads; `work(k, bytes)` turns block `k` into a result on a worker, and `take(k, result)`
/// gets the results on the calling thread in block order. `take` returning
/// `ControlFlow::Break` stops the reading (later blocks are not taken). The block count is
/// fixed by the length at the start; the last block reads to the end of the file.
pub fn for_each_block<T: Send>(
    file: &File,
    from: u64,
    size: usize,
    threads: usize,
    work: impl Fn(usize, &[u8]) -> T + Sync,
    mut take: impl FnMut(usize, T) -> ControlFlow<()>,
) -> io::Result<()> {
    let len = file.metadata()?.len();
    let size = size.max(1);
    let blocks = (len.saturating_sub(from) as usize).div_ceil(size).max(1);
    let threads = threads.clamp(1, blocks);
    let next = AtomicUsize::new(0);
    let stop = AtomicBool::new(false);
    // Blocks taken so far, for the workers' look-ahead limit.
    let taken = (Mutex::new(0usize), Condvar::new());
    let ahead = AHEAD_PER_WORKER * threads;
    let (tx, rx) = mpsc::channel::<(usize, io::Result<T>)>();
    std::thread::scope(|s| {
        for _ in 0..threads {
            let tx = tx.clone();
            let (work, next, stop, taken) = (&work, &next, &stop, &taken);
            s.spawn(move || {
                let mut buf = Vec::new();
                loop {
                    let k = next.fetch_add(1, Ordering::Relaxed);
                    if k >= blocks {
                        break;
                    }
                    {
                        let (lock, cv) = taken;
                        let mut done = lock.lock().unwrap_or_else(|e| e.into_inner());
                        while k >= *done + ahead && !stop.load(Ordering::Relaxed) {
                            done = cv.wait(done).unwrap_or_else(|e| e.into_inner());
                        }
                    }
                    if stop.load(Ordering::Relaxed) {
                        break;
                    }
                    let last = k + 1 == blocks;
                    let nominal = from + (k * size) as u64;
                    let result = read_block(file, from, nominal, size, last, &mut buf)
                        .map(|(a, b)| work(k, &buf[a..b]));
                    if tx.send((k, result)).is_err() {
                        break;
                    }
                }
            });
        }
        drop(tx);
        let mut waiting = BTreeMap::new();
        let mut want = 0;
        let mut outcome = Ok(());
        'recv: for (k, result) in rx.iter() {
            waiting.insert(k, result);
            while let Some(result) = waiting.remove(&want) {
                let flow = match result {
                    Ok(t) => take(want, t),
                    Err(e) => {
                        outcome = Err(e);
                        ControlFlow::Break(())
                    }
                };
                want += 1;
                let (lock, cv) = &taken;
                *lock.lock().unwrap_or_else(|e| e.into_inner()) = want;
                if flow.is_break() {
                    stop.store(true, Ordering::Relaxed);
                    cv.notify_all();
                    break 'recv;
                }
                cv.notify_all();
            }
        }
        // Dropping the receiver makes any worker still sending stop.
        drop(rx);
        outcome
    })
}

/// Reads block `k` (nominal start `nominal`) into `buf`; returns the block's range in
/// `buf`. `buf[0]` is the byte before the nominal start (when there is one), so that a
/// block starting right after a line end is recognised.
fn read_block(
    file: &File,
    from: u64,
    nominal: u64,
    size: usize,
    last: bool,
    buf: &mut Vec<u8>,
) -> io::Result<(usize, usize)> {
    let first = nominal == from;
    let at = if first { from } else { nominal - 1 };
    let lead = usize::from(!first);
    // The nominal block plus the byte before it and a little after, for the end cut.
    let want = lead + size + if last { 0 } else { 1 << 12 };
    let mut got = read_at_most(file, at, want, buf, 0)?;
    let start = if first {
        0
    } else {
        // The first `\n` at or after the nominal start − 1, if a line starts in the block.
        match memchr::memchr(b'\n', &buf[..got.min(size)]) {
            Some(i) => i + 1,
            // No line starts in this block: it is empty.
            None => return Ok((0, 0)),
        }
    };
    if last {
        // To the end of the file, whatever its length now.
        loop {
            let more = read_at_most(file, at + got as u64, 1 << 20, buf, got)?;
            if more == 0 {
                break;
            }
            got += more;
        }
        return Ok((start, got));
    }
    // The end: after the first `\n` at or after the next block's nominal start − 1.
    let mut scan = lead + size - 1;
    loop {
        if let Some(i) = memchr::memchr(b'\n', &buf[scan.min(got)..got]) {
            return Ok((start, scan.min(got) + i + 1));
        }
        scan = got;
        let more = read_at_most(file, at + got as u64, 1 << 16, buf, got)?;
        if more == 0 {
            return Ok((start, got));
        }
        got += more;
    }
}

/// Reads up to `want` bytes at `offset` into `buf[into..]`, growing `buf`; fewer only at the
/// end of the file. Returns the bytes read.
fn read_at_most(
    file: &File,
    offset: u64,
    want: usize,
    buf: &mut Vec<u8>,
    into: usize,
) -> io::Result<usize> {
    if buf.len() < into + want {
        buf.resize(into + want, 0);
    }
    let mut got = 0;
    while got < want {
        match file.read_at(&mut buf[into + got..into + want], offset + got as u64) {
            Ok(0) => break,
            Ok(n) => got += n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(got)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    fn blocks_of(bytes: &[u8], from: u64, size: usize, threads: usize) -> Vec<Vec<u8>> {
        let mut f = tempfile();
        f.write_all(bytes).expect("writes");
        let mut out = Vec::new();
        for_each_block(
            &f,
            from,
            size,
            threads,
            |_, b| b.to_vec(),
            |k, b| {
                assert_eq!(k, out.len(), "in order");
                out.push(b);
                ControlFlow::Continue(())
            },
        )
        .expect("reads");
        out
    }

    fn tempfile() -> File {
        let dir = std::env::temp_dir().join(format!(
            "hallplan-blocks-{}-{}",
            std::process::id(),
            NEXT.fetch_add(1, Ordering::Relaxed)
        ));
        std::fs::create_dir_all(&dir).expect("temp dir");
        let path = dir.join("f.csv");
        let f = File::options()
            .read(true)
            .write(true)
            .create(true)
            .truncate(true)
            .open(&path)
            .expect("creates");
        let _ = std::fs::remove_dir_all(&dir);
        f
    }
    static NEXT: AtomicUsize = AtomicUsize::new(0);

    /// Every block starts at a line start and ends after a `\n` (or at the end), and the
    /// blocks put together are the file from `from`.
    fn check(bytes: &[u8], from: usize) {
        for size in 1..=bytes.len() + 2 {
            for threads in [1, 2, 3] {
                let blocks = blocks_of(bytes, from as u64, size, threads);
                assert_eq!(blocks.concat(), &bytes[from..], "size {size}");
                // Only the last block with bytes may end without a line end.
                let full: Vec<&Vec<u8>> = blocks.iter().filter(|b| !b.is_empty()).collect();
                for b in full.iter().skip(1).rev().skip(1) {
                    assert!(b.ends_with(b"\n"), "size {size}: {b:?}");
                }
                if full.len() > 1 {
                    assert!(full[0].ends_with(b"\n"), "size {size}");
                }
            }
        }
    }

    #[test]
    fn blocks_are_whole_lines_whatever_the_block_size() {
        // CRLF pairs, a lone CR, blank lines, multi-byte characters (a cut inside one
        // would break it), a line longer than small blocks, no newline at the end.
        let text = "a,b\r\n税务局,1\r\n\r\nx\ry,2\n\n长长长长长长长长长长长长,3\n末行,4";
        check(text.as_bytes(), 0);
        check(text.as_bytes(), 3);
        check(b"\xEF\xBB\xBFa,b\n1,2\n", 3);
        check(b"only one line", 0);
        check(b"ends with a newline\n", 0);
        check(b"\n\n\n", 0);
    }

    #[test]
    fn utf8_characters_and_crlf_survive_every_cut() {
        let text = "票,部门\r\n".repeat(7) + "é€𝄞\n";
        for size in 1..40 {
            for b in blocks_of(text.as_bytes(), 0, size, 2) {
                assert!(std::str::from_utf8(&b).is_ok(), "size {size}");
                assert!(!b.starts_with(b"\n"), "CRLF split at size {size}");
            }
        }
    }

    #[test]
    fn an_empty_file_is_one_empty_block() {
        assert_eq!(blocks_of(b"", 0, 8, 2), vec![Vec::<u8>::new()]);
    }

    #[test]
    fn take_can_stop_the_reading() {
        let text = "line\n".repeat(1000);
        let mut f = tempfile();
        f.write_all(text.as_bytes()).expect("writes");
        let mut seen = 0;
        for_each_block(
            &f,
            0,
            16,
            2,
            |_, b| b.len(),
            |k, _| {
                seen += 1;
                if k == 3 {
                    ControlFlow::Break(())
                } else {
                    ControlFlow::Continue(())
                }
            },
        )
        .expect("reads");
        assert_eq!(seen, 4);
    }
}
