//! Residents' photos. Every photo is decoded and encoded again on the server: that turns it
//! upright (the EXIF orientation) and drops every metadata block (EXIF with the GPS position,
//! XMP, comments) before anything is stored, since a phone's photo can tell where its owner
//! lives. Only JPEG, PNG and WebP are taken, recognised by their bytes, not by their name.
//! Decoding is bounded (pixel count, memory), so a small file that claims to be a huge image
//! (a decompression bomb) is refused before it is decoded.

use base64::Engine;
use image::{DynamicImage, ImageDecoder, ImageError, ImageFormat, ImageReader, Limits, imageops::FilterType};
use std::io::Cursor;

/// Largest photo a resident may send.
pub const MAX_BYTES: usize = 5 * 1024 * 1024;
/// Most photos on one case.
pub const MAX_PHOTOS: usize = 3;
/// Largest image accepted, in pixels (a 40-megapixel phone is far beyond the usual).
pub const MAX_PIXELS: u64 = 40_000_000;
/// Long side of the stored photo and of its thumbnail.
pub const STORED_SIDE: u32 = 1600;
pub const THUMB_SIDE: u32 = 320;

/// A photo ready to store: JPEG without metadata, and its thumbnail.
#[derive(Clone, Debug)]
pub struct Processed {
    pub jpeg: Vec<u8>,
    pub thumb: Vec<u8>,
    pub width: u32,
    pub height: u32,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PhotoError {
    TooLarge,
    NotAnImage,
    TooManyPixels,
    Unreadable,
}

fn classify(e: ImageError) -> PhotoError {
    match e {
        ImageError::Limits(_) => PhotoError::TooManyPixels,
        ImageError::Unsupported(_) => PhotoError::NotAnImage,
        _ => PhotoError::Unreadable,
    }
}

/// One decode per core at a time: a burst of forms with large photos waits its turn instead of
/// taking every core and the memory of several 40-megapixel decodes at once.
fn decode_slots() -> &'static tokio::sync::Semaphore {
    static SLOTS: std::sync::OnceLock<tokio::sync::Semaphore> = std::sync::OnceLock::new();
    SLOTS.get_or_init(|| tokio::sync::Semaphore::new(std::thread::available_parallelism().map_or(2, |n| n.get())))
}

/// [`process`] on a blocking thread, with at most one decode per core running at once.
pub async fn process_bounded(bytes: Vec<u8>) -> Result<Result<Processed, PhotoError>, tokio::task::JoinError> {
    // The semaphore is never closed, so acquiring cannot fail.
    let _slot = decode_slots().acquire().await.ok();
    tokio::task::spawn_blocking(move || process(&bytes)).await
}

/// Checks, turns upright, strips, resizes and encodes one photo. CPU work: call it through
/// [`process_bounded`].
pub fn process(bytes: &[u8]) -> Result<Processed, PhotoError> {
    if bytes.len() > MAX_BYTES {
        return Err(PhotoError::TooLarge);
    }
    let format = image::guess_format(bytes).map_err(|_| PhotoError::NotAnImage)?;
    if !matches!(format, ImageFormat::Jpeg | ImageFormat::Png | ImageFormat::WebP) {
        return Err(PhotoError::NotAnImage);
    }
    let mut reader = ImageReader::with_format(Cursor::new(bytes), format);
    let mut limits = Limits::default();
    limits.max_image_width = Some(12_000);
    limits.max_image_height = Some(12_000);
    limits.max_alloc = Some(256 * 1024 * 1024);
    reader.limits(limits);
    let mut decoder = reader.into_decoder().map_err(classify)?;
    let (w, h) = decoder.dimensions();
    if u64::from(w) * u64::from(h) > MAX_PIXELS {
        return Err(PhotoError::TooManyPixels);
    }
    let orientation = decoder.orientation().unwrap_or(image::metadata::Orientation::NoTransforms);
    let mut img = DynamicImage::from_decoder(decoder).map_err(classify)?;
    img.apply_orientation(orientation);
    let stored = shrink(img, STORED_SIDE);
    let thumb = shrink(stored.clone(), THUMB_SIDE);
    Ok(Processed { width: stored.width(), height: stored.height(), jpeg: jpeg(&stored, 82)?, thumb: jpeg(&thumb, 75)? })
}

