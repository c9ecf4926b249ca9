//! Table files written row by row, so an export of a million rows never sits in memory: CSV
//! (UTF-8 with a byte-order mark, so spreadsheet programs read Vietnamese correctly) and XLSX
//! (an Office Open XML workbook with one sheet: a zip archive of a few XML parts, the sheet
//! deflated as it is written, sizes and checksums given after each part).
//!
//! Cells that a spreadsheet would run as a formula (`=`, `+`, `-`, `@` first) are written as
//! text with a leading apostrophe in CSV; XLSX cells are typed, so they never run.

use flate2::{Compression, write::DeflateEncoder};
use std::io::{self, Write};

/// One cell.
#[derive(Clone, Debug, PartialEq)]
pub enum Cell {
    Text(String),
    Number(f64),
    Empty,
}

impl From<&str> for Cell {
    fn from(s: &str) -> Cell {
        Cell::Text(s.to_owned())
    }
}

impl From<String> for Cell {
    fn from(s: String) -> Cell {
        Cell::Text(s)
    }
}

impl<T: Into<f64>> From<Option<T>> for Cell {
    fn from(v: Option<T>) -> Cell {
        v.map_or(Cell::Empty, |v| Cell::Number(v.into()))
    }
}

/// A file that takes rows.
pub trait SheetWriter {
    fn row(&mut self, cells: &[Cell]) -> io::Result<()>;
    /// Writes what is left and gives back the bytes written in all.
    fn finish(self: Box<Self>) -> io::Result<u64>;
}

/// Most rows a worksheet holds (Excel's limit), the header row included.
pub const XLSX_MAX_ROWS: u64 = 1_048_576;

/// Counts the bytes that go through.
struct Counting<W> {
    inner: W,
    written: u64,
}

impl<W: Write> Write for Counting<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let n = self.inner.write(buf)?;
        self.written += n as u64;
        Ok(n)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}

// ---- CSV ---------------------------------------------------------------------------------

pub struct Csv<W: Write> {
    out: Counting<W>,
}

impl<W: Write> Csv<W> {
    pub fn new(inner: W) -> io::Result<Csv<W>> {
        let mut out = Counting { inner, written: 0 };
        out.write_all("\u{feff}".as_bytes())?;
        Ok(Csv { out })
    }
}

/// A CSV field: quoted when it holds a separator, quote or line break; guarded when a
/// spreadsheet would read it as a formula.
pub fn csv_field(s: &str) -> String {
    let guarded = if s.starts_with(['=', '+', '-', '@', '\t', '\r']) && s.parse::<f64>().is_err() {
        format!("'{s}")
    } else {
        s.to_owned()
    };
    if guarded.contains([',', '"', '\n', '\r']) { format!("\"{}\"", guarded.replace('"', "\"\"")) } else { guarded }
}

/// A number as written in files: at most 4 decimals, no trailing zeros, a dot as separator.
pub fn number_text(v: f64) -> String {
    if v.fract() == 0.0 && v.abs() < 1e15 {
        return format!("{v:.0}");
    }
    let s = format!("{v:.4}");
    s.trim_end_matches('0').trim_end_matches('.').to_owned()
}

impl<W: Write> SheetWriter for Csv<W> {
    fn row(&mut self, cells: &[Cell]) -> io::Result<()> {
        let line: Vec<String> = cells
            .iter()
            .map(|c| match c {
                Cell::Text(s) => csv_field(s),
                Cell::Number(v) => number_text(*v),
                Cell::Empty => String::new(),
            })
            .collect();
        self.out.write_all(line.join(",").as_bytes())?;
        self.out.write_all(b"\r\n")
    }

    fn finish(mut self: Box<Self>) -> io::Result<u64> {
        self.out.flush()?;
        Ok(self.out.written)
    }
}

// ---- XLSX --------------------------------------------------------------------------------

