//! The Chief Quality Officer (首席质量官) scheme of a province (吉林, 2024;
//! section B of the regulators' requirements), parsed at the edge: the
//! appointment conditions of 二(二), the duties of 二(三), training records
//! (training is the gate to recognition, 三(一)), a regulator's registration
//! (备案) decision (三(五)) and the yearly evaluation.

use chrono::{Datelike, NaiveDate};

use super::venue_profile::{OFFICER_TEXT_MAX_CHARS, ProfileError, Registration, required_text};

/// The longest professional qualification, in characters.
pub const QUALIFICATION_MAX_CHARS: usize = 200;
/// The longest course or provider name, in characters.
pub const COURSE_MAX_CHARS: usize = 200;
/// The longest reason of a decision or an evaluation, in characters.
pub const REASON_MAX_CHARS: usize = 500;
/// The most years of experience accepted: more than a working life is a typo.
pub const EXPERIENCE_YEARS_MAX: i64 = 60;
/// Years of quality management in tourism services 二(二) asks for.
pub const EXPERIENCE_YEARS_REQUIRED: i64 = 3;
/// The fewest hours one training record holds.
pub const RECORD_HOURS_MIN: f64 = 0.5;
/// The most hours one training record holds.
pub const RECORD_HOURS_MAX: f64 = 100.0;
/// The first year an evaluation may be for.
pub const FIRST_EVALUATION_YEAR: i32 = 2000;

/// Why an officer's input was refused; `field()` names the JSON field (and
/// the form field) it is about.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum OfficerError {
    /// A text or date field, as the venue profile refuses it.
    #[error(transparent)]
    Profile(#[from] ProfileError),
    /// `education` is not one of the listed levels.
    #[error("education must be one of doctorate, master, bachelor, college, secondary")]
    UnknownEducation,
    /// `experience_years` is not a whole number from 0 to 60.
    #[error("experience_years must be a whole number from 0 to 60")]
    BadExperience,
    /// A duty is not one of the eight of 二(三).
    #[error(
        "duties must be keys among strategy, system, improvement, quality_cost, training, culture, standards, compliance"
    )]
    UnknownDuty,
    /// A training record's hours are outside 0.5–100.
    #[error("hours must be a number from 0.5 to 100")]
    BadHours,
    /// A training record's date is not a date, or lies in the future.
    #[error("trained_on must be a date written YYYY-MM-DD, not in the future")]
    BadTrainingDate,
    /// An evaluation's year is outside 2000 to this year.
    #[error("year must be a year from 2000 to the current year")]
    BadYear,
    /// An evaluation's grade is not excellent, qualified or unqualified.
    #[error("grade must be one of excellent, qualified, unqualified")]
    UnknownGrade,
    /// A decision is not registered or refused.
    #[error("decision must be registered or refused")]
    UnknownDecision,
}

impl OfficerError {
    /// The field the refusal is about.
    pub fn field(&self) -> &'static str {
        match self {
            OfficerError::Profile(p) => match p {
                ProfileError::Empty { field }
                | ProfileError::ControlCharacter { field }
                | ProfileError::TooLong { field, .. } => field,
                ProfileError::BadDate | ProfileError::FutureDate => "appointed_on",
                ProfileError::UnknownStatus => "registration_status",
            },
            OfficerError::UnknownEducation => "education",
            OfficerError::BadExperience => "experience_years",
            OfficerError::UnknownDuty => "duties",
            OfficerError::BadHours => "hours",
            OfficerError::BadTrainingDate => "trained_on",
            OfficerError::BadYear => "year",
            OfficerError::UnknownGrade => "grade",
            OfficerError::UnknownDecision => "decision",
        }
    }
}

/// Highest education, as the filing form's choice list has it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Education {
    /// 博士研究生.
    Doctorate,
    /// 硕士研究生.
    Master,
    /// 大学本科.
    Bachelor,
    /// 大专.
    College,
    /// 中专、高中及以下.
    Secondary,
}

