//! COPY text format: the statements and the field encoding of their rows.

use std::fmt::Write as _;

use crate::domain::code::CURRENT_KEY_VERSION;

use super::plan::VenuePlan;

/// Venues, with the ids already drawn from their sequence.
pub(super) const COPY_VENUES: &str =
    "COPY venues (id, region_code, category, name, address, created_at) FROM STDIN";
/// Each venue's first code.
pub(super) const COPY_VENUE_CODES: &str =
    "COPY venue_codes (venue_id, code, key_version, code_seq, issued_at) FROM STDIN";
/// Which venue each of those codes belongs to.
pub(super) const COPY_CODE_VENUES: &str = "COPY code_venues (code, venue_id) FROM STDIN";
/// Raw ratings.
pub(super) const COPY_RATINGS: &str = "COPY ratings (venue_id, day, created_at, device_hash, overall, \
     environment, skill, attitude, tags, comment, network_hash) FROM STDIN";
/// Venue-day aggregates.
pub(super) const COPY_DAY_STATS: &str = "COPY venue_day_stats (venue_id, day, ratings_count, overall_sum, \
     overall_hist, environment_count, environment_sum, environment_hist, skill_count, skill_sum, \
     skill_hist, attitude_count, attitude_sum, attitude_hist, complaints_count) FROM STDIN";
/// Venue-day tag counts.
pub(super) const COPY_DAY_TAGS: &str = "COPY venue_day_tags (venue_id, day, tag, count) FROM STDIN";

/// Writes `s` as a COPY text-format field: backslash, tab and line breaks escaped.
pub(super) fn push_copy_text(out: &mut String, s: &str) {
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\t' => out.push_str("\\t"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            c => out.push(c),
        }
    }
}

/// A bytea as a COPY text-format field (`\x` hex with the backslash escaped).
pub(super) fn push_copy_bytea(out: &mut String, bytes: &[u8]) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    out.push_str("\\\\x");
    for b in bytes {
        out.push(HEX[usize::from(b >> 4)] as char);
        out.push(HEX[usize::from(b & 15)] as char);
    }
}

/// An optional star field: the number, or `\N` for none.
pub(super) fn push_optional_stars(out: &mut String, stars: Option<u8>) {
    match stars {
        Some(s) => {
            let _ = write!(out, "{s}");
        }
        None => out.push_str("\\N"),
    }
}

/// The planned venues as COPY rows.
pub(super) fn venues_copy(venues: &[VenuePlan]) -> String {
    let mut out = String::with_capacity(venues.len() * 160);
    for v in venues {
        let _ = write!(
            out,
            "{}\t{}\t{}\t",
            v.id,
            v.venue.region_code.as_str(),
            v.venue.category.as_str()
        );
        push_copy_text(&mut out, v.venue.name.as_str());
        out.push('\t');
        match &v.venue.address {
            Some(address) => push_copy_text(&mut out, address),
            None => out.push_str("\\N"),
        }
        let _ = writeln!(out, "\t{}", v.created_at.format("%Y-%m-%d %H:%M:%S+00"));
    }
    out
}

/// The venue's first code, exactly as `store::venues::create` issues it.
pub(super) fn venue_codes_copy(venues: &[VenuePlan]) -> String {
    let mut out = String::with_capacity(venues.len() * 64);
    for v in venues {
        let _ = writeln!(
            out,
            "{}\t{}\t{}\t0\t{}",
            v.id,
            v.code.as_str(),
            CURRENT_KEY_VERSION,
            v.created_at.format("%Y-%m-%d %H:%M:%S+00")
        );
    }
    out
}

/// The code → venue rows of those first codes.
pub(super) fn code_venues_copy(venues: &[VenuePlan]) -> String {
    let mut out = String::with_capacity(venues.len() * 32);
    for v in venues {
        let _ = writeln!(out, "{}\t{}", v.code.as_str(), v.id);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn copy_text_escapes_what_copy_would_misread() {
        let mut out = String::new();
        push_copy_text(&mut out, "a\\b\tc\nd\re好");
        assert_eq!(out, "a\\\\b\\tc\\nd\\re好");
        let mut out = String::new();
        push_copy_bytea(&mut out, &[0x00, 0xab, 0x7f]);
        assert_eq!(out, "\\\\x00ab7f");
    }
}
