//! Inspection photos (regulators' requirements clause 25): their files
//! under the upload directory and their rows in `inspection_photos`.
//!
//! A photo is written first under a temporary name, then its row is
//! inserted in the change's transaction, then the file is renamed to its
//! stored name and the transaction commits. Whatever fails on the way, the
//! files are removed again ([`StagedPhotos`] cleans up when dropped unless
//! kept), so there is never a row without its file; a crash between the
//! rename and the commit can at worst leave a file no row names, which no
//! one can reach. Stored names are random; a client's file name is never used.

use std::collections::BTreeSet;
use std::io;
use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};
use sqlx::{PgConnection, PgPool};
use tokio::io::AsyncWriteExt;

use super::audit::{self, AuditEntry};
use super::{ScopeFilter, StoreError};
use crate::domain::ids::VenueId;
use crate::domain::photo::{CheckedPhoto, PhotoType};
use crate::domain::venue::RegionCode;

/// The folder of the upload directory that holds inspection photos.
pub const PHOTO_FOLDER: &str = "inspection-photos";

/// Why storing a photo failed: the database, or the upload directory.
#[derive(Debug, thiserror::Error)]
pub enum PhotoStoreError {
    /// Postgres refused or could not be reached.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The upload directory refused a file (full, missing, not writable).
    #[error("the upload directory refused a photo: {0}")]
    Files(#[source] io::Error),
}

impl From<sqlx::Error> for PhotoStoreError {
    fn from(err: sqlx::Error) -> Self {
        Self::Store(err.into())
    }
}

/// The photo files of one upload directory.
#[derive(Debug, Clone)]
pub struct PhotoFiles {
    root: PathBuf,
}

/// Whether a stored name has the shape this module gives names: 32 hex
/// digits and `.jpg` or `.png`. Anything else is never made into a path.
fn is_stored_name(name: &str) -> bool {
    let Some((stem, extension)) = name.split_once('.') else {
        return false;
    };
    stem.len() == 32
        && stem
            .bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
        && PhotoType::ALL.iter().any(|t| t.extension() == extension)
}

impl PhotoFiles {
    /// The photos under `upload_dir` (in its [`PHOTO_FOLDER`]).
    pub fn new(upload_dir: &Path) -> Self {
        Self {
            root: upload_dir.join(PHOTO_FOLDER),
        }
    }

    /// Where a stored photo lives: in a folder named by its first two hex
    /// digits, so no folder grows past a few thousand files.
    fn path_of(&self, stored_name: &str) -> PathBuf {
        self.root.join(&stored_name[..2]).join(stored_name)
    }

    /// Writes each photo to a temporary file beside where it will be kept,
    /// flushed to disk; nothing is reachable until [`StagedPhotos::place`].
    pub async fn stage(&self, photos: &[CheckedPhoto]) -> io::Result<StagedPhotos> {
        let mut staged = StagedPhotos::none();
        for photo in photos {
            let stored_name = format!(
                "{}.{}",
                uuid::Uuid::new_v4().simple(),
                photo.photo_type.extension()
            );
            let path = self.path_of(&stored_name);
            let folder = path.parent().unwrap_or(&self.root).to_path_buf();
            tokio::fs::create_dir_all(&folder).await?;
            let temp = folder.join(format!(".staging-{stored_name}"));
            let byte_size = i32::try_from(photo.bytes.len())
                .map_err(|_| io::Error::new(io::ErrorKind::InvalidInput, "photo too large"))?;
            // Listed before it is written, so a failure below removes it too.
            staged.files.push(StagedFile {
                stored_name,
                media_type: photo.photo_type.media_type(),
                byte_size,
                sha256: photo.sha256.to_vec(),
                temp: temp.clone(),
                path,
                placed: false,
            });
            let mut file = tokio::fs::OpenOptions::new()
                .write(true)
                .create_new(true)
                .open(&temp)
                .await?;
            file.write_all(&photo.bytes).await?;
            file.sync_all().await?;
        }
        Ok(staged)
    }

