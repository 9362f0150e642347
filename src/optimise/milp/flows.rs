//! Loads, arrivals, self-service users and back-office work of channel choices: of a
//! fixed choice, of each option, and the range each pool can see.

use super::input::{ChannelOption, MilpInput};

/// Loads, arrivals, self-service users and back-office work of a fixed choice.
#[derive(Debug, Clone)]
pub(crate) struct PlanFlows {
    /// Erlangs per pool and slot.
    pub load: Vec<Vec<f64>>,
    /// Arrivals per hour per pool and slot.
    pub arrivals: Vec<Vec<f64>>,
    /// Self-service users per hour per slot.
    pub self_service: Vec<f64>,
    /// Back-office minutes per week.
    pub backoffice_work: f64,
}

/// Evaluates the flows of `choice` (one option index per matter, all valid).
pub(crate) fn plan_flows(input: &MilpInput, choice: &[usize]) -> PlanFlows {
    let mut flows = PlanFlows {
        load: vec![vec![0.0; input.slots]; input.pools.len()],
        arrivals: vec![vec![0.0; input.slots]; input.pools.len()],
        self_service: vec![0.0; input.slots],
        backoffice_work: 0.0,
    };
    for (matter, &k) in input.matters.iter().zip(choice) {
        let Some(option) = matter.options.get(k) else {
            continue;
        };
        for load in &option.loads {
            for (h, &lambda) in load.arrivals_per_hour.iter().enumerate() {
                flows.load[load.pool][h] += lambda * load.handle_min / 60.0;
                flows.arrivals[load.pool][h] += lambda;
            }
        }
        for (h, &users) in option.self_service_users_per_hour.iter().enumerate() {
            flows.self_service[h] += users;
        }
        flows.backoffice_work += option.backoffice_work_min_week;
    }
    flows
}

/// Aggregated contribution of one option to one pool.
#[derive(Debug, Clone)]
pub(super) struct Flow {
    pub(super) pool: usize,
    pub(super) load: Vec<f64>,
    pub(super) arrivals: Vec<f64>,
}

/// Per matter, per option: the option's loads aggregated by pool.
pub(super) fn option_flows(input: &MilpInput) -> Vec<Vec<Vec<Flow>>> {
    input
        .matters
        .iter()
        .map(|matter| {
            matter
                .options
                .iter()
                .map(|o| option_flow(input, o))
                .collect()
        })
        .collect()
}

pub(super) fn option_flow(input: &MilpInput, option: &ChannelOption) -> Vec<Flow> {
    let mut flows: Vec<Flow> = Vec::new();
    for load in &option.loads {
        let index = match flows.iter().position(|f| f.pool == load.pool) {
            Some(index) => index,
            None => {
                flows.push(Flow {
                    pool: load.pool,
                    load: vec![0.0; input.slots],
                    arrivals: vec![0.0; input.slots],
                });
                flows.len() - 1
            }
        };
        let flow = &mut flows[index];
        for (h, &lambda) in load.arrivals_per_hour.iter().enumerate() {
            flow.load[h] += lambda * load.handle_min / 60.0;
            flow.arrivals[h] += lambda;
        }
    }
    flows
}

/// Smallest and largest load each pool can get in each slot.
pub(super) fn load_range(
    input: &MilpInput,
    flows: &[Vec<Vec<Flow>>],
) -> (Vec<Vec<f64>>, Vec<Vec<f64>>) {
    let zeros = vec![vec![0.0; input.slots]; input.pools.len()];
    let (mut lo, mut hi) = (zeros.clone(), zeros);
    let mut per_option = vec![vec![0.0; input.slots]; input.pools.len()];
    for options in flows {
        let mut min_here = vec![vec![f64::INFINITY; input.slots]; input.pools.len()];
        let mut max_here = vec![vec![0.0_f64; input.slots]; input.pools.len()];
        for option in options {
            per_option.iter_mut().for_each(|v| v.fill(0.0));
            for flow in option {
                per_option[flow.pool] = flow.load.clone();
            }
            for (p, loads) in per_option.iter().enumerate() {
                for (h, &l) in loads.iter().enumerate() {
                    min_here[p][h] = min_here[p][h].min(l);
                    max_here[p][h] = max_here[p][h].max(l);
                }
            }
        }
        for p in 0..input.pools.len() {
            for h in 0..input.slots {
                lo[p][h] += min_here[p][h];
                hi[p][h] += max_here[p][h];
            }
        }
    }
    (lo, hi)
}
