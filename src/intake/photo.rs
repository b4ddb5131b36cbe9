//! Photos taken as evidence (a uniform missing, a post left empty): judged by their bytes,
//! not their name, bounded before they are kept, and stripped of where they were taken
//! (the EXIF block, which carries the GPS position, the phone and the time) unless the
//! company keeps it.

use sha2::{Digest, Sha256};

/// The largest photo taken: a phone's full-size JPEG is 2–6 MB.
pub const MAX_BYTES: usize = 10 * 1024 * 1024;

/// The most photos one event or appeal carries.
pub const MAX_PER_RECORD: usize = 5;

/// The image types taken, by their signature.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ImageType {
    Jpeg,
    Png,
    Webp,
    Heic,
}

impl ImageType {
    pub fn mime(self) -> &'static str {
        match self {
            ImageType::Jpeg => "image/jpeg",
            ImageType::Png => "image/png",
            ImageType::Webp => "image/webp",
            ImageType::Heic => "image/heic",
        }
    }

    /// The type a signature shows, if it is one taken.
    pub fn of(bytes: &[u8]) -> Option<ImageType> {
        if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
            Some(ImageType::Jpeg)
        } else if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
            Some(ImageType::Png)
        } else if bytes.len() >= 12 && &bytes[..4] == b"RIFF" && &bytes[8..12] == b"WEBP" {
            Some(ImageType::Webp)
        } else if bytes.len() >= 12
            && &bytes[4..8] == b"ftyp"
            && [&b"heic"[..], b"heix", b"mif1", b"msf1", b"heim", b"heis"].contains(&&bytes[8..12])
        {
            Some(ImageType::Heic)
        } else {
            None
        }
    }
}

/// A photo as it is kept: its type, its bytes (without location unless kept), their hash.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Photo {
    pub kind: ImageType,
    pub bytes: Vec<u8>,
    /// The SHA-256 of `bytes`, in hex: its name in the record.
    pub sha256: String,
}

/// Why a photo is not taken.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PhotoProblem {
    #[error("`{name}` is larger than {max_mb} MB; take it again at a lower resolution", max_mb = MAX_BYTES / (1024 * 1024))]
    TooLarge { name: String },
    #[error("`{name}` is not a JPEG, PNG, WebP or HEIC photo (its bytes are no image's)")]
    NotAnImage { name: String },
    #[error("`{name}` is empty")]
    Empty { name: String },
    #[error("`{name}` is a damaged {what}: its blocks do not add up")]
    Damaged { name: String, what: &'static str },
    /// HEIC keeps its EXIF inside its item boxes, which are not rewritten here.
    #[error(
        "`{name}` is a HEIC photo with location data, which cannot be removed; send it as JPEG (the phone's \"most compatible\" setting)"
    )]
    HeicWithExif { name: String },
    #[error("at most {MAX_PER_RECORD} photos per record; this one would have {would_have}")]
    TooMany { would_have: usize },
}

/// Takes the photo `name` from `bytes`: the type from the signature, the EXIF block
/// removed unless `keep_location`.
pub fn take(name: &str, bytes: Vec<u8>, keep_location: bool) -> Result<Photo, PhotoProblem> {
    let name = crate::domain::text::clip(name);
    if bytes.is_empty() {
        return Err(PhotoProblem::Empty { name });
    }
    if bytes.len() > MAX_BYTES {
        return Err(PhotoProblem::TooLarge { name });
    }
    let kind =
        ImageType::of(&bytes).ok_or_else(|| PhotoProblem::NotAnImage { name: name.clone() })?;
    let damaged = |what| PhotoProblem::Damaged {
        name: name.clone(),
        what,
    };
    let bytes = if keep_location {
        bytes
    } else {
        match kind {
            ImageType::Jpeg => jpeg_without_exif(&bytes).ok_or_else(|| damaged("JPEG"))?,
            ImageType::Png => png_without_exif(&bytes).ok_or_else(|| damaged("PNG"))?,
            ImageType::Webp => webp_without_exif(&bytes).ok_or_else(|| damaged("WebP"))?,
            ImageType::Heic => {
                if bytes.windows(4).any(|w| w == b"Exif") {
                    return Err(PhotoProblem::HeicWithExif { name });
                }
                bytes
            }
        }
    };
    let sha256 = crate::domain::text::hex(&Sha256::digest(&bytes));
    Ok(Photo {
        kind,
        bytes,
        sha256,
    })
}

