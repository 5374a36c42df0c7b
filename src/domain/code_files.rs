//! Names of a venue's QR code files in a download: `00042-孔雀河酒店.png`.
//! The venue id comes first, zero-padded so the files sort by it, which
//! also keeps every name unique (ids are); the venue's name follows, kept
//! in its own script but stripped of whatever a file system refuses or
//! reads as a path, so the archive unpacks the same on Windows, macOS and
//! Linux.

use crate::domain::ids::VenueId;
use crate::domain::text::is_bidi_control;

/// Most characters of a venue's name a file name keeps: with the id, a
/// three-byte CJK character each and the extension, far below the 255 bytes
/// every common file system allows.
pub const FILE_NAME_MAX_NAME_CHARS: usize = 60;

/// Characters Windows refuses in a file name, and the path separators of
/// every system.
const REFUSED: [char; 9] = ['/', '\\', ':', '*', '?', '"', '<', '>', '|'];

/// The file stem (name without extension) of a venue's code files: its id
/// padded to five digits, a hyphen and its name made safe; just the id when
/// nothing of the name is left.
pub fn code_file_stem(venue_id: VenueId, name: &str) -> String {
    let mut safe = String::new();
    for c in name.chars() {
        if c.is_control() || is_bidi_control(c) {
            continue;
        }
        let c = if c.is_whitespace() || REFUSED.contains(&c) {
            '-'
        } else {
            c
        };
        // One hyphen stands for a run of spaces and refused characters.
        if !(c == '-' && safe.ends_with('-')) {
            safe.push(c);
        }
    }
    // Windows drops trailing dots; leading ones hide a file and ".." climbs.
    let untrimmed: String = trim_edges(&safe)
        .chars()
        .take(FILE_NAME_MAX_NAME_CHARS)
        .collect();
    let kept = trim_edges(&untrimmed);
    let id = venue_id.get();
    if kept.is_empty() {
        format!("{id:05}")
    } else {
        format!("{id:05}-{kept}")
    }
}

fn trim_edges(s: &str) -> &str {
    s.trim_matches(|c: char| c == '-' || c == '.')
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    fn stem(id: i64, name: &str) -> String {
        code_file_stem(VenueId::new(id), name)
    }

    #[test]
    fn names_keep_their_script_and_lose_what_file_systems_refuse() {
        assert_eq!(stem(42, "孔雀河酒店"), "00042-孔雀河酒店");
        assert_eq!(stem(7, "مېھمانخانا"), "00007-مېھمانخانا");
        assert_eq!(
            stem(123_456, "Peacock River Hotel"),
            "123456-Peacock-River-Hotel"
        );
        assert_eq!(
            stem(1, "a/b\\c:d*e?f\"g<h>i|j"),
            "00001-a-b-c-d-e-f-g-h-i-j"
        );
        assert_eq!(stem(1, "../../etc/passwd"), "00001-etc-passwd");
        assert_eq!(stem(1, "  库尔勒 \r\n 宾馆.  "), "00001-库尔勒-宾馆");
        assert_eq!(stem(1, "a\u{202E}gpj.exe\u{0}"), "00001-agpj.exe");
        assert_eq!(stem(1, "St. Mary's (老城)"), "00001-St.-Mary's-(老城)");
        assert_eq!(stem(9, ""), "00009");
        assert_eq!(stem(9, " ./.. "), "00009");
    }

    #[test]
    fn long_names_are_cut_without_a_trailing_hyphen() {
        let long = format!("{}  尾巴", "酒".repeat(FILE_NAME_MAX_NAME_CHARS - 1));
        let cut = stem(3, &long);
        assert_eq!(
            cut,
            format!("00003-{}", "酒".repeat(FILE_NAME_MAX_NAME_CHARS - 1))
        );
    }

    #[test]
    fn the_same_name_gives_different_stems_for_different_venues() {
        assert_ne!(stem(1, "宾馆"), stem(10, "宾馆"));
        assert_ne!(stem(1, "0-宾馆"), stem(10, "宾馆"));
    }

    proptest! {
        #[test]
        fn every_stem_is_safe_and_starts_with_its_id(id in 1i64..10_000_000, name in any::<String>()) {
            let stem = stem(id, &name);
            let (prefix, rest) = stem.split_once('-').unwrap_or((&stem, ""));
            prop_assert_eq!(prefix.parse::<i64>().ok(), Some(id));
            prop_assert!(prefix.len() >= 5);
            prop_assert!(rest.chars().count() <= FILE_NAME_MAX_NAME_CHARS);
            prop_assert!(!stem.chars().any(|c| c.is_control()
                || c.is_whitespace()
                || is_bidi_control(c)
                || REFUSED.contains(&c)));
            prop_assert!(!stem.ends_with(['.', '-']));
            prop_assert!(!rest.starts_with(['.', '-']));
        }
    }
}