    /// A stored photo's bytes.
    pub async fn read(&self, stored_name: &str) -> io::Result<Vec<u8>> {
        if !is_stored_name(stored_name) {
            return Err(io::Error::new(
                io::ErrorKind::InvalidData,
                "not a stored photo name",
            ));
        }
        tokio::fs::read(self.path_of(stored_name)).await
    }
}

/// One photo written under a temporary name, waiting for its row.
#[derive(Debug)]
pub struct StagedFile {
    /// The name it will be kept under.
    pub stored_name: String,
    /// Its media type.
    pub media_type: &'static str,
    /// Its size in bytes.
    pub byte_size: i32,
    /// The SHA-256 of its bytes.
    pub sha256: Vec<u8>,
    temp: PathBuf,
    path: PathBuf,
    placed: bool,
}

/// Photos being stored. Dropped without [`StagedPhotos::keep`], it removes
/// every file it wrote, under either name.
#[derive(Debug, Default)]
pub struct StagedPhotos {
    files: Vec<StagedFile>,
    kept: bool,
}

impl StagedPhotos {
    /// No photos (an inspection recorded without any).
    pub fn none() -> Self {
        Self::default()
    }

    /// Renames every file to its stored name and flushes the folders, so
    /// the names survive a crash once the rows commit.
    pub async fn place(&mut self) -> io::Result<()> {
        let mut folders = BTreeSet::new();
        for file in &mut self.files {
            tokio::fs::rename(&file.temp, &file.path).await?;
            file.placed = true;
            if let Some(folder) = file.path.parent() {
                folders.insert(folder.to_path_buf());
            }
        }
        for folder in folders {
            tokio::fs::File::open(&folder).await?.sync_all().await?;
        }
        Ok(())
    }

    /// The rows committed: the files stay.
    pub fn keep(&mut self) {
        self.kept = true;
    }
}

impl Drop for StagedPhotos {
    fn drop(&mut self) {
        if self.kept {
            return;
        }
        for file in &self.files {
            let path = if file.placed { &file.path } else { &file.temp };
            match std::fs::remove_file(path) {
                Ok(()) => {}
                Err(err) if err.kind() == io::ErrorKind::NotFound => {}
                Err(err) => {
                    tracing::error!(error = %err, path = %path.display(), "a refused photo could not be removed");
                }
            }
        }
    }
}

/// A stored photo.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PhotoRecord {
    /// Photo id.
    pub id: i64,
    /// The inspection it belongs to.
    pub inspection_id: i64,
    /// `image/jpeg` or `image/png`.
    pub content_type: String,
    /// Its size in bytes.
    pub byte_size: i32,
    /// The SHA-256 of its bytes.
    pub sha256: Vec<u8>,
    /// Its file's name under the photo folder.
    pub stored_name: String,
    /// When it was stored.
    pub created_at: DateTime<Utc>,
}

/// Inserts the rows of staged photos of an inspection; call it inside the
/// change's transaction, before [`StagedPhotos::place`].
pub async fn insert(
    conn: &mut PgConnection,
    venue_id: VenueId,
    inspection_id: i64,
    staged: &StagedPhotos,
) -> Result<Vec<PhotoRecord>, StoreError> {
    let mut rows = Vec::with_capacity(staged.files.len());
    for file in &staged.files {
        let row = sqlx::query!(
            r#"INSERT INTO inspection_photos
                   (venue_id, inspection_id, content_type, byte_size, sha256, stored_name)
               VALUES ($1, $2, $3, $4, $5, $6)
               RETURNING id, created_at"#,
            venue_id.get(),
            inspection_id,
            file.media_type,
            file.byte_size,
            &file.sha256,
            file.stored_name
        )
        .fetch_one(&mut *conn)
        .await?;
        rows.push(PhotoRecord {
            id: row.id,
            inspection_id,
            content_type: file.media_type.to_owned(),
            byte_size: file.byte_size,
            sha256: file.sha256.clone(),
            stored_name: file.stored_name.clone(),
            created_at: row.created_at,
        });
    }
    Ok(rows)
}

