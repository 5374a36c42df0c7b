//! Photos taken on an inspection (体检式暗访, regulators' requirements
//! clause 25), checked by what they hold rather than by what the sender
//! says: JPEG or PNG by their first bytes, and a header that decodes to
//! sensible dimensions. Anything else is refused before a byte is stored.

use std::io::Cursor;

use image::ImageDecoder;
use image::codecs::jpeg::JpegDecoder;
use image::codecs::png::PngDecoder;
use sha2::{Digest, Sha256};

/// The largest photo accepted unless configured otherwise: 5 MiB, a phone
/// camera's JPEG with room to spare.
pub const DEFAULT_MAX_BYTES: usize = 5 * 1024 * 1024;
/// The most photos one inspection holds unless configured otherwise.
pub const DEFAULT_PER_INSPECTION: usize = 10;
/// The largest per-photo limit a configuration may set: 64 MiB.
pub const MAX_BYTES_CEILING: usize = 64 * 1024 * 1024;
/// The most photos per inspection a configuration may set.
pub const PER_INSPECTION_CEILING: usize = 50;
/// The longest side a photo may have, in pixels: well past any camera's,
/// short of the sizes that make a browser's decoder choke.
pub const MAX_SIDE_PX: u32 = 20_000;

const PNG_MAGIC: &[u8] = b"\x89PNG\r\n\x1a\n";
const JPEG_MAGIC: &[u8] = b"\xFF\xD8\xFF";

/// The two kinds of photo accepted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PhotoType {
    /// JPEG (`image/jpeg`), what phone cameras take.
    Jpeg,
    /// PNG (`image/png`), what screenshots are.
    Png,
}

impl PhotoType {
    /// Both, in the order forms list them.
    pub const ALL: [PhotoType; 2] = [PhotoType::Jpeg, PhotoType::Png];

    /// Its media type, as stored and served.
    pub fn media_type(self) -> &'static str {
        match self {
            PhotoType::Jpeg => "image/jpeg",
            PhotoType::Png => "image/png",
        }
    }

    /// The extension its stored file gets.
    pub fn extension(self) -> &'static str {
        match self {
            PhotoType::Jpeg => "jpg",
            PhotoType::Png => "png",
        }
    }

    /// The type a media type names (parameters and case ignored; `image/jpg`
    /// is the common misspelling of `image/jpeg`).
    pub fn of_media_type(raw: &str) -> Option<Self> {
        let essence = raw.split(';').next().unwrap_or_default().trim();
        if essence.eq_ignore_ascii_case("image/jpeg") || essence.eq_ignore_ascii_case("image/jpg") {
            Some(PhotoType::Jpeg)
        } else if essence.eq_ignore_ascii_case("image/png") {
            Some(PhotoType::Png)
        } else {
            None
        }
    }

    /// The type a file's first bytes announce.
    pub fn sniff(bytes: &[u8]) -> Option<Self> {
        if bytes.starts_with(JPEG_MAGIC) {
            Some(PhotoType::Jpeg)
        } else if bytes.starts_with(PNG_MAGIC) {
            Some(PhotoType::Png)
        } else {
            None
        }
    }
}

/// How large photos may be and how many an inspection holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PhotoLimits {
    /// The largest photo, in bytes.
    pub max_bytes: usize,
    /// The most photos of one inspection.
    pub per_inspection: usize,
}

impl Default for PhotoLimits {
    fn default() -> Self {
        Self {
            max_bytes: DEFAULT_MAX_BYTES,
            per_inspection: DEFAULT_PER_INSPECTION,
        }
    }
}

impl PhotoLimits {
    /// The per-photo limit in whole megabytes (MiB), rounded up, as forms say it.
    pub fn max_megabytes(self) -> usize {
        self.max_bytes.div_ceil(1024 * 1024).max(1)
    }
}

/// Why a photo is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PhotoError {
    /// No bytes at all.
    #[error("the photo is empty")]
    Empty,
    /// Over the configured size.
    #[error("the photo is larger than {max_bytes} bytes")]
    TooLarge {
        /// The limit.
        max_bytes: usize,
    },
    /// Neither a JPEG nor a PNG by its first bytes, or its header does not
    /// decode to dimensions within [`MAX_SIDE_PX`].
    #[error("the photo is not a readable JPEG or PNG image")]
    NotAnImage,
    /// A JPEG sent as PNG or the other way round.
    #[error("the photo is a {found} image, not {declared} as sent")]
    TypeMismatch {
        /// The media type sent.
        declared: &'static str,
        /// The media type its bytes are.
        found: &'static str,
    },
    /// An inspection would hold more photos than allowed.
    #[error("an inspection holds at most {max} photos")]
    TooMany {
        /// The limit.
        max: usize,
    },
}

/// A photo whose bytes proved to be a JPEG or PNG of sensible size.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckedPhoto {
    /// What it is, by its bytes.
    pub photo_type: PhotoType,
    /// Its width in pixels.
    pub width: u32,
    /// Its height in pixels.
    pub height: u32,
    /// SHA-256 of its bytes, kept to prove later that the file is unchanged.
    pub sha256: [u8; 32],
    /// Its bytes.
    pub bytes: Vec<u8>,
}

