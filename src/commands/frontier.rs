//! `hallplan frontier`: least waiting for every window budget, the trade-off curve.

use crate::config::FrontierConfig;
use crate::error::Result;
use crate::planner::{self, Frontier};
use crate::report::{self, pages};

pub fn run(c: FrontierConfig) -> Result<()> {
    let loaded = c.input.load()?;
    let Frontier { best, points } = planner::frontier(&loaded.hall, &c.planner)?;
    let (rep, summary) = pages::frontier::build(&best, &points, c.out.lang())?;
    let bundle = report::render(&rep, &summary)?;
    super::commit(&c.out, bundle)
}
