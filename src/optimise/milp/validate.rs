//! Checks on the input before any model is built: every message names the pool, the
//! matter or the staffing figure that is wrong.

use super::input::{MatterSpec, MilpError, MilpInput, PoolSpec};

pub(super) fn bad(msg: String) -> MilpError {
    MilpError::BadInput(msg)
}

pub(super) fn validate(input: &MilpInput) -> Result<(), MilpError> {
    if input.slots == 0 {
        return Err(bad("there are no planning slots".into()));
    }
    if input.tangent_points == 0 {
        return Err(bad("tangent_points must be at least 1".into()));
    }
    for (p, pool) in input.pools.iter().enumerate() {
        validate_pool(p, pool)?;
    }
    for (m, matter) in input.matters.iter().enumerate() {
        validate_matter(input, m, matter)?;
    }
    validate_staff(input)
}

pub(super) fn validate_pool(p: usize, pool: &PoolSpec) -> Result<(), MilpError> {
    let who = format!("pool {p} ({})", pool.name);
    if !(pool.handle_min.is_finite() && pool.handle_min > 0.0) {
        return Err(bad(format!("{who}: handling time must be positive")));
    }
    if !(pool.cs2.is_finite() && pool.cs2 >= 0.0) {
        return Err(bad(format!("{who}: cs² must be non-negative")));
    }
    if pool.min_windows > pool.max_windows {
        return Err(bad(format!("{who}: min_windows exceeds max_windows")));
    }
    if pool.peak_capacity.len() != pool.max_windows as usize + 1 {
        return Err(bad(format!(
            "{who}: peak_capacity needs max_windows + 1 = {} values, has {}",
            pool.max_windows + 1,
            pool.peak_capacity.len()
        )));
    }
    for (c, &cap) in pool.peak_capacity.iter().enumerate() {
        // A collapsed pool may be admitted above its windows at the peak hour (today's
        // overloaded peaks, model.md §4); its waits then come from the session model.
        let limit = if pool.profile.is_empty() {
            c as f64
        } else {
            f64::INFINITY
        };
        if !(cap.is_finite() && cap >= 0.0 && (cap < limit || cap == 0.0)) {
            return Err(bad(format!(
                "{who}: A({c}) = {cap} must be finite, >= 0 and below {c}"
            )));
        }
    }
    if pool.mean_target_min.is_nan() || pool.mean_target_min < 0.0 {
        return Err(bad(format!("{who}: mean target must be >= 0")));
    }
    Ok(())
}

pub(super) fn validate_matter(
    input: &MilpInput,
    m: usize,
    matter: &MatterSpec,
) -> Result<(), MilpError> {
    let who = format!("matter {m} ({})", matter.name);
    if matter.options.is_empty() {
        return Err(bad(format!("{who} has no channel option")));
    }
    let per_slot_ok = |v: &[f64], allow_empty: bool| {
        (v.len() == input.slots || (allow_empty && v.is_empty()))
            && v.iter().all(|x| x.is_finite() && *x >= 0.0)
    };
    for (k, option) in matter.options.iter().enumerate() {
        for load in &option.loads {
            if load.pool >= input.pools.len() {
                return Err(bad(format!(
                    "{who}, option {k}: unknown pool {}",
                    load.pool
                )));
            }
            if !per_slot_ok(&load.arrivals_per_hour, false) {
                return Err(bad(format!(
                    "{who}, option {k}: arrivals need {} non-negative values",
                    input.slots
                )));
            }
            if !(load.handle_min.is_finite() && load.handle_min >= 0.0) {
                return Err(bad(format!("{who}, option {k}: bad handling time")));
            }
        }
        if !per_slot_ok(&option.self_service_users_per_hour, true) {
            return Err(bad(format!(
                "{who}, option {k}: self-service users need {} non-negative values",
                input.slots
            )));
        }
        let work = option.backoffice_work_min_week;
        if !(work.is_finite() && work >= 0.0) {
            return Err(bad(format!("{who}, option {k}: bad back-office work")));
        }
    }
    Ok(())
}

pub(super) fn validate_staff(input: &MilpInput) -> Result<(), MilpError> {
    let finite_nonneg = [
        ("staff_today", input.staff_today),
        ("staff_per_window", input.staff_per_window),
        ("staff_reserve", input.staff_reserve),
        ("helper_share", input.helper_share),
    ];
    for (name, value) in finite_nonneg {
        if !(value.is_finite() && value >= 0.0) {
            return Err(bad(format!("{name} must be finite and >= 0")));
        }
    }
    let positive = [
        ("helper_users_per_hour", input.helper_users_per_hour),
        (
            "backoffice_min_per_staff_week",
            input.backoffice_min_per_staff_week,
        ),
    ];
    for (name, value) in positive {
        if !(value.is_finite() && value > 0.0) {
            return Err(bad(format!("{name} must be positive")));
        }
    }
    Ok(())
}
