//! Venues brought in by the hundred from a spreadsheet: the columns a file
//! has (the template's English keys, or the words of the prefecture's unit
//! form, 巴州 2023 附件2/附件4), and each row read into a venue or into
//! every one of its faults, named by row and column.

use chrono::NaiveDate;

use super::venue::{CategoryKey, RegionCode, VenueName, parse_address};
use super::venue_particulars::{
    ContactPhone, CreditCode, FoundingDate, ParticularsError, PersonInCharge, StaffCount, UnitType,
    VenueParticulars, optional,
};

/// The template's columns, in its order.
pub const COLUMNS: [&str; 10] = [
    "name",
    "region_code",
    "category",
    "address",
    "unit_type",
    "person_in_charge",
    "phone",
    "staff_count",
    "founded_on",
    "credit_code",
];

/// Columns a file must have; the others may be left out.
pub const REQUIRED_COLUMNS: [&str; 3] = ["name", "region_code", "category"];

/// The most venues one file may hold.
pub const MAX_ROWS: usize = 10_000;

/// The prefecture forms' words for the columns, read as the template's keys.
const COLUMN_ALIASES: [(&str, &str); 11] = [
    ("单位名称", "name"),
    ("地区代码", "region_code"),
    ("业态", "category"),
    ("地址", "address"),
    ("单位地址", "address"),
    ("单位性质", "unit_type"),
    ("负责人", "person_in_charge"),
    ("联系电话", "phone"),
    ("员工人数", "staff_count"),
    ("设立时间", "founded_on"),
    ("统一社会信用代码", "credit_code"),
];

/// Why a file's header row was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum HeaderError {
    /// A column every file needs is missing.
    #[error("the header row lacks the column {0}")]
    Missing(&'static str),
    /// A column appears twice.
    #[error("the header row names the column {0} twice")]
    Twice(&'static str),
}

/// Where each template column is in a file: its position, if the file has it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Header {
    positions: [Option<usize>; COLUMNS.len()],
}

impl Header {
    /// Reads a header row: template keys or the forms' words, in any
    /// order, case and surrounding space ignored (and a byte-order mark);
    /// columns it does not know are left alone.
    pub fn parse(cells: &[String]) -> Result<Self, HeaderError> {
        let mut positions = [None; COLUMNS.len()];
        for (at, cell) in cells.iter().enumerate() {
            let name = cell.trim_start_matches('\u{feff}').trim().to_lowercase();
            let key = COLUMN_ALIASES
                .iter()
                .find(|(alias, _)| *alias == name)
                .map_or(name.as_str(), |(_, key)| key);
            if let Some(column) = COLUMNS.iter().position(|c| *c == key) {
                if positions[column].is_some() {
                    return Err(HeaderError::Twice(COLUMNS[column]));
                }
                positions[column] = Some(at);
            }
        }
        for required in REQUIRED_COLUMNS {
            if let Some(column) = COLUMNS.iter().position(|c| *c == required)
                && positions[column].is_none()
            {
                return Err(HeaderError::Missing(required));
            }
        }
        Ok(Self { positions })
    }

    /// A row's cell for a column; `None` where the file has no such column
    /// or the row stops short.
    fn cell<'a>(&self, cells: &'a [String], column: &str) -> Option<&'a str> {
        let index = COLUMNS.iter().position(|c| *c == column)?;
        let at = self.positions[index]?;
        cells.get(at).map(String::as_str)
    }
}

/// What the reference data and the importer's scope say about a row.
pub trait ImportRules {
    /// Whether the region code is in the reference tree.
    fn region_known(&self, code: &str) -> bool;
    /// Whether the importer may register venues in the region.
    fn region_in_scope(&self, code: &str) -> bool;
    /// Whether the category key is in the reference list.
    fn category_known(&self, key: &str) -> bool;
    /// Today, in the service's time zone (founding dates are not after it).
    fn today(&self) -> NaiveDate;
}

/// What is wrong with one cell.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum CellProblem {
    /// A column every venue needs is blank.
    #[error("this column must be filled in")]
    Required,
    /// The name is too long or holds a control character.
    #[error("a name is 1 to 200 characters on one line")]
    BadName,
    /// The region code is not six digits.
    #[error("a region code is six digits, such as 652801")]
    BadRegionCode,
    /// The region code is not a known region.
    #[error("there is no region with this code")]
    UnknownRegion,
    /// The region lies outside the importer's area.
    #[error("this region is outside your area")]
    OutsideScope,
    /// The category is not a known key.
    #[error("there is no such category")]
    UnknownCategory,
    /// The address is too long or holds a control character.
    #[error("an address is at most 500 characters, without control characters")]
    BadAddress,
    /// A particular is refused.
    #[error("{0}")]
    Particular(ParticularsError),
}

