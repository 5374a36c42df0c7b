//! A table as the console shows and exports it: headers in the page language
//! and rows of typed cells. The same value renders as an HTML table, a CSV
//! file and an Excel workbook, so the three always hold the same columns and
//! rows.

use chrono::{Datelike, NaiveDate};
use rust_xlsxwriter::{ExcelDateTime, Format, Workbook, XlsxError};

/// One cell.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    /// Nothing (an unpublished score, a missing dimension).
    Empty,
    /// Text, written as typed; never a formula.
    Text(String),
    /// A whole number.
    Integer(i64),
    /// A number shown with a fixed count of decimals.
    Decimal {
        /// The value; a non-finite value is written as an empty cell.
        value: f64,
        /// Decimals shown.
        places: u8,
    },
    /// A calendar day.
    Date(NaiveDate),
}

impl Cell {
    /// A text cell.
    pub fn text(text: impl Into<String>) -> Self {
        Cell::Text(text.into())
    }

    /// A decimal cell, or an empty one for `None`.
    pub fn decimal(value: Option<f64>, places: u8) -> Self {
        match value {
            Some(value) if value.is_finite() => Cell::Decimal { value, places },
            _ => Cell::Empty,
        }
    }

    /// An integer cell, or an empty one for `None`.
    pub fn integer(value: Option<i64>) -> Self {
        value.map_or(Cell::Empty, Cell::Integer)
    }

    /// The cell as people read it: what the HTML page and the CSV file show.
    pub fn display(&self) -> String {
        match self {
            Cell::Empty => String::new(),
            Cell::Text(text) => text.clone(),
            Cell::Integer(n) => n.to_string(),
            Cell::Decimal { value, places } if value.is_finite() => {
                format!("{value:.prec$}", prec = usize::from(*places))
            }
            Cell::Decimal { .. } => String::new(),
            Cell::Date(day) => day.format("%Y-%m-%d").to_string(),
        }
    }

    /// Whether the cell holds a number (right-aligned on the page).
    pub fn is_numeric(&self) -> bool {
        matches!(self, Cell::Integer(_) | Cell::Decimal { .. })
    }
}

/// A table: a title (the sheet name), column headers and rows.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Table {
    /// What the table is, in the page language; names the worksheet.
    pub title: String,
    /// Column headers, in the page language.
    pub headers: Vec<String>,
    /// Rows; each has one cell per header.
    pub rows: Vec<Vec<Cell>>,
}

/// The UTF-8 byte order mark: without it Excel reads a CSV file in the
/// system's legacy code page and garbles Chinese.
const UTF8_BOM: &str = "\u{feff}";

/// Characters that make a spreadsheet treat a cell as a formula (or, for tab
/// and carriage return, can smuggle one in); OWASP's CSV injection guidance.
const FORMULA_TRIGGERS: [char; 6] = ['=', '+', '-', '@', '\t', '\r'];

/// Excel's limits: a sheet name has at most 31 characters and none of these.
const SHEET_NAME_MAX_CHARS: usize = 31;
const SHEET_NAME_FORBIDDEN: [char; 7] = ['[', ']', ':', '*', '?', '/', '\\'];

/// Column widths in Excel's character units.
const COLUMN_WIDTH_MIN: usize = 6;
const COLUMN_WIDTH_MAX: usize = 60;

/// A text field made safe for a spreadsheet: one starting like a formula gets
/// a leading apostrophe, so it is shown as text rather than evaluated.
fn defuse_formula(text: &str) -> String {
    if text.starts_with(FORMULA_TRIGGERS) {
        format!("'{text}")
    } else {
        text.to_owned()
    }
}

/// One CSV field, quoted as RFC 4180 requires.
fn csv_field(text: &str) -> String {
    if text.contains(['"', ',', '\r', '\n']) {
        format!("\"{}\"", text.replace('"', "\"\""))
    } else {
        text.to_owned()
    }
}

fn csv_line(out: &mut String, fields: impl Iterator<Item = String>) {
    let fields: Vec<String> = fields.map(|f| csv_field(&f)).collect();
    out.push_str(&fields.join(","));
    out.push_str("\r\n");
}

