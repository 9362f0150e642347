//! `hallplan sample`: write the bundled Binjiang-like sample hall.

use crate::config::SampleConfig;
use crate::error::{Error, Result};

pub fn run(args: SampleConfig) -> Result<()> {
    let files = crate::sample::generate(args.seed);
    let mut tops: Vec<String> = files
        .iter()
        .filter_map(|f| f.path.split('/').next().map(str::to_string))
        .collect();
    tops.sort();
    tops.dedup();
    for top in &tops {
        let p = args.out.join(top);
        if p.exists() && !args.force {
            return Err(Error::OutputExists { path: p });
        }
    }
    for top in &tops {
        let mut bundle = crate::report::Bundle::default();
        for f in files
            .iter()
            .filter(|f| f.path.starts_with(&format!("{top}/")))
        {
            bundle.add(f.path[top.len() + 1..].to_string(), f.bytes.clone());
        }
        let out = crate::report::OutputDir::prepare(&args.out.join(top), args.force, &[])?;
        out.commit(&bundle)?;
        eprintln!(
            "wrote {} files to {}",
            bundle.files.len(),
            out.path().display()
        );
    }
    Ok(())
}
