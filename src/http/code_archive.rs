//! The QR codes of many venues as one zip archive: per venue a PNG and an
//! SVG named by [`code_file_stem`] (`00042-孔雀河酒店.png`), and
//! `venues.csv`, an index of which venue, code and address each file
//! holds. It is CPU work from start to end, so callers run it on the
//! blocking pool, never on an async worker.

use std::io::{Cursor, Write};

use chrono::{DateTime, Datelike, Timelike, Utc};
use zip::write::SimpleFileOptions;
use zip::{CompressionMethod, ZipWriter};

use crate::domain::code_files::code_file_stem;
use crate::domain::day::china_offset;
use crate::domain::ids::VenueId;
use crate::domain::table::{Cell, Table};
use crate::http::api::qr::{render_png, render_svg};

/// Width of each PNG in pixels: sharp at 12 cm on an A4 poster at 200 dpi.
pub const CODE_FILE_PNG_PIXELS: u32 = 1024;
/// Quiet zone around each code, in modules (what scanners expect).
pub const CODE_FILE_MARGIN: u32 = 4;
/// The index's name inside the archive.
pub const INDEX_FILE: &str = "venues.csv";

/// One venue's code, as its files hold it.
#[derive(Debug, Clone)]
pub struct CodeFile {
    /// Venue id.
    pub id: VenueId,
    /// Display name.
    pub name: String,
    /// The live code.
    pub code: String,
    /// The address the QR code encodes.
    pub rating_url: String,
}

/// Why an archive could not be made.
#[derive(Debug, thiserror::Error)]
pub enum ArchiveError {
    /// A QR code could not be drawn (an address too long for a code).
    #[error("a QR code could not be drawn")]
    Drawing,
    /// The zip writer failed.
    #[error("the archive could not be written")]
    Zip(#[from] zip::result::ZipError),
    /// Writing into the in-memory archive failed.
    #[error("the archive could not be written")]
    Io(#[from] std::io::Error),
}

/// The zip archive of `venues`' codes; every entry is dated `made_at` in
/// Beijing time (zip dates carry no zone).
pub fn code_archive(venues: &[CodeFile], made_at: DateTime<Utc>) -> Result<Vec<u8>, ArchiveError> {
    let local = made_at.with_timezone(&china_offset());
    let stamp = u16::try_from(local.year())
        .ok()
        .and_then(|year| {
            // Every field but the year is in range by construction; the
            // year fits the format from 1980 to 2107.
            zip::DateTime::from_date_and_time(
                year,
                local.month() as u8,
                local.day() as u8,
                local.hour() as u8,
                local.minute() as u8,
                local.second() as u8,
            )
            .ok()
        })
        .unwrap_or_default();
    // A PNG is compressed already; deflating it again only costs time.
    let stored = SimpleFileOptions::default()
        .compression_method(CompressionMethod::Stored)
        .last_modified_time(stamp);
    let deflated = SimpleFileOptions::default()
        .compression_method(CompressionMethod::Deflated)
        .last_modified_time(stamp);
    let mut zip = ZipWriter::new(Cursor::new(Vec::new()));
    let mut index = Table {
        title: INDEX_FILE.to_owned(),
        headers: ["id", "name", "code", "rating_url", "png", "svg"]
            .map(str::to_owned)
            .to_vec(),
        rows: Vec::with_capacity(venues.len()),
    };
    for venue in venues {
        let stem = code_file_stem(venue.id, &venue.name);
        let png = render_png(&venue.rating_url, CODE_FILE_PNG_PIXELS, CODE_FILE_MARGIN)
            .map_err(|_| ArchiveError::Drawing)?;
        let svg = render_svg(&venue.rating_url, CODE_FILE_PNG_PIXELS, CODE_FILE_MARGIN)
            .map_err(|_| ArchiveError::Drawing)?;
        let (png_name, svg_name) = (format!("{stem}.png"), format!("{stem}.svg"));
        zip.start_file(&png_name, stored)?;
        zip.write_all(&png)?;
        zip.start_file(&svg_name, deflated)?;
        zip.write_all(svg.as_bytes())?;
        index.rows.push(vec![
            Cell::Integer(venue.id.get()),
            Cell::text(&venue.name),
            Cell::text(&venue.code),
            Cell::text(&venue.rating_url),
            Cell::Text(png_name),
            Cell::Text(svg_name),
        ]);
    }
    zip.start_file(INDEX_FILE, deflated)?;
    zip.write_all(&index.to_csv(&[]))?;
    Ok(zip.finish()?.into_inner())
}

#[cfg(test)]
mod tests {
    use std::io::Read;

    use chrono::TimeZone;

    use super::*;

    fn venue(id: i64, name: &str) -> CodeFile {
        CodeFile {
            id: VenueId::new(id),
            name: name.to_owned(),
            code: format!("code{id}"),
            rating_url: format!("https://q.example.org/r/code{id}"),
        }
    }

    #[test]
    fn an_archive_holds_two_images_per_venue_and_an_index() {
        let made_at = Utc.with_ymd_and_hms(2026, 3, 1, 16, 30, 0).unwrap();
        let bytes = code_archive(&[venue(7, "孔雀河/酒店"), venue(12, "=SUM(A1)")], made_at)
            .expect("an archive");
        let mut archive = zip::ZipArchive::new(Cursor::new(bytes)).expect("a zip");
        let names: Vec<String> = archive
            .file_names()
            .map(|name| name.unwrap().into_owned())
            .collect();
        assert_eq!(
            names,
            [
                "00007-孔雀河-酒店.png",
                "00007-孔雀河-酒店.svg",
                "00012-=SUM(A1).png",
                "00012-=SUM(A1).svg",
                "venues.csv"
            ]
        );
        let png = archive.by_name("00007-孔雀河-酒店.png").unwrap();
        assert_eq!(png.compression(), CompressionMethod::Stored);
        // 00:30 the next day in Beijing.
        let stamp = png.last_modified().unwrap();
        assert_eq!((stamp.year(), stamp.month(), stamp.day()), (2026, 3, 2));
        assert_eq!((stamp.hour(), stamp.minute()), (0, 30));
        drop(png);
        let mut index = String::new();
        archive
            .by_name("venues.csv")
            .unwrap()
            .read_to_string(&mut index)
            .unwrap();
        let lines: Vec<&str> = index.trim_start_matches('\u{feff}').lines().collect();
        assert_eq!(lines[0], "id,name,code,rating_url,png,svg");
        assert_eq!(
            lines[1],
            "7,孔雀河/酒店,code7,https://q.example.org/r/code7,00007-孔雀河-酒店.png,00007-孔雀河-酒店.svg"
        );
        assert!(lines[2].starts_with("12,'=SUM(A1),code12,"), "{}", lines[2]);
    }
}
