//! Photo evidence: the type is decided from the bytes, never from the name or the declared type.
//! JPEG, PNG and HEIC are accepted (what phones and cameras produce); SVG, HTML and everything
//! else are refused.

pub const MAX_BYTES: usize = 10 * 1024 * 1024;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PhotoType {
    Jpeg,
    Png,
    Heic,
}

impl PhotoType {
    pub fn content_type(self) -> &'static str {
        match self {
            PhotoType::Jpeg => "image/jpeg",
            PhotoType::Png => "image/png",
            PhotoType::Heic => "image/heic",
        }
    }

    pub fn extension(self) -> &'static str {
        match self {
            PhotoType::Jpeg => "jpg",
            PhotoType::Png => "png",
            PhotoType::Heic => "heic",
        }
    }

    pub fn from_content_type(value: &str) -> Option<Self> {
        [PhotoType::Jpeg, PhotoType::Png, PhotoType::Heic]
            .into_iter()
            .find(|t| t.content_type() == value)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PhotoProblem {
    Empty,
    TooLarge,
    /// Not a JPEG, PNG or HEIC, or a truncated one.
    NotAPhoto,
}

/// Sniffs the type from magic bytes and checks the file is complete (a JPEG ends with its EOI
/// marker, a PNG with its IEND chunk, a HEIC starts with an `ftyp` box of a HEIF brand).
pub fn sniff(bytes: &[u8]) -> Result<PhotoType, PhotoProblem> {
    if bytes.is_empty() {
        return Err(PhotoProblem::Empty);
    }
    if bytes.len() > MAX_BYTES {
        return Err(PhotoProblem::TooLarge);
    }
    if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
        return if bytes.len() > 4 && bytes.ends_with(&[0xFF, 0xD9]) {
            Ok(PhotoType::Jpeg)
        } else {
            Err(PhotoProblem::NotAPhoto)
        };
    }
    if bytes.starts_with(&[0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A]) {
        let iend = [0x49, 0x45, 0x4E, 0x44, 0xAE, 0x42, 0x60, 0x82];
        return if bytes.ends_with(&iend) {
            Ok(PhotoType::Png)
        } else {
            Err(PhotoProblem::NotAPhoto)
        };
    }
    if bytes.len() >= 12 && &bytes[4..8] == b"ftyp" {
        let brand = &bytes[8..12];
        if [
            b"heic", b"heix", b"hevc", b"heim", b"heis", b"mif1", b"msf1",
        ]
        .iter()
        .any(|b| brand == *b)
        {
            return Ok(PhotoType::Heic);
        }
    }
    Err(PhotoProblem::NotAPhoto)
}

#[cfg(test)]
mod tests {
    use super::*;

    pub const TINY_PNG: &[u8] = &[
        0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 0x0D, 0x49, 0x48, 0x44, 0x52, 0,
        0, 0, 1, 0, 0, 0, 1, 8, 2, 0, 0, 0, 0x90, 0x77, 0x53, 0xDE, 0, 0, 0, 0, 0x49, 0x45, 0x4E,
        0x44, 0xAE, 0x42, 0x60, 0x82,
    ];

    #[test]
    fn real_photo_types_are_recognised_from_their_bytes() {
        assert_eq!(sniff(TINY_PNG), Ok(PhotoType::Png));
        assert_eq!(
            sniff(&[0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x10, 0xFF, 0xD9]),
            Ok(PhotoType::Jpeg)
        );
        let mut heic = vec![0, 0, 0, 0x18];
        heic.extend_from_slice(b"ftypheic");
        heic.extend_from_slice(&[0; 16]);
        assert_eq!(sniff(&heic), Ok(PhotoType::Heic));
    }

    #[test]
    fn everything_else_is_refused() {
        assert_eq!(sniff(b""), Err(PhotoProblem::Empty));
        assert_eq!(
            sniff(b"<html><script>alert(1)</script></html>"),
            Err(PhotoProblem::NotAPhoto)
        );
        assert_eq!(
            sniff(b"<svg xmlns=\"http://www.w3.org/2000/svg\"/>"),
            Err(PhotoProblem::NotAPhoto)
        );
        assert_eq!(
            sniff(&[0xFF, 0xD8, 0xFF, 0xE0, 0x00]),
            Err(PhotoProblem::NotAPhoto),
            "truncated JPEG"
        );
        assert_eq!(
            sniff(&TINY_PNG[..30]),
            Err(PhotoProblem::NotAPhoto),
            "truncated PNG"
        );
        assert_eq!(
            sniff(&vec![0xFF; MAX_BYTES + 1]),
            Err(PhotoProblem::TooLarge)
        );
    }
}