/// A JPEG without its APP1 segments (EXIF, and XMP, which may repeat the position): the
/// segments before the image data are walked, the rest copied as it is.
fn jpeg_without_exif(bytes: &[u8]) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(bytes.len());
    out.extend_from_slice(&bytes[..2]);
    let mut at = 2;
    loop {
        if at + 4 > bytes.len() || bytes[at] != 0xFF {
            return None;
        }
        let marker = bytes[at + 1];
        // Fill bytes before a marker.
        if marker == 0xFF {
            at += 1;
            continue;
        }
        // Start of scan: the compressed image and everything after it stay as they are.
        if marker == 0xDA {
            out.extend_from_slice(&bytes[at..]);
            return Some(out);
        }
        // Markers without a length.
        if (0xD0..=0xD7).contains(&marker) || marker == 0x01 {
            out.extend_from_slice(&bytes[at..at + 2]);
            at += 2;
            continue;
        }
        let len = usize::from(u16::from_be_bytes([bytes[at + 2], bytes[at + 3]]));
        let end = at + 2 + len;
        if len < 2 || end > bytes.len() {
            return None;
        }
        if marker != 0xE1 {
            out.extend_from_slice(&bytes[at..end]);
        }
        at = end;
    }
}

/// A PNG without its `eXIf` chunk.
fn png_without_exif(bytes: &[u8]) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(bytes.len());
    out.extend_from_slice(&bytes[..8]);
    let mut at = 8;
    while at < bytes.len() {
        if at + 8 > bytes.len() {
            return None;
        }
        let len = u32::from_be_bytes(bytes[at..at + 4].try_into().ok()?) as usize;
        let end = at.checked_add(12)?.checked_add(len)?;
        if end > bytes.len() {
            return None;
        }
        if &bytes[at + 4..at + 8] != b"eXIf" {
            out.extend_from_slice(&bytes[at..end]);
        }
        at = end;
    }
    Some(out)
}

