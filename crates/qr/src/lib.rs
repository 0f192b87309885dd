//! The desktop hand-off's QR code: the wa.me link as an SVG a phone can scan.
//!
//! It is its own wasm module, so the widget every shopper downloads does not carry a QR encoder
//! that only shoppers on a computer use, once, after sending an order. The widget imports it
//! then (`src/qr.rs`); a failed import only leaves the QR code out.

use wasm_bindgen::prelude::wasm_bindgen;

/// The link as an `<svg>` element (no XML declaration: it goes inside HTML), at least 200 px
/// square with its quiet zone. Error correction L keeps long order links scannable. `None`
/// (JS `undefined`) when the text is too long for any QR code.
#[wasm_bindgen(js_name = qrSvg)]
pub fn qr_svg(text: &str) -> Option<String> {
    let code = qrcode::QrCode::with_error_correction_level(text, qrcode::EcLevel::L).ok()?;
    let svg = code
        .render::<qrcode::render::svg::Color>()
        .min_dimensions(200, 200)
        .quiet_zone(true)
        .build();
    Some(svg.get(svg.find("<svg")?..)?.to_string())
}

#[cfg(test)]
mod tests {
    use super::qr_svg;

    #[test]
    fn a_link_becomes_one_svg_element_without_xml_declaration() {
        let svg = qr_svg("https://wa.me/31612345678?text=Order%20K7M2QX").expect("encodable");
        assert!(svg.starts_with("<svg"), "{}", &svg[..40]);
        assert!(svg.trim_end().ends_with("</svg>"));
        assert!(!svg.contains("<?xml"));
    }

    #[test]
    fn short_and_long_links_are_at_least_200_px_square() {
        let side = |svg: &str, attribute: &str| -> u32 {
            let start =
                svg.find(&format!("{attribute}=\"")).expect(attribute) + attribute.len() + 2;
            svg[start..].split('"').next().unwrap().parse().unwrap()
        };
        for text in [
            "https://wa.me/1?text=a".to_string(),
            format!("https://wa.me/1?text={}", "a".repeat(1500)),
        ] {
            let svg = qr_svg(&text).expect("encodable");
            assert!(side(&svg, "width") >= 200, "{}", &svg[..80]);
            assert_eq!(side(&svg, "width"), side(&svg, "height"));
        }
    }

    #[test]
    fn text_beyond_the_largest_code_gives_none() {
        // Version 40 at level L holds 2,953 bytes.
        assert!(qr_svg(&"a".repeat(2_954 * 2)).is_none());
    }
}
