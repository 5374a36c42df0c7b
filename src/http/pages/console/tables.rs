//! Every console table, built once from the loaded data: the page renders it
//! and the CSV and Excel downloads write it, so all three hold the same
//! columns and rows. Each builder also returns the row links the page adds.

use crate::app::inspections::InspectionBody;
use crate::app::rankings::{ChildRegion, RankingPage, SliceScore};
use crate::app::scores::TierChangeBody;
use crate::app::supervision::{ConsoleVenue, FallingVenue, RatingReview};
use crate::app::tier_overrides::TierOverrideBody;
use crate::app::violations::ViolationBody;
use crate::domain::credit::Tier;
use crate::domain::rating::Tag;
use crate::domain::region::Region;
use crate::domain::table::{Cell, Table};

use crate::http::html::local_time;
use crate::http::pages::console::audit::actor_text;
use crate::http::pages::console::tier_override::source_text;
use crate::http::pages::console::view::{Names, TableView};
use crate::store::audit::AuditNames;
use crate::store::inspections::DrawSummary;

/// A table and, per row, where its name column links to.
pub(in crate::http::pages::console) struct Built {
    /// The table.
    pub table: Table,
    /// One link (or none) per row.
    pub links: Vec<Option<String>>,
    /// The linked column.
    pub link_column: usize,
    /// The column of tier letters, if any.
    pub tier_column: Option<usize>,
}

impl Built {
    /// The table on the page, with its links and tier badges.
    pub fn view(&self, id: &'static str, empty: &'static str) -> TableView {
        let view =
            TableView::new(id, &self.table, empty).link(self.link_column, self.links.clone());
        match self.tier_column {
            Some(column) => view.tier_column(column),
            None => view,
        }
    }
}

fn headers(labels: &[&String]) -> Vec<String> {
    labels.iter().map(|s| (*s).clone()).collect()
}

fn tier_cell(tier: Option<&str>) -> Cell {
    tier.map_or(Cell::Empty, Cell::text)
}

/// The child regions of a region (the provinces, nationally), with their
/// figures; each links to its own rankings.
pub(in crate::http::pages::console) fn regions_table(
    names: &Names,
    region: Option<&Region>,
    children: &[ChildRegion],
    direct: Option<&SliceScore>,
) -> Built {
    let c = &names.m.console;
    let row = |code: &str, name: String, f: &SliceScore| {
        vec![
            Cell::text(code),
            Cell::text(name),
            Cell::decimal(f.score, 1),
            Cell::decimal(f.median, 1),
            Cell::decimal(f.p10, 1),
            Cell::Integer(f.ratings),
            Cell::Integer(f.venues),
            Cell::Integer(f.published_venues),
            Cell::Integer(f.tier_counts.a),
            Cell::Integer(f.tier_counts.b),
            Cell::Integer(f.tier_counts.c),
            Cell::Integer(f.tier_counts.d),
        ]
    };
    // The venues registered directly under the region close the list, so
    // the rows add up to the region.
    let direct_row = region.zip(direct);
    let mut rows: Vec<Vec<Cell>> = children
        .iter()
        .map(|child| {
            row(
                &child.region_code,
                names.region(&child.region_code),
                &child.figures,
            )
        })
        .collect();
    let mut links: Vec<Option<String>> = children
        .iter()
        .map(|child| Some(names.rankings_href(Some(&child.region_code))))
        .collect();
    if let Some((region, figures)) = direct_row {
        rows.push(row(&region.code, names.direct_label(region), figures));
        links.push(None);
    }
    let table = Table {
        title: c
            .regions_heading
            .replace("{region}", &names.region_or_country(region)),
        headers: headers(&[
            &c.col_code,
            &c.col_region,
            &c.col_score,
            &c.col_median,
            &c.col_p10,
            &c.col_ratings,
            &c.col_venues,
            &c.col_published_venues,
            &c.col_tier_a,
            &c.col_tier_b,
            &c.col_tier_c,
            &c.col_tier_d,
        ]),
        rows,
    };
    Built {
        links,
        table,
        link_column: 1,
        tier_column: None,
    }
}

/// A page (or all) of a ranking.
pub(in crate::http::pages::console) fn rankings_table(
    names: &Names,
    title: String,
    page: &RankingPage,
) -> Built {
    let c = &names.m.console;
    let table = Table {
        title,
        headers: headers(&[
            &c.col_rank,
            &c.col_venue_id,
            &c.col_venue,
            &c.col_region,
            &c.col_category,
            &c.col_score,
            &c.col_tier,
            &c.col_ratings,
            &c.col_confidence,
        ]),
        rows: page
            .items
            .iter()
            .map(|item| {
                vec![
                    Cell::integer(item.rank),
                    Cell::Integer(item.venue_id.get()),
                    Cell::text(&item.name),
                    Cell::text(names.region(&item.region_code)),
                    Cell::text(names.category(&item.category)),
                    Cell::decimal(item.score.filter(|_| item.published), 1),
                    tier_cell(item.tier.map(Tier::letter)),
                    Cell::Integer(item.ratings),
                    Cell::decimal(Some(item.confidence), 3),
                ]
            })
            .collect(),
    };
    Built {
        links: page
            .items
            .iter()
            .map(|item| Some(names.venue_href(item.venue_id)))
            .collect(),
        table,
        link_column: 2,
        tier_column: Some(6),
    }
}