/// One fault of a file: its row as a spreadsheet numbers it (the header
/// is row 1), its column and what is wrong.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RowError {
    /// The row, counting the header as row 1.
    pub row: usize,
    /// The template's name of the column.
    pub column: &'static str,
    /// What is wrong.
    pub problem: CellProblem,
}

/// A row read into a venue to register.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportedVenue {
    /// Display name.
    pub name: VenueName,
    /// Region, known and within the importer's scope.
    pub region_code: RegionCode,
    /// Category, known.
    pub category: CategoryKey,
    /// Address, if any.
    pub address: Option<String>,
    /// The particulars the row gives.
    pub particulars: VenueParticulars,
}

/// Whether a row has nothing in it (such rows are skipped, as a
/// spreadsheet's trailing blank rows are).
pub fn is_blank(cells: &[String]) -> bool {
    cells.iter().all(|c| c.trim().is_empty())
}

/// Reads one data row (`row` numbered as the spreadsheet does) into a
/// venue, or into every fault it has.
pub fn parse_row(
    header: &Header,
    cells: &[String],
    row: usize,
    rules: &dyn ImportRules,
) -> Result<ImportedVenue, Vec<RowError>> {
    let mut errors = Vec::new();
    let mut fault = |column: &'static str, problem: CellProblem| {
        errors.push(RowError {
            row,
            column,
            problem,
        });
    };
    let cell = |column: &str| {
        header
            .cell(cells, column)
            .map(str::trim)
            .filter(|c| !c.is_empty())
    };

    let name = match cell("name") {
        None => {
            fault("name", CellProblem::Required);
            None
        }
        Some(raw) => VenueName::parse(raw)
            .map_err(|_| fault("name", CellProblem::BadName))
            .ok(),
    };
    let region_code = match cell("region_code") {
        None => {
            fault("region_code", CellProblem::Required);
            None
        }
        Some(raw) => match RegionCode::parse(raw) {
            Err(_) => {
                fault("region_code", CellProblem::BadRegionCode);
                None
            }
            Ok(code) if !rules.region_known(code.as_str()) => {
                fault("region_code", CellProblem::UnknownRegion);
                None
            }
            Ok(code) if !rules.region_in_scope(code.as_str()) => {
                fault("region_code", CellProblem::OutsideScope);
                None
            }
            Ok(code) => Some(code),
        },
    };
    let category = match cell("category") {
        None => {
            fault("category", CellProblem::Required);
            None
        }
        Some(raw) => CategoryKey::parse(raw)
            .ok()
            .filter(|key| rules.category_known(key.as_str()))
            .or_else(|| {
                fault("category", CellProblem::UnknownCategory);
                None
            }),
    };
    let address = parse_address(cell("address"))
        .map_err(|_| fault("address", CellProblem::BadAddress))
        .ok()
        .flatten();
    let today = rules.today();
    let mut particular = |column: &'static str, result: Result<(), ParticularsError>| {
        if let Err(err) = result {
            fault(column, CellProblem::Particular(err));
        }
    };
    let mut particulars = VenueParticulars::default();
    particular(
        "unit_type",
        optional(cell("unit_type"), UnitType::parse).map(|v| particulars.unit_type = v),
    );
    particular(
        "person_in_charge",
        optional(cell("person_in_charge"), PersonInCharge::parse)
            .map(|v| particulars.person_in_charge = v),
    );
    particular(
        "phone",
        optional(cell("phone"), ContactPhone::parse).map(|v| particulars.contact_phone = v),
    );
    particular(
        "staff_count",
        optional(cell("staff_count"), StaffCount::parse).map(|v| particulars.staff_count = v),
    );
    particular(
        "founded_on",
        optional(cell("founded_on"), |raw| FoundingDate::parse(raw, today))
            .map(|v| particulars.founded_on = v),
    );
    particular(
        "credit_code",
        optional(cell("credit_code"), CreditCode::parse).map(|v| particulars.credit_code = v),
    );

    match (name, region_code, category) {
        (Some(name), Some(region_code), Some(category)) if errors.is_empty() => Ok(ImportedVenue {
            name,
            region_code,
            category,
            address,
            particulars,
        }),
        _ => Err(errors),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Rules;

    impl ImportRules for Rules {
        fn region_known(&self, code: &str) -> bool {
            code.starts_with("65")
        }
        fn region_in_scope(&self, code: &str) -> bool {
            code.starts_with("6528")
        }
        fn category_known(&self, key: &str) -> bool {
            key == "hotel"
        }
        fn today(&self) -> NaiveDate {
            NaiveDate::from_ymd_opt(2026, 12, 7).unwrap()
        }
    }

    fn strings(cells: &[&str]) -> Vec<String> {
        cells.iter().map(|c| (*c).to_owned()).collect()
    }

    fn template_header() -> Header {
        Header::parse(&strings(&COLUMNS)).unwrap()
    }

    #[test]
    fn headers_take_keys_or_the_forms_words_in_any_order() {
        let header = Header::parse(&strings(&[
            "\u{feff}Region_Code ",
            "单位名称",
            "业态",
            "note",
        ]))
        .unwrap();
        let row = strings(&["652801", "孔雀河酒店", "hotel", "ignored"]);
        let venue = parse_row(&header, &row, 2, &Rules).unwrap();
        assert_eq!(venue.name.as_str(), "孔雀河酒店");
        assert_eq!(venue.particulars, VenueParticulars::default());
        assert_eq!(
            Header::parse(&strings(&["name", "category"])),
            Err(HeaderError::Missing("region_code"))
        );
        assert_eq!(
            Header::parse(&strings(&["name", "单位名称", "region_code", "category"])),
            Err(HeaderError::Twice("name"))
        );
    }

    #[test]
    fn a_full_row_is_read() {
        let row = strings(&[
            "孔雀河酒店",
            "652801",
            "hotel",
            "人民东路 1 号",
            "私企",
            "阿依古丽",
            "0996-2022222",
            "12",
            "2003-05-01",
            "91652801MA77X12344",
        ]);
        let venue = parse_row(&template_header(), &row, 2, &Rules).unwrap();
        assert_eq!(venue.address.as_deref(), Some("人民东路 1 号"));
        assert_eq!(venue.particulars.unit_type, Some(UnitType::Private));
        assert_eq!(venue.particulars.staff_count.map(StaffCount::get), Some(12));
        assert_eq!(
            venue
                .particulars
                .credit_code
                .as_ref()
                .map(CreditCode::as_str),
            Some("91652801MA77X12344")
        );
    }

    #[test]
    fn every_fault_of_a_row_is_named_by_its_column() {
        let row = strings(&[
            "",
            "110101",
            "spa",
            "",
            "company",
            "",
            "call me",
            "-3",
            "2003-02-30",
            "91652801MA77X12345",
        ]);
        let errors = parse_row(&template_header(), &row, 7, &Rules).unwrap_err();
        let found: Vec<(usize, &str, CellProblem)> = errors
            .iter()
            .map(|e| (e.row, e.column, e.problem))
            .collect();
        use CellProblem::*;
        use ParticularsError as P;
        assert_eq!(
            found,
            vec![
                (7, "name", Required),
                (7, "region_code", UnknownRegion),
                (7, "category", UnknownCategory),
                (7, "unit_type", Particular(P::BadUnitType)),
                (7, "phone", Particular(P::BadPhone)),
                (7, "staff_count", Particular(P::BadStaffCount)),
                (7, "founded_on", Particular(P::BadDate)),
                (7, "credit_code", Particular(P::CreditCodeChecksum)),
            ]
        );
    }

    #[test]
    fn a_known_region_outside_the_importers_area_is_refused() {
        let row = strings(&["昌吉酒店", "652301", "hotel"]);
        let header = Header::parse(&strings(&["name", "region_code", "category"])).unwrap();
        assert_eq!(
            parse_row(&header, &row, 3, &Rules).unwrap_err(),
            vec![RowError {
                row: 3,
                column: "region_code",
                problem: CellProblem::OutsideScope
            }]
        );
    }

    #[test]
    fn a_short_row_reads_its_missing_cells_as_blank() {
        let row = strings(&["孔雀河酒店", "652801"]);
        let errors = parse_row(&template_header(), &row, 2, &Rules).unwrap_err();
        assert_eq!(errors.len(), 1);
        assert_eq!(errors[0].column, "category");
        assert!(is_blank(&strings(&["", "  "])));
    }
}
