//! Parquet ticket logs (DATA.md: CSV, xlsx or Parquet). The fixture was written by DuckDB,
//! not by hallplan (`tests/fixtures/parquet-hall/make.py`): one week of
//! `data/binjiang-after` with typed TIMESTAMP columns and Chinese headers, and the same
//! rows as CSV. Read either way, the hall must be the same hall.

use std::path::Path;

use crate::util::Fixture;

fn fixture(tickets: &str) -> Fixture {
    let repo = Path::new(env!("CARGO_MANIFEST_DIR"));
    let dir = repo.join("tests/fixtures/parquet-hall");
    let read = |p: &Path| std::fs::read(p).expect("reads a fixture file");
    Fixture::empty()
        .with("windows.csv", read(&dir.join("windows.csv")))
        .with("matters.csv", read(&repo.join("data/binjiang/matters.csv")))
        .with(tickets, read(&dir.join(tickets)))
}

#[test]
fn a_parquet_ticket_log_with_typed_timestamps_reads_as_the_same_hall_as_its_csv() {
    let (csv, parquet) = (fixture("tickets.csv"), fixture("tickets.parquet"));
    csv.profile(&[]).assert_success();
    parquet.profile(&[]).assert_success();

    // Every row accounted for, read = accepted + rejected, and nothing rejected.
    let inputs = parquet.output_csv("inputs.csv");
    let tickets = inputs
        .iter()
        .find(|r| r[0] == "tickets")
        .expect("inputs.csv has a tickets row");
    assert_eq!(tickets[1], "parquet");
    assert_eq!(&tickets[2..5], ["5571", "5571", "0"]);
    assert_eq!(
        csv.output_csv("inputs.csv")[1..],
        inputs[1..]
            .iter()
            .map(|r| {
                let mut r = r.clone();
                if r[0] == "tickets" {
                    r[1] = "UTF-8".into();
                }
                r
            })
            .collect::<Vec<_>>()[..]
    );

    // Every table of the profile (waits, loads, utilisation, top-10s) is identical.
    let mut compared = 0;
    for entry in std::fs::read_dir(csv.out()).expect("lists the profile's outputs") {
        let name = entry
            .expect("an entry")
            .file_name()
            .to_string_lossy()
            .into_owned();
        if name.ends_with(".csv") && name != "inputs.csv" {
            compared += 1;
            assert_eq!(
                csv.output_csv(&name),
                parquet.output_csv(&name),
                "{name} differs between the CSV and the Parquet log"
            );
        }
    }
    assert!(compared >= 8, "the profile wrote only {compared} tables");
}