/// A list of venues (lowest scores, tier C/D).
pub(in crate::http::pages::console) fn venues_table(
    names: &Names,
    title: String,
    venues: &[ConsoleVenue],
) -> Built {
    let c = &names.m.console;
    let table = Table {
        title,
        headers: headers(&[
            &c.col_venue_id,
            &c.col_venue,
            &c.col_region,
            &c.col_category,
            &c.col_score,
            &c.col_tier,
            &c.col_ratings,
        ]),
        rows: venues
            .iter()
            .map(|v| {
                vec![
                    Cell::Integer(v.venue_id.get()),
                    Cell::text(&v.name),
                    Cell::text(names.region(&v.region_code)),
                    Cell::text(names.category(&v.category)),
                    Cell::decimal(v.score.filter(|_| v.published), 1),
                    tier_cell(v.tier.map(Tier::letter)),
                    Cell::Integer(v.ratings),
                ]
            })
            .collect(),
    };
    Built {
        links: venues
            .iter()
            .map(|v| Some(names.venue_href(v.venue_id)))
            .collect(),
        table,
        link_column: 1,
        tier_column: Some(5),
    }
}

/// The fastest-falling venues.
pub(in crate::http::pages::console) fn falling_table(
    names: &Names,
    title: String,
    venues: &[FallingVenue],
) -> Built {
    let c = &names.m.console;
    let table = Table {
        title,
        headers: headers(&[
            &c.col_venue_id,
            &c.col_venue,
            &c.col_region,
            &c.col_category,
            &c.col_tier,
            &c.col_previous_score,
            &c.col_recent_score,
            &c.col_drop,
            &c.col_previous_ratings,
            &c.col_recent_ratings,
        ]),
        rows: venues
            .iter()
            .map(|v| {
                vec![
                    Cell::Integer(v.venue_id.get()),
                    Cell::text(&v.name),
                    Cell::text(names.region(&v.region_code)),
                    Cell::text(names.category(&v.category)),
                    tier_cell(v.tier.map(Tier::letter)),
                    Cell::decimal(Some(v.previous_score), 1),
                    Cell::decimal(Some(v.recent_score), 1),
                    Cell::decimal(Some(v.drop), 1),
                    Cell::Integer(v.previous_ratings),
                    Cell::Integer(v.recent_ratings),
                ]
            })
            .collect(),
    };
    Built {
        links: venues
            .iter()
            .map(|v| Some(names.venue_href(v.venue_id)))
            .collect(),
        table,
        link_column: 1,
        tier_column: Some(4),
    }
}

/// Tag labels of a rating in the page language, in its order.
fn tag_labels(names: &Names, tags: &[String]) -> String {
    let separator = &names.m.console.tag_separator;
    tags.iter()
        .map(|key| {
            Tag::parse(key)
                .map(|tag| names.m.tag_label(tag).to_owned())
                .unwrap_or_else(|_| key.clone())
        })
        .collect::<Vec<_>>()
        .join(separator)
}

/// A venue's ratings: no device hash, no address.
pub(in crate::http::pages::console) fn ratings_table(
    names: &Names,
    title: String,
    ratings: &[RatingReview],
) -> Built {
    let c = &names.m.console;
    let r = &names.m.rating;
    let stars = |n: Option<i16>| Cell::integer(n.map(i64::from));
    let table = Table {
        title,
        headers: headers(&[
            &c.col_rating_id,
            &c.col_date,
            &c.col_time,
            &c.col_overall,
            &r.environment,
            &r.skill,
            &r.attitude,
            &c.col_tags,
            &c.col_comment,
            &c.col_state,
            &c.col_reason,
        ]),
        rows: ratings
            .iter()
            .map(|rating| {
                let time = local_time(rating.created_at);
                vec![
                    Cell::Integer(rating.id.get()),
                    Cell::Date(rating.day),
                    Cell::text(time.get(11..).unwrap_or_default()),
                    Cell::Integer(i64::from(rating.overall)),
                    stars(rating.dimensions.environment),
                    stars(rating.dimensions.skill),
                    stars(rating.dimensions.attitude),
                    Cell::text(tag_labels(names, &rating.tags)),
                    rating.comment.as_deref().map_or(Cell::Empty, Cell::text),
                    Cell::text(if rating.quarantined {
                        &c.state_quarantined
                    } else {
                        &c.state_counted
                    }),
                    rating
                        .quarantine_reason
                        .as_deref()
                        .filter(|_| rating.quarantined)
                        .map_or(Cell::Empty, Cell::text),
                ]
            })
            .collect(),
    };
    Built {
        links: Vec::new(),
        table,
        link_column: 0,
        tier_column: None,
    }
}