const CONTENT_TYPES: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/><Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/></Types>"#;
const ROOT_RELS: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>"#;
const WORKBOOK_RELS: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/><Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" Target="styles.xml"/></Relationships>"#;
/// Two cell styles: 0 plain, 1 bold (the header row).
const STYLES: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><fonts count="2"><font><sz val="11"/><name val="Calibri"/></font><font><b/><sz val="11"/><name val="Calibri"/></font></fonts><fills count="2"><fill><patternFill patternType="none"/></fill><fill><patternFill patternType="gray125"/></fill></fills><borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders><cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs><cellXfs count="2"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/><xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1"/></cellXfs></styleSheet>"#;
const SHEET_START: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetViews><sheetView workbookViewId="0"><pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" state="frozen"/></sheetView></sheetViews><sheetData>"#;
const SHEET_END: &str = "</sheetData></worksheet>";

/// XML text with the five special characters escaped and characters XML forbids dropped.
pub fn xml_text(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for ch in s.chars() {
        match ch {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\t' | '\n' | '\r' => out.push(ch),
            c if (c as u32) < 0x20 || c == '\u{fffe}' || c == '\u{ffff}' => {}
            c => out.push(c),
        }
    }
    out
}

/// The column letters of a 0-based column index: 0 → A, 25 → Z, 26 → AA.
pub fn column_name(mut index: usize) -> String {
    let mut name = Vec::new();
    loop {
        name.push(b'A' + (index % 26) as u8);
        if index < 26 {
            break;
        }
        index = index / 26 - 1;
    }
    name.reverse();
    String::from_utf8(name).unwrap_or_default()
}

/// One part of the archive, as the central directory lists it.
struct Entry {
    name: &'static str,
    crc: u32,
    compressed: u32,
    size: u32,
    offset: u32,
}

/// Streams into a zip archive: each part deflated, with a data descriptor after it.
struct Zip<W: Write> {
    out: Counting<W>,
    entries: Vec<Entry>,
}

fn too_big() -> io::Error {
    io::Error::other("the file would pass 4 GB, the limit of an XLSX file")
}

fn u32_of(v: u64) -> io::Result<u32> {
    u32::try_from(v).map_err(|_| too_big())
}

impl<W: Write> Zip<W> {
    /// DOS date and time of 2026-01-01 00:00 (archive members need one; the exact value does
    /// not matter to anyone).
    const DOS_TIME: u16 = 0;
    const DOS_DATE: u16 = ((2026 - 1980) << 9) | (1 << 5) | 1;

    fn begin(&mut self, name: &'static str) -> io::Result<u32> {
        let offset = u32_of(self.out.written)?;
        let mut h = Vec::with_capacity(30 + name.len());
        h.extend_from_slice(&0x0403_4b50u32.to_le_bytes());
        h.extend_from_slice(&20u16.to_le_bytes()); // version needed
        h.extend_from_slice(&(0x0008u16 | 0x0800).to_le_bytes()); // data descriptor, UTF-8 names
        h.extend_from_slice(&8u16.to_le_bytes()); // deflate
        h.extend_from_slice(&Self::DOS_TIME.to_le_bytes());
        h.extend_from_slice(&Self::DOS_DATE.to_le_bytes());
        h.extend_from_slice(&[0; 12]); // crc and sizes follow the data
        h.extend_from_slice(&(name.len() as u16).to_le_bytes());
        h.extend_from_slice(&0u16.to_le_bytes());
        h.extend_from_slice(name.as_bytes());
        self.out.write_all(&h)?;
        Ok(offset)
    }

    fn end(&mut self, name: &'static str, offset: u32, crc: u32, compressed: u64, size: u64) -> io::Result<()> {
        let (compressed, size) = (u32_of(compressed)?, u32_of(size)?);
        let mut d = Vec::with_capacity(16);
        d.extend_from_slice(&0x0807_4b50u32.to_le_bytes());
        d.extend_from_slice(&crc.to_le_bytes());
        d.extend_from_slice(&compressed.to_le_bytes());
        d.extend_from_slice(&size.to_le_bytes());
        self.out.write_all(&d)?;
        self.entries.push(Entry { name, crc, compressed, size, offset });
        Ok(())
    }

