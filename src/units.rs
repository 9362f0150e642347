//! The units every figure is in: minutes for waits and handling times, arrivals per hour,
//! load in Erlangs (a = λ·s/60). Named types, so that a signature says which it takes.

/// Time in minutes: every wait and handling time a user sees.
pub type Minutes = f64;
/// A rate in events per hour.
pub type PerHour = f64;
/// Offered load: the mean number of busy servers an infinite pool would need.
pub type Erlangs = f64;
