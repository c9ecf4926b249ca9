//! QR codes for counter survey links, as SVG (for screens and posters) and PNG (for systems that
//! print receipts and cannot take SVG).

use domain::error::AppError;
use qrcode::{EcLevel, QrCode, render::svg};

/// Medium error correction survives a smudged or slightly torn poster, and keeps the code small
/// enough for cheap phone cameras.
fn code(data: &str) -> Result<QrCode, AppError> {
    QrCode::with_error_correction_level(data, EcLevel::M).map_err(AppError::internal)
}

/// An SVG that scales to any size; `min_px` is its nominal width.
pub fn svg(data: &str, min_px: u32) -> Result<String, AppError> {
    Ok(code(data)?
        .render()
        .min_dimensions(min_px, min_px)
        .dark_color(svg::Color("#000000"))
        .light_color(svg::Color("#ffffff"))
        .quiet_zone(true)
        .build())
}

/// A grayscale PNG with `module_px` pixels per module and the standard 4-module quiet zone.
pub fn png(data: &str, module_px: u32) -> Result<Vec<u8>, AppError> {
    let qr = code(data)?;
    let modules = qr.width() as u32;
    let quiet = 4;
    let side = (modules + 2 * quiet) * module_px;
    let colors = qr.to_colors();
    let mut pixels = vec![255u8; (side * side) as usize];
    for (i, color) in colors.iter().enumerate() {
        if *color != qrcode::Color::Dark {
            continue;
        }
        let (mx, my) = (i as u32 % modules, i as u32 / modules);
        for dy in 0..module_px {
            let y = (my + quiet) * module_px + dy;
            let start = (y * side + (mx + quiet) * module_px) as usize;
            if let Some(row) = pixels.get_mut(start..start + module_px as usize) {
                row.fill(0);
            }
        }
    }
    let mut out = Vec::new();
    {
        let mut encoder = png::Encoder::new(&mut out, side, side);
        encoder.set_color(png::ColorType::Grayscale);
        encoder.set_depth(png::BitDepth::Eight);
        let mut writer = encoder.write_header().map_err(AppError::internal)?;
        writer.write_image_data(&pixels).map_err(AppError::internal)?;
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn svg_is_a_standalone_image() {
        let s = svg("https://example.gov.vn/s/abcdefghjk", 256).unwrap();
        assert!(s.starts_with("<?xml") || s.starts_with("<svg"), "{}", &s[..40]);
        assert!(s.contains("<svg") && s.contains("</svg>"));
    }

    #[test]
    fn png_has_the_signature_and_the_expected_size() {
        let data = "https://example.gov.vn/s/abcdefghjk";
        let bytes = png("https://example.gov.vn/s/abcdefghjk", 8).unwrap();
        assert_eq!(&bytes[..8], b"\x89PNG\r\n\x1a\n");
        let modules = code(data).unwrap().width() as u32;
        let side = (modules + 8) * 8;
        // IHDR width and height are big-endian at bytes 16..24.
        assert_eq!(u32::from_be_bytes(bytes[16..20].try_into().unwrap()), side);
        assert_eq!(u32::from_be_bytes(bytes[20..24].try_into().unwrap()), side);
    }
}