impl CheckedPhoto {
    /// Checks a photo's bytes against `limits`: not empty, not over the
    /// size, JPEG or PNG by its first bytes, and a header that decodes with
    /// both sides between 1 and [`MAX_SIDE_PX`]. `declared`, a media type
    /// the sender gave, must then agree with the bytes.
    pub fn check(
        bytes: Vec<u8>,
        declared: Option<PhotoType>,
        limits: PhotoLimits,
    ) -> Result<Self, PhotoError> {
        if bytes.is_empty() {
            return Err(PhotoError::Empty);
        }
        if bytes.len() > limits.max_bytes {
            return Err(PhotoError::TooLarge {
                max_bytes: limits.max_bytes,
            });
        }
        let photo_type = PhotoType::sniff(&bytes).ok_or(PhotoError::NotAnImage)?;
        let (width, height) = dimensions(photo_type, &bytes).ok_or(PhotoError::NotAnImage)?;
        let sides = 1..=MAX_SIDE_PX;
        if !sides.contains(&width) || !sides.contains(&height) {
            return Err(PhotoError::NotAnImage);
        }
        if let Some(declared) = declared.filter(|d| *d != photo_type) {
            return Err(PhotoError::TypeMismatch {
                declared: declared.media_type(),
                found: photo_type.media_type(),
            });
        }
        let sha256 = Sha256::digest(&bytes).into();
        Ok(Self {
            photo_type,
            width,
            height,
            sha256,
            bytes,
        })
    }
}

/// The width and height a JPEG's or PNG's header gives; `None` when the
/// header does not decode. Only the header is read, so a small file that
/// claims a huge picture costs nothing here.
fn dimensions(photo_type: PhotoType, bytes: &[u8]) -> Option<(u32, u32)> {
    let reader = Cursor::new(bytes);
    match photo_type {
        PhotoType::Jpeg => JpegDecoder::new(reader).ok().map(|d| d.dimensions()),
        PhotoType::Png => PngDecoder::new(reader).ok().map(|d| d.dimensions()),
    }
}

#[cfg(test)]
mod tests {
    use image::codecs::jpeg::JpegEncoder;
    use image::codecs::png::PngEncoder;
    use image::{ExtendedColorType, ImageEncoder};

    use super::*;

    fn png(width: u32, height: u32) -> Vec<u8> {
        let pixels = vec![200u8; (width * height * 3) as usize];
        let mut out = Vec::new();
        PngEncoder::new(&mut out)
            .write_image(&pixels, width, height, ExtendedColorType::Rgb8)
            .unwrap();
        out
    }

    fn jpeg(width: u32, height: u32) -> Vec<u8> {
        let pixels = vec![90u8; (width * height * 3) as usize];
        let mut out = Vec::new();
        JpegEncoder::new(&mut out)
            .write_image(&pixels, width, height, ExtendedColorType::Rgb8)
            .unwrap();
        out
    }

    #[test]
    fn real_jpegs_and_pngs_pass_with_their_type_and_size() {
        let limits = PhotoLimits::default();
        let photo = CheckedPhoto::check(png(4, 3), None, limits).unwrap();
        assert_eq!(photo.photo_type, PhotoType::Png);
        assert_eq!((photo.width, photo.height), (4, 3));
        let digest: [u8; 32] = Sha256::digest(png(4, 3)).into();
        assert_eq!(photo.sha256, digest);
        let photo = CheckedPhoto::check(jpeg(5, 7), Some(PhotoType::Jpeg), limits).unwrap();
        assert_eq!(photo.photo_type, PhotoType::Jpeg);
        assert_eq!((photo.width, photo.height), (5, 7));
    }

    #[test]
    fn text_truncated_headers_and_mislabelled_photos_are_refused() {
        let limits = PhotoLimits::default();
        let check = |bytes: Vec<u8>, declared| CheckedPhoto::check(bytes, declared, limits);
        assert_eq!(
            check(b"not a picture at all".to_vec(), Some(PhotoType::Png)),
            Err(PhotoError::NotAnImage)
        );
        // The right first bytes alone are not enough: the header must decode.
        assert_eq!(check(PNG_MAGIC.to_vec(), None), Err(PhotoError::NotAnImage));
        let mut fake_jpeg = JPEG_MAGIC.to_vec();
        fake_jpeg.extend_from_slice(b"<script>alert(1)</script>");
        assert_eq!(check(fake_jpeg, None), Err(PhotoError::NotAnImage));
        assert_eq!(check(Vec::new(), None), Err(PhotoError::Empty));
        assert_eq!(
            check(jpeg(2, 2), Some(PhotoType::Png)),
            Err(PhotoError::TypeMismatch {
                declared: "image/png",
                found: "image/jpeg"
            })
        );
    }

    #[test]
    fn a_photo_over_the_limit_is_refused_before_it_is_read() {
        let small = PhotoLimits {
            max_bytes: 100,
            per_inspection: 1,
        };
        let big = png(64, 64);
        assert!(big.len() > 100);
        assert_eq!(
            CheckedPhoto::check(big, None, small),
            Err(PhotoError::TooLarge { max_bytes: 100 })
        );
        assert_eq!(small.max_megabytes(), 1);
        assert_eq!(PhotoLimits::default().max_megabytes(), 5);
    }

    #[test]
    fn media_types_are_read_loosely_and_bytes_strictly() {
        assert_eq!(
            PhotoType::of_media_type("IMAGE/JPEG; q=1"),
            Some(PhotoType::Jpeg)
        );
        assert_eq!(PhotoType::of_media_type("image/jpg"), Some(PhotoType::Jpeg));
        assert_eq!(PhotoType::of_media_type("image/png"), Some(PhotoType::Png));
        assert_eq!(PhotoType::of_media_type("image/gif"), None);
        assert_eq!(PhotoType::sniff(b"GIF89a"), None);
        for t in PhotoType::ALL {
            assert_eq!(PhotoType::of_media_type(t.media_type()), Some(t));
        }
    }
}
