//! Keeping venues up to date: editing one (its fields, its particulars,
//! closing and reopening it) and registering many at once from a
//! spreadsheet. Every change writes its audit row in its own transaction.

use chrono::{DateTime, NaiveDate, SubsecRound, Utc};
use serde_json::{Value, json};
use sqlx::PgPool;

use crate::domain::code::{CURRENT_KEY_VERSION, VenueCode};
use crate::domain::ids::VenueId;
use crate::domain::venue::{RegionCode, VenueEdit};
use crate::domain::venue_import::ImportedVenue;

use super::audit::{self, AuditAction, AuditEntry};
use super::{ScopeFilter, StoreError, violated_constraint};

/// A venue with everything an editor sees: its fields, its particulars,
/// its live code and whether it is closed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VenueRecord {
    /// Venue id.
    pub id: VenueId,
    /// Display name.
    pub name: String,
    /// Postal address, if given.
    pub address: Option<String>,
    /// Six-digit region code.
    pub region_code: RegionCode,
    /// Category key.
    pub category: String,
    /// 单位性质, as its key.
    pub unit_type: Option<String>,
    /// 负责人.
    pub person_in_charge: Option<String>,
    /// 联系电话.
    pub contact_phone: Option<String>,
    /// 员工人数.
    pub staff_count: Option<i32>,
    /// 设立时间.
    pub founded_on: Option<NaiveDate>,
    /// 统一社会信用代码.
    pub credit_code: Option<String>,
    /// When it closed, if it has.
    pub closed_at: Option<DateTime<Utc>>,
    /// The live code printed in its QR code.
    pub code: String,
}

impl VenueRecord {
    /// The fields an audit row shows, by their API names.
    fn audit_fields(&self) -> Value {
        json!({
            "name": self.name,
            "address": self.address,
            "region_code": self.region_code,
            "category": self.category,
            "unit_type": self.unit_type,
            "person_in_charge": self.person_in_charge,
            "contact_phone": self.contact_phone,
            "staff_count": self.staff_count,
            "founded_on": self.founded_on,
            "credit_code": self.credit_code,
            "closed": self.closed_at.is_some(),
        })
    }

    /// This record with `edit` applied; closing keeps an earlier closing time.
    fn edited(&self, edit: &VenueEdit, now: DateTime<Utc>) -> Self {
        let mut after = self.clone();
        if let Some(name) = &edit.name {
            after.name = name.as_str().to_owned();
        }
        if let Some(address) = &edit.address {
            after.address = address.clone();
        }
        if let Some(region_code) = &edit.region_code {
            after.region_code = region_code.clone();
        }
        if let Some(category) = &edit.category {
            after.category = category.as_str().to_owned();
        }
        if let Some(unit_type) = edit.unit_type {
            after.unit_type = unit_type.map(|t| t.key().to_owned());
        }
        if let Some(person) = &edit.person_in_charge {
            after.person_in_charge = person.as_ref().map(|p| p.as_str().to_owned());
        }
        if let Some(phone) = &edit.contact_phone {
            after.contact_phone = phone.as_ref().map(|p| p.as_str().to_owned());
        }
        if let Some(staff_count) = edit.staff_count {
            after.staff_count = staff_count.map(|c| c.get());
        }
        if let Some(founded_on) = edit.founded_on {
            after.founded_on = founded_on.map(|d| d.get());
        }
        if let Some(credit_code) = &edit.credit_code {
            after.credit_code = credit_code.as_ref().map(|c| c.as_str().to_owned());
        }
        match edit.closed {
            Some(true) if self.closed_at.is_none() => after.closed_at = Some(now),
            Some(false) => after.closed_at = None,
            _ => {}
        }
        after
    }
}

/// The fields of two audit shapes that differ, each side holding only those.
fn changed_fields(before: &Value, after: &Value) -> (Value, Value) {
    let (mut was, mut is) = (serde_json::Map::new(), serde_json::Map::new());
    if let (Some(before), Some(after)) = (before.as_object(), after.as_object()) {
        for (key, new) in after {
            let old = before.get(key).unwrap_or(&Value::Null);
            if old != new {
                was.insert(key.clone(), old.clone());
                is.insert(key.clone(), new.clone());
            }
        }
    }
    (Value::Object(was), Value::Object(is))
}

/// Loads a venue with its particulars and live code, if it lies within `scope`.
pub async fn record_in_scope(
    pool: &PgPool,
    venue_id: VenueId,
    scope: &ScopeFilter,
) -> Result<Option<VenueRecord>, StoreError> {
    let mut conn = pool.acquire().await?;
    load(&mut conn, venue_id, scope, false).await
}

