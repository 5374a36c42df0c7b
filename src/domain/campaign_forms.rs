//! The notice's forms as Excel workbooks (regulators' requirements section
//! C, 巴州 2023): 附件2, one unit recommendation form per sheet; 附件3, one
//! ambassador recommendation form per sheet; 附件4, the unit summary table;
//! 附件5, the ambassador summary table. Every text is written as a string
//! cell, which Excel never evaluates.

use chrono::NaiveDate;
use rust_xlsxwriter::{Format, Workbook, Worksheet, XlsxError};

/// One unit (and its ambassador) as the forms print it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FormUnit {
    /// 单位名称.
    pub name: String,
    /// 单位性质, the form's own word (行政事业单位 / 国企 / 私企 / 个体).
    pub unit_type: String,
    /// 负责人.
    pub person_in_charge: String,
    /// 联系电话.
    pub phone: String,
    /// 员工人数.
    pub staff_count: String,
    /// 设立时间.
    pub founded_on: String,
    /// 地址.
    pub address: String,
    /// 主要事迹.
    pub deeds: String,
    /// 县市意见: the county's sign-off day, once it submitted its list.
    pub county_signed_on: Option<NaiveDate>,
    /// 州意见: the prefecture's sign-off day, once it confirmed the list.
    pub prefecture_signed_on: Option<NaiveDate>,
    /// The ambassador, if one is named.
    pub ambassador: Option<FormAmbassador>,
}

/// A unit's service ambassador (形象大使) as 附件3 and 附件5 print them.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FormAmbassador {
    /// 姓名.
    pub name: String,
    /// 从事岗位.
    pub post: String,
    /// 联系电话.
    pub phone: String,
    /// 地址.
    pub address: String,
    /// 主要事迹.
    pub deeds: String,
}

/// The header rows of the summary tables (填报单位, 填报人, 联系电话).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FilledBy {
    /// 填报单位.
    pub unit: String,
    /// 填报人.
    pub person: String,
    /// 联系电话.
    pub phone: String,
}

/// The title row of each form.
pub const UNIT_FORM_TITLE: &str = "“微笑新疆”示范单位推荐表";
/// 附件3's title.
pub const AMBASSADOR_FORM_TITLE: &str = "“微笑新疆”服务形象大使推荐表";
/// 附件4's title.
pub const UNIT_SUMMARY_TITLE: &str = "“微笑新疆”示范单位推荐汇总表";
/// 附件5's title.
pub const AMBASSADOR_SUMMARY_TITLE: &str = "“微笑新疆”服务形象大使推荐汇总表";

fn opinion(day: Option<NaiveDate>, words: &str) -> String {
    match day {
        Some(day) => format!("{words}（{}）", day.format("%Y年%m月%d日")),
        None => String::new(),
    }
}

/// A sheet name Excel takes: at most 31 characters, none of `[]:*?/\`,
/// and unique in the workbook by its leading number.
fn sheet_name(number: usize, name: &str) -> String {
    let clean: String = name
        .chars()
        .filter(|c| !matches!(c, '[' | ']' | ':' | '*' | '?' | '/' | '\\' | '\''))
        .collect();
    format!("{number} {clean}").chars().take(31).collect()
}

fn labelled_sheet(
    sheet: &mut Worksheet,
    title: &str,
    rows: &[(&str, String)],
) -> Result<(), XlsxError> {
    let bold = Format::new().set_bold();
    let wrap = Format::new().set_text_wrap();
    sheet.write_string_with_format(0, 0, title, &bold)?;
    for (i, (label, value)) in rows.iter().enumerate() {
        let row = u32::try_from(i + 1).map_err(|_| XlsxError::RowColumnLimitError)?;
        sheet.write_string_with_format(row, 0, *label, &bold)?;
        sheet.write_string_with_format(row, 1, value, &wrap)?;
    }
    sheet.set_column_width(0, 14)?;
    sheet.set_column_width(1, 80)?;
    Ok(())
}

/// 附件2: one unit recommendation form per sheet, the unit's fields under
/// the title in column A (label) and B (value).
pub fn unit_forms(units: &[FormUnit]) -> Result<Vec<u8>, XlsxError> {
    let mut workbook = Workbook::new();
    if units.is_empty() {
        labelled_sheet(workbook.add_worksheet(), UNIT_FORM_TITLE, &[])?;
    }
    for (i, unit) in units.iter().enumerate() {
        let sheet = workbook.add_worksheet();
        sheet.set_name(sheet_name(i + 1, &unit.name))?;
        labelled_sheet(
            sheet,
            UNIT_FORM_TITLE,
            &[
                ("单位名称", unit.name.clone()),
                ("单位性质", unit.unit_type.clone()),
                ("负责人", unit.person_in_charge.clone()),
                ("联系电话", unit.phone.clone()),
                ("员工人数", unit.staff_count.clone()),
                ("设立时间", unit.founded_on.clone()),
                ("地址", unit.address.clone()),
                ("主要事迹", unit.deeds.clone()),
                ("县市意见", opinion(unit.county_signed_on, "同意推荐")),
                ("州意见", opinion(unit.prefecture_signed_on, "同意")),
            ],
        )?;
    }
    workbook.save_to_buffer()
}