/// The photos as the audit log keeps them: id, type, size and SHA-256.
pub fn audit_json(photos: &[PhotoRecord]) -> serde_json::Value {
    serde_json::Value::Array(
        photos
            .iter()
            .map(|p| {
                serde_json::json!({
                    "id": p.id,
                    "content_type": p.content_type,
                    "bytes": p.byte_size,
                    "sha256": data_encoding::HEXLOWER.encode(&p.sha256),
                })
            })
            .collect(),
    )
}

/// The photos of some inspections of one venue, oldest first.
pub async fn of_inspections(
    pool: &PgPool,
    venue_id: VenueId,
    inspection_ids: &[i64],
) -> Result<Vec<PhotoRecord>, StoreError> {
    sqlx::query_as!(
        PhotoRecord,
        r#"SELECT id, inspection_id, content_type, byte_size, sha256, stored_name, created_at
           FROM inspection_photos
           WHERE venue_id = $1 AND inspection_id = ANY($2)
           ORDER BY inspection_id, id"#,
        venue_id.get(),
        inspection_ids
    )
    .fetch_all(pool)
    .await
    .map_err(StoreError::from)
}

/// One photo of an inspection of a venue in `scope`; `None` for a photo,
/// inspection or venue that does not exist or lies outside it.
pub async fn in_scope(
    pool: &PgPool,
    venue_id: VenueId,
    inspection_id: i64,
    photo_id: i64,
    scope: &ScopeFilter,
) -> Result<Option<PhotoRecord>, StoreError> {
    sqlx::query_as!(
        PhotoRecord,
        r#"SELECT p.id, p.inspection_id, p.content_type, p.byte_size, p.sha256, p.stored_name,
                  p.created_at
           FROM inspection_photos p JOIN venues v ON v.id = p.venue_id
           WHERE p.venue_id = $1 AND p.inspection_id = $2 AND p.id = $3
             AND ($4 OR v.region_code = ANY($5) OR v.id = ANY($6))"#,
        venue_id.get(),
        inspection_id,
        photo_id,
        scope.all,
        &scope.region_codes as &[String],
        &scope.venue_ids
    )
    .fetch_optional(pool)
    .await
    .map_err(StoreError::from)
}

/// What adding photos to a recorded inspection came to.
#[derive(Debug)]
pub enum Added {
    /// Stored, with their rows.
    Photos(Vec<PhotoRecord>),
    /// No such inspection of a venue in scope.
    NotFound,
    /// The inspection already holds this many photos; with the new ones it
    /// would hold more than allowed. Nothing was stored.
    Full {
        /// Photos it holds.
        held: i64,
    },
}

