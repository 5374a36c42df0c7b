//! Charts drawn as inline SVG, each with the sentence that describes it to
//! screen readers: a venue's weekly trend, and how a region's venue scores
//! spread over ten-point bands.

use std::fmt::Write as _;

use crate::app::scores::TrendWeek;
use crate::domain::distribution::band_floor_0_100;
use crate::i18n::Messages;

/// The sentence that describes the trend chart to screen readers.
pub(crate) fn trend_description(m: &Messages, weeks: &[TrendWeek]) -> String {
    let (Some(first), Some(last)) = (weeks.first(), weeks.last()) else {
        return m.venue_page.trend_empty.clone();
    };
    let measured = weeks.iter().filter(|w| w.score.is_some()).count();
    if measured == 0 {
        return m.venue_page.trend_empty.clone();
    }
    m.venue_page
        .trend_desc
        .replace("{first}", &first.week_start.to_string())
        .replace("{last}", &last.week_start.to_string())
        .replace("{weeks}", &measured.to_string())
}

/// The chart's coordinate system (SVG user units; the SVG scales to its box).
const CHART_WIDTH: f64 = 320.0;
const CHART_HEIGHT: f64 = 150.0;
const PLOT_LEFT: f64 = 30.0;
const PLOT_RIGHT: f64 = 314.0;
const PLOT_TOP: f64 = 10.0;
const PLOT_BOTTOM: f64 = 124.0;

