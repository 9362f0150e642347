//! `hallplan compare`: the before/after wait-time report analysts hand to leadership.

use crate::compare;
use crate::config::CompareConfig;
use crate::error::Result;
use crate::ingest::{self, Clock};
use crate::report::{self, pages};

pub fn run(c: CompareConfig) -> Result<()> {
    let clock = Clock::start(c.timing);
    let sides = compare::load(&c.periods, &c.options)?;
    let footfall = c
        .footfall
        .as_deref()
        .map(|p| compare::load_footfall(p, &c.options))
        .transpose()?;
    clock.lap("loaded, sides");
    let before = &sides.before.hall;
    // The plan's prediction, replayed on the before period's hall when it has one.
    let sim = match &c.plan {
        Some(p) if !before.windows.is_empty() && !before.matters.is_empty() => Some(
            crate::simulate::trace::replay(before, Some(p), p.policy.seed)?,
        ),
        _ => None,
    };
    let (rep, summary, verdicts) = pages::compare::build(
        &sides.sides_before,
        &sides.sides_after,
        c.resampling,
        c.plan.as_ref(),
        sim.as_ref(),
        footfall.as_deref(),
        c.out.lang(),
    )?;
    clock.lap("figures and permutations");
    let mut bundle = report::render(&rep, &summary)?;
    bundle.add("compare.xlsx", report::xlsx::render(&rep)?);
    clock.lap("report rendered");
    let mut rejected = sides.before.rejected.clone();
    rejected.extend(sides.after.rejected.iter().cloned());
    let l = ingest::Loaded {
        rejected,
        ..Default::default()
    };
    bundle.add("rejected_rows.csv", pages::rejected_rows_csv(&l)?);
    super::commit(&c.out, bundle)?;
    // The verdicts are the result: stdout, after the files are in place.
    for line in verdicts {
        println!("{line}");
    }
    Ok(())
}