    fn whole(&mut self, name: &'static str, data: &[u8]) -> io::Result<()> {
        let offset = self.begin(name)?;
        let start = self.out.written;
        let mut enc = DeflateEncoder::new(&mut self.out, Compression::default());
        enc.write_all(data)?;
        enc.finish()?;
        let compressed = self.out.written - start;
        self.end(name, offset, crc32fast::hash(data), compressed, data.len() as u64)
    }

    fn central_directory(mut self) -> io::Result<u64> {
        let start = u32_of(self.out.written)?;
        let mut cd = Vec::new();
        for e in &self.entries {
            cd.extend_from_slice(&0x0201_4b50u32.to_le_bytes());
            cd.extend_from_slice(&20u16.to_le_bytes()); // made by
            cd.extend_from_slice(&20u16.to_le_bytes()); // needed
            cd.extend_from_slice(&(0x0008u16 | 0x0800).to_le_bytes());
            cd.extend_from_slice(&8u16.to_le_bytes());
            cd.extend_from_slice(&Self::DOS_TIME.to_le_bytes());
            cd.extend_from_slice(&Self::DOS_DATE.to_le_bytes());
            cd.extend_from_slice(&e.crc.to_le_bytes());
            cd.extend_from_slice(&e.compressed.to_le_bytes());
            cd.extend_from_slice(&e.size.to_le_bytes());
            cd.extend_from_slice(&(e.name.len() as u16).to_le_bytes());
            cd.extend_from_slice(&[0; 12]); // extra, comment, disk, internal and external attributes
            cd.extend_from_slice(&e.offset.to_le_bytes());
            cd.extend_from_slice(e.name.as_bytes());
        }
        let count = self.entries.len() as u16;
        let size = u32_of(cd.len() as u64)?;
        cd.extend_from_slice(&0x0605_4b50u32.to_le_bytes());
        cd.extend_from_slice(&[0; 4]); // disk numbers
        cd.extend_from_slice(&count.to_le_bytes());
        cd.extend_from_slice(&count.to_le_bytes());
        cd.extend_from_slice(&size.to_le_bytes());
        cd.extend_from_slice(&start.to_le_bytes());
        cd.extend_from_slice(&0u16.to_le_bytes()); // no comment
        self.out.write_all(&cd)?;
        self.out.flush()?;
        Ok(self.out.written)
    }
}

/// An XLSX workbook of one sheet, its first row in bold.
pub struct Xlsx<W: Write> {
    zip: Zip<W>,
    sheet: Option<SheetStream>,
    rows: u64,
    buf: String,
}

/// The sheet part while it is being written.
struct SheetStream {
    offset: u32,
    start: u64,
    crc: crc32fast::Hasher,
    size: u64,
    enc: DeflateEncoder<Vec<u8>>,
}

impl<W: Write> Xlsx<W> {
    /// `sheet_name` is shown on the sheet's tab (at most 31 characters, some forbidden).
    pub fn new(inner: W, sheet_name: &str) -> io::Result<Xlsx<W>> {
        let mut zip = Zip { out: Counting { inner, written: 0 }, entries: Vec::new() };
        let name: String = sheet_name.chars().filter(|c| !"[]:*?/\\".contains(*c)).take(31).collect();
        let workbook = format!(
            r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="{}" sheetId="1" r:id="rId1"/></sheets></workbook>"#,
            xml_text(if name.is_empty() { "Sheet1" } else { &name })
        );
        zip.whole("[Content_Types].xml", CONTENT_TYPES.as_bytes())?;
        zip.whole("_rels/.rels", ROOT_RELS.as_bytes())?;
        zip.whole("xl/workbook.xml", workbook.as_bytes())?;
        zip.whole("xl/_rels/workbook.xml.rels", WORKBOOK_RELS.as_bytes())?;
        zip.whole("xl/styles.xml", STYLES.as_bytes())?;
        let offset = zip.begin("xl/worksheets/sheet1.xml")?;
        let start = zip.out.written;
        let mut sheet = SheetStream {
            offset,
            start,
            crc: crc32fast::Hasher::new(),
            size: 0,
            enc: DeflateEncoder::new(Vec::new(), Compression::fast()),
        };
        sheet.put(SHEET_START.as_bytes())?;
        Ok(Xlsx { zip, sheet: Some(sheet), rows: 0, buf: String::new() })
    }
}

