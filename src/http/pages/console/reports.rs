//! `GET /console/reports`: a region's period report (regulators'
//! requirements, clause 八: the year-end summary a county sends up) for any
//! period, by default this year to today: the region's total and one row
//! per child region, each linking to its own report, with a footnote on
//! every column; and `GET /console/reports/report.{csv,xlsx}`, the same
//! table as a file under header rows naming the region, the period and
//! when it was made.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;
use serde::Deserialize;

use crate::app;
use crate::app::reports::{PeriodReport, ReportRow, RowKind};
use crate::app::supervision::region_in_scope;
use crate::domain::region::Region;
use crate::domain::table::{Cell, Table};
use crate::http::AppState;
use crate::http::auth::signed_in::{AccountNav, PageError, PageProblem, SignedIn};
use crate::http::export::ExportFormat;
use crate::http::html::{Chrome, local_time, render_document};
use crate::http::pages::console::download_under;
use crate::http::pages::console::tables::Built;
use crate::http::pages::console::view::{Crumb, Names, TableView, crumbs};
use crate::i18n::{Messages, ReportTexts};

/// The report's key among the console's downloads (its audit rows name it).
const REPORT_TABLE: &str = "report";

/// The report's address: `region`, `from`, `to` (and `lang`).
#[derive(Debug, Default, Deserialize)]
struct ReportFilters {
    region: Option<String>,
    from: Option<String>,
    to: Option<String>,
}

fn field(raw: &Option<String>) -> Option<&str> {
    raw.as_deref().map(str::trim).filter(|s| !s.is_empty())
}

/// The address of a report of `region` (`None`: the country) for the same period.
fn report_query(region: Option<&str>, report: &PeriodReport) -> Vec<(String, String)> {
    let mut query = Vec::new();
    if let Some(code) = region {
        query.push(("region".to_owned(), code.to_owned()));
    }
    query.push(("from".to_owned(), report.from.to_string()));
    query.push(("to".to_owned(), report.to.to_string()));
    query
}

/// The report's title: "Period report: {region}".
fn title(names: &Names, region: Option<&Region>) -> String {
    names
        .m
        .reports
        .title
        .replace("{region}", &names.region_or_country(region))
}

/// Fills a text's period placeholders.
fn with_period(text: &str, report: &PeriodReport) -> String {
    let days = (report.to - report.from).num_days() + 1;
    text.replace("{from}", &report.from.to_string())
        .replace("{to}", &report.to.to_string())
        .replace("{days}", &days.to_string())
        .replace("{previous_from}", &report.previous_from.to_string())
        .replace("{previous_to}", &report.previous_to.to_string())
        .replace("{as_of}", &local_time(report.as_of))
        .replace("{at}", &local_time(report.generated_at))
}

/// The report as the console's table: the page shows it and the downloads
/// write it. Child rows link to their own report for the same period.
fn report_table(names: &Names, region: Option<&Region>, report: &PeriodReport) -> Built {
    let c = &names.m.console;
    let t = &names.m.reports;
    let label = |row: &ReportRow| match (row.kind, region) {
        (RowKind::Total, _) => t
            .total_row
            .replace("{region}", &names.region_or_country(region)),
        (RowKind::Direct, Some(region)) => names.direct_label(region),
        (_, _) => row
            .region_code
            .as_deref()
            .map_or_else(String::new, |code| names.region(code)),
    };
    let rows = report
        .rows
        .iter()
        .map(|row| {
            vec![
                Cell::text(row.region_code.as_deref().unwrap_or_default()),
                Cell::text(label(row)),
                Cell::Integer(row.venues_rated),
                Cell::Integer(row.ratings),
                Cell::decimal(row.mean_score_0_100, 1),
                Cell::decimal(row.previous_mean_score_0_100, 1),
                Cell::decimal(row.score_movement, 1),
                Cell::Integer(row.complaints_received),
                Cell::Integer(row.complaints_on_time),
                Cell::Integer(row.complaints_overdue),
                Cell::Integer(row.complaints_open),
                Cell::Integer(row.inspections),
                Cell::Integer(row.inspections_failed),
                Cell::Integer(row.tier_moves_up),
                Cell::Integer(row.tier_moves_down),
            ]
        })
        .collect();
    let links = report
        .rows
        .iter()
        .map(|row| match (row.kind, row.region_code.as_deref()) {
            (RowKind::Child, Some(code)) => {
                Some(names.href("/console/reports", &report_query(Some(code), report)))
            }
            _ => None,
        })
        .collect();
    let headers = [
        &c.col_code,
        &c.col_region,
        &t.col_venues_rated,
        &t.col_ratings,
        &t.col_mean,
        &t.col_previous_mean,
        &t.col_movement,
        &t.col_received,
        &t.col_on_time,
        &t.col_overdue,
        &t.col_open,
        &t.col_inspections,
        &t.col_failed,
        &t.col_tier_up,
        &t.col_tier_down,
    ];
    Built {
        table: Table {
            title: title(names, region),
            headers: headers.into_iter().cloned().collect(),
            rows,
        },
        links,
        link_column: 1,
        tier_column: None,
    }
}