impl Education {
    /// Every level, highest first.
    pub const ALL: [Education; 5] = [
        Education::Doctorate,
        Education::Master,
        Education::Bachelor,
        Education::College,
        Education::Secondary,
    ];

    /// The stored and JSON name.
    pub fn key(self) -> &'static str {
        match self {
            Education::Doctorate => "doctorate",
            Education::Master => "master",
            Education::Bachelor => "bachelor",
            Education::College => "college",
            Education::Secondary => "secondary",
        }
    }

    /// Parses a stored or requested name.
    pub fn parse(raw: &str) -> Result<Self, OfficerError> {
        Education::ALL
            .into_iter()
            .find(|e| e.key() == raw.trim())
            .ok_or(OfficerError::UnknownEducation)
    }

    /// Bachelor's degree or above (本科及以上), as 二(二) asks.
    pub fn meets_requirement(self) -> bool {
        matches!(
            self,
            Education::Doctorate | Education::Master | Education::Bachelor
        )
    }
}

/// The duties of a Chief Quality Officer listed in 二(三).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Duty {
    /// Quality strategy and the yearly quality plan.
    Strategy,
    /// A quality management system (e.g. ISO 9001).
    System,
    /// Quality improvement activities.
    Improvement,
    /// Quality cost and statistics.
    QualityCost,
    /// Staff quality training.
    Training,
    /// Quality culture.
    Culture,
    /// Service standards.
    Standards,
    /// Legal compliance on quality.
    Compliance,
}

impl Duty {
    /// Every duty, in the order of 二(三).
    pub const ALL: [Duty; 8] = [
        Duty::Strategy,
        Duty::System,
        Duty::Improvement,
        Duty::QualityCost,
        Duty::Training,
        Duty::Culture,
        Duty::Standards,
        Duty::Compliance,
    ];

    /// The stored and JSON name.
    pub fn key(self) -> &'static str {
        match self {
            Duty::Strategy => "strategy",
            Duty::System => "system",
            Duty::Improvement => "improvement",
            Duty::QualityCost => "quality_cost",
            Duty::Training => "training",
            Duty::Culture => "culture",
            Duty::Standards => "standards",
            Duty::Compliance => "compliance",
        }
    }

    /// Parses a stored or requested name.
    pub fn parse(raw: &str) -> Result<Self, OfficerError> {
        Duty::ALL
            .into_iter()
            .find(|d| d.key() == raw.trim())
            .ok_or(OfficerError::UnknownDuty)
    }
}

/// Whether the appointment conditions of 二(二) that can be checked are met:
/// bachelor's degree or above, a professional qualification stated, and at
/// least three years of quality management in tourism services.
pub fn conditions_met(
    education: Option<Education>,
    qualification: Option<&str>,
    experience_years: Option<i64>,
) -> bool {
    education.is_some_and(Education::meets_requirement)
        && qualification.is_some_and(|q| !q.is_empty())
        && experience_years.is_some_and(|y| y >= EXPERIENCE_YEARS_REQUIRED)
}

/// The raw fields of an officer, as a form or a JSON body gives them.
#[derive(Debug, Clone, Copy)]
pub struct RawOfficer<'a> {
    /// Name.
    pub name: &'a str,
    /// Position in the venue.
    pub position: &'a str,
    /// Appointment date, `YYYY-MM-DD`.
    pub appointed_on: &'a str,
    /// Highest education key, if given (empty is none).
    pub education: Option<&'a str>,
    /// Professional qualification, if given (empty is none).
    pub qualification: Option<&'a str>,
    /// Years of quality management in tourism services, if given.
    pub experience_years: Option<i64>,
    /// Duty keys.
    pub duties: &'a [String],
    /// The filing status asked for, if any.
    pub registration_status: Option<&'a str>,
}