/// Adds photos to a recorded inspection of a venue in `scope`, with an
/// audit row, unless it would then hold more than `per_inspection`.
pub async fn add(
    pool: &PgPool,
    (venue_id, inspection_id): (VenueId, i64),
    scope: &ScopeFilter,
    per_inspection: usize,
    staged: &mut StagedPhotos,
    mut audit: AuditEntry,
) -> Result<Added, PhotoStoreError> {
    let mut tx = pool.begin().await?;
    // Locks the inspection, so two uploads at once cannot both fit the limit.
    let Some(region_code) = sqlx::query_scalar!(
        r#"SELECT v.region_code AS "region_code!: RegionCode"
           FROM inspections i JOIN venues v ON v.id = i.venue_id
           WHERE i.venue_id = $1 AND i.id = $2
             AND ($3 OR v.region_code = ANY($4) OR v.id = ANY($5))
           FOR UPDATE OF i"#,
        venue_id.get(),
        inspection_id,
        scope.all,
        &scope.region_codes as &[String],
        &scope.venue_ids
    )
    .fetch_optional(&mut *tx)
    .await?
    else {
        return Ok(Added::NotFound);
    };
    let held = sqlx::query_scalar!(
        r#"SELECT count(*) AS "held!" FROM inspection_photos
           WHERE venue_id = $1 AND inspection_id = $2"#,
        venue_id.get(),
        inspection_id
    )
    .fetch_one(&mut *tx)
    .await?;
    let limit = i64::try_from(per_inspection).unwrap_or(i64::MAX);
    if held + i64::try_from(staged.files.len()).unwrap_or(i64::MAX) > limit {
        return Ok(Added::Full { held });
    }
    let photos = insert(&mut tx, venue_id, inspection_id, staged).await?;
    audit.target = format!("inspection:{inspection_id}");
    audit.region_code = Some(region_code.to_string());
    audit.venue_id = Some(venue_id);
    audit.after = Some(serde_json::json!({ "photos": audit_json(&photos) }));
    audit::record(&mut tx, &audit).await?;
    staged.place().await.map_err(PhotoStoreError::Files)?;
    tx.commit().await?;
    staged.keep();
    Ok(Added::Photos(photos))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::photo::PhotoLimits;

    fn png() -> CheckedPhoto {
        let mut bytes = Vec::new();
        image::codecs::png::PngEncoder::new(&mut bytes)
            .write_image(&[0, 0, 0], 1, 1, image::ExtendedColorType::Rgb8)
            .unwrap();
        CheckedPhoto::check(bytes, None, PhotoLimits::default()).unwrap()
    }

    use image::ImageEncoder;

    /// Every file under `dir`, at any depth.
    fn files_under(dir: &Path) -> Vec<PathBuf> {
        let mut found = Vec::new();
        let Ok(entries) = std::fs::read_dir(dir) else {
            return found;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            if path.is_dir() {
                found.extend(files_under(&path));
            } else {
                found.push(path);
            }
        }
        found
    }

    fn scratch(name: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!(
            "qrf-photos-{name}-{}",
            uuid::Uuid::new_v4().simple()
        ));
        std::fs::create_dir_all(&dir).unwrap();
        dir
    }

    #[tokio::test]
    async fn staged_photos_vanish_unless_kept_and_kept_ones_read_back() {
        let dir = scratch("stage");
        let files = PhotoFiles::new(&dir);
        let photo = png();

        let staged = files.stage(&[photo.clone(), photo.clone()]).await.unwrap();
        assert_eq!(files_under(&dir).len(), 2, "two temporary files");
        drop(staged);
        assert!(files_under(&dir).is_empty(), "dropped before placing");

        let mut placed = files.stage(std::slice::from_ref(&photo)).await.unwrap();
        placed.place().await.unwrap();
        drop(placed);
        assert!(files_under(&dir).is_empty(), "dropped after placing");

        let mut kept = files.stage(std::slice::from_ref(&photo)).await.unwrap();
        kept.place().await.unwrap();
        kept.keep();
        let name = kept.files[0].stored_name.clone();
        drop(kept);
        assert!(is_stored_name(&name), "{name}");
        assert_eq!(files.read(&name).await.unwrap(), photo.bytes);
        let on_disk = files_under(&dir);
        assert_eq!(on_disk.len(), 1);
        assert!(on_disk[0].ends_with(format!("{}/{name}", &name[..2])));
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[tokio::test]
    async fn only_names_of_the_stored_shape_are_read() {
        let files = PhotoFiles::new(&scratch("names"));
        for name in [
            "../../etc/passwd",
            "0123456789abcdef0123456789abcdef.gif",
            "0123456789ABCDEF0123456789abcdef.jpg",
            "ab/cd.png",
        ] {
            assert!(!is_stored_name(name), "{name}");
            let err = files.read(name).await.unwrap_err();
            assert_eq!(err.kind(), io::ErrorKind::InvalidData, "{name}");
        }
        assert!(is_stored_name("0123456789abcdef0123456789abcdef.png"));
    }
}
