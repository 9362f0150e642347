//! Arrays DuckDB never writes, built by hand: the renderings follow polars-core's
//! conversions (seconds widened to milliseconds, DATE64 read as a millisecond timestamp,
//! TIME cast with "%T"), and values no clock can show are errors, not panics.

use polars_arrow::array::{
    Array, BinaryArray, BinaryViewArray, DictionaryArray, NullArray, PrimitiveArray, Utf8Array,
    Utf8ViewArray,
};
use polars_arrow::bitmap::Bitmap;
use polars_arrow::datatypes::{ArrowDataType, TimeUnit};

use super::{push_text, write_decimal};

fn text(array: &dyn Array) -> Vec<String> {
    let mut out = Vec::new();
    push_text(array, &mut out).unwrap_or_else(|e| panic!("{:?}: {e}", array.dtype()));
    out
}

fn refused(array: &dyn Array) -> String {
    let mut out = Vec::new();
    match push_text(array, &mut out) {
        Err(why) => why,
        Ok(()) => panic!("{:?} should be refused, read {out:?}", array.dtype()),
    }
}

fn i64s(values: &[Option<i64>], dtype: ArrowDataType) -> PrimitiveArray<i64> {
    PrimitiveArray::from(values).to(dtype)
}

const T: i64 = 1_594_024_200; // 2020-07-06 08:30:00 UTC, in seconds

#[test]
fn timestamps_have_as_many_fraction_digits_as_their_unit_and_seconds_read_as_milliseconds() {
    let ts = |unit| ArrowDataType::Timestamp(unit, None);
    assert_eq!(
        text(&i64s(&[Some(T), None], ts(TimeUnit::Second))),
        ["2020-07-06 08:30:00.000", ""]
    );
    assert_eq!(
        text(&i64s(&[Some(T * 1_000 + 5)], ts(TimeUnit::Millisecond))),
        ["2020-07-06 08:30:00.005"]
    );
    assert_eq!(
        text(&i64s(&[Some(T * 1_000_000 - 1)], ts(TimeUnit::Microsecond))),
        ["2020-07-06 08:29:59.999999"]
    );
    assert_eq!(
        text(&i64s(&[Some(-1)], ts(TimeUnit::Nanosecond))),
        ["1969-12-31 23:59:59.999999999"]
    );
    // An empty zone is no zone (polars' canonical time zone).
    let empty_zone = ArrowDataType::Timestamp(TimeUnit::Second, Some("".into()));
    assert_eq!(
        text(&i64s(&[Some(T)], empty_zone)),
        ["2020-07-06 08:30:00.000"]
    );
    // DATE64 counts milliseconds; polars read it as a millisecond timestamp.
    assert_eq!(
        text(&i64s(&[Some(T * 1_000)], ArrowDataType::Date64)),
        ["2020-07-06 08:30:00.000"]
    );
}

#[test]
fn times_of_day_keep_whole_seconds_in_every_unit() {
    let t32 = |unit, v: i32| PrimitiveArray::from([Some(v), None]).to(ArrowDataType::Time32(unit));
    assert_eq!(text(&t32(TimeUnit::Second, 30_601)), ["08:30:01", ""]);
    assert_eq!(
        text(&t32(TimeUnit::Millisecond, 30_601_999)),
        ["08:30:01", ""]
    );
    let t64 = |unit, v| i64s(&[Some(v)], ArrowDataType::Time64(unit));
    assert_eq!(
        text(&t64(TimeUnit::Microsecond, 61_509_123_456)),
        ["17:05:09"]
    );
    assert_eq!(
        text(&t64(TimeUnit::Nanosecond, 61_509_123_456_789)),
        ["17:05:09"]
    );
}

#[test]
fn out_of_range_dates_times_and_timestamps_are_errors_not_panics() {
    let ts = ArrowDataType::Timestamp(TimeUnit::Second, None);
    assert!(refused(&i64s(&[Some(i64::MAX)], ts)).contains("out of range"));
    let ts = ArrowDataType::Timestamp(TimeUnit::Millisecond, None);
    assert_eq!(
        refused(&i64s(&[Some(1), Some(i64::MIN)], ts)),
        format!("row 2: timestamp {} is out of range", i64::MIN)
    );
    let date = PrimitiveArray::from([Some(i32::MAX)]).to(ArrowDataType::Date32);
    assert!(refused(&date).contains("date 2147483647 is out of range"));
}