impl Table {
    /// The table as a CSV file: UTF-8 with a byte order mark, CRLF line
    /// ends, RFC 4180 quoting, and text that could run as a formula defused;
    /// the lines of `preamble` (a caption: what the table is, whose data, as
    /// of when) come first, one field each, above the header row.
    pub fn to_csv(&self, preamble: &[&str]) -> Vec<u8> {
        let mut out = String::from(UTF8_BOM);
        for line in preamble {
            csv_line(&mut out, std::iter::once(defuse_formula(line)));
        }
        csv_line(&mut out, self.headers.iter().map(|h| defuse_formula(h)));
        for row in &self.rows {
            csv_line(
                &mut out,
                row.iter().map(|cell| match cell {
                    Cell::Text(text) => defuse_formula(text),
                    // Numbers and dates are written by us: a minus sign there is a sign.
                    other => other.display(),
                }),
            );
        }
        out.into_bytes()
    }

    /// The table as an Excel workbook of one sheet: the lines of `preamble`
    /// in the first rows; the header row bold and frozen with a filter,
    /// numbers and dates as real numbers and dates, and each column as wide
    /// as its content.
    pub fn to_xlsx(&self, preamble: &[&str]) -> Result<Vec<u8>, XlsxError> {
        let mut workbook = Workbook::new();
        let sheet = workbook.add_worksheet();
        sheet.set_name(sheet_name(&self.title))?;
        // The preamble takes the first rows; the header row follows.
        for (row, line) in preamble.iter().enumerate() {
            let row = u32::try_from(row).map_err(|_| XlsxError::RowColumnLimitError)?;
            sheet.write_string(row, 0, *line)?;
        }
        let top = u32::try_from(preamble.len()).map_err(|_| XlsxError::RowColumnLimitError)?;
        let bold = Format::new().set_bold();
        let date = Format::new().set_num_format("yyyy-mm-dd");
        let decimals: Vec<Format> = (0..=6u8)
            .map(|places| {
                let pattern = if places == 0 {
                    "0".to_owned()
                } else {
                    format!("0.{}", "0".repeat(usize::from(places)))
                };
                Format::new().set_num_format(pattern)
            })
            .collect();
        for (col, header) in self.headers.iter().enumerate() {
            sheet.write_string_with_format(top, column(col)?, header, &bold)?;
        }
        for (i, row) in self.rows.iter().enumerate() {
            let r = u32::try_from(i + 1)
                .ok()
                .and_then(|r| r.checked_add(top))
                .ok_or(XlsxError::RowColumnLimitError)?;
            for (col, cell) in row.iter().enumerate() {
                let c = column(col)?;
                match cell {
                    Cell::Empty => {}
                    // Written as a string cell, which Excel never evaluates.
                    Cell::Text(text) => {
                        sheet.write_string(r, c, text)?;
                    }
                    // Scores and counts are far below 2^53, so f64 holds them exactly.
                    Cell::Integer(n) => {
                        sheet.write_number(r, c, *n as f64)?;
                    }
                    Cell::Decimal { value, places } if value.is_finite() => {
                        let format = &decimals[usize::from(*places).min(decimals.len() - 1)];
                        sheet.write_number_with_format(r, c, *value, format)?;
                    }
                    Cell::Decimal { .. } => {}
                    Cell::Date(day) => {
                        let excel = excel_date(*day)?;
                        sheet.write_datetime_with_format(r, c, &excel, &date)?;
                    }
                }
            }
        }
        if !self.headers.is_empty() {
            let last_col = column(self.headers.len() - 1)?;
            let last_row = u32::try_from(self.rows.len())
                .unwrap_or(u32::MAX)
                .saturating_add(top);
            sheet.set_freeze_panes(top + 1, 0)?;
            sheet.autofilter(top, 0, last_row, last_col)?;
        }
        for (col, width) in self.column_widths().into_iter().enumerate() {
            sheet.set_column_width(column(col)?, width as f64)?;
        }
        workbook.save_to_buffer()
    }

    /// Each column's width: its widest header or cell, within bounds.
    fn column_widths(&self) -> Vec<usize> {
        self.headers
            .iter()
            .enumerate()
            .map(|(col, header)| {
                let widest = self
                    .rows
                    .iter()
                    .filter_map(|row| row.get(col))
                    .map(|cell| display_width(&cell.display()))
                    .chain(std::iter::once(display_width(header)))
                    .max()
                    .unwrap_or(0);
                (widest + 2).clamp(COLUMN_WIDTH_MIN, COLUMN_WIDTH_MAX)
            })
            .collect()
    }
}