/// A WebP without its `EXIF` chunk (the RIFF size, and the extended header's EXIF flag,
/// written again to match).
fn webp_without_exif(bytes: &[u8]) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(bytes.len());
    out.extend_from_slice(&bytes[..12]);
    let mut at = 12;
    while at < bytes.len() {
        if at + 8 > bytes.len() {
            return None;
        }
        let len = u32::from_le_bytes(bytes[at + 4..at + 8].try_into().ok()?) as usize;
        let end = at
            .checked_add(8)?
            .checked_add(len + (len & 1))?
            .min(bytes.len());
        if at + 8 + len > bytes.len() {
            return None;
        }
        let id = &bytes[at..at + 4];
        if id != b"EXIF" {
            let start = out.len();
            out.extend_from_slice(&bytes[at..end]);
            if id == b"VP8X" && out.len() > start + 8 {
                // Bit 3 of the flags says an EXIF chunk follows.
                out[start + 8] &= !0x08;
            }
        }
        at = end;
    }
    let size = u32::try_from(out.len() - 8).ok()?;
    out[4..8].copy_from_slice(&size.to_le_bytes());
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A minimal JPEG: SOI, an APP1 Exif segment holding "GPS…", a quantization table
    /// segment, SOS and EOI.
    pub(crate) fn jpeg_with_gps() -> Vec<u8> {
        let mut b = vec![0xFF, 0xD8];
        let exif = b"Exif\0\0MM\0*GPSLatitude=31.2304N";
        b.extend_from_slice(&[0xFF, 0xE1]);
        b.extend_from_slice(&((exif.len() + 2) as u16).to_be_bytes());
        b.extend_from_slice(exif);
        b.extend_from_slice(&[0xFF, 0xDB, 0x00, 0x04, 0x01, 0x02]);
        b.extend_from_slice(&[0xFF, 0xDA, 0x00, 0x02, 0x11, 0x22, 0xFF, 0xD9]);
        b
    }

    #[test]
    fn a_jpeg_loses_its_exif_and_keeps_its_image() {
        let p = take("a.jpg", jpeg_with_gps(), false).unwrap();
        assert_eq!(p.kind, ImageType::Jpeg);
        assert!(!p.bytes.windows(3).any(|w| w == b"GPS"));
        assert!(
            p.bytes
                .ends_with(&[0xFF, 0xDA, 0x00, 0x02, 0x11, 0x22, 0xFF, 0xD9])
        );
        // The whole APP1 segment: its marker, its length and its 30 bytes.
        assert_eq!(p.bytes.len(), jpeg_with_gps().len() - 34);
        // Kept when the company keeps it.
        let kept = take("a.jpg", jpeg_with_gps(), true).unwrap();
        assert_eq!(kept.bytes, jpeg_with_gps());
    }

    #[test]
    fn what_is_not_an_image_or_too_large_is_refused() {
        assert!(matches!(
            take("x.jpg", b"%PDF-1.4 not a photo".to_vec(), false),
            Err(PhotoProblem::NotAnImage { .. })
        ));
        let mut big = jpeg_with_gps();
        big.resize(MAX_BYTES + 1, 0);
        assert!(matches!(
            take("big.jpg", big, false),
            Err(PhotoProblem::TooLarge { .. })
        ));
        let mut cut = jpeg_with_gps();
        cut.truncate(10);
        assert!(matches!(
            take("cut.jpg", cut, false),
            Err(PhotoProblem::Damaged { .. })
        ));
    }

    #[test]
    fn a_png_and_a_webp_lose_their_exif_chunks() {
        let chunk = |id: &[u8], data: &[u8]| {
            let mut c = (data.len() as u32).to_be_bytes().to_vec();
            c.extend_from_slice(id);
            c.extend_from_slice(data);
            c.extend_from_slice(&[0, 0, 0, 0]);
            c
        };
        let mut png = b"\x89PNG\r\n\x1a\n".to_vec();
        png.extend(chunk(b"IHDR", &[0; 13]));
        png.extend(chunk(b"eXIf", b"MM\0*GPS"));
        png.extend(chunk(b"IEND", &[]));
        let p = take("a.png", png, false).unwrap();
        assert!(!p.bytes.windows(3).any(|w| w == b"GPS"));
        assert!(p.bytes.ends_with(b"IEND\0\0\0\0"));

        let riff = |id: &[u8], data: &[u8]| {
            let mut c = id.to_vec();
            c.extend_from_slice(&(data.len() as u32).to_le_bytes());
            c.extend_from_slice(data);
            if data.len() % 2 == 1 {
                c.push(0);
            }
            c
        };
        let mut body = b"WEBP".to_vec();
        body.extend(riff(b"VP8X", &[0x08, 0, 0, 0, 0, 0, 0, 0, 0, 0]));
        body.extend(riff(b"VP8 ", &[1, 2, 3]));
        body.extend(riff(b"EXIF", b"MM\0*GPS"));
        let mut webp = b"RIFF".to_vec();
        webp.extend_from_slice(&(body.len() as u32).to_le_bytes());
        webp.extend(body);
        let p = take("a.webp", webp, false).unwrap();
        assert!(!p.bytes.windows(3).any(|w| w == b"GPS"));
        assert_eq!(
            u32::from_le_bytes(p.bytes[4..8].try_into().unwrap()) as usize,
            p.bytes.len() - 8
        );
        assert_eq!(p.bytes[20] & 0x08, 0, "the EXIF flag is cleared");
    }
}
