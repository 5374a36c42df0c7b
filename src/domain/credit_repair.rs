//! Credit repair (信用修复; regulators' requirements clause 22) and the
//! credit commitment it may rest on (信用承诺, clause 19).
//!
//! A venue whose list entry is in force applies with its rectification (a
//! text), evidence files and a training record, and may give a signed
//! credit commitment (信用承诺书). Which of these it needs depends on the
//! entry, by [`check_route`]:
//!
//! - an entry whose basis allows repair by commitment is repaired with the
//!   commitment, with evidence files, or with both: at least one of them;
//! - an entry whose basis excludes it (`commitment_excluded`) refuses an
//!   application that gives the commitment, and needs at least one
//!   evidence file.
//!
//! Evidence files are PDF, JPEG or PNG by their first bytes (never by the
//! type a client claims), at most [`EVIDENCE_MAX_BYTES`] each and
//! [`EVIDENCE_MAX_FILES`] to an application.

use chrono::{Months, NaiveDate};
use sha2::{Digest, Sha256};

use super::list_entry::{ListEntryError, REASON_MAX_CHARS, required_text};
use super::photo::{CheckedPhoto, PhotoLimits, PhotoType};
use super::quality_officer::{OfficerError, TrainingRecord};
use super::text::strict_text;

/// The longest rectification text, in characters.
pub const RECTIFICATION_MAX_CHARS: usize = 5000;
/// The longest decision reason, in characters.
pub const DECISION_REASON_MAX_CHARS: usize = REASON_MAX_CHARS;
/// The largest evidence file: 5 MiB, a scanned page or a phone photo with room to spare.
pub const EVIDENCE_MAX_BYTES: usize = 5 * 1024 * 1024;
/// The most evidence files one application holds.
pub const EVIDENCE_MAX_FILES: usize = 5;
/// The longest file name kept (for display only), in characters.
pub const FILE_NAME_MAX_CHARS: usize = 200;
/// How long after its last grading a venue may ask to be graded again.
pub const REGRADE_INTERVAL: Months = Months::new(3);
/// Working days a regulator has to decide an application unless configured.
pub const DEFAULT_DECISION_WORKING_DAYS: u32 = 15;

/// What an evidence file is, by its first bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EvidenceType {
    /// A PDF document (a scanned certificate, a rectification report).
    Pdf,
    /// A JPEG photo.
    Jpeg,
    /// A PNG image.
    Png,
}

impl EvidenceType {
    /// Every accepted type.
    pub const ALL: [EvidenceType; 3] = [EvidenceType::Pdf, EvidenceType::Jpeg, EvidenceType::Png];

    /// Its media type, as stored and served.
    pub fn media_type(self) -> &'static str {
        match self {
            EvidenceType::Pdf => "application/pdf",
            EvidenceType::Jpeg => "image/jpeg",
            EvidenceType::Png => "image/png",
        }
    }

    /// Its usual extension.
    pub fn extension(self) -> &'static str {
        match self {
            EvidenceType::Pdf => "pdf",
            EvidenceType::Jpeg => "jpg",
            EvidenceType::Png => "png",
        }
    }

    /// The type of a stored media type.
    pub fn of_media_type(raw: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|t| t.media_type() == raw)
    }

    /// The type a file's first bytes announce: a PDF's own, or the photo
    /// check's reading of a JPEG or PNG.
    pub fn sniff(bytes: &[u8]) -> Option<Self> {
        if bytes.starts_with(b"%PDF-") {
            Some(EvidenceType::Pdf)
        } else {
            PhotoType::sniff(bytes).map(Self::from)
        }
    }
}

impl From<PhotoType> for EvidenceType {
    fn from(photo: PhotoType) -> Self {
        match photo {
            PhotoType::Jpeg => EvidenceType::Jpeg,
            PhotoType::Png => EvidenceType::Png,
        }
    }
}

/// Why an evidence file is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EvidenceError {
    /// No bytes.
    #[error("the file is empty")]
    Empty,
    /// Over [`EVIDENCE_MAX_BYTES`].
    #[error("the file is larger than {max_bytes} bytes")]
    TooLarge {
        /// The limit.
        max_bytes: usize,
    },
    /// Not a PDF, JPEG or PNG by its bytes, or an image whose header does not decode.
    #[error("the file is not a PDF, JPEG or PNG")]
    NotAccepted,
    /// More files than an application holds.
    #[error("an application holds at most {max} evidence files")]
    TooMany {
        /// The limit.
        max: usize,
    },
}

/// An evidence file whose bytes proved to be a PDF, JPEG or PNG within the size.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckedEvidence {
    /// The name to show: the client's name without any folder, cleaned.
    pub file_name: String,
    /// What it is, by its bytes.
    pub evidence_type: EvidenceType,
    /// SHA-256 of its bytes.
    pub sha256: [u8; 32],
    /// Its bytes.
    pub bytes: Vec<u8>,
}