/// A venue's Chief Quality Officer as its staff keep it, valid by construction.
#[derive(Debug, Clone, PartialEq)]
pub struct OfficerDetails {
    /// Name.
    pub name: String,
    /// Position in the venue.
    pub position: String,
    /// Appointment date.
    pub appointed_on: NaiveDate,
    /// Highest education.
    pub education: Option<Education>,
    /// Professional qualification.
    pub qualification: Option<String>,
    /// Years of quality management in tourism services.
    pub experience_years: Option<i16>,
    /// Duties, in the order of 二(三), each once.
    pub duties: Vec<Duty>,
    /// The filing status asked for; `None` keeps the current one.
    pub registration: Option<Registration>,
}

impl OfficerDetails {
    /// Parses the fields; `today` (the local day) bounds the appointment date.
    pub fn parse(raw: RawOfficer<'_>, today: NaiveDate) -> Result<Self, OfficerError> {
        let name = required_text(raw.name, "name", OFFICER_TEXT_MAX_CHARS)?;
        let position = required_text(raw.position, "position", OFFICER_TEXT_MAX_CHARS)?;
        let appointed_on = NaiveDate::parse_from_str(raw.appointed_on.trim(), "%Y-%m-%d")
            .map_err(|_| ProfileError::BadDate)?;
        if appointed_on > today {
            return Err(ProfileError::FutureDate.into());
        }
        let education = match raw.education.map(str::trim).filter(|e| !e.is_empty()) {
            Some(key) => Some(Education::parse(key)?),
            None => None,
        };
        let qualification = match raw.qualification.filter(|q| !q.trim().is_empty()) {
            Some(text) => Some(required_text(
                text,
                "qualification",
                QUALIFICATION_MAX_CHARS,
            )?),
            None => None,
        };
        let experience_years = match raw.experience_years {
            Some(years) if (0..=EXPERIENCE_YEARS_MAX).contains(&years) => {
                Some(i16::try_from(years).map_err(|_| OfficerError::BadExperience)?)
            }
            Some(_) => return Err(OfficerError::BadExperience),
            None => None,
        };
        let mut chosen = Vec::new();
        for key in raw.duties {
            chosen.push(Duty::parse(key)?);
        }
        let duties = Duty::ALL
            .into_iter()
            .filter(|d| chosen.contains(d))
            .collect();
        let registration = match raw
            .registration_status
            .map(str::trim)
            .filter(|s| !s.is_empty())
        {
            Some(key) => Some(Registration::parse(key)?),
            None => None,
        };
        Ok(Self {
            name,
            position,
            appointed_on,
            education,
            qualification,
            experience_years,
            duties,
            registration,
        })
    }
}

/// Why a change of the filing status asked with the officer's record is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AskRefusal {
    /// Registered and refused are a regulator's decisions (三(五)), never asked.
    ByRegulator,
    /// A registered filing is not filed again; withdraw it first.
    NotAllowed,
}

/// The filing status after the officer's record is saved with `asked`:
/// `None` keeps the current one (unregistered for a new officer); the venue
/// may withdraw (unregistered) at any time and file (pending) unless the
/// filing is registered; registering and refusing are a regulator's acts.
pub fn asked_registration(
    current: Option<Registration>,
    asked: Option<Registration>,
) -> Result<Registration, AskRefusal> {
    let current = current.unwrap_or(Registration::Unregistered);
    match asked {
        None => Ok(current),
        Some(asked) if asked == current => Ok(current),
        Some(Registration::Unregistered) => Ok(Registration::Unregistered),
        Some(Registration::Pending) if current == Registration::Registered => {
            Err(AskRefusal::NotAllowed)
        }
        Some(Registration::Pending) => Ok(Registration::Pending),
        Some(Registration::Registered | Registration::Refused) => Err(AskRefusal::ByRegulator),
    }
}

/// Reads years of experience typed into a form: empty for none, else a whole number.
pub fn parse_experience_text(raw: &str) -> Result<Option<i64>, OfficerError> {
    let raw = raw.trim();
    if raw.is_empty() {
        return Ok(None);
    }
    if !raw.bytes().all(|b| b.is_ascii_digit()) || raw.len() > 3 {
        return Err(OfficerError::BadExperience);
    }
    raw.parse::<i64>()
        .map(Some)
        .map_err(|_| OfficerError::BadExperience)
}