/// At most `side` pixels on the long side, flattened onto white (JPEG has no transparency).
fn shrink(img: DynamicImage, side: u32) -> DynamicImage {
    let img =
        if img.width() > side || img.height() > side { img.resize(side, side, FilterType::Triangle) } else { img };
    if img.color().has_alpha() {
        let rgba = img.to_rgba8();
        let mut out = image::RgbImage::new(rgba.width(), rgba.height());
        for (o, p) in out.pixels_mut().zip(rgba.pixels()) {
            let a = u16::from(p[3]);
            let mix = |c: u8| ((u16::from(c) * a + 255 * (255 - a)) / 255) as u8;
            *o = image::Rgb([mix(p[0]), mix(p[1]), mix(p[2])]);
        }
        DynamicImage::ImageRgb8(out)
    } else {
        DynamicImage::ImageRgb8(img.to_rgb8())
    }
}

fn jpeg(img: &DynamicImage, quality: u8) -> Result<Vec<u8>, PhotoError> {
    let mut out = Vec::new();
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, quality)
        .encode_image(img)
        .map_err(|_| PhotoError::Unreadable)?;
    Ok(out)
}

/// A `data:image/jpeg;base64,…` URL (also png or webp), as Open311 clients send photos in
/// `media_url`, decoded to bytes; `None` if it is not such a URL.
pub fn from_data_url(url: &str) -> Option<Result<Vec<u8>, PhotoError>> {
    let rest = url.trim().strip_prefix("data:")?;
    let (mime, data) = rest.split_once(";base64,")?;
    if !matches!(mime.to_ascii_lowercase().as_str(), "image/jpeg" | "image/jpg" | "image/png" | "image/webp") {
        return Some(Err(PhotoError::NotAnImage));
    }
    // Base64 grows data by a third: refuse what cannot fit before decoding it.
    if data.len() > MAX_BYTES / 3 * 4 + 8 {
        return Some(Err(PhotoError::TooLarge));
    }
    let compact: String = data.chars().filter(|c| !c.is_ascii_whitespace()).collect();
    Some(match base64::engine::general_purpose::STANDARD.decode(compact) {
        Ok(bytes) if bytes.len() > MAX_BYTES => Err(PhotoError::TooLarge),
        Ok(bytes) => Ok(bytes),
        Err(_) => Err(PhotoError::NotAnImage),
    })
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn encode(img: &DynamicImage, format: ImageFormat) -> Vec<u8> {
        let mut out = Vec::new();
        img.write_to(&mut Cursor::new(&mut out), format).unwrap();
        out
    }

    fn gradient(w: u32, h: u32) -> DynamicImage {
        DynamicImage::ImageRgb8(image::RgbImage::from_fn(w, h, |x, y| {
            image::Rgb([(x % 256) as u8, (y % 256) as u8, 7])
        }))
    }

    /// A JPEG with an EXIF block (big-endian TIFF) that sets `orientation` and carries `marker`.
    fn with_exif(jpeg: &[u8], orientation: u16, marker: &[u8]) -> Vec<u8> {
        let mut tiff = b"MM\0*\0\0\0\x08".to_vec();
        tiff.extend_from_slice(&1u16.to_be_bytes()); // one entry
        tiff.extend_from_slice(&0x0112u16.to_be_bytes()); // Orientation
        tiff.extend_from_slice(&3u16.to_be_bytes()); // SHORT
        tiff.extend_from_slice(&1u32.to_be_bytes());
        tiff.extend_from_slice(&orientation.to_be_bytes());
        tiff.extend_from_slice(&[0, 0]);
        tiff.extend_from_slice(&0u32.to_be_bytes());
        tiff.extend_from_slice(marker);
        let mut payload = b"Exif\0\0".to_vec();
        payload.extend_from_slice(&tiff);
        let mut out = vec![0xFF, 0xD8, 0xFF, 0xE1];
        out.extend_from_slice(&((payload.len() + 2) as u16).to_be_bytes());
        out.extend_from_slice(&payload);
        out.extend_from_slice(&jpeg[2..]);
        out
    }

    #[test]
    fn photos_are_resized_and_lose_their_metadata() {
        let src = with_exif(&encode(&gradient(2000, 1000), ImageFormat::Jpeg), 1, b"GPS 20.95N SECRET");
        let p = process(&src).unwrap();
        assert_eq!((p.width, p.height), (1600, 800));
        assert_eq!(&p.jpeg[..2], &[0xFF, 0xD8]);
        let text = String::from_utf8_lossy(&p.jpeg);
        assert!(!text.contains("SECRET") && !text.contains("Exif"));
        let thumb = image::load_from_memory(&p.thumb).unwrap();
        assert_eq!((thumb.width(), thumb.height()), (320, 160));
    }

    #[test]
    fn photos_are_turned_upright() {
        let src = with_exif(&encode(&gradient(200, 100), ImageFormat::Jpeg), 6, b"");
        let p = process(&src).unwrap();
        assert_eq!((p.width, p.height), (100, 200));
    }

    #[test]
    fn png_with_alpha_and_webp_are_taken() {
        let rgba = DynamicImage::ImageRgba8(image::RgbaImage::from_pixel(40, 30, image::Rgba([0, 0, 0, 0])));
        let p = process(&encode(&rgba, ImageFormat::Png)).unwrap();
        let back = image::load_from_memory(&p.jpeg).unwrap().to_rgb8();
        assert!(back.get_pixel(5, 5)[0] > 240, "transparent becomes white");
        assert!(process(&encode(&gradient(64, 48), ImageFormat::WebP)).is_ok());
    }

    #[test]
    fn other_files_and_bombs_are_refused() {
        assert_eq!(process(b"just some text, not a photo").unwrap_err(), PhotoError::NotAnImage);
        assert_eq!(process(b"GIF89a\x01\x00\x01\x00\x00\x00\x00;").unwrap_err(), PhotoError::NotAnImage);
        assert_eq!(process(&vec![0u8; MAX_BYTES + 1]).unwrap_err(), PhotoError::TooLarge);
        let jpeg = encode(&gradient(300, 300), ImageFormat::Jpeg);
        // Only the start of a photo (a broken upload); a photo cut later decodes, greyed below.
        assert!(process(&jpeg[..20]).is_err(), "a truncated photo");
        // A PNG whose header claims 100,000 × 100,000 pixels.
        let mut png = encode(&gradient(8, 8), ImageFormat::Png);
        png[16..20].copy_from_slice(&100_000u32.to_be_bytes());
        png[20..24].copy_from_slice(&100_000u32.to_be_bytes());
        let crc = crc32(&png[12..29]);
        png[29..33].copy_from_slice(&crc.to_be_bytes());
        let started = std::time::Instant::now();
        assert_eq!(process(&png).unwrap_err(), PhotoError::TooManyPixels);
        assert!(started.elapsed().as_secs() < 2, "refused before decoding");
    }

    fn crc32(bytes: &[u8]) -> u32 {
        let mut crc = 0xFFFF_FFFFu32;
        for b in bytes {
            crc ^= u32::from(*b);
            for _ in 0..8 {
                crc = if crc & 1 == 1 { (crc >> 1) ^ 0xEDB8_8320 } else { crc >> 1 };
            }
        }
        !crc
    }

    #[test]
    fn data_urls_are_read() {
        let png = encode(&gradient(4, 4), ImageFormat::Png);
        let url = format!("data:image/png;base64,{}", base64::engine::general_purpose::STANDARD.encode(&png));
        assert_eq!(from_data_url(&url).unwrap().unwrap(), png);
        assert_eq!(from_data_url("data:text/html;base64,PGI+").unwrap().unwrap_err(), PhotoError::NotAnImage);
        assert_eq!(from_data_url("data:image/png;base64,@@@").unwrap().unwrap_err(), PhotoError::NotAnImage);
        assert!(from_data_url("https://example.org/a.jpg").is_none());
    }
}
