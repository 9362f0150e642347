//! `hallplan validate`: read everything, account for every row, say what is usable.

use crate::config::ValidateConfig;
use crate::error::Result;
use crate::hall::derive;

pub fn run(args: ValidateConfig) -> Result<()> {
    let loaded = args.input.load()?;
    let dir = &args.input.data;
    let hall = &loaded.hall;
    let clock = crate::ingest::Clock::start(args.timing);
    let hours = derive::opening_hours(&hall.tickets);
    clock.lap("opening hours");
    let departments = {
        let mut d: Vec<String> = hall.departments();
        for n in hall.tickets.departments.names() {
            if !d.contains(n) {
                d.push(n.clone());
            }
        }
        d
    };
    if args.json {
        let v = serde_json::json!({
            "data": dir.dir.as_ref().map(|d| d.display().to_string()),
            "sample": dir.is_sample,
            "files": crate::report::pages::files_json(&loaded),
            "departments": departments.len(),
            "windows": hall.windows.len(),
            "matters": hall.matters.len(),
            "opening_hours": hours.as_ref().map(|h| h.describe()),
            "skipped": loaded.skipped,
        });
        println!("{}", serde_json::to_string_pretty(&v).unwrap_or_default());
        return Ok(());
    }
    if let Some(d) = &dir.dir {
        println!(
            "hall: {}{}",
            d.display(),
            if dir.is_sample {
                " (bundled sample)"
            } else {
                ""
            }
        );
    }
    println!(
        "{:<9} {:<12} {:>9} {:>9} {:>9} {:>8}  date range",
        "file", "encoding", "read", "accepted", "rejected", "clamped"
    );
    for (name, f) in &loaded.files {
        let range = match (&f.first, &f.last) {
            (Some(a), Some(b)) => format!("{} … {}", &a[..10.min(a.len())], &b[..10.min(b.len())]),
            _ => String::new(),
        };
        println!(
            "{name:<9} {:<12} {:>9} {:>9} {:>9} {:>8}  {range}",
            f.encoding, f.read, f.accepted, f.rejected, f.clamped
        );
        for (reason, n) in &f.rejected_by_reason {
            println!("{:<9}   rejected: {reason} × {n}", "");
        }
        if !f.ignored_columns.is_empty() {
            println!(
                "{:<9}   ignored columns: {}",
                "",
                f.ignored_columns.join(", ")
            );
        }
    }
    for s in &loaded.skipped {
        println!("skipped: {s}");
    }
    println!(
        "departments: {} ({})",
        departments.len(),
        departments.join(", ")
    );
    println!(
        "windows: {}   matters: {}",
        hall.windows.len(),
        hall.matters.len()
    );
    match hours {
        Some(h) => println!(
            "opening hours inferred from tickets: {} over {} open days",
            h.describe(),
            h.open_days
        ),
        None => println!("opening hours: not inferred (no tickets)"),
    }
    let total_rejected: u64 = loaded.files.values().map(|f| f.rejected).sum();
    if total_rejected > 0 {
        println!("{total_rejected} rows rejected; `hallplan profile` writes them to rejected_rows.csv with line and reason");
    }
    Ok(())
}
