//! The text of one Parquet column: every decoded Arrow array (polars-arrow) becomes one
//! string per row, exactly as the `polars` crate's cast to String rendered it when
//! hallplan read Parquet through `polars` (main 54d6f09). The readers downstream parse
//! these strings like CSV cells, so a changed rendering would change a hall.
//!
//! The renderings, recorded from that build on DuckDB-written files
//! (tests/fixtures/parquet-types, asserted in `parquet.rs`'s tests):
//! - null → "" (every type);
//! - integers → decimal digits (itoa, as polars-compute);
//! - floats → shortest round-trip text (zmij, as polars-compute): "1.0", "0.1", "1e+20",
//!   "1e-7", "NaN", "-inf";
//! - booleans → "true" / "false";
//! - strings and UTF-8 bytes → as stored; bytes that are not UTF-8 are an error;
//! - DATE → "%Y-%m-%d";
//! - TIMESTAMP without a zone → "%Y-%m-%d %H:%M:%S" plus a fraction as wide as the unit:
//!   3 digits (ms, and seconds, which polars widened to ms), 6 (µs) or 9 (ns) — so a
//!   whole-second µs timestamp reads "2020-07-06 08:30:00.000000";
//! - TIME → "%H:%M:%S", fraction dropped (polars' own cast did that); outside one day → "".
//!
//! Types the old build could not read are decided here instead of crashing or failing
//! obscurely: small and 128-bit integers render as integers (polars lacked those
//! features: "cannot create series from Int8"), DECIMAL renders with its scale ("12.30";
//! polars panicked: "activate 'dtype-decimal' feature"). TIMESTAMP WITH TIME ZONE stays
//! refused (polars failed with "cannot format timezone-naive Datetime"): the hall's clock
//! is local and the zone of an instant is not in the file, so a rendering would be a
//! guess; the message says to export local times. Nested types, intervals and durations
//! are refused with the column's name.

use std::fmt::Write;

use chrono::{NaiveDate, NaiveDateTime};
use polars_arrow::array::{
    Array, BinaryArray, BinaryViewArray, BooleanArray, DictionaryArray, DictionaryKey,
    FixedSizeBinaryArray, PrimitiveArray, Utf8Array, Utf8ViewArray,
};
use polars_arrow::datatypes::{ArrowDataType, IntegerType, TimeUnit};
use polars_arrow::temporal_conversions as tc;
use polars_arrow::types::NativeType;

/// Why a column has no text: shown after the column's name.
pub(super) type Refusal = String;

/// Whether a column of this type can be read as text; checked before decoding, so that a
/// refused column costs no work and names its type.
pub(super) fn check_type(dtype: &ArrowDataType) -> Result<(), Refusal> {
    use ArrowDataType as T;
    match dtype {
        T::Null
        | T::Boolean
        | T::Int8
        | T::Int16
        | T::Int32
        | T::Int64
        | T::Int128
        | T::UInt8
        | T::UInt16
        | T::UInt32
        | T::UInt64
        | T::UInt128
        | T::Float32
        | T::Float64
        | T::Date32
        | T::Date64
        | T::Time32(_)
        | T::Time64(_)
        | T::Binary
        | T::LargeBinary
        | T::BinaryView
        | T::FixedSizeBinary(_)
        | T::Utf8
        | T::LargeUtf8
        | T::Utf8View => Ok(()),
        T::Decimal(_, scale) | T::Decimal32(_, scale) | T::Decimal64(_, scale) if *scale <= 38 => {
            Ok(())
        }
        T::Timestamp(_, zone) => match zone.as_deref() {
            None | Some("") => Ok(()),
            Some(zone) => Err(format!(
                "holds timestamps with a time zone ({zone}); hallplan reads local clock \
                 times: export them as TIMESTAMP without a time zone"
            )),
        },
        T::Dictionary(_, values, _) => check_type(values),
        T::List(_) | T::LargeList(_) | T::FixedSizeList(..) | T::Struct(_) | T::Map(..) => Err(
            "is a nested column (list, struct or map); hallplan reads one value per cell".into(),
        ),
        other => Err(format!(
            "has the type {other:?}, which hallplan does not read"
        )),
    }
}