fn column(index: usize) -> Result<u16, XlsxError> {
    u16::try_from(index).map_err(|_| XlsxError::RowColumnLimitError)
}

fn excel_date(day: NaiveDate) -> Result<ExcelDateTime, XlsxError> {
    let year =
        u16::try_from(day.year()).map_err(|_| XlsxError::DateTimeRangeError(day.to_string()))?;
    // Month and day of a valid date always fit in a u8.
    ExcelDateTime::from_ymd(year, day.month() as u8, day.day() as u8)
}

/// Width in Excel's character units: East Asian characters take two.
fn display_width(text: &str) -> usize {
    text.chars()
        .map(|c| if c.len_utf8() >= 3 { 2 } else { 1 })
        .sum()
}

/// A worksheet name Excel accepts, made from a title.
fn sheet_name(title: &str) -> String {
    let cleaned: String = title
        .chars()
        .filter(|c| !SHEET_NAME_FORBIDDEN.contains(c) && !c.is_control())
        .take(SHEET_NAME_MAX_CHARS)
        .collect();
    let trimmed = cleaned.trim().trim_matches('\'');
    if trimmed.is_empty() {
        "Sheet1".to_owned()
    } else {
        trimmed.to_owned()
    }
}

#[cfg(test)]
mod tests {
    use std::io::Cursor;

    use calamine::{Data, Reader, Xlsx, open_workbook_from_rs};

    use super::*;