/// Bounds one record's hours to 0.5–100 and rounds them to the one decimal kept.
pub fn record_hours(hours: f64) -> Result<f64, OfficerError> {
    let rounded = (hours * 10.0).round() / 10.0;
    if !hours.is_finite() || !(RECORD_HOURS_MIN..=RECORD_HOURS_MAX).contains(&rounded) {
        return Err(OfficerError::BadHours);
    }
    Ok(rounded)
}

/// Reads a record's hours typed into a form: a plain decimal number.
pub fn parse_hours_text(raw: &str) -> Result<f64, OfficerError> {
    let raw = raw.trim();
    // Only digits and one decimal point: "1e3", "inf" and "NaN" are not hours.
    if raw.is_empty() || !raw.bytes().all(|b| b.is_ascii_digit() || b == b'.') {
        return Err(OfficerError::BadHours);
    }
    raw.parse::<f64>()
        .map_err(|_| OfficerError::BadHours)
        .and_then(record_hours)
}

/// One training record (a course attended), valid by construction.
#[derive(Debug, Clone, PartialEq)]
pub struct TrainingRecord {
    /// The course.
    pub course: String,
    /// Who gave it.
    pub provider: String,
    /// The day it was attended (or completed).
    pub trained_on: NaiveDate,
    /// Class hours (学时), 0.5–100, one decimal.
    pub hours: f64,
}

impl TrainingRecord {
    /// Parses a record; `today` bounds its date.
    pub fn parse(
        course: &str,
        provider: &str,
        trained_on: &str,
        hours: f64,
        today: NaiveDate,
    ) -> Result<Self, OfficerError> {
        let course = required_text(course, "course", COURSE_MAX_CHARS)?;
        let provider = required_text(provider, "provider", COURSE_MAX_CHARS)?;
        let trained_on = NaiveDate::parse_from_str(trained_on.trim(), "%Y-%m-%d")
            .ok()
            .filter(|d| *d <= today && d.year() >= FIRST_EVALUATION_YEAR)
            .ok_or(OfficerError::BadTrainingDate)?;
        Ok(Self {
            course,
            provider,
            trained_on,
            hours: record_hours(hours)?,
        })
    }
}

/// A regulator's registration (备案) decision on a pending filing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision {
    /// Registered: counts as a tier rule input.
    Registered,
    /// Refused: the venue may ask again.
    Refused,
}

impl Decision {
    /// Parses `registered` or `refused`.
    pub fn parse(raw: &str) -> Result<Self, OfficerError> {
        match raw.trim() {
            "registered" => Ok(Decision::Registered),
            "refused" => Ok(Decision::Refused),
            _ => Err(OfficerError::UnknownDecision),
        }
    }

    /// The filing status the decision leaves.
    pub fn status(self) -> Registration {
        match self {
            Decision::Registered => Registration::Registered,
            Decision::Refused => Registration::Refused,
        }
    }
}

/// Parses a reason (of a decision or an evaluation): 1–500 characters.
pub fn parse_reason(raw: &str, field: &'static str) -> Result<String, OfficerError> {
    Ok(required_text(raw, field, REASON_MAX_CHARS)?)
}

/// The grade of a yearly evaluation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Grade {
    /// 优秀.
    Excellent,
    /// 合格.
    Qualified,
    /// 不合格.
    Unqualified,
}

impl Grade {
    /// Every grade, best first.
    pub const ALL: [Grade; 3] = [Grade::Excellent, Grade::Qualified, Grade::Unqualified];