/// Appends the text of every row of `array` to `out`.
pub(super) fn push_text(array: &dyn Array, out: &mut Vec<String>) -> Result<(), Refusal> {
    check_type(array.dtype())?;
    let any = array.as_any();
    use ArrowDataType as T;
    match array.dtype() {
        T::Null => {
            out.resize(out.len() + array.len(), String::new());
            Ok(())
        }
        T::Boolean => push_each(down::<BooleanArray>(any)?, out, |a, i, s| {
            s.push_str(if a.value(i) { "true" } else { "false" });
            Ok(())
        }),
        T::Int8 => push_int::<i8>(any, out),
        T::Int16 => push_int::<i16>(any, out),
        T::Int32 => push_int::<i32>(any, out),
        T::Int64 => push_int::<i64>(any, out),
        T::Int128 => push_int::<i128>(any, out),
        T::UInt8 => push_int::<u8>(any, out),
        T::UInt16 => push_int::<u16>(any, out),
        T::UInt32 => push_int::<u32>(any, out),
        T::UInt64 => push_int::<u64>(any, out),
        T::UInt128 => push_int::<u128>(any, out),
        T::Float32 => push_each(down::<PrimitiveArray<f32>>(any)?, out, |a, i, s| {
            s.push_str(zmij::Buffer::new().format(a.value(i)));
            Ok(())
        }),
        T::Float64 => push_each(down::<PrimitiveArray<f64>>(any)?, out, |a, i, s| {
            s.push_str(zmij::Buffer::new().format(a.value(i)));
            Ok(())
        }),
        T::Decimal(_, scale) => {
            let scale = *scale;
            push_each(down::<PrimitiveArray<i128>>(any)?, out, |a, i, s| {
                write_decimal(s, a.value(i), scale);
                Ok(())
            })
        }
        T::Decimal32(_, scale) => {
            let scale = *scale;
            push_each(down::<PrimitiveArray<i32>>(any)?, out, |a, i, s| {
                write_decimal(s, a.value(i).into(), scale);
                Ok(())
            })
        }
        T::Decimal64(_, scale) => {
            let scale = *scale;
            push_each(down::<PrimitiveArray<i64>>(any)?, out, |a, i, s| {
                write_decimal(s, a.value(i).into(), scale);
                Ok(())
            })
        }
        T::Date32 => push_each(down::<PrimitiveArray<i32>>(any)?, out, |a, i, s| {
            let date = tc::EPOCH_DAYS_FROM_CE
                .checked_add(a.value(i))
                .and_then(NaiveDate::from_num_days_from_ce_opt)
                .ok_or_else(|| out_of_range("date", a.value(i).into()))?;
            write!(s, "{}", date.format("%F")).map_err(|e| e.to_string())
        }),
        // polars read DATE64 as a millisecond timestamp.
        T::Date64 => push_timestamps(any, TimeUnit::Millisecond, out),
        T::Timestamp(unit, _) => push_timestamps(any, *unit, out),
        T::Time32(unit) => {
            let per = time_factor(*unit);
            push_each(down::<PrimitiveArray<i32>>(any)?, out, |a, i, s| {
                write_time(s, i64::from(a.value(i)), per)
            })
        }
        T::Time64(unit) => {
            let per = time_factor(*unit);
            push_each(down::<PrimitiveArray<i64>>(any)?, out, |a, i, s| {
                write_time(s, a.value(i), per)
            })
        }
        T::Utf8View => push_each(down::<Utf8ViewArray>(any)?, out, |a, i, s| {
            s.push_str(a.value(i));
            Ok(())
        }),
        T::Utf8 => push_each(down::<Utf8Array<i32>>(any)?, out, |a, i, s| {
            s.push_str(a.value(i));
            Ok(())
        }),
        T::LargeUtf8 => push_each(down::<Utf8Array<i64>>(any)?, out, |a, i, s| {
            s.push_str(a.value(i));
            Ok(())
        }),
        T::BinaryView => push_each(down::<BinaryViewArray>(any)?, out, |a, i, s| {
            push_utf8(s, a.value(i))
        }),
        T::Binary => push_each(down::<BinaryArray<i32>>(any)?, out, |a, i, s| {
            push_utf8(s, a.value(i))
        }),
        T::LargeBinary => push_each(down::<BinaryArray<i64>>(any)?, out, |a, i, s| {
            push_utf8(s, a.value(i))
        }),
        T::FixedSizeBinary(_) => push_each(down::<FixedSizeBinaryArray>(any)?, out, |a, i, s| {
            push_utf8(s, a.value(i))
        }),
        T::Dictionary(keys, ..) => match keys {
            IntegerType::Int8 => push_dictionary::<i8>(any, out),
            IntegerType::Int16 => push_dictionary::<i16>(any, out),
            IntegerType::Int32 => push_dictionary::<i32>(any, out),
            IntegerType::Int64 => push_dictionary::<i64>(any, out),
            IntegerType::UInt8 => push_dictionary::<u8>(any, out),
            IntegerType::UInt16 => push_dictionary::<u16>(any, out),
            IntegerType::UInt32 => push_dictionary::<u32>(any, out),
            IntegerType::UInt64 => push_dictionary::<u64>(any, out),
            other => Err(format!("has dictionary keys of type {other:?}")),
        },
        other => Err(format!(
            "has the type {other:?}, which hallplan does not read"
        )),
    }
}

fn down<A: 'static>(any: &dyn std::any::Any) -> Result<&A, Refusal> {
    any.downcast_ref::<A>()
        .ok_or_else(|| "decoded to an array of an unexpected kind".to_string())
}