    fn day(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    fn sample() -> Table {
        Table {
            title: "排名: 巴州/酒店 [2026]".into(),
            headers: vec![
                "场所".into(),
                "评分".into(),
                "评价数".into(),
                "日期".into(),
                "备注".into(),
            ],
            rows: vec![
                vec![
                    Cell::text("孔雀河酒店"),
                    Cell::decimal(Some(88.25), 1),
                    Cell::Integer(12),
                    Cell::Date(day(2026, 3, 1)),
                    Cell::text("说 \"好\", 很好\n第二行"),
                ],
                vec![
                    Cell::text("=HYPERLINK(\"http://x\")"),
                    Cell::decimal(None, 1),
                    Cell::Integer(-3),
                    Cell::Empty,
                    Cell::text("@SUM(A1)"),
                ],
                vec![
                    Cell::text("-1+2"),
                    Cell::decimal(Some(0.3756), 3),
                    Cell::Integer(0),
                    Cell::Date(day(2025, 12, 31)),
                    Cell::text("+cmd"),
                ],
            ],
        }
    }

    #[test]
    fn csv_has_a_bom_crlf_quoting_and_defused_formulas() {
        let bytes = sample().to_csv(&[]);
        let text = String::from_utf8(bytes).unwrap();
        assert!(text.starts_with('\u{feff}'));
        let body = text.trim_start_matches('\u{feff}');
        assert_eq!(
            body,
            "场所,评分,评价数,日期,备注\r\n\
             孔雀河酒店,88.2,12,2026-03-01,\"说 \"\"好\"\", 很好\n第二行\"\r\n\
             \"'=HYPERLINK(\"\"http://x\"\")\",,-3,,'@SUM(A1)\r\n\
             '-1+2,0.376,0,2025-12-31,'+cmd\r\n"
        );
    }

    #[test]
    fn formula_guard_covers_every_trigger() {
        for trigger in FORMULA_TRIGGERS {
            let text = format!("{trigger}1");
            assert!(defuse_formula(&text).starts_with('\''), "{trigger:?}");
        }
        assert_eq!(defuse_formula("酒店 = 好"), "酒店 = 好");
        assert_eq!(defuse_formula(""), "");
    }

    #[test]
    fn xlsx_reads_back_with_typed_cells() {
        let table = sample();
        let bytes = table.to_xlsx(&[]).unwrap();
        let mut workbook: Xlsx<_> = open_workbook_from_rs(Cursor::new(bytes)).unwrap();
        assert_eq!(
            workbook.sheet_names(),
            vec!["排名 巴州酒店 2026".to_owned()]
        );
        let range = workbook.worksheet_range_at(0).unwrap().unwrap();
        let rows: Vec<&[Data]> = range.rows().collect();
        assert_eq!(rows.len(), 4);
        let header: Vec<String> = rows[0].iter().map(|c| c.to_string()).collect();
        assert_eq!(header, table.headers);
        assert_eq!(rows[1][0], Data::String("孔雀河酒店".into()));
        // The number keeps its full value; the format shows one decimal.
        assert_eq!(rows[1][1], Data::Float(88.25));
        assert_eq!(rows[1][2], Data::Float(12.0));
        match &rows[1][3] {
            Data::DateTime(dt) => {
                // Excel's serial day of 2026-03-01.
                assert_eq!(dt.as_f64(), 46082.0);
                assert!(dt.is_datetime());
            }
            other => panic!("expected a date, got {other:?}"),
        }
        assert_eq!(rows[1][4], Data::String("说 \"好\", 很好\n第二行".into()));
        // A string cell is never a formula, so it is kept exactly as typed.
        assert_eq!(rows[2][0], Data::String("=HYPERLINK(\"http://x\")".into()));
        assert_eq!(rows[2][1], Data::Empty);
        assert_eq!(rows[2][2], Data::Float(-3.0));
        assert_eq!(rows[3][1], Data::Float(0.3756));
        let formulas = workbook.worksheet_formula("排名 巴州酒店 2026").unwrap();
        assert!(
            formulas.used_cells().all(|(_, _, f)| f.is_empty()),
            "no formulas"
        );
    }

    #[test]
    fn a_preamble_takes_the_first_rows_above_the_header() {
        let table = sample();
        let preamble = ["统计报表：巴州", "=地区", "2026-01-01 至 2026-06-30"];
        let text = String::from_utf8(table.to_csv(&preamble)).unwrap();
        let lines: Vec<&str> = text.trim_start_matches('\u{feff}').split("\r\n").collect();
        assert_eq!(
            lines[..4],
            [
                "统计报表：巴州",
                "'=地区",
                "2026-01-01 至 2026-06-30",
                "场所,评分,评价数,日期,备注"
            ]
        );
        let bytes = table.to_xlsx(&preamble).unwrap();
        let mut workbook: Xlsx<_> = open_workbook_from_rs(Cursor::new(bytes)).unwrap();
        let range = workbook.worksheet_range_at(0).unwrap().unwrap();
        let rows: Vec<&[Data]> = range.rows().collect();
        assert_eq!(rows.len(), 3 + 1 + table.rows.len());
        assert_eq!(rows[0][0], Data::String("统计报表：巴州".into()));
        assert_eq!(rows[1][0], Data::String("=地区".into()));
        let header: Vec<String> = rows[3].iter().map(|c| c.to_string()).collect();
        assert_eq!(header, table.headers);
        assert_eq!(rows[4][2], Data::Float(12.0));
    }

    #[test]
    fn display_matches_the_csv_and_the_page() {
        assert_eq!(Cell::decimal(Some(71.66), 1).display(), "71.7");
        assert_eq!(Cell::decimal(Some(f64::NAN), 1), Cell::Empty);
        assert_eq!(Cell::integer(None).display(), "");
        assert_eq!(Cell::Date(day(2026, 1, 5)).display(), "2026-01-05");
        assert!(Cell::Integer(1).is_numeric() && !Cell::text("1").is_numeric());
    }

    #[test]
    fn widths_and_sheet_names_stay_within_excel_limits() {
        let table = sample();
        let widths = table.column_widths();
        assert_eq!(widths.len(), 5);
        assert_eq!(widths[0], 22 + 2, "the longest cell");
        assert_eq!(widths[2], 2 * 3 + 2, "a header of three CJK characters");
        assert!(
            widths
                .iter()
                .all(|w| (COLUMN_WIDTH_MIN..=COLUMN_WIDTH_MAX).contains(w))
        );
        assert_eq!(sheet_name("a/b\\c?d*e[f]g:h"), "abcdefgh");
        assert_eq!(sheet_name("  "), "Sheet1");
        assert_eq!(sheet_name(&"长".repeat(40)).chars().count(), 31);
        let empty = Table::default();
        assert!(empty.to_xlsx(&[]).is_ok());
        assert_eq!(empty.to_csv(&[]), "\u{feff}\r\n".as_bytes());
    }
}