    /// The stored and JSON name.
    pub fn key(self) -> &'static str {
        match self {
            Grade::Excellent => "excellent",
            Grade::Qualified => "qualified",
            Grade::Unqualified => "unqualified",
        }
    }

    /// Parses a stored or requested name.
    pub fn parse(raw: &str) -> Result<Self, OfficerError> {
        Grade::ALL
            .into_iter()
            .find(|g| g.key() == raw.trim())
            .ok_or(OfficerError::UnknownGrade)
    }
}

/// A yearly evaluation, valid by construction.
#[derive(Debug, Clone, PartialEq)]
pub struct Evaluation {
    /// The year evaluated.
    pub year: i16,
    /// The grade.
    pub grade: Grade,
    /// Why.
    pub reasons: String,
}

impl Evaluation {
    /// Parses an evaluation; `today` bounds the year (no evaluation of a year to come).
    pub fn parse(
        year: i64,
        grade: &str,
        reasons: &str,
        today: NaiveDate,
    ) -> Result<Self, OfficerError> {
        if year < i64::from(FIRST_EVALUATION_YEAR) || year > i64::from(today.year()) {
            return Err(OfficerError::BadYear);
        }
        Ok(Self {
            year: i16::try_from(year).map_err(|_| OfficerError::BadYear)?,
            grade: Grade::parse(grade)?,
            reasons: parse_reason(reasons, "reasons")?,
        })
    }
}