/// Reads a venue in `scope`, locking its row when it is about to change.
async fn load(
    conn: &mut sqlx::PgConnection,
    venue_id: VenueId,
    scope: &ScopeFilter,
    for_update: bool,
) -> Result<Option<VenueRecord>, StoreError> {
    // Two statements rather than a flag in one: FOR UPDATE must name the
    // venue's row alone, and a cluster routes both to the venue's node.
    let row = if for_update {
        sqlx::query_as!(
            VenueRecord,
            r#"SELECT v.id, v.name, v.address, v.region_code AS "region_code: RegionCode",
                      v.category, v.unit_type, v.person_in_charge, v.contact_phone,
                      v.staff_count, v.founded_on, v.credit_code, v.closed_at, c.code
               FROM venues v
               JOIN venue_codes c ON c.venue_id = v.id AND c.replaced_at IS NULL
               WHERE v.id = $1 AND c.venue_id = $1
                 AND ($2 OR v.region_code = ANY($3) OR v.id = ANY($4))
               FOR UPDATE OF v"#,
            venue_id.get(),
            scope.all,
            &scope.region_codes as &[String],
            &scope.venue_ids
        )
        .fetch_optional(&mut *conn)
        .await?
    } else {
        sqlx::query_as!(
            VenueRecord,
            r#"SELECT v.id, v.name, v.address, v.region_code AS "region_code: RegionCode",
                      v.category, v.unit_type, v.person_in_charge, v.contact_phone,
                      v.staff_count, v.founded_on, v.credit_code, v.closed_at, c.code
               FROM venues v
               JOIN venue_codes c ON c.venue_id = v.id AND c.replaced_at IS NULL
               WHERE v.id = $1 AND c.venue_id = $1
                 AND ($2 OR v.region_code = ANY($3) OR v.id = ANY($4))"#,
            venue_id.get(),
            scope.all,
            &scope.region_codes as &[String],
            &scope.venue_ids
        )
        .fetch_optional(&mut *conn)
        .await?
    };
    Ok(row)
}