/// A venue's violations.
pub(in crate::http::pages::console) fn violations_table(
    names: &Names,
    title: String,
    items: &[ViolationBody],
) -> Built {
    let c = &names.m.console;
    let table = Table {
        title,
        headers: headers(&[
            &c.col_violation_id,
            &c.col_occurred,
            &c.col_serious,
            &c.col_description,
            &c.col_recorded,
        ]),
        rows: items
            .iter()
            .map(|v| {
                vec![
                    Cell::Integer(v.id),
                    Cell::Date(v.occurred_on),
                    names.yes_no(v.serious),
                    Cell::text(&v.description),
                    Cell::text(local_time(v.recorded_at)),
                ]
            })
            .collect(),
    };
    Built {
        links: Vec::new(),
        table,
        link_column: 0,
        tier_column: None,
    }
}

/// A venue's inspections, latest visit first: day, checklist, points and
/// pass mark (when scored item by item), result, who inspected, who
/// recorded it, the findings and how many photos; `recorders` names the
/// people and tokens that recorded them.
pub(in crate::http::pages::console) fn inspections_table(
    names: &Names,
    title: String,
    items: &[InspectionBody],
    recorders: &AuditNames,
) -> Built {
    let t = &names.m.inspections;
    let table = Table {
        title,
        headers: headers(&[
            &t.col_date,
            &t.col_checklist,
            &t.col_points,
            &t.col_pass_mark,
            &t.col_result,
            &t.col_inspected_by,
            &t.col_recorded_by,
            &t.col_findings,
            &t.col_photos,
        ]),
        rows: items
            .iter()
            .map(|i| {
                let text =
                    |value: &Option<String>| value.as_deref().map_or(Cell::Empty, Cell::text);
                vec![
                    Cell::Date(i.inspected_on),
                    text(&i.checklist_version),
                    Cell::integer(i.total_points.map(i64::from)),
                    Cell::integer(i.pass_mark.map(i64::from)),
                    Cell::text(if i.passed { &t.passed } else { &t.failed }),
                    text(&i.inspected_by),
                    i.inspector.as_deref().map_or(Cell::Empty, |actor| {
                        Cell::text(actor_text(&names.m.audit, recorders, actor))
                    }),
                    text(&i.findings),
                    Cell::Integer(i64::try_from(i.photos.len()).unwrap_or(i64::MAX)),
                ]
            })
            .collect(),
    };
    Built {
        links: Vec::new(),
        table,
        link_column: 0,
        tier_column: None,
    }
}

/// The latest draws (双随机), latest first; each links to its page.
pub(in crate::http::pages::console) fn draws_table(
    names: &Names,
    items: &[DrawSummary],
    drawers: &AuditNames,
) -> Built {
    let t = &names.m.inspections;
    let table = Table {
        title: t.draws_heading.clone(),
        headers: headers(&[
            &t.col_draw,
            &t.col_region,
            &t.col_drawn_at,
            &t.col_drawn_by,
            &t.col_requested,
            &t.col_picked,
            &t.col_candidates,
            &t.col_seed,
        ]),
        rows: items
            .iter()
            .map(|d| {
                vec![
                    Cell::Integer(d.id),
                    Cell::text(format!(
                        "{} ({})",
                        names.region(&d.region_code),
                        d.region_code
                    )),
                    Cell::text(local_time(d.drawn_at)),
                    Cell::text(actor_text(&names.m.audit, drawers, &d.drawn_by)),
                    Cell::Integer(i64::from(d.requested_count)),
                    Cell::Integer(d.picked),
                    Cell::Integer(i64::from(d.candidates)),
                    // A seed is an identifier, not a quantity: kept whole as text.
                    Cell::text(d.seed.to_string()),
                ]
            })
            .collect(),
    };
    Built {
        links: items
            .iter()
            .map(|d| Some(names.href(&format!("/console/inspection-draws/{}", d.id), &[])))
            .collect(),
        table,
        link_column: 0,
        tier_column: None,
    }
}

/// A venue's tier changes.
pub(in crate::http::pages::console) fn tier_history_table(
    names: &Names,
    title: String,
    items: &[TierChangeBody],
    (overrides, people): (&[TierOverrideBody], &AuditNames),
) -> Built {
    let c = &names.m.console;
    let separator = &names.m.console.reason_separator;
    let table = Table {
        title,
        headers: headers(&[
            &c.col_changed,
            &c.col_tier,
            &c.col_previous_tier,
            &c.col_reasons,
            &c.col_rule_set,
            &names.m.tier_override.col_source,
        ]),
        rows: items
            .iter()
            .map(|change| {
                let reasons: Vec<&str> = change
                    .reasons
                    .iter()
                    .map(|r| names.lang.pick(&r.zh, &r.en))
                    .collect();
                vec![
                    Cell::text(local_time(change.changed_at)),
                    Cell::text(change.tier.letter()),
                    tier_cell(change.previous_tier.map(Tier::letter)),
                    Cell::text(reasons.join(separator)),
                    Cell::text(&change.rule_set_version),
                    Cell::text(source_text(names.m, people, overrides, change.override_id)),
                ]
            })
            .collect(),
    };
    Built {
        links: Vec::new(),
        table,
        link_column: 0,
        tier_column: Some(1),
    }
}