/// Reads a year typed into a form.
pub fn parse_year_text(raw: &str) -> Result<i64, OfficerError> {
    let raw = raw.trim();
    if raw.len() != 4 || !raw.bytes().all(|b| b.is_ascii_digit()) {
        return Err(OfficerError::BadYear);
    }
    raw.parse().map_err(|_| OfficerError::BadYear)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    fn raw<'a>(duties: &'a [String]) -> RawOfficer<'a> {
        RawOfficer {
            name: " 王芳 ",
            position: "质量总监",
            appointed_on: "2026-03-01",
            education: Some("bachelor"),
            qualification: Some("中级质量工程师"),
            experience_years: Some(5),
            duties,
            registration_status: None,
        }
    }

    #[test]
    fn an_officer_parses_with_duties_in_scheme_order() {
        let duties = vec![
            "compliance".to_owned(),
            "strategy".to_owned(),
            "strategy".to_owned(),
        ];
        let officer = OfficerDetails::parse(raw(&duties), day(2026, 12, 8)).unwrap();
        assert_eq!(officer.name, "王芳");
        assert_eq!(officer.education, Some(Education::Bachelor));
        assert_eq!(officer.duties, vec![Duty::Strategy, Duty::Compliance]);
        assert_eq!(officer.registration, None);
        assert!(conditions_met(
            officer.education,
            officer.qualification.as_deref(),
            officer.experience_years.map(i64::from)
        ));
    }

    #[test]
    fn bad_fields_are_named() {
        let none: Vec<String> = Vec::new();
        let today = day(2026, 12, 8);
        let with = |f: &dyn Fn(&mut RawOfficer<'_>)| {
            let mut r = raw(&none);
            f(&mut r);
            OfficerDetails::parse(r, today).unwrap_err().field()
        };
        assert_eq!(with(&|r| r.education = Some("phd")), "education");
        assert_eq!(with(&|r| r.experience_years = Some(61)), "experience_years");
        assert_eq!(with(&|r| r.experience_years = Some(-1)), "experience_years");
        assert_eq!(with(&|r| r.qualification = Some("a\u{7}")), "qualification");
        assert_eq!(with(&|r| r.appointed_on = "2026-12-09"), "appointed_on");
        assert_eq!(with(&|r| r.name = " "), "name");
        assert_eq!(
            with(&|r| r.registration_status = Some("done")),
            "registration_status"
        );
        let bad = vec!["everything".to_owned()];
        assert_eq!(
            OfficerDetails::parse(raw(&bad), today).unwrap_err(),
            OfficerError::UnknownDuty
        );
    }

    #[test]
    fn venues_ask_and_regulators_decide() {
        use Registration::*;
        assert_eq!(asked_registration(None, None), Ok(Unregistered));
        assert_eq!(asked_registration(Some(Registered), None), Ok(Registered));
        assert_eq!(
            asked_registration(Some(Refused), Some(Pending)),
            Ok(Pending)
        );
        assert_eq!(
            asked_registration(Some(Unregistered), Some(Pending)),
            Ok(Pending)
        );
        assert_eq!(
            asked_registration(Some(Registered), Some(Unregistered)),
            Ok(Unregistered)
        );
        assert_eq!(
            asked_registration(Some(Registered), Some(Registered)),
            Ok(Registered)
        );
        assert_eq!(
            asked_registration(Some(Registered), Some(Pending)),
            Err(AskRefusal::NotAllowed)
        );
        for decided in [Registered, Refused] {
            assert_eq!(
                asked_registration(Some(Pending), Some(decided)),
                Err(AskRefusal::ByRegulator)
            );
        }
    }

    #[test]
    fn conditions_follow_the_scheme() {
        assert!(!conditions_met(
            Some(Education::College),
            Some("x"),
            Some(5)
        ));
        assert!(!conditions_met(Some(Education::Master), None, Some(5)));
        assert!(!conditions_met(Some(Education::Master), Some("x"), Some(2)));
        assert!(conditions_met(
            Some(Education::Doctorate),
            Some("x"),
            Some(3)
        ));
    }

    #[test]
    fn training_hours_are_bounded_per_record() {
        assert_eq!(record_hours(0.5), Ok(0.5));
        assert_eq!(record_hours(100.0), Ok(100.0));
        assert_eq!(record_hours(12.34), Ok(12.3));
        for bad in [0.4, 0.0, -1.0, 100.1, f64::NAN, f64::INFINITY] {
            assert_eq!(record_hours(bad), Err(OfficerError::BadHours), "{bad}");
        }
        assert_eq!(parse_hours_text(" 8 "), Ok(8.0));
        for bad in ["", "1e2", "NaN", "-2", "1.2.3", "十"] {
            assert_eq!(parse_hours_text(bad), Err(OfficerError::BadHours), "{bad}");
        }
        let today = day(2026, 12, 8);
        let record = TrainingRecord::parse("质量管理", "省市场监管局", "2026-05-01", 8.0, today);
        assert_eq!(record.unwrap().hours, 8.0);
        assert_eq!(
            TrainingRecord::parse("c", "p", "2026-12-09", 8.0, today).unwrap_err(),
            OfficerError::BadTrainingDate
        );
        assert_eq!(
            TrainingRecord::parse("", "p", "2026-12-01", 8.0, today)
                .unwrap_err()
                .field(),
            "course"
        );
    }

    #[test]
    fn evaluations_and_decisions() {
        let today = day(2026, 12, 8);
        let e = Evaluation::parse(2026, "excellent", "年度目标完成", today).unwrap();
        assert_eq!((e.year, e.grade), (2026, Grade::Excellent));
        assert_eq!(
            Evaluation::parse(2027, "excellent", "r", today),
            Err(OfficerError::BadYear)
        );
        assert_eq!(
            Evaluation::parse(2026, "good", "r", today),
            Err(OfficerError::UnknownGrade)
        );
        assert_eq!(
            Evaluation::parse(2026, "qualified", " ", today)
                .unwrap_err()
                .field(),
            "reasons"
        );
        assert_eq!(parse_year_text("2025"), Ok(2025));
        assert_eq!(parse_year_text("25"), Err(OfficerError::BadYear));
        assert_eq!(Decision::parse("refused"), Ok(Decision::Refused));
        assert_eq!(
            Decision::parse("approve"),
            Err(OfficerError::UnknownDecision)
        );
        for key in ["doctorate", "master", "bachelor", "college", "secondary"] {
            assert_eq!(Education::parse(key).unwrap().key(), key);
        }
        for duty in Duty::ALL {
            assert_eq!(Duty::parse(duty.key()), Ok(duty));
        }
    }
}