impl SheetStream {
    fn put(&mut self, bytes: &[u8]) -> io::Result<()> {
        self.crc.update(bytes);
        self.size += bytes.len() as u64;
        self.enc.write_all(bytes)
    }

    /// Moves what the encoder has produced so far to the archive.
    fn drain(&mut self, out: &mut impl Write) -> io::Result<()> {
        let produced = std::mem::take(self.enc.get_mut());
        out.write_all(&produced)
    }
}

impl<W: Write> SheetWriter for Xlsx<W> {
    fn row(&mut self, cells: &[Cell]) -> io::Result<()> {
        if self.rows >= XLSX_MAX_ROWS {
            return Err(io::Error::other("more rows than a worksheet holds"));
        }
        self.rows += 1;
        let style = if self.rows == 1 { r#" s="1""# } else { "" };
        let buf = &mut self.buf;
        buf.clear();
        buf.push_str(&format!(r#"<row r="{}">"#, self.rows));
        for (i, c) in cells.iter().enumerate() {
            let at = format!("{}{}", column_name(i), self.rows);
            match c {
                Cell::Text(s) => buf.push_str(&format!(
                    r#"<c r="{at}" t="inlineStr"{style}><is><t xml:space="preserve">{}</t></is></c>"#,
                    xml_text(s)
                )),
                Cell::Number(v) if v.is_finite() => {
                    buf.push_str(&format!(r#"<c r="{at}"{style}><v>{}</v></c>"#, number_text(*v)))
                }
                Cell::Number(_) | Cell::Empty => {}
            }
        }
        buf.push_str("</row>");
        let Some(sheet) = self.sheet.as_mut() else { return Err(io::Error::other("finished")) };
        sheet.put(self.buf.as_bytes())?;
        if sheet.enc.get_ref().len() > 64 * 1024 {
            sheet.drain(&mut self.zip.out)?;
        }
        Ok(())
    }

    fn finish(mut self: Box<Self>) -> io::Result<u64> {
        let Some(mut sheet) = self.sheet.take() else { return Err(io::Error::other("finished")) };
        sheet.put(SHEET_END.as_bytes())?;
        let rest = sheet.enc.finish()?;
        self.zip.out.write_all(&rest)?;
        let compressed = self.zip.out.written - sheet.start;
        self.zip.end("xl/worksheets/sheet1.xml", sheet.offset, sheet.crc.finalize(), compressed, sheet.size)?;
        self.zip.central_directory()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Read;

    /// Reads a zip archive the way a spreadsheet program does: from the central directory,
    /// checking each part's checksum. Returns (name, content) pairs.
    fn unzip(bytes: &[u8]) -> Vec<(String, String)> {
        let u16_at = |i: usize| u16::from_le_bytes([bytes[i], bytes[i + 1]]) as usize;
        let u32_at = |i: usize| u32::from_le_bytes(bytes[i..i + 4].try_into().unwrap()) as usize;
        let end = bytes.len() - 22;
        assert_eq!(u32_at(end), 0x0605_4b50);
        let (count, cd_size, mut at) = (u16_at(end + 10), u32_at(end + 12), u32_at(end + 16));
        assert_eq!(at + cd_size, end, "the directory ends where the end record starts");
        let mut out = Vec::new();
        for _ in 0..count {
            assert_eq!(u32_at(at), 0x0201_4b50);
            let (crc, csize, size, name_len) = (u32_at(at + 16), u32_at(at + 20), u32_at(at + 24), u16_at(at + 28));
            let offset = u32_at(at + 42);
            let name = String::from_utf8(bytes[at + 46..at + 46 + name_len].to_vec()).unwrap();
            assert_eq!(u32_at(offset), 0x0403_4b50);
            let data_at = offset + 30 + u16_at(offset + 26) + u16_at(offset + 28);
            let mut text = String::new();
            flate2::read::DeflateDecoder::new(&bytes[data_at..data_at + csize]).read_to_string(&mut text).unwrap();
            assert_eq!(text.len(), size, "{name}");
            assert_eq!(crc32fast::hash(text.as_bytes()) as usize, crc, "{name}");
            out.push((name, text));
            at += 46 + name_len;
        }
        out
    }

    #[test]
    fn an_xlsx_file_is_a_valid_archive_with_typed_cells() {
        let mut bytes = Vec::new();
        let mut w: Box<dyn SheetWriter> = Box::new(Xlsx::new(&mut bytes, "Phiếu / 2026").unwrap());
        w.row(&["Đơn vị".into(), "Chỉ số".into()]).unwrap();
        w.row(&["Phường Hạ Long <&>".into(), Cell::Number(92.5)]).unwrap();
        w.row(&["=1+1".into(), Cell::Empty]).unwrap();
        for i in 0..5_000 {
            w.row(&[format!("dòng {i}").into(), Cell::Number(f64::from(i))]).unwrap();
        }
        let written = w.finish().unwrap();
        assert_eq!(written, bytes.len() as u64);
        let parts = unzip(&bytes);
        let names: Vec<&str> = parts.iter().map(|(n, _)| n.as_str()).collect();
        assert!(names.contains(&"[Content_Types].xml") && names.contains(&"xl/worksheets/sheet1.xml"));
        let sheet = &parts.iter().find(|(n, _)| n == "xl/worksheets/sheet1.xml").unwrap().1;
        assert!(sheet.contains(
            r#"<c r="A2" t="inlineStr"><is><t xml:space="preserve">Phường Hạ Long &lt;&amp;&gt;</t></is></c>"#
        ));
        assert!(sheet.contains(r#"<c r="B2"><v>92.5</v></c>"#));
        assert!(sheet.contains(r#"<t xml:space="preserve">=1+1</t>"#), "a formula-looking text stays text");
        assert_eq!(sheet.matches("<row ").count(), 5_003);
        let workbook = &parts.iter().find(|(n, _)| n == "xl/workbook.xml").unwrap().1;
        assert!(workbook.contains(r#"name="Phiếu  2026""#));
    }

    #[test]
    fn csv_quotes_and_guards_its_fields() {
        let mut bytes = Vec::new();
        let mut w: Box<dyn SheetWriter> = Box::new(Csv::new(&mut bytes).unwrap());
        w.row(&["a,b".into(), "say \"hi\"".into(), "=HYPERLINK(1)".into(), Cell::Number(-3.0), Cell::Number(0.125)])
            .unwrap();
        w.finish().unwrap();
        let text = String::from_utf8(bytes).unwrap();
        assert_eq!(text, "\u{feff}\"a,b\",\"say \"\"hi\"\"\",'=HYPERLINK(1),-3,0.125\r\n");
        assert_eq!(csv_field("-12"), "-12", "a negative number is not a formula");
    }

    #[test]
    fn columns_are_named_like_a_spreadsheet() {
        assert_eq!(column_name(0), "A");
        assert_eq!(column_name(25), "Z");
        assert_eq!(column_name(26), "AA");
        assert_eq!(column_name(701), "ZZ");
        assert_eq!(column_name(702), "AAA");
        assert_eq!(number_text(84.0), "84");
        assert_eq!(number_text(83.94001), "83.94");
    }
}