/// Why an edit was refused.
#[derive(Debug, thiserror::Error)]
pub enum EditVenueError {
    /// The new region code is not in the reference tree.
    #[error("unknown region")]
    UnknownRegion,
    /// The new category key is not in the reference list.
    #[error("unknown category")]
    UnknownCategory,
    /// The database failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// What an edit did.
#[derive(Debug, Clone)]
pub struct EditOutcome {
    /// The venue before.
    pub before: VenueRecord,
    /// The venue as it is now.
    pub after: VenueRecord,
}

impl EditOutcome {
    /// Whether anything changed (nothing is written when nothing did).
    pub fn changed(&self) -> bool {
        self.before != self.after
    }
}

/// Applies `edit` to a venue within `scope`, at `now`, with one audit row
/// holding the changed fields before and after; queues the venue's score
/// refresh when its region or category changed (its prior and its rankings
/// follow them). `None` for a venue that does not exist or lies outside
/// `scope`. An edit that changes nothing writes nothing.
pub async fn edit(
    pool: &PgPool,
    venue_id: VenueId,
    scope: &ScopeFilter,
    edit: &VenueEdit,
    now: DateTime<Utc>,
    mut audit: AuditEntry,
) -> Result<Option<EditOutcome>, EditVenueError> {
    let mut tx = pool.begin().await.map_err(StoreError::from)?;
    let Some(before) = load(&mut tx, venue_id, scope, true).await? else {
        return Ok(None);
    };
    // Postgres keeps microseconds: the answer shows what is stored.
    let after = before.edited(edit, now.trunc_subsecs(6));
    let outcome = EditOutcome { before, after };
    if !outcome.changed() {
        return Ok(Some(outcome));
    }
    let (before, after) = (&outcome.before, &outcome.after);
    sqlx::query!(
        r#"UPDATE venues
           SET name = $2, address = $3, region_code = $4, category = $5, unit_type = $6,
               person_in_charge = $7, contact_phone = $8, staff_count = $9, founded_on = $10,
               credit_code = $11, closed_at = $12
           WHERE id = $1"#,
        venue_id.get(),
        after.name,
        after.address,
        after.region_code.as_str(),
        after.category,
        after.unit_type,
        after.person_in_charge,
        after.contact_phone,
        after.staff_count,
        after.founded_on,
        after.credit_code,
        after.closed_at
    )
    .execute(&mut *tx)
    .await
    .map_err(|e| match violated_constraint(&e) {
        Some("venues_region_fkey") => EditVenueError::UnknownRegion,
        Some("venues_category_fkey") => EditVenueError::UnknownCategory,
        _ => StoreError::from(e).into(),
    })?;
    if before.region_code != after.region_code || before.category != after.category {
        super::scores::queue_refresh(&mut tx, venue_id).await?;
    }
    audit.action = match (before.closed_at.is_some(), after.closed_at.is_some()) {
        (false, true) => AuditAction::VENUE_CLOSE,
        (true, false) => AuditAction::VENUE_REOPEN,
        _ => AuditAction::VENUE_UPDATE,
    };
    let (was, is) = changed_fields(&before.audit_fields(), &after.audit_fields());
    audit.target = format!("venue:{venue_id}");
    audit.region_code = Some(after.region_code.to_string());
    audit.venue_id = Some(venue_id);
    audit.before = Some(was);
    audit.after = Some(is);
    audit::record(&mut tx, &audit).await?;
    tx.commit().await.map_err(StoreError::from)?;
    Ok(Some(outcome))
}

/// Why an import was refused by the database after its rows were checked.
#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    /// A region code is not in the reference tree (it changed meanwhile).
    #[error("unknown region")]
    UnknownRegion,
    /// A category key is not in the reference list.
    #[error("unknown category")]
    UnknownCategory,
    /// The database failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Registers every venue of `rows` in one transaction, all or none: a
/// handful of statements whatever the number of rows (each column goes in
/// as one array), then each venue's first code, its first score refresh and
/// its audit row (`audit` is the template). Answers the new venues' ids.
pub async fn import(
    pool: &PgPool,
    code_key: &[u8],
    rows: &[ImportedVenue],
    now: DateTime<Utc>,
    audit: &AuditEntry,
) -> Result<Vec<VenueId>, ImportError> {
    let column = |f: &dyn Fn(&ImportedVenue) -> Option<String>| -> Vec<Option<String>> {
        rows.iter().map(f).collect()
    };
    let names: Vec<String> = rows.iter().map(|r| r.name.as_str().to_owned()).collect();
    let regions: Vec<String> = rows
        .iter()
        .map(|r| r.region_code.as_str().to_owned())
        .collect();
    let categories: Vec<String> = rows
        .iter()
        .map(|r| r.category.as_str().to_owned())
        .collect();
    let addresses = column(&|r| r.address.clone());
    let unit_types = column(&|r| r.particulars.unit_type.map(|t| t.key().to_owned()));
    let people = column(&|r| {
        r.particulars
            .person_in_charge
            .as_ref()
            .map(|p| p.as_str().to_owned())
    });
    let phones = column(&|r| {
        r.particulars
            .contact_phone
            .as_ref()
            .map(|p| p.as_str().to_owned())
    });
    let credit_codes = column(&|r| {
        r.particulars
            .credit_code
            .as_ref()
            .map(|c| c.as_str().to_owned())
    });
    let staff_counts: Vec<Option<i32>> = rows
        .iter()
        .map(|r| r.particulars.staff_count.map(|c| c.get()))
        .collect();
    let founded: Vec<Option<NaiveDate>> = rows
        .iter()
        .map(|r| r.particulars.founded_on.map(|d| d.get()))
        .collect();

    let mut tx = pool.begin().await.map_err(StoreError::from)?;
    let inserted = sqlx::query!(
        r#"INSERT INTO venues (name, region_code, category, address, unit_type, person_in_charge,
                               contact_phone, staff_count, founded_on, credit_code)
           SELECT * FROM UNNEST($1::text[], $2::text[], $3::text[], $4::text[], $5::text[],
                                $6::text[], $7::text[], $8::int4[], $9::date[], $10::text[])
           RETURNING id, name, region_code::text AS "region_code!", category, address, unit_type,
                     person_in_charge, contact_phone, staff_count, founded_on, credit_code"#,
        &names,
        &regions,
        &categories,
        &addresses as &[Option<String>],
        &unit_types as &[Option<String>],
        &people as &[Option<String>],
        &phones as &[Option<String>],
        &staff_counts as &[Option<i32>],
        &founded as &[Option<NaiveDate>],
        &credit_codes as &[Option<String>]
    )
    .fetch_all(&mut *tx)
    .await
    .map_err(|e| match violated_constraint(&e) {
        Some("venues_region_fkey") => ImportError::UnknownRegion,
        Some("venues_category_fkey") => ImportError::UnknownCategory,
        _ => StoreError::from(e).into(),
    })?;

