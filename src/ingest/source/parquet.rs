//! Parquet files (polars): columns by their contract names.

use std::path::Path;

use super::*;
use crate::error::{Error, Result};

pub(super) fn open_parquet(path: &Path, file: String) -> Result<Table> {
    use polars::prelude::*;
    let bad = |e: PolarsError| Error::BadFile {
        file: file.clone(),
        message: format!("not a readable Parquet file: {e}"),
    };
    let f = std::fs::File::open(path).map_err(|source| Error::Io {
        file: file.clone(),
        source,
    })?;
    let df = ParquetReader::new(f).finish().map_err(bad)?;
    let headers: Vec<String> = df
        .get_column_names()
        .iter()
        .map(|s| s.to_string())
        .collect();
    let mut columns = Vec::with_capacity(headers.len());
    for c in df.columns() {
        let s = c.cast(&DataType::String).map_err(bad)?;
        let ca = s.str().map_err(bad)?;
        columns.push(
            ca.iter()
                .map(|v| v.unwrap_or("").to_string())
                .collect::<Vec<_>>(),
        );
    }
    let rows = (0..df.height())
        .map(|i| columns.iter().map(|c| c[i].clone()).collect())
        .collect();
    Ok(Table {
        file,
        encoding: "parquet".into(),
        headers,
        from_sheet: false,
        body: Body::Cells {
            sheet: None,
            first_row: 1,
            first_col: 0,
            rows,
        },
    })
}