/// One column's footnote.
struct Note {
    label: String,
    text: String,
}

/// What every figure column counts, in the page language.
fn notes(t: &ReportTexts, report: &PeriodReport) -> Vec<Note> {
    [
        (&t.col_venues_rated, &t.note_venues_rated),
        (&t.col_ratings, &t.note_ratings),
        (&t.col_mean, &t.note_mean),
        (&t.col_previous_mean, &t.note_previous_mean),
        (&t.col_movement, &t.note_movement),
        (&t.col_received, &t.note_received),
        (&t.col_on_time, &t.note_on_time),
        (&t.col_overdue, &t.note_overdue),
        (&t.col_open, &t.note_open),
        (&t.col_inspections, &t.note_inspections),
        (&t.col_failed, &t.note_failed),
        (&t.col_tier_up, &t.note_tier_up),
        (&t.col_tier_down, &t.note_tier_down),
    ]
    .into_iter()
    .map(|(label, text)| Note {
        label: label.clone(),
        text: with_period(text, report),
    })
    .collect()
}

/// The report itself on the page.
struct ReportSection {
    heading: String,
    period_line: String,
    as_of_line: String,
    table: TableView,
    notes: Vec<Note>,
}

#[derive(Template)]
#[template(path = "console_reports.html")]
struct ReportView {
    chrome: Chrome,
    nav: AccountNav,
    m: &'static Messages,
    t: &'static ReportTexts,
    heading: String,
    crumbs: Vec<Crumb>,
    region_code: Option<String>,
    from: String,
    to: String,
    /// Why the period asked for was refused.
    problem: Option<String>,
    report: Option<ReportSection>,
}

/// The page: the report, or the form again with why its period was refused.
fn document(
    signed_in: &SignedIn,
    names: &Names,
    region: Option<&Region>,
    report: Result<&PeriodReport, (String, &ReportFilters)>,
) -> String {
    let t = &names.m.reports;
    let heading = title(names, region);
    let region_code = region.map(|r| r.code.to_string());
    let link_period = report.as_ref().ok().copied();
    let mut trail =
        crumbs(
            names,
            &signed_in.caller.principal.scope,
            region,
            |code| match link_period {
                Some(report) => names.href("/console/reports", &report_query(code, report)),
                None => names.href(
                    "/console/reports",
                    &code
                        .map(|c| vec![("region".to_owned(), c.to_owned())])
                        .unwrap_or_default(),
                ),
            },
        );
    if let Some(last) = trail.last_mut() {
        last.href = None;
    }
    let (from, to, problem, section) = match report {
        Ok(report) => {
            let built = report_table(names, region, report);
            let view = built
                .view("report", &names.m.console.empty_regions)
                .downloads(
                    names,
                    "/console/reports/report",
                    &report_query(region_code.as_deref(), report),
                );
            let section = ReportSection {
                heading: with_period(&t.period_heading, report),
                period_line: with_period(&t.period_line, report),
                as_of_line: with_period(&t.as_of_line, report),
                table: view,
                notes: notes(t, report),
            };
            (
                report.from.to_string(),
                report.to.to_string(),
                None,
                Some(section),
            )
        }
        Err((problem, filters)) => (
            field(&filters.from).unwrap_or_default().to_owned(),
            field(&filters.to).unwrap_or_default().to_owned(),
            Some(problem),
            None,
        ),
    };
    render_document(&ReportView {
        chrome: signed_in.chrome(heading.clone()),
        nav: signed_in.nav(),
        m: names.m,
        t,
        heading,
        crumbs: trail,
        region_code,
        from,
        to,
        problem,
        report: section,
    })
}

