//! Opening CSV, xlsx and Parquet: encodings, delimiters, split parts, located errors.

use super::delimited::*;
use super::*;

fn rows(t: &Table) -> Vec<(u64, Vec<String>)> {
    let mut out = Vec::new();
    t.for_each_row(|at, r| {
        out.push((
            at.number(),
            (0..r.len()).map(|i| r.get(i).to_string()).collect(),
        ));
        Ok(())
    })
    .expect("reads");
    out
}

#[test]
fn gbk_bytes_are_detected_and_decoded() {
    let (gbk, _, _) = encoding_rs::GBK.encode("部门,窗口编号\n市场监管局,A01\n");
    let t = Table::from_csv_bytes("w.csv".into(), gbk.into_owned(), None, false).expect("opens");
    assert_eq!(t.encoding, "GB18030");
    assert_eq!(t.headers, vec!["部门", "窗口编号"]);
    assert_eq!(
        rows(&t),
        vec![(2, vec!["市场监管局".to_string(), "A01".to_string()])]
    );
}

#[test]
fn bom_and_semicolons_and_line_numbers() {
    let t = Table::from_csv_bytes(
        "w.csv".into(),
        b"\xEF\xBB\xBFa;b\n1;2\n\n\"x\ny\";3\n4;5\n".to_vec(),
        None,
        false,
    )
    .expect("opens");
    assert_eq!(t.encoding, "UTF-8 (BOM)");
    let r = rows(&t);
    assert_eq!(r.len(), 3);
    assert_eq!(r[0].0, 2);
    // A quoted field spanning two lines: the next record starts on line 6.
    assert_eq!(r[1].0, 4);
    assert_eq!(r[2].0, 6);
}

#[test]
fn undecodable_bytes_are_fatal_and_name_the_line() {
    let e = Table::from_csv_bytes(
        "t.csv".into(),
        b"a,b\n1,2\n\xFF\xFF\xFF,3\n".to_vec(),
        None,
        false,
    )
    .err()
    .expect("fails");
    let m = e.to_string();
    assert!(m.starts_with("t.csv:3:"), "{m}");
}

/// The records and line counts of a part, read by `split_records` (`true`) or the csv
/// reader.
/// Records with the line ends before each, and the part's line ends.
type Records = (Vec<(u64, Vec<Vec<u8>>)>, u64);

fn both(text: &[u8], delimiter: u8, header: bool) -> [Records; 2] {
    let part = CsvPart::new(text, header);
    let mut split = Vec::new();
    let n1 = split_records(&part, delimiter, |e, r| {
        split.push((
            e,
            (0..r.len())
                .filter_map(|i| r.get(i))
                .map(<[u8]>::to_vec)
                .collect(),
        ));
        Ok(())
    })
    .expect("splits");
    let mut csv = Vec::new();
    let n2 = records("t.csv", delimiter, &part, |e, r| {
        csv.push((e, r.iter().map(<[u8]>::to_vec).collect()));
        Ok(())
    })
    .expect("reads");
    [(split, n1), (csv, n2)]
}

#[test]
fn find3_finds_the_first_of_the_three_bytes() {
    let mut text = "税务局abcdefgh,ijklmnop\r\nq;r".as_bytes().to_vec();
    text.extend_from_slice(b"\x80\x81\x0B\x0C\x2B\x2D\x8D\x0D\x8A\x0A,\t");
    let text = &text[..];
    for delimiter in [b',', b';', b'\t'] {
        for from in 0..=text.len() {
            let want = text[from..]
                .iter()
                .position(|&c| c == delimiter || c == b'\n' || c == b'\r')
                .map_or(text.len(), |k| from + k);
            assert_eq!(find3(text, from, delimiter), want, "from {from}");
        }
    }
}

#[test]
fn split_records_read_what_the_csv_reader_reads() {
    for text in [
        &b"a,b\r\n1,2\r\n\r\n3,\r4,5\n\n \n,,\n\xE7\xA8\x8E,x"[..],
        b"",
        b"\n\r\n\r",
        b"h\n1;2;3\n",
        b"only",
        b"a\tb\r",
    ] {
        for delimiter in [b',', b';', b'\t'] {
            for header in [true, false] {
                let [a, b] = both(text, delimiter, header);
                assert_eq!(a, b, "{:?}", String::from_utf8_lossy(text));
            }
        }
    }
}

proptest::proptest! {
    #[test]
    fn split_records_agree_with_csv_on_any_quote_free_text(
        picks in proptest::collection::vec(0usize..9, 0..200),
        header: bool,
    ) {
        let alphabet: [&[u8]; 9] =
            [b"a", b"17", "税".as_bytes(), b",", b";", b" ", b"\r", b"\n", b"\r\n"];
        let text: Vec<u8> = picks.iter().flat_map(|&i| alphabet[i].iter().copied()).collect();
        for delimiter in [b',', b';'] {
            let [a, b] = both(&text, delimiter, header);
            proptest::prop_assert_eq!(a, b);
        }
    }
}

#[test]
fn empty_files_are_fatal() {
    let e = Table::from_csv_bytes("t.csv".into(), b"\n \n".to_vec(), None, false)
        .err()
        .expect("fails");
    assert!(e.to_string().contains("empty"));
}