#[test]
fn a_time_of_day_outside_one_day_reads_blank_as_the_polars_build_read_it() {
    let day_us = 86_400 * 1_000_000;
    let times = i64s(
        &[Some(-1), Some(day_us - 1), Some(day_us), Some(i64::MAX)],
        ArrowDataType::Time64(TimeUnit::Microsecond),
    );
    assert_eq!(text(&times), ["", "23:59:59", "", ""]);
}

#[test]
fn strings_of_every_layout_and_dictionaries_read_as_stored() {
    let valid: Bitmap = [true, false, true].into_iter().collect();
    let small = Utf8Array::<i32>::from_slice(["窗口", "x", ""]).with_validity(Some(valid.clone()));
    assert_eq!(text(&small), ["窗口", "", ""]);
    let large = Utf8Array::<i64>::from_slice(["受理", "x", " 办结 "]).with_validity(Some(valid));
    assert_eq!(text(&large), ["受理", "", " 办结 "]);
    let view = Utf8ViewArray::from_slice([Some("=SUM(A1)"), None]);
    assert_eq!(text(&view), ["=SUM(A1)", ""]);

    let values = Utf8ViewArray::from_slice([Some("甲"), Some("乙"), None]).boxed();
    let keys = PrimitiveArray::<u32>::from([Some(1), None, Some(0), Some(2)]);
    let dict = DictionaryArray::try_from_keys(keys, values, false).expect("a dictionary");
    assert_eq!(text(&dict), ["乙", "", "甲", ""]);
}

#[test]
fn bytes_read_as_text_when_they_are_utf8_and_are_refused_otherwise() {
    assert_eq!(
        text(&BinaryArray::<i64>::from_slice(["中".as_bytes(), b"ab"])),
        ["中", "ab"]
    );
    assert_eq!(
        text(&BinaryViewArray::from_slice([Some(b"x".as_slice()), None])),
        ["x", ""]
    );
    let bad = BinaryArray::<i32>::from_slice([b"ok".as_slice(), b"\xff\xfe"]);
    assert_eq!(refused(&bad), "row 2: bytes that are not UTF-8 text");
}

#[test]
fn nulls_floats_and_integers() {
    assert_eq!(text(&NullArray::new(ArrowDataType::Null, 2)), ["", ""]);
    let f64s = PrimitiveArray::from([Some(1.0f64), Some(0.1), Some(1e20), Some(f64::NAN), None]);
    assert_eq!(text(&f64s), ["1.0", "0.1", "1e+20", "NaN", ""]);
    let f32s = PrimitiveArray::from([Some(0.1f32), Some(f32::INFINITY)]);
    assert_eq!(text(&f32s), ["0.1", "inf"]);
    let ints = PrimitiveArray::from([Some(i128::MIN), Some(-7), None]);
    assert_eq!(
        text(&ints),
        ["-170141183460469231731687303715884105728", "-7", ""]
    );
}

#[test]
fn decimals_keep_every_digit_of_their_scale() {
    let s = |v, scale| {
        let mut out = String::new();
        write_decimal(&mut out, v, scale);
        out
    };
    assert_eq!(s(1230, 2), "12.30");
    assert_eq!(s(-5, 2), "-0.05");
    assert_eq!(s(0, 3), "0.000");
    assert_eq!(s(-42, 0), "-42");
    assert_eq!(
        s(i128::MIN, 38),
        "-1.70141183460469231731687303715884105728"
    );
    let decimals = PrimitiveArray::from([Some(150i128), None]).to(ArrowDataType::Decimal(5, 2));
    assert_eq!(text(&decimals), ["1.50", ""]);
}

#[test]
fn zoned_timestamps_and_nested_columns_are_refused_before_decoding() {
    let zoned = ArrowDataType::Timestamp(TimeUnit::Microsecond, Some("Asia/Shanghai".into()));
    let why = super::check_type(&zoned).expect_err("a zoned timestamp is refused");
    assert!(
        why.contains("(Asia/Shanghai)") && why.contains("without a time zone"),
        "{why}"
    );
    let duration = ArrowDataType::Duration(TimeUnit::Second);
    assert!(super::check_type(&duration).is_err());
}