/// The name a file is shown under: the last part of what the client sent,
/// without control characters, at most [`FILE_NAME_MAX_CHARS`]; a name
/// that is left empty becomes `evidence-{n}.{ext}`.
pub fn display_name(raw: &str, n: usize, evidence_type: EvidenceType) -> String {
    let last = raw.rsplit(['/', '\\']).next().unwrap_or_default();
    let cleaned: String = strict_text(last)
        .unwrap_or_default()
        .chars()
        .filter(|c| !c.is_control())
        .take(FILE_NAME_MAX_CHARS)
        .collect();
    let cleaned = cleaned.trim().to_owned();
    if cleaned.is_empty() {
        format!("evidence-{n}.{}", evidence_type.extension())
    } else {
        cleaned
    }
}

impl CheckedEvidence {
    /// Checks one file: not empty, not over the size, a PDF (`%PDF-` and an
    /// `%%EOF` marker near its end) or a JPEG or PNG whose header decodes.
    pub fn check(file_name: &str, bytes: Vec<u8>, n: usize) -> Result<Self, EvidenceError> {
        if bytes.is_empty() {
            return Err(EvidenceError::Empty);
        }
        if bytes.len() > EVIDENCE_MAX_BYTES {
            return Err(EvidenceError::TooLarge {
                max_bytes: EVIDENCE_MAX_BYTES,
            });
        }
        let evidence_type = EvidenceType::sniff(&bytes).ok_or(EvidenceError::NotAccepted)?;
        match evidence_type {
            EvidenceType::Pdf => {
                let tail = &bytes[bytes.len().saturating_sub(1024)..];
                if !tail.windows(5).any(|w| w == b"%%EOF") {
                    return Err(EvidenceError::NotAccepted);
                }
            }
            EvidenceType::Jpeg | EvidenceType::Png => {
                let limits = PhotoLimits {
                    max_bytes: EVIDENCE_MAX_BYTES,
                    per_inspection: EVIDENCE_MAX_FILES,
                };
                // The photo check reads the header; the bytes come back unchanged.
                let photo = CheckedPhoto::check(bytes, None, limits)
                    .map_err(|_| EvidenceError::NotAccepted)?;
                return Ok(Self {
                    file_name: display_name(file_name, n, evidence_type),
                    evidence_type,
                    sha256: photo.sha256,
                    bytes: photo.bytes,
                });
            }
        }
        Ok(Self {
            file_name: display_name(file_name, n, evidence_type),
            evidence_type,
            sha256: Sha256::digest(&bytes).into(),
            bytes,
        })
    }
}

/// Checks every file of an application, the count first: the first refusal
/// with the name of the file it is about.
pub fn check_files(
    files: Vec<(String, Vec<u8>)>,
) -> Result<Vec<CheckedEvidence>, (String, EvidenceError)> {
    if files.len() > EVIDENCE_MAX_FILES {
        return Err((
            String::new(),
            EvidenceError::TooMany {
                max: EVIDENCE_MAX_FILES,
            },
        ));
    }
    files
        .into_iter()
        .enumerate()
        .map(|(i, (name, bytes))| {
            CheckedEvidence::check(&name, bytes, i + 1).map_err(|e| (name, e))
        })
        .collect()
}

/// Where an application stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum RepairState {
    /// Waiting for the regulator's decision.
    Pending,
    /// Approved: the entry ended on the decision's day.
    Approved,
    /// Rejected: the entry stands; the venue may apply again.
    Rejected,
}

impl RepairState {
    /// Every state, in the order the queue lists them.
    pub const ALL: [RepairState; 3] = [
        RepairState::Pending,
        RepairState::Approved,
        RepairState::Rejected,
    ];

    /// The stored and JSON name.
    pub fn key(self) -> &'static str {
        match self {
            RepairState::Pending => "pending",
            RepairState::Approved => "approved",
            RepairState::Rejected => "rejected",
        }
    }

    /// Parses a stored or requested name.
    pub fn parse(raw: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.key() == raw.trim())
    }
}

/// A regulator's decision on a pending application.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RepairDecision {
    /// Repair the entry: it ends on the decision's day.
    Approved,
    /// The entry stands.
    Rejected,
}

impl RepairDecision {
    /// Parses `approved` or `rejected`.
    pub fn parse(raw: &str) -> Option<Self> {
        match raw.trim() {
            "approved" => Some(RepairDecision::Approved),
            "rejected" => Some(RepairDecision::Rejected),
            _ => None,
        }
    }

