//! The bundled sample is exactly what `hallplan sample` generates.

use std::path::Path;

#[test]
fn bundled_sample_is_regenerated_byte_for_byte() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("data");
    let files = hallplan::sample::generate(hallplan::sample::DEFAULT_SEED);
    assert!(
        files.len() >= 6,
        "the sample has windows, matters, footfall, tickets and the after period"
    );
    for f in files {
        let committed = std::fs::read(root.join(&f.path)).unwrap_or_else(|e| {
            panic!(
                "data/{} is missing ({e}); run `hallplan sample --out data --force`",
                f.path
            )
        });
        assert!(committed == f.bytes, "data/{} differs from `hallplan sample --seed 2020`; regenerate it with `hallplan sample --out data --force`", f.path);
    }
}

#[test]
fn sample_command_writes_the_same_files() {
    let dir = tempfile::tempdir().expect("tempdir");
    let out = dir.path().join("data");
    let status = std::process::Command::new(env!("CARGO_BIN_EXE_hallplan"))
        .args(["sample", "--out"])
        .arg(&out)
        .status()
        .expect("runs");
    assert!(status.success());
    for f in hallplan::sample::generate(hallplan::sample::DEFAULT_SEED) {
        let written = std::fs::read(out.join(&f.path)).expect("written");
        assert!(written == f.bytes, "{} differs", f.path);
    }
}