/// `GET /console/reports?region=&from=&to=`: a region outside the caller's
/// scope is 403, an unknown one 404; a period that cannot be reported on
/// shows the form again with the reason (422).
pub async fn reports(
    signed_in: SignedIn,
    state: web::Data<AppState>,
    req: HttpRequest,
) -> Result<HttpResponse, PageError> {
    let filters: ReportFilters = serde_html_form::from_str(req.query_string()).unwrap_or_default();
    let principal = &signed_in.caller.principal;
    let region = region_in_scope(&state, principal, field(&filters.region))
        .await
        .map_err(|e| signed_in.fail(e))?;
    let names = Names::load(&state, signed_in.lang)
        .await
        .map_err(|e| signed_in.fail(e))?;
    let period = match app::reports::parse_period(&state, field(&filters.from), field(&filters.to))
    {
        Ok(period) => period,
        Err(err) if SignedIn::refusal_status(&err).is_some() => {
            let problem = names.m.problem(&err).to_owned();
            let body = document(
                &signed_in,
                &names,
                region.as_ref(),
                Err((problem, &filters)),
            );
            return Ok(signed_in.page_with_status(StatusCode::UNPROCESSABLE_ENTITY, body));
        }
        Err(err) => return Err(signed_in.fail(err)),
    };
    let report = app::reports::report(&state, principal, region.as_ref(), period)
        .await
        .map_err(|e| signed_in.fail(e))?;
    Ok(signed_in.page(document(&signed_in, &names, region.as_ref(), Ok(&report))))
}

/// `GET /console/reports/report.{format}?region=&from=&to=`: the report's
/// table as `csv` or `xlsx`, one sheet, under header rows naming the region,
/// the period (and the previous one) and when it was made; audited as a
/// download.
pub async fn report_download(
    signed_in: SignedIn,
    state: web::Data<AppState>,
    path: web::Path<String>,
    req: HttpRequest,
) -> Result<HttpResponse, PageError> {
    let format = ExportFormat::parse(&path)
        .ok_or_else(|| PageError::new(signed_in.lang, PageProblem::NotFound))?;
    let filters: ReportFilters = serde_html_form::from_str(req.query_string()).unwrap_or_default();
    let principal = &signed_in.caller.principal;
    let region = region_in_scope(&state, principal, field(&filters.region))
        .await
        .map_err(|e| signed_in.fail(e))?;
    let period = app::reports::parse_period(&state, field(&filters.from), field(&filters.to))
        .map_err(|e| signed_in.fail(e))?;
    let names = Names::load(&state, signed_in.lang)
        .await
        .map_err(|e| signed_in.fail(e))?;
    let report = app::reports::report(&state, principal, region.as_ref(), period)
        .await
        .map_err(|e| signed_in.fail(e))?;
    let t = &names.m.reports;
    let built = report_table(&names, region.as_ref(), &report);
    let place = match &region {
        Some(r) => format!("{} ({})", names.region(&r.code), r.code.as_str()),
        None => names.region_or_country(None),
    };
    let region_line = t.region_line.replace("{region}", &place);
    let period_row = with_period(&t.period_row, &report);
    let generated_line = with_period(&t.generated_line, &report);
    let preamble = [
        built.table.title.as_str(),
        region_line.as_str(),
        period_row.as_str(),
        generated_line.as_str(),
    ];
    let stem = format!(
        "report-{}-{}-{}",
        region.as_ref().map_or("all", |r| r.code.as_str()),
        report.from,
        report.to
    );
    download_under(
        &signed_in,
        &state,
        &built.table,
        &preamble,
        (format, &stem),
        (REPORT_TABLE, None, &req),
    )
    .await
}