    /// The state it leaves the application in.
    pub fn state(self) -> RepairState {
        match self {
            RepairDecision::Approved => RepairState::Approved,
            RepairDecision::Rejected => RepairState::Rejected,
        }
    }
}

/// Why an application or a decision is refused.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum RepairError {
    /// The rectification text or a reason: empty, too long, or holding a control character.
    #[error(transparent)]
    Text(#[from] ListEntryError),
    /// The training record.
    #[error(transparent)]
    Training(#[from] OfficerError),
    /// An evidence file, named.
    #[error("{file}: {error}")]
    Evidence {
        /// The file's name as sent.
        file: String,
        /// What is wrong with it.
        error: EvidenceError,
    },
    /// The entry's basis excludes repair by commitment.
    #[error(
        "this entry's basis excludes repair by credit commitment: apply without the commitment, with evidence files"
    )]
    CommitmentExcluded,
    /// The entry's basis excludes repair by commitment, and no file was sent.
    #[error("this entry's basis excludes repair by credit commitment: send evidence files")]
    EvidenceRequired,
    /// Neither the commitment nor a file.
    #[error("give the credit commitment, send evidence files, or both")]
    CommitmentOrEvidenceRequired,
    /// `decision` is neither `approved` nor `rejected`.
    #[error("decision must be \"approved\" or \"rejected\"")]
    UnknownDecision,
}

/// Whether an application may take the route it takes: see the module's
/// rule. `evidence_files` counts the files that passed their checks.
pub fn check_route(
    commitment_excluded: bool,
    commitment_given: bool,
    evidence_files: usize,
) -> Result<(), RepairError> {
    match (commitment_excluded, commitment_given, evidence_files) {
        (true, true, _) => Err(RepairError::CommitmentExcluded),
        (true, false, 0) => Err(RepairError::EvidenceRequired),
        (false, false, 0) => Err(RepairError::CommitmentOrEvidenceRequired),
        _ => Ok(()),
    }
}

/// The fields of an application as entered.
#[derive(Debug, Clone, Copy, Default)]
pub struct RepairInput<'a> {
    /// What the venue put right.
    pub rectification: &'a str,
    /// Whether it gives the credit commitment.
    pub commitment_given: bool,
    /// The training's course.
    pub training_course: &'a str,
    /// Who gave it.
    pub training_provider: &'a str,
    /// `YYYY-MM-DD`, not in the future.
    pub trained_on: &'a str,
    /// Class hours, 0.5–100.
    pub training_hours: f64,
}

/// An application's own fields, validated (its files are checked apart).
#[derive(Debug, Clone, PartialEq)]
pub struct NewRepairApplication {
    /// What the venue put right, 1–5000 characters.
    pub rectification: String,
    /// Whether it gives the credit commitment.
    pub commitment_given: bool,
    /// The training attended.
    pub training: TrainingRecord,
}

impl NewRepairApplication {
    /// Parses an application as entered, with `today` the local day. Every
    /// fault is returned, so a form can show each beside its field.
    pub fn parse(input: RepairInput<'_>, today: NaiveDate) -> Result<Self, Vec<RepairError>> {
        let mut faults = Vec::new();
        let rectification = required_text(
            input.rectification,
            "rectification",
            RECTIFICATION_MAX_CHARS,
        )
        .map_err(|e| faults.push(RepairError::from(e)))
        .ok();
        let training = TrainingRecord::parse(
            input.training_course,
            input.training_provider,
            input.trained_on,
            input.training_hours,
            today,
        )
        .map_err(|e| faults.push(RepairError::from(e)))
        .ok();
        match (rectification, training) {
            (Some(rectification), Some(training)) if faults.is_empty() => Ok(Self {
                rectification,
                commitment_given: input.commitment_given,
                training,
            }),
            _ => Err(faults),
        }
    }
}

/// A decision's reason: 1–1000 characters.
pub fn decision_reason(raw: &str) -> Result<String, RepairError> {
    Ok(required_text(raw, "reason", DECISION_REASON_MAX_CHARS)?)
}

/// Whether a pending application is past its decision day.
pub fn overdue(state: RepairState, decision_due_on: NaiveDate, today: NaiveDate) -> bool {
    state == RepairState::Pending && today > decision_due_on
}

