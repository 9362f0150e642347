//! Writing an output folder atomically: everything goes to a temporary sibling folder,
//! which is moved into place only when the run succeeded. An existing folder is replaced
//! only with `--force`, and never when it holds an input.

use std::path::{Path, PathBuf};

use super::Bundle;
use crate::error::{Error, Result};

/// A marker in every output folder: hallplan's own default folders may be replaced.
pub const MARKER: &str = ".hallplan-output";

/// An output folder, checked before the slow work so that a bad path fails at once.
#[derive(Debug, Clone)]
pub struct OutputDir {
    path: PathBuf,
    force: bool,
    /// The language of the hand-outs written here (`--lang`).
    lang: super::Lang,
}

/// The absolute path, with what exists of it canonicalised.
pub(crate) fn absolute(p: &Path) -> PathBuf {
    let abs = if p.is_absolute() {
        p.to_path_buf()
    } else {
        std::env::current_dir()
            .map(|d| d.join(p))
            .unwrap_or_else(|_| p.to_path_buf())
    };
    // Canonicalise what exists so that `data/../data` and symlinks compare equal.
    let mut existing = abs.clone();
    let mut rest = Vec::new();
    while !existing.exists() {
        match (existing.parent(), existing.file_name()) {
            (Some(parent), Some(name)) => {
                rest.push(name.to_os_string());
                existing = parent.to_path_buf();
            }
            _ => return abs,
        }
    }
    let mut out = existing.canonicalize().unwrap_or(existing);
    for name in rest.into_iter().rev() {
        out.push(name);
    }
    out
}

impl OutputDir {
    /// The folder, for hand-outs in this language.
    pub fn in_lang(self, lang: super::Lang) -> OutputDir {
        OutputDir { lang, ..self }
    }
    pub fn lang(&self) -> super::Lang {
        self.lang
    }
    pub fn prepare(path: &Path, force: bool, inputs: &[PathBuf]) -> Result<OutputDir> {
        let out = absolute(path);
        for input in inputs {
            let input_abs = absolute(input);
            if input_abs.starts_with(&out) || input_abs == out {
                return Err(Error::OutputIsInput {
                    path: path.to_path_buf(),
                    input: input.clone(),
                });
            }
        }
        if out.exists() && !force {
            return Err(Error::OutputExists {
                path: path.to_path_buf(),
            });
        }
        if out.exists() && !out.is_dir() {
            return Err(Error::Write {
                path: path.to_path_buf(),
                source: std::io::Error::other("exists and is not a folder"),
            });
        }
        Ok(OutputDir {
            path: out,
            force,
            lang: super::Lang::Both,
        })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Writes every file of the bundle, then swaps the folder into place.
    pub fn commit(&self, bundle: &Bundle) -> Result<()> {
        let parent = self.path.parent().unwrap_or(Path::new("."));
        let name = self
            .path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| "out".into());
        let werr = |path: &Path| {
            let path = path.to_path_buf();
            move |source| Error::Write { path, source }
        };
        std::fs::create_dir_all(parent).map_err(werr(parent))?;
        let tmp = parent.join(format!(".{name}.tmp-{}", std::process::id()));
        if tmp.exists() {
            std::fs::remove_dir_all(&tmp).map_err(werr(&tmp))?;
        }
        std::fs::create_dir_all(&tmp).map_err(werr(&tmp))?;
        for (rel, bytes) in &bundle.files {
            let p = tmp.join(rel);
            if let Some(dir) = p.parent() {
                std::fs::create_dir_all(dir).map_err(werr(dir))?;
            }
            std::fs::write(&p, bytes).map_err(werr(&p))?;
        }
        if self.path.exists() {
            if !self.force {
                let _ = std::fs::remove_dir_all(&tmp);
                return Err(Error::OutputExists {
                    path: self.path.clone(),
                });
            }
            let old = parent.join(format!(".{name}.old-{}", std::process::id()));
            std::fs::rename(&self.path, &old).map_err(werr(&self.path))?;
            std::fs::rename(&tmp, &self.path).map_err(werr(&self.path))?;
            std::fs::remove_dir_all(&old).map_err(werr(&old))?;
        } else {
            std::fs::rename(&tmp, &self.path).map_err(werr(&self.path))?;
        }
        Ok(())
    }
}

/// Writes one file outside an output folder atomically: its folder is created, the bytes
/// go to a temporary sibling, which is renamed over the file only when complete.
pub fn write_file(path: &Path, bytes: &[u8]) -> Result<()> {
    let werr = |p: &Path| {
        let p = p.to_path_buf();
        move |source| Error::Write { path: p, source }
    };
    let parent = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    std::fs::create_dir_all(parent).map_err(werr(parent))?;
    if path.is_dir() {
        return Err(Error::Write {
            path: path.to_path_buf(),
            source: std::io::Error::other("is a folder (expected a file name)"),
        });
    }
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "file".into());
    let tmp = parent.join(format!(".{name}.tmp-{}", std::process::id()));
    std::fs::write(&tmp, bytes).map_err(werr(&tmp))?;
    std::fs::rename(&tmp, path).map_err(|source| {
        let _ = std::fs::remove_file(&tmp);
        Error::Write {
            path: path.to_path_buf(),
            source,
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refuses_to_overwrite_without_force_and_never_an_input_folder() {
        let dir = tempfile::tempdir().expect("tempdir");
        let out = dir.path().join("out");
        let mut b = Bundle::default();
        b.add("a.txt", b"1".to_vec());
        OutputDir::prepare(&out, false, &[])
            .expect("fresh")
            .commit(&b)
            .expect("writes");
        assert!(matches!(
            OutputDir::prepare(&out, false, &[]),
            Err(Error::OutputExists { .. })
        ));
        b.add("b.txt", b"2".to_vec());
        OutputDir::prepare(&out, true, &[])
            .expect("forced")
            .commit(&b)
            .expect("writes");
        assert!(out.join("b.txt").exists());
        let input = out.join("tickets.csv");
        std::fs::write(&input, "x").expect("write");
        assert!(matches!(
            OutputDir::prepare(&out, true, &[input]),
            Err(Error::OutputIsInput { .. })
        ));
        // No temporary folders are left behind.
        let leftovers: Vec<_> = std::fs::read_dir(dir.path())
            .expect("ls")
            .filter_map(|e| e.ok())
            .filter(|e| e.file_name().to_string_lossy().starts_with('.'))
            .collect();
        assert!(leftovers.is_empty());
    }

    #[test]
    fn a_single_file_gets_its_folders_and_replaces_an_old_one_whole() {
        let dir = tempfile::tempdir().expect("tempdir");
        let p = dir.path().join("a/b/model.lp");
        write_file(&p, b"one").expect("writes");
        write_file(&p, b"two").expect("replaces");
        assert_eq!(std::fs::read(&p).expect("read"), b"two");
        let names: Vec<_> = std::fs::read_dir(dir.path().join("a/b"))
            .expect("ls")
            .filter_map(|e| e.ok())
            .map(|e| e.file_name())
            .collect();
        assert_eq!(names.len(), 1, "{names:?}");
        assert!(
            write_file(dir.path(), b"x").is_err(),
            "a folder is not a file"
        );
    }
}
