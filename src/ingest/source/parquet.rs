//! Parquet files: columns by their contract names, every cell as text.
//!
//! Read with polars' own Parquet crates (polars-parquet decodes, polars-arrow holds the
//! arrays) rather than the whole `polars` crate: hallplan only needs the cells as text,
//! and the DataFrame engine (polars-core, -ops, -time, -lazy…) was most of a cold build.
//! The reading follows polars-io's (`polars-io/src/parquet/read`): the file's Arrow
//! schema (`infer_schema`), then per row group every top-level column's chunks through
//! `column_iter_to_arrays`. The text of each array is `parquet_text`'s business.

use std::io::Cursor;
use std::path::Path;

use polars_buffer::Buffer;
use polars_parquet::read::{self, BasicDecompressor, PageReader};

use super::parquet_text::{check_type, push_text};
use super::*;
use crate::error::{Error, Result};

pub(super) fn open_parquet(path: &Path, file: String) -> Result<Table> {
    let bytes = std::fs::read(path).map_err(|source| Error::Io {
        file: file.clone(),
        source,
    })?;
    // The decoder is third-party code fed with untrusted bytes: a panic deep inside it on
    // a damaged file must still end as a message naming the file, not a crash.
    let read = std::panic::catch_unwind(|| read_cells(bytes)).unwrap_or_else(|_| {
        Err("the Parquet decoder failed on this file (damaged or truncated?)".into())
    });
    let (headers, rows) = read.map_err(|message| Error::BadFile {
        file: file.clone(),
        message: format!("not a readable Parquet file: {message}"),
    })?;
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

type Cells = (Vec<String>, Vec<Vec<String>>);

/// The headers and rows of a Parquet file's bytes, or why not.
fn read_cells(bytes: Vec<u8>) -> std::result::Result<Cells, String> {
    let metadata = read::read_metadata(&mut Cursor::new(&bytes[..])).map_err(|e| e.to_string())?;
    let schema = read::infer_schema(&metadata).map_err(|e| e.to_string())?;
    let headers: Vec<String> = schema.iter_names().map(|n| n.to_string()).collect();
    for (name, field) in schema.iter() {
        check_type(field.dtype()).map_err(|why| format!("column \"{name}\" {why}"))?;
    }
    let file = Buffer::from(bytes);
    // Row counts come from the file: capacities are only hints, capped so that a damaged
    // footer claiming billions of rows cannot abort on allocation before decoding fails.
    let hint = |rows: usize| rows.min(1 << 16);
    let mut rows: Vec<Vec<String>> = Vec::with_capacity(hint(metadata.num_rows));
    for (g, group) in metadata.row_groups.iter().enumerate() {
        let n = group.num_rows();
        let mut columns = Vec::with_capacity(headers.len());
        for (name, field) in schema.iter() {
            let mut text = Vec::with_capacity(hint(n));
            // A column absent from a row group is null there (as polars-io reads it).
            let chunks: Vec<_> = group
                .columns_under_root_iter(name)
                .map(|c| c.collect())
                .unwrap_or_default();
            if chunks.is_empty() {
                text.resize(n, String::new());
            } else {
                let mut pages = Vec::with_capacity(chunks.len());
                let mut types = Vec::with_capacity(chunks.len());
                for chunk in chunks {
                    let range = chunk.byte_range();
                    let (start, end) = (range.start as usize, range.end as usize);
                    if start > end || end > file.len() {
                        return Err(format!(
                            "column \"{name}\" lies past the end of the file (truncated?)"
                        ));
                    }
                    let bytes = Cursor::new(file.clone().sliced(start..end));
                    let reader = PageReader::new(bytes, chunk, vec![], usize::MAX);
                    pages.push(BasicDecompressor::new(reader, vec![]));
                    types.push(&chunk.descriptor().descriptor.primitive_type);
                }
                let (arrays, _) = read::column_iter_to_arrays(pages, types, field.clone(), None)
                    .map_err(|e| format!("column \"{name}\": {e}"))?;
                for array in &arrays {
                    push_text(array.as_ref(), &mut text)
                        .map_err(|why| format!("column \"{name}\", row group {}, {why}", g + 1))?;
                }
            }
            if text.len() != n {
                return Err(format!(
                    "column \"{name}\" has {} values in a row group of {n} rows",
                    text.len()
                ));
            }
            columns.push(text.into_iter());
        }
        for _ in 0..n {
            rows.push(
                columns
                    .iter_mut()
                    .map(|c| c.next().unwrap_or_default())
                    .collect(),
            );
        }
    }
    Ok((headers, rows))
}

#[cfg(test)]
#[path = "parquet_tests.rs"]
mod tests;