/// The first day a venue last graded on `last_graded_on` may ask again:
/// three calendar months later (the month's last day when the day does not
/// exist in it: 30 November after 31 August).
pub fn earliest_regrade(last_graded_on: NaiveDate) -> NaiveDate {
    last_graded_on
        .checked_add_months(REGRADE_INTERVAL)
        .unwrap_or(NaiveDate::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    fn pdf() -> Vec<u8> {
        b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n".to_vec()
    }

    fn png() -> Vec<u8> {
        use image::ImageEncoder;
        let mut out = Vec::new();
        image::codecs::png::PngEncoder::new(&mut out)
            .write_image(&[1, 2, 3], 1, 1, image::ExtendedColorType::Rgb8)
            .unwrap();
        out
    }

    #[test]
    fn the_commitment_route_follows_the_entry() {
        // Allowed: the commitment, files, or both; not neither.
        assert_eq!(check_route(false, true, 0), Ok(()));
        assert_eq!(check_route(false, false, 2), Ok(()));
        assert_eq!(check_route(false, true, 1), Ok(()));
        assert_eq!(
            check_route(false, false, 0),
            Err(RepairError::CommitmentOrEvidenceRequired)
        );
        // Excluded: never the commitment, and files are needed.
        assert_eq!(
            check_route(true, true, 3),
            Err(RepairError::CommitmentExcluded)
        );
        assert_eq!(
            check_route(true, false, 0),
            Err(RepairError::EvidenceRequired)
        );
        assert_eq!(check_route(true, false, 1), Ok(()));
    }

    #[test]
    fn files_are_typed_by_their_bytes_and_bounded() {
        let ok = CheckedEvidence::check("C:\\scans\\整改报告.pdf", pdf(), 1).unwrap();
        assert_eq!(ok.evidence_type, EvidenceType::Pdf);
        assert_eq!(ok.file_name, "整改报告.pdf");
        let image = CheckedEvidence::check("../../etc/photo.png", png(), 2).unwrap();
        assert_eq!(image.evidence_type, EvidenceType::Png);
        assert_eq!(image.file_name, "photo.png");
        // A name claiming PDF does not make text a PDF.
        assert_eq!(
            CheckedEvidence::check("report.pdf", b"hello".to_vec(), 1),
            Err(EvidenceError::NotAccepted)
        );
        // A PDF header without its end marker, a PNG signature without a header.
        assert_eq!(
            CheckedEvidence::check("a.pdf", b"%PDF-1.7 truncated".to_vec(), 1),
            Err(EvidenceError::NotAccepted)
        );
        assert_eq!(
            CheckedEvidence::check("a.png", b"\x89PNG\r\n\x1a\n".to_vec(), 1),
            Err(EvidenceError::NotAccepted)
        );
        assert_eq!(
            CheckedEvidence::check("a.pdf", Vec::new(), 1),
            Err(EvidenceError::Empty)
        );
        let mut big = pdf();
        big.resize(EVIDENCE_MAX_BYTES + 1, b' ');
        assert_eq!(
            CheckedEvidence::check("big.pdf", big, 1),
            Err(EvidenceError::TooLarge {
                max_bytes: EVIDENCE_MAX_BYTES
            })
        );
        let six = (0..6).map(|i| (format!("{i}.pdf"), pdf())).collect();
        assert_eq!(
            check_files(six).unwrap_err().1,
            EvidenceError::TooMany {
                max: EVIDENCE_MAX_FILES
            }
        );
        assert_eq!(display_name("  ", 3, EvidenceType::Jpeg), "evidence-3.jpg");
    }

    #[test]
    fn an_application_names_each_fault() {
        let today = day("2026-12-06");
        let faults = NewRepairApplication::parse(
            RepairInput {
                rectification: " ",
                commitment_given: true,
                training_course: "信用修复培训",
                training_provider: "州文旅局",
                trained_on: "2026-12-07",
                training_hours: 4.0,
            },
            today,
        )
        .unwrap_err();
        assert_eq!(
            faults,
            vec![
                RepairError::Text(ListEntryError::Required("rectification")),
                RepairError::Training(OfficerError::BadTrainingDate),
            ]
        );
        let ok = NewRepairApplication::parse(
            RepairInput {
                rectification: "已退款并整改",
                commitment_given: false,
                training_course: "信用修复培训",
                training_provider: "州文旅局",
                trained_on: "2026-12-01",
                training_hours: 4.04,
            },
            today,
        )
        .unwrap();
        assert_eq!(ok.training.hours, 4.0);
    }

    #[test]
    fn regrading_waits_three_calendar_months_and_overdue_is_after_the_due_day() {
        assert_eq!(earliest_regrade(day("2026-12-06")), day("2027-03-06"));
        assert_eq!(earliest_regrade(day("2026-08-31")), day("2026-11-30"));
        let due = day("2026-12-24");
        assert!(!overdue(RepairState::Pending, due, due));
        assert!(overdue(RepairState::Pending, due, day("2026-12-25")));
        assert!(!overdue(RepairState::Approved, due, day("2027-01-25")));
        assert_eq!(
            RepairDecision::parse("approved").unwrap().state(),
            RepairState::Approved
        );
        assert_eq!(RepairDecision::parse("maybe"), None);
        assert_eq!(RepairState::parse("rejected"), Some(RepairState::Rejected));
    }
}