    let ids: Vec<i64> = inserted.iter().map(|v| v.id).collect();
    let codes: Vec<String> = ids
        .iter()
        .map(|&id| {
            VenueCode::mint(code_key, CURRENT_KEY_VERSION, VenueId::new(id), 0)
                .as_str()
                .to_owned()
        })
        .collect();
    sqlx::query!(
        r#"INSERT INTO venue_codes (venue_id, code, key_version, code_seq, issued_at)
           SELECT venue_id, code, $3, 0, $4 FROM UNNEST($1::bigint[], $2::text[]) AS c(venue_id, code)"#,
        &ids,
        &codes,
        i16::from(CURRENT_KEY_VERSION),
        now
    )
    .execute(&mut *tx)
    .await
    .map_err(StoreError::from)?;
    sqlx::query!(
        r#"INSERT INTO code_venues (code, venue_id)
           SELECT * FROM UNNEST($1::text[], $2::bigint[])"#,
        &codes,
        &ids
    )
    .execute(&mut *tx)
    .await
    .map_err(StoreError::from)?;
    // Scored (unpublished) and tiered on the next refresh, so they are listed at once.
    sqlx::query!(
        r#"INSERT INTO score_refresh_queue (venue_id, queued_at)
           SELECT venue_id, $2 FROM UNNEST($1::bigint[]) AS q(venue_id)
           ON CONFLICT (venue_id) DO UPDATE SET queued_at = EXCLUDED.queued_at"#,
        &ids,
        now
    )
    .execute(&mut *tx)
    .await
    .map_err(StoreError::from)?;

    let targets: Vec<String> = ids.iter().map(|id| format!("venue:{id}")).collect();
    let audit_regions: Vec<String> = inserted.iter().map(|v| v.region_code.clone()).collect();
    let afters: Vec<Value> = inserted
        .iter()
        .zip(&codes)
        .map(|(v, code)| {
            json!({
                "name": v.name, "region_code": v.region_code, "category": v.category,
                "address": v.address, "unit_type": v.unit_type,
                "person_in_charge": v.person_in_charge, "contact_phone": v.contact_phone,
                "staff_count": v.staff_count, "founded_on": v.founded_on,
                "credit_code": v.credit_code, "code": code,
            })
        })
        .collect();
    sqlx::query!(
        r#"INSERT INTO audit_log (actor, action, target, region_code, venue_id, client_ip, after)
           SELECT $1, $2, target, region_code, venue_id, $3, after
           FROM UNNEST($4::text[], $5::text[], $6::bigint[], $7::jsonb[])
                AS a(target, region_code, venue_id, after)"#,
        audit.actor,
        AuditAction::VENUE_IMPORT.key(),
        audit.client_ip,
        &targets,
        &audit_regions,
        &ids,
        &afters
    )
    .execute(&mut *tx)
    .await
    .map_err(StoreError::from)?;
    tx.commit().await.map_err(StoreError::from)?;
    Ok(ids.into_iter().map(VenueId::new).collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::venue::VenueName;

    fn record() -> VenueRecord {
        VenueRecord {
            id: VenueId::new(1),
            name: "孔雀河酒店".into(),
            address: None,
            region_code: "652801".into(),
            category: "hotel".into(),
            unit_type: None,
            person_in_charge: None,
            contact_phone: None,
            staff_count: Some(3),
            founded_on: None,
            credit_code: None,
            closed_at: None,
            code: "c".into(),
        }
    }

    #[test]
    fn an_audit_row_holds_only_what_changed() {
        let at = Utc::now();
        let before = record();
        let edit = VenueEdit {
            name: Some(VenueName::parse("新名").unwrap()),
            staff_count: Some(None),
            closed: Some(true),
            ..VenueEdit::default()
        };
        let after = before.edited(&edit, at);
        assert_eq!(after.closed_at, Some(at));
        let (was, is) = changed_fields(&before.audit_fields(), &after.audit_fields());
        assert_eq!(
            was,
            json!({"name": "孔雀河酒店", "staff_count": 3, "closed": false})
        );
        assert_eq!(
            is,
            json!({"name": "新名", "staff_count": null, "closed": true})
        );
    }

    #[test]
    fn closing_a_closed_venue_keeps_when_it_closed() {
        let first = Utc::now() - chrono::Duration::days(3);
        let closed = VenueRecord {
            closed_at: Some(first),
            ..record()
        };
        let edit = VenueEdit {
            closed: Some(true),
            ..VenueEdit::default()
        };
        assert_eq!(closed.edited(&edit, Utc::now()), closed);
        let reopen = VenueEdit {
            closed: Some(false),
            ..VenueEdit::default()
        };
        assert_eq!(closed.edited(&reopen, Utc::now()).closed_at, None);
    }
}