/// One string per row: "" for a null, otherwise what `write` appends.
fn push_each<A: Array>(
    array: &A,
    out: &mut Vec<String>,
    mut write: impl FnMut(&A, usize, &mut String) -> Result<(), Refusal>,
) -> Result<(), Refusal> {
    out.reserve(array.len());
    for i in 0..array.len() {
        let mut s = String::new();
        if array.is_valid(i) {
            write(array, i, &mut s).map_err(|e| format!("row {}: {e}", out.len() + 1))?;
        }
        out.push(s);
    }
    Ok(())
}

fn push_int<T: NativeType + itoa::Integer>(
    any: &dyn std::any::Any,
    out: &mut Vec<String>,
) -> Result<(), Refusal> {
    push_each(down::<PrimitiveArray<T>>(any)?, out, |a, i, s| {
        s.push_str(itoa::Buffer::new().format(a.value(i)));
        Ok(())
    })
}

fn push_utf8(s: &mut String, bytes: &[u8]) -> Result<(), Refusal> {
    s.push_str(std::str::from_utf8(bytes).map_err(|_| "bytes that are not UTF-8 text")?);
    Ok(())
}

/// polars' timestamp text: seconds were widened to milliseconds, and the fraction has as
/// many digits as the unit.
fn push_timestamps(
    any: &dyn std::any::Any,
    unit: TimeUnit,
    out: &mut Vec<String>,
) -> Result<(), Refusal> {
    let (format, to_datetime): (&str, fn(i64) -> Option<NaiveDateTime>) = match unit {
        TimeUnit::Second | TimeUnit::Millisecond => ("%F %T%.3f", tc::timestamp_ms_to_datetime_opt),
        TimeUnit::Microsecond => ("%F %T%.6f", tc::timestamp_us_to_datetime_opt),
        TimeUnit::Nanosecond => ("%F %T%.9f", tc::timestamp_ns_to_datetime_opt),
    };
    let widen = if unit == TimeUnit::Second { 1_000 } else { 1 };
    push_each(down::<PrimitiveArray<i64>>(any)?, out, |a, i, s| {
        let v = a.value(i);
        let datetime = v
            .checked_mul(widen)
            .and_then(to_datetime)
            .ok_or_else(|| out_of_range("timestamp", v.into()))?;
        write!(s, "{}", datetime.format(format)).map_err(|e| e.to_string())
    })
}

/// Nanoseconds per unit of a TIME column (polars stored times in nanoseconds).
fn time_factor(unit: TimeUnit) -> i64 {
    match unit {
        TimeUnit::Second => 1_000_000_000,
        TimeUnit::Millisecond => 1_000_000,
        TimeUnit::Microsecond => 1_000,
        TimeUnit::Nanosecond => 1,
    }
}

/// polars' Time → String cast used "%T": whole seconds, the fraction dropped. A value
/// outside one day read as null there, so as "" here. Odd but kept: pyarrow's time32[s]
/// columns arrive as milliseconds labelled seconds, so the polars build read them blank
/// (tests/fixtures/parquet-types/arrow_time32_s.parquet); a blank time is then a rejected
/// row with its reason, as before.
fn write_time(s: &mut String, v: i64, per: i64) -> Result<(), Refusal> {
    let time = v
        .checked_mul(per)
        .filter(|ns| (0..tc::NANOSECONDS_IN_DAY).contains(ns))
        .and_then(tc::time64ns_to_time_opt);
    if let Some(time) = time {
        write!(s, "{}", time.format("%T")).map_err(|e| e.to_string())?;
    }
    Ok(())
}

/// A decimal with `scale` digits after the point, all of them kept ("12.30", "-0.05").
fn write_decimal(s: &mut String, v: i128, scale: usize) {
    let digits = v.unsigned_abs().to_string();
    if v < 0 {
        s.push('-');
    }
    if scale == 0 {
        s.push_str(&digits);
        return;
    }
    let padded = format!("{digits:0>width$}", width = scale + 1);
    let (whole, fraction) = padded.split_at(padded.len() - scale);
    s.push_str(whole);
    s.push('.');
    s.push_str(fraction);
}

fn push_dictionary<K: DictionaryKey>(
    any: &dyn std::any::Any,
    out: &mut Vec<String>,
) -> Result<(), Refusal> {
    let array = down::<DictionaryArray<K>>(any)?;
    let mut values = Vec::with_capacity(array.values().len());
    push_text(array.values().as_ref(), &mut values)?;
    let keys = array.keys();
    push_each(keys, out, |a, i, s| {
        let text = a
            .value(i)
            .try_into()
            .ok()
            .and_then(|k: usize| values.get(k))
            .ok_or("a dictionary key outside its dictionary")?;
        s.push_str(text);
        Ok(())
    })
}

fn out_of_range(what: &str, v: i128) -> Refusal {
    format!("{what} {v} is out of range")
}

#[cfg(test)]
#[path = "parquet_text_tests.rs"]
mod tests;