/// 附件3: one ambassador recommendation form per sheet, for the units that
/// named one.
pub fn ambassador_forms(units: &[FormUnit]) -> Result<Vec<u8>, XlsxError> {
    let mut workbook = Workbook::new();
    let named: Vec<(&FormUnit, &FormAmbassador)> = units
        .iter()
        .filter_map(|u| u.ambassador.as_ref().map(|a| (u, a)))
        .collect();
    if named.is_empty() {
        labelled_sheet(workbook.add_worksheet(), AMBASSADOR_FORM_TITLE, &[])?;
    }
    for (i, (unit, ambassador)) in named.into_iter().enumerate() {
        let sheet = workbook.add_worksheet();
        sheet.set_name(sheet_name(i + 1, &ambassador.name))?;
        labelled_sheet(
            sheet,
            AMBASSADOR_FORM_TITLE,
            &[
                ("姓名", ambassador.name.clone()),
                ("单位名称", unit.name.clone()),
                ("从事岗位", ambassador.post.clone()),
                ("联系电话", ambassador.phone.clone()),
                ("地址", ambassador.address.clone()),
                ("主要事迹", ambassador.deeds.clone()),
                ("县市意见", opinion(unit.county_signed_on, "同意推荐")),
                ("州意见", opinion(unit.prefecture_signed_on, "同意")),
            ],
        )?;
    }
    workbook.save_to_buffer()
}

fn summary(
    title: &str,
    filled_by: &FilledBy,
    headers: [&str; 5],
    rows: &[[String; 4]],
) -> Result<Vec<u8>, XlsxError> {
    let mut workbook = Workbook::new();
    let sheet = workbook.add_worksheet();
    let bold = Format::new().set_bold();
    sheet.write_string_with_format(0, 0, title, &bold)?;
    sheet.write_string(1, 0, format!("填报单位：{}", filled_by.unit))?;
    sheet.write_string(1, 2, format!("填报人：{}", filled_by.person))?;
    sheet.write_string(1, 3, format!("联系电话：{}", filled_by.phone))?;
    for (col, header) in headers.iter().enumerate() {
        let col = u16::try_from(col).map_err(|_| XlsxError::RowColumnLimitError)?;
        sheet.write_string_with_format(2, col, *header, &bold)?;
    }
    for (i, row) in rows.iter().enumerate() {
        let r = u32::try_from(i + 3).map_err(|_| XlsxError::RowColumnLimitError)?;
        sheet.write_number(r, 0, (i + 1) as f64)?;
        for (col, value) in row.iter().enumerate() {
            let col = u16::try_from(col + 1).map_err(|_| XlsxError::RowColumnLimitError)?;
            sheet.write_string(r, col, value)?;
        }
    }
    sheet.set_column_width(0, 6)?;
    for col in 1..5u16 {
        sheet.set_column_width(col, 28)?;
    }
    workbook.save_to_buffer()
}

/// 附件4: the unit summary table: title, the header row (填报单位, 填报人,
/// 联系电话), then 序号, 单位名称, 单位地址, 联系人, 联系电话 per unit.
pub fn unit_summary(units: &[FormUnit], filled_by: &FilledBy) -> Result<Vec<u8>, XlsxError> {
    let rows: Vec<[String; 4]> = units
        .iter()
        .map(|u| {
            [
                u.name.clone(),
                u.address.clone(),
                u.person_in_charge.clone(),
                u.phone.clone(),
            ]
        })
        .collect();
    summary(
        UNIT_SUMMARY_TITLE,
        filled_by,
        ["序号", "单位名称", "单位地址", "联系人", "联系电话"],
        &rows,
    )
}

/// 附件5: the ambassador summary table: 序号, 姓名, 地址, 联系人 (the
/// unit's person in charge), 联系电话 (the ambassador's, else the unit's).
pub fn ambassador_summary(units: &[FormUnit], filled_by: &FilledBy) -> Result<Vec<u8>, XlsxError> {
    let rows: Vec<[String; 4]> = units
        .iter()
        .filter_map(|u| {
            u.ambassador.as_ref().map(|a| {
                let address = if a.address.is_empty() {
                    &u.address
                } else {
                    &a.address
                };
                let phone = if a.phone.is_empty() {
                    &u.phone
                } else {
                    &a.phone
                };
                [
                    a.name.clone(),
                    address.clone(),
                    u.person_in_charge.clone(),
                    phone.clone(),
                ]
            })
        })
        .collect();
    summary(
        AMBASSADOR_SUMMARY_TITLE,
        filled_by,
        ["序号", "姓名", "地址", "联系人", "联系电话"],
        &rows,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sheet_names_fit_excel() {
        assert_eq!(sheet_name(1, "a[b]:c*?/\\"), "1 abc");
        assert_eq!(sheet_name(12, &"长".repeat(40)).chars().count(), 31);
    }

    #[test]
    fn every_form_writes_even_when_empty() {
        let filled = FilledBy::default();
        for bytes in [
            unit_forms(&[]),
            ambassador_forms(&[]),
            unit_summary(&[], &filled),
            ambassador_summary(&[], &filled),
        ] {
            assert!(bytes.unwrap().starts_with(b"PK"));
        }
    }
}
