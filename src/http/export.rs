//! Console tables as downloads: the [`Table`] a page shows, as a CSV file or
//! an Excel workbook, never cached and always saved rather than shown.

use actix_web::HttpResponse;
use actix_web::http::header;

use crate::domain::table::Table;

/// A download format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExportFormat {
    /// UTF-8 CSV with a byte order mark.
    Csv,
    /// Excel 2007+ workbook.
    Xlsx,
}

impl ExportFormat {
    /// Reads a file extension (`csv`, `xlsx`).
    pub fn parse(extension: &str) -> Option<Self> {
        match extension {
            "csv" => Some(Self::Csv),
            "xlsx" => Some(Self::Xlsx),
            _ => None,
        }
    }

    /// The file extension.
    pub fn extension(self) -> &'static str {
        match self {
            Self::Csv => "csv",
            Self::Xlsx => "xlsx",
        }
    }

    fn content_type(self) -> &'static str {
        match self {
            Self::Csv => "text/csv; charset=utf-8",
            Self::Xlsx => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        }
    }
}

/// A file name safe in any header and on any file system: ASCII letters,
/// digits, `-` and `_` only.
pub fn file_stem(raw: &str) -> String {
    let stem: String = raw
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                c
            } else {
                '-'
            }
        })
        .take(100)
        .collect();
    if stem.is_empty() {
        "export".to_owned()
    } else {
        stem
    }
}

/// A table as a download named `{stem}.{extension}`, under the lines of
/// `preamble`: a caption (what it is, its scope and when its data is from),
/// or a report's header rows.
pub fn export_response(
    table: &Table,
    format: ExportFormat,
    stem: &str,
    preamble: &[&str],
) -> Result<HttpResponse, rust_xlsxwriter::XlsxError> {
    let body = match format {
        ExportFormat::Csv => table.to_csv(preamble),
        ExportFormat::Xlsx => table.to_xlsx(preamble)?,
    };
    let name = format!("{}.{}", file_stem(stem), format.extension());
    Ok(HttpResponse::Ok()
        .content_type(format.content_type())
        .insert_header((
            header::CONTENT_DISPOSITION,
            format!("attachment; filename=\"{name}\""),
        ))
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .insert_header(("X-Content-Type-Options", "nosniff"))
        .body(body))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::table::Cell;

    #[test]
    fn formats_and_names() {
        assert_eq!(ExportFormat::parse("csv"), Some(ExportFormat::Csv));
        assert_eq!(ExportFormat::parse("xlsx"), Some(ExportFormat::Xlsx));
        assert_eq!(ExportFormat::parse("xls"), None);
        assert_eq!(
            file_stem("rankings-652800 酒店\"\r\n"),
            "rankings-652800------"
        );
        assert_eq!(file_stem(""), "export");
    }

    #[test]
    fn a_download_is_an_attachment() {
        let table = Table {
            title: "t".into(),
            headers: vec!["a".into()],
            rows: vec![vec![Cell::Integer(1)]],
        };
        let response =
            export_response(&table, ExportFormat::Csv, "rankings-652800", &["t"]).unwrap();
        let header_of = |r: &HttpResponse, name| {
            r.headers()
                .get(name)
                .and_then(|v| v.to_str().ok())
                .unwrap_or_default()
                .to_owned()
        };
        assert_eq!(
            header_of(&response, header::CONTENT_TYPE),
            "text/csv; charset=utf-8"
        );
        assert_eq!(
            header_of(&response, header::CONTENT_DISPOSITION),
            "attachment; filename=\"rankings-652800.csv\""
        );
        assert_eq!(header_of(&response, header::CACHE_CONTROL), "no-store");
        let response = export_response(&table, ExportFormat::Xlsx, "x", &["t"]).unwrap();
        assert!(header_of(&response, header::CONTENT_TYPE).contains("spreadsheetml"));
    }
}