/// Escapes text for SVG/HTML content and attributes.
fn escape_xml(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// x of the centre of week `index` of `count`.
fn week_x(index: usize, count: usize) -> f64 {
    let step = (PLOT_RIGHT - PLOT_LEFT) / count.max(1) as f64;
    PLOT_LEFT + step * (index as f64 + 0.5)
}

/// y of a score 0–100.
fn score_y(score_0_100: f64) -> f64 {
    PLOT_BOTTOM - score_0_100.clamp(0.0, 100.0) / 100.0 * (PLOT_BOTTOM - PLOT_TOP)
}

/// The weekly trend as an inline SVG line chart: one line per run of weeks
/// with ratings (weeks without ratings leave a gap), a dot per measured week,
/// grid lines and labels at 0, 50 and 100, and the first and last week below.
pub fn trend_svg(weeks: &[TrendWeek], title: &str, desc: &str) -> String {
    let mut svg = String::with_capacity(2048);
    // Writing into a String cannot fail, so the fmt::Results below are ignored.
    let _ = write!(
        svg,
        "<svg class=\"trend\" viewBox=\"0 0 {CHART_WIDTH} {CHART_HEIGHT}\" role=\"img\" \
         aria-label=\"{label}\" aria-describedby=\"trend-desc\">\
         <title>{label}</title><desc id=\"trend-desc\">{desc}</desc>",
        label = escape_xml(title),
        desc = escape_xml(desc),
    );
    for value in [0.0, 50.0, 100.0] {
        let y = score_y(value);
        let _ = write!(
            svg,
            "<line class=\"grid\" x1=\"{PLOT_LEFT}\" x2=\"{PLOT_RIGHT}\" y1=\"{y:.1}\" y2=\"{y:.1}\"/>\
             <text class=\"axis\" x=\"{x:.1}\" y=\"{ty:.1}\" text-anchor=\"end\">{value}</text>",
            x = PLOT_LEFT - 4.0,
            ty = y + 3.5,
        );
    }
    if let (Some(first), Some(last)) = (weeks.first(), weeks.last()) {
        let y = PLOT_BOTTOM + 18.0;
        let _ = write!(
            svg,
            "<text class=\"axis\" x=\"{PLOT_LEFT}\" y=\"{y}\">{}</text>\
             <text class=\"axis\" x=\"{PLOT_RIGHT}\" y=\"{y}\" text-anchor=\"end\">{}</text>",
            first.week_start, last.week_start,
        );
    }
    let points: Vec<Option<(f64, f64)>> = weeks
        .iter()
        .enumerate()
        .map(|(i, w)| w.score.map(|s| (week_x(i, weeks.len()), score_y(s))))
        .collect();
    for run in points.split(Option::is_none) {
        if run.len() < 2 {
            continue;
        }
        svg.push_str("<polyline class=\"line\" points=\"");
        for (i, (x, y)) in run.iter().flatten().enumerate() {
            let sep = if i == 0 { "" } else { " " };
            let _ = write!(svg, "{sep}{x:.1},{y:.1}");
        }
        svg.push_str("\"/>");
    }
    for (x, y) in points.iter().flatten() {
        let _ = write!(
            svg,
            "<circle class=\"pt\" cx=\"{x:.1}\" cy=\"{y:.1}\" r=\"3\"/>"
        );
    }
    svg.push_str("</svg>");
    svg
}

/// The sentence that describes a score distribution: each band and its count.
pub(crate) fn distribution_description(m: &Messages, bands: &[i64]) -> String {
    let listed: Vec<String> = bands
        .iter()
        .enumerate()
        .map(|(band, count)| format!("{}: {count}", band_label(band)))
        .collect();
    m.console
        .distribution_desc
        .replace("{bands}", &listed.join(", "))
}

/// "60–70": a band's bounds.
fn band_label(band: usize) -> String {
    format!("{}–{}", band_floor_0_100(band), band_floor_0_100(band + 1))
}

/// Venues per score band as an inline SVG bar chart: one bar per band from
/// 0 to 100, its count above it, the band edges 0, 50 and 100 below, and
/// `axis` naming the measure. Bar heights are relative to the fullest band.
pub fn distribution_svg(bands: &[i64], title: &str, desc: &str, axis: &str) -> String {
    let mut svg = String::with_capacity(2048);
    let _ = write!(
        svg,
        "<svg class=\"trend distribution\" viewBox=\"0 0 {CHART_WIDTH} {CHART_HEIGHT}\" \
         role=\"img\" aria-label=\"{label}\" aria-describedby=\"distribution-desc\">\
         <title>{label}</title><desc id=\"distribution-desc\">{desc}</desc>",
        label = escape_xml(title),
        desc = escape_xml(desc),
    );
    let _ = write!(
        svg,
        "<line class=\"grid\" x1=\"{PLOT_LEFT}\" x2=\"{PLOT_RIGHT}\" y1=\"{PLOT_BOTTOM}\" y2=\"{PLOT_BOTTOM}\"/>"
    );
    let fullest = bands.iter().copied().max().unwrap_or(0).max(1) as f64;
    let step = (PLOT_RIGHT - PLOT_LEFT) / bands.len().max(1) as f64;
    // Room above the tallest bar for its count.
    let top = PLOT_TOP + 12.0;
    for (band, &count) in bands.iter().enumerate() {
        let x = PLOT_LEFT + step * band as f64;
        if count > 0 {
            let height = count as f64 / fullest * (PLOT_BOTTOM - top);
            let y = PLOT_BOTTOM - height;
            let _ = write!(
                svg,
                "<rect class=\"band\" x=\"{bx:.1}\" y=\"{y:.1}\" width=\"{w:.1}\" height=\"{height:.1}\">\
                 <title>{label}: {count}</title></rect>\
                 <text class=\"axis\" x=\"{cx:.1}\" y=\"{ty:.1}\" text-anchor=\"middle\">{count}</text>",
                bx = x + 2.0,
                w = step - 4.0,
                label = band_label(band),
                cx = x + step / 2.0,
                ty = y - 3.0,
            );
        }
    }
    let y = PLOT_BOTTOM + 12.0;
    for (i, edge) in [0, bands.len() / 2, bands.len()].into_iter().enumerate() {
        let anchor = ["start", "middle", "end"][i];
        let _ = write!(
            svg,
            "<text class=\"axis\" x=\"{x:.1}\" y=\"{y}\" text-anchor=\"{anchor}\">{value}</text>",
            x = PLOT_LEFT + step * edge as f64,
            value = band_floor_0_100(edge),
        );
    }
    let _ = write!(
        svg,
        "<text class=\"axis\" x=\"{x:.1}\" y=\"{y}\" text-anchor=\"middle\">{axis}</text></svg>",
        x = (PLOT_LEFT + PLOT_RIGHT) / 2.0,
        y = PLOT_BOTTOM + 24.0,
        axis = escape_xml(axis),
    );
    svg
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::http::pages::public::test_support::trend;
    use crate::i18n::{Lang, messages};

    #[test]
    fn the_trend_chart_leaves_gaps_and_is_labelled() {
        let svg = trend_svg(&trend(), "Weekly <average>", "desc & more");
        assert!(svg.starts_with("<svg class=\"trend\" viewBox=\"0 0 320 150\" role=\"img\""));
        assert!(svg.contains("aria-label=\"Weekly &lt;average&gt;\""));
        assert!(svg.contains("<title>Weekly &lt;average&gt;</title>"));
        assert!(svg.contains("<desc id=\"trend-desc\">desc &amp; more</desc>"));
        for label in ["0", "50", "100"] {
            assert!(svg.contains(&format!("text-anchor=\"end\">{label}</text>")));
        }
        assert!(svg.contains(">2026-01-05</text>"));
        assert!(svg.contains(">2026-06-29</text>"));
        // Weeks 3–5 are one line; weeks 10 and 25 stand alone (dots only).
        assert_eq!(svg.matches("<polyline").count(), 1);
        assert_eq!(svg.matches("<circle").count(), 5);
        let line = &svg[svg.find("points=\"").unwrap() + 8..];
        let line = &line[..line.find('"').unwrap()];
        assert_eq!(line.split(' ').count(), 3);
        // 100 is drawn at the top of the plot, 0 at the bottom.
        assert!(svg.contains(&format!("cy=\"{PLOT_TOP:.1}\"")));
        assert!(svg.contains(&format!("cy=\"{PLOT_BOTTOM:.1}\"")));
        let empty: Vec<TrendWeek> = trend()
            .into_iter()
            .map(|w| TrendWeek {
                ratings: 0,
                score: None,
                ..w
            })
            .collect();
        let svg = trend_svg(&empty, "t", "d");
        assert!(!svg.contains("<polyline") && !svg.contains("<circle"));
        assert!(svg.ends_with("</svg>"));
    }

    #[test]
    fn the_trend_description_counts_measured_weeks() {
        let m = messages(Lang::En);
        let text = trend_description(m, &trend());
        assert!(text.contains("2026-01-05") && text.contains("2026-06-29"));
        assert!(text.contains("5 of 26 weeks"));
        assert_eq!(trend_description(m, &[]), m.venue_page.trend_empty);
    }
    #[test]
    fn the_distribution_chart_draws_a_bar_per_filled_band() {
        let bands = [0, 0, 0, 0, 1, 2, 0, 4, 3, 0];
        let m = messages(Lang::En);
        let desc = distribution_description(m, &bands);
        assert!(
            desc.contains("40–50: 1") && desc.contains("70–80: 4"),
            "{desc}"
        );
        assert!(desc.contains("0–10: 0") && desc.contains("90–100: 0"));
        let svg = distribution_svg(&bands, "Spread <scores>", &desc, "venue score");
        assert!(svg.contains("aria-label=\"Spread &lt;scores&gt;\""));
        assert!(svg.contains("<desc id=\"distribution-desc\">"));
        assert_eq!(svg.matches("<rect").count(), 4, "empty bands draw no bar");
        assert!(svg.contains("<title>70–80: 4</title>"));
        // The fullest band reaches the top of the bars; one of two, half as high.
        let height = |label: &str| -> f64 {
            let rect = svg[..svg.find(&format!("<title>{label}")).unwrap()]
                .rsplit("<rect")
                .next()
                .unwrap();
            let h = &rect[rect.find("height=\"").unwrap() + 8..];
            h[..h.find('"').unwrap()].parse().unwrap()
        };
        assert!((height("70–80") - 2.0 * height("50–60")).abs() < 0.2);
        assert!((height("70–80") - 4.0 * height("40–50")).abs() < 0.2);
        for edge in [
            ">0</text>",
            ">50</text>",
            ">100</text>",
            ">venue score</text>",
        ] {
            assert!(svg.contains(edge), "{edge}");
        }
        assert!(svg.ends_with("</svg>"));
        let empty = distribution_svg(&[0; 10], "t", "d", "a");
        assert!(!empty.contains("<rect"));
    }
}
