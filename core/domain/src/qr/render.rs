//! Rendering any payload (EMV code, Danbao code, payment code) as a QR symbol: an SVG document
//! or a module matrix that a shell can draw itself.
//!
//! Encoding is the `qrcode` crate's (ISO/IEC 18004: mode optimisation, Reed–Solomon, masking).
//! This module picks the parameters, adds the quiet zone and reports errors precisely.
//!
//! The default error-correction level is M (about 15 % of the symbol can be lost). Danbao codes
//! are scanned off phone screens (glare, cracked glass, low brightness) and printed stickers
//! (wear, dirt), so L (7 %) is too fragile; Q and H cost 30–45 % more modules for the same
//! payload, which for a ~250-byte signed EMV payload means a denser symbol with smaller
//! modules that cheap POS scanners read less reliably at arm's length. A caller with a logo
//! overlay may choose H.

use std::fmt;

use qrcode::render::{Renderer, svg};
use qrcode::types::QrError;
use qrcode::{Color, EcLevel, QrCode, Version};

/// The recommended quiet zone: ISO/IEC 18004 requires 4 light modules around a QR symbol.
pub const DEFAULT_QUIET_ZONE: u32 = 4;
/// The largest quiet zone accepted, in modules.
pub const MAX_QUIET_ZONE: u32 = 64;
/// The default size of one module in the SVG's user units (pixels).
pub const DEFAULT_MODULE_PX: u32 = 8;
/// The largest module size accepted, in pixels.
pub const MAX_MODULE_PX: u32 = 256;

/// How much of the symbol can be damaged and still read (ISO/IEC 18004 §6.5.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum ErrorCorrection {
    /// L: about 7 % of codewords recoverable.
    Low,
    /// M: about 15 % recoverable; the default (see the module docs for why).
    #[default]
    Medium,
    /// Q: about 25 % recoverable.
    Quartile,
    /// H: about 30 % recoverable (room for a logo overlay).
    High,
}

impl ErrorCorrection {
    fn ec_level(self) -> EcLevel {
        match self {
            ErrorCorrection::Low => EcLevel::L,
            ErrorCorrection::Medium => EcLevel::M,
            ErrorCorrection::Quartile => EcLevel::Q,
            ErrorCorrection::High => EcLevel::H,
        }
    }

    /// The most bytes of arbitrary (8-bit mode) data a version-40 symbol holds at this level
    /// (ISO/IEC 18004 Table 7). Digit-only or upper-case alphanumeric text holds more.
    pub fn max_bytes(self) -> usize {
        match self {
            ErrorCorrection::Low => 2953,
            ErrorCorrection::Medium => 2331,
            ErrorCorrection::Quartile => 1663,
            ErrorCorrection::High => 1273,
        }
    }

    /// The level's one-letter name.
    pub fn letter(self) -> char {
        match self {
            ErrorCorrection::Low => 'L',
            ErrorCorrection::Medium => 'M',
            ErrorCorrection::Quartile => 'Q',
            ErrorCorrection::High => 'H',
        }
    }
}

impl fmt::Display for ErrorCorrection {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.letter())
    }
}

/// How to render a symbol. `Default` is level M, a 4-module quiet zone, 8 px modules, black on
/// white.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RenderOptions {
    /// Error-correction level.
    pub error_correction: ErrorCorrection,
    /// Light modules added on every side, 0–64 (4 is what scanners expect).
    pub quiet_zone: u32,
    /// SVG only: side of one module in pixels, 1–256.
    pub module_px: u32,
    /// SVG only: colour of dark modules, `#rgb`, `#rrggbb` or `#rrggbbaa`.
    pub dark_color: String,
    /// SVG only: colour of light modules and the quiet zone, same forms.
    pub light_color: String,
}

impl Default for RenderOptions {
    fn default() -> Self {
        Self {
            error_correction: ErrorCorrection::default(),
            quiet_zone: DEFAULT_QUIET_ZONE,
            module_px: DEFAULT_MODULE_PX,
            dark_color: "#000000".to_owned(),
            light_color: "#ffffff".to_owned(),
        }
    }
}

/// Why a symbol could not be rendered.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RenderError {
    /// The text does not fit even the largest symbol (version 40) at the chosen level.
    #[error(
        "text of {bytes} bytes does not fit a QR code at error correction {error_correction}, \
         which holds at most {max_bytes} bytes of arbitrary text (version 40); shorten it{}",
        lower_level_hint(*error_correction)
    )]
    DataTooLong {
        /// UTF-8 length of the text.
        bytes: usize,
        /// The level asked for.
        error_correction: ErrorCorrection,
        /// The 8-bit-mode capacity at that level.
        max_bytes: usize,
    },
    /// A colour is not a hex colour; colours go into the SVG verbatim, so only `#` + hex
    /// digits are allowed.
    #[error("{which} {value:?} is not a colour; use #rgb, #rrggbb or #rrggbbaa hex")]
    InvalidColor {
        /// `dark_color` or `light_color`.
        which: &'static str,
        /// The refused value.
        value: String,
    },
    /// A size option is out of range.
    #[error("{reason}")]
    InvalidOption {
        /// Which option, its value and the allowed range.
        reason: String,
    },
    /// The encoder refused the text for another reason.
    #[error("QR encoder refused the text: {reason}")]
    Encoding {
        /// The encoder's reason.
        reason: String,
    },
}

fn lower_level_hint(level: ErrorCorrection) -> String {
    match level {
        ErrorCorrection::Low => String::new(),
        _ => format!(
            " or use error correction L (at most {} bytes)",
            ErrorCorrection::Low.max_bytes()
        ),
    }
}

/// A QR symbol as modules: `size` × `size`, row-major, `true` = dark, including the quiet zone.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QrMatrix {
    /// Modules per side, quiet zone included (symbol width + 2 × `quiet_zone`).
    pub size: u32,
    /// Light modules on each side, included in `size`.
    pub quiet_zone: u32,
    /// The QR version, 1–40 (the symbol is 17 + 4 × version modules wide).
    pub version: u8,
    /// The error-correction level used.
    pub error_correction: ErrorCorrection,
    /// `size * size` modules, row by row from the top left; `true` is dark.
    pub modules: Vec<bool>,
}

impl QrMatrix {
    /// Whether the module in column `x`, row `y` is dark; `false` outside the matrix.
    pub fn is_dark(&self, x: u32, y: u32) -> bool {
        if x >= self.size || y >= self.size {
            return false;
        }
        let i = y as usize * self.size as usize + x as usize;
        self.modules.get(i).copied().unwrap_or(false)
    }

    /// The symbol's width without the quiet zone.
    pub fn symbol_size(&self) -> u32 {
        self.size.saturating_sub(self.quiet_zone.saturating_mul(2))
    }
}

/// Encodes `text` and returns its modules with the quiet zone of `options` (only
/// `error_correction` and `quiet_zone` are used).
pub fn render_matrix(text: &str, options: &RenderOptions) -> Result<QrMatrix, RenderError> {
    check_quiet_zone(options.quiet_zone)?;
    let code = encode(text, options.error_correction)?;
    let symbol = code.width();
    let qz = options.quiet_zone as usize;
    let size = symbol + 2 * qz;
    let colors = code.to_colors();
    let mut modules = vec![false; size * size];
    for (y, row) in colors.chunks(symbol).enumerate() {
        for (x, color) in row.iter().enumerate() {
            modules[(y + qz) * size + x + qz] = *color == Color::Dark;
        }
    }
    Ok(QrMatrix {
        size: size as u32,
        quiet_zone: options.quiet_zone,
        version: version_number(code.version()),
        error_correction: options.error_correction,
        modules,
    })
}

/// Encodes `text` and returns a standalone SVG document whose `viewBox` is
/// `0 0 W W` with W = (symbol width + 2 × quiet zone) × module_px.
pub fn render_svg(text: &str, options: &RenderOptions) -> Result<String, RenderError> {
    check_quiet_zone(options.quiet_zone)?;
    if !(1..=MAX_MODULE_PX).contains(&options.module_px) {
        return Err(RenderError::InvalidOption {
            reason: format!(
                "module_px is {}; it must be 1 to {MAX_MODULE_PX} pixels",
                options.module_px
            ),
        });
    }
    check_color("dark_color", &options.dark_color)?;
    check_color("light_color", &options.light_color)?;
    let code = encode(text, options.error_correction)?;
    let colors = code.to_colors();
    let svg = Renderer::<svg::Color<'_>>::new(&colors, code.width(), options.quiet_zone)
        .module_dimensions(options.module_px, options.module_px)
        .dark_color(svg::Color(&options.dark_color))
        .light_color(svg::Color(&options.light_color))
        .build();
    Ok(svg)
}

fn encode(text: &str, error_correction: ErrorCorrection) -> Result<QrCode, RenderError> {
    QrCode::with_error_correction_level(text.as_bytes(), error_correction.ec_level()).map_err(
        |err| match err {
            QrError::DataTooLong => RenderError::DataTooLong {
                bytes: text.len(),
                error_correction,
                max_bytes: error_correction.max_bytes(),
            },
            other => RenderError::Encoding {
                reason: other.to_string(),
            },
        },
    )
}

fn version_number(version: Version) -> u8 {
    match version {
        Version::Normal(v) | Version::Micro(v) => u8::try_from(v).unwrap_or(0),
    }
}

fn check_quiet_zone(quiet_zone: u32) -> Result<(), RenderError> {
    if quiet_zone > MAX_QUIET_ZONE {
        return Err(RenderError::InvalidOption {
            reason: format!(
                "quiet_zone is {quiet_zone} modules; it must be 0 to {MAX_QUIET_ZONE} \
                 ({DEFAULT_QUIET_ZONE} is what scanners expect)"
            ),
        });
    }
    Ok(())
}

fn check_color(which: &'static str, value: &str) -> Result<(), RenderError> {
    let ok = value.strip_prefix('#').is_some_and(|hex| {
        matches!(hex.len(), 3 | 6 | 8) && hex.bytes().all(|b| b.is_ascii_hexdigit())
    });
    if ok {
        Ok(())
    } else {
        Err(RenderError::InvalidColor {
            which,
            value: value.to_owned(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn colours_are_checked() {
        for good in ["#000", "#ffffff", "#11223344", "#AbCdEf"] {
            assert_eq!(check_color("dark_color", good), Ok(()), "{good}");
        }
        for bad in [
            "black",
            "#12",
            "#1234",
            "000000",
            "#ggg",
            "#000\"/><script>",
            "",
        ] {
            assert!(check_color("dark_color", bad).is_err(), "{bad}");
        }
    }

    fn default_matrix(text: &str) -> QrMatrix {
        render_matrix(text, &RenderOptions::default()).unwrap()
    }

    /// Reads the matrix back with an independent decoder (rqrr), at 4 pixels per module.
    fn decode(matrix: &QrMatrix) -> String {
        const PX: usize = 4;
        let side = matrix.size as usize * PX;
        let mut image = rqrr::PreparedImage::prepare_from_greyscale(side, side, |x, y| {
            if matrix.is_dark((x / PX) as u32, (y / PX) as u32) {
                0
            } else {
                255
            }
        });
        let grids = image.detect_grids();
        assert_eq!(grids.len(), 1, "exactly one symbol must be found");
        let (_, content) = grids[0].decode().unwrap();
        content
    }

    #[test]
    fn rendered_matrices_decode_back_to_the_text() {
        let emv = "00020101021226270011app.danbao0108m-000042520459995303156\
                   5406128.005802CN5909Tea House6008Shanghai62100506ORD42663048C1E";
        let long = "0002010102122654".to_owned() + &"x".repeat(240);
        for text in [
            "282869134728532396",
            emv,
            "HELLO WORLD",
            "茶馆 付款码 ¥12.50",
            "https://danbao.app/r/alice?amount=12.50",
            long.as_str(),
        ] {
            for level in [
                ErrorCorrection::Low,
                ErrorCorrection::Medium,
                ErrorCorrection::Quartile,
                ErrorCorrection::High,
            ] {
                let options = RenderOptions {
                    error_correction: level,
                    ..RenderOptions::default()
                };
                let matrix = render_matrix(text, &options).unwrap();
                assert_eq!(decode(&matrix), text, "level {level}");
            }
        }
    }

    #[test]
    fn size_follows_the_version_and_the_quiet_zone() {
        // Version 1-M holds 14 bytes, version 2-M 26 (ISO/IEC 18004 Table 7).
        let v1 = default_matrix(&"a".repeat(14));
        assert_eq!((v1.version, v1.size, v1.symbol_size()), (1, 29, 21));
        assert_eq!(v1.modules.len(), 29 * 29);
        let v2 = default_matrix(&"a".repeat(15));
        assert_eq!((v2.version, v2.symbol_size()), (2, 25));
        let v3 = default_matrix(&"a".repeat(27));
        assert_eq!((v3.version, v3.symbol_size()), (3, 29));
        let v40 = default_matrix(&"a".repeat(2331));
        assert_eq!((v40.version, v40.symbol_size()), (40, 177));

        let bare = render_matrix(
            &"a".repeat(14),
            &RenderOptions {
                quiet_zone: 0,
                ..RenderOptions::default()
            },
        )
        .unwrap();
        assert_eq!((bare.size, bare.quiet_zone), (21, 0));
        // Same symbol, just without the border.
        for y in 0..21 {
            for x in 0..21 {
                assert_eq!(bare.is_dark(x, y), v1.is_dark(x + 4, y + 4));
            }
        }
    }

    #[test]
    fn quiet_zone_is_light() {
        let m = default_matrix("282869134728532396");
        let inner = m.quiet_zone..m.size - m.quiet_zone;
        for y in 0..m.size {
            for x in 0..m.size {
                if !inner.contains(&x) || !inner.contains(&y) {
                    assert!(!m.is_dark(x, y), "({x},{y}) is in the quiet zone");
                }
            }
        }
    }

    #[test]
    fn finder_patterns_sit_at_three_corners() {
        let m = default_matrix("282869134728532396");
        let (q, w) = (m.quiet_zone, m.symbol_size());
        for (left, top) in [(q, q), (q + w - 7, q), (q, q + w - 7)] {
            for dy in 0..7 {
                for dx in 0..7 {
                    let ring = dx.min(dy).min(6 - dx).min(6 - dy);
                    // Outer ring dark, next ring light, 3×3 centre dark.
                    let expected = ring != 1;
                    assert_eq!(
                        m.is_dark(left + dx, top + dy),
                        expected,
                        "finder at ({left},{top}), module ({dx},{dy})"
                    );
                }
            }
        }
        // The bottom-right corner has no finder pattern.
        let (right, bottom) = (q + w - 7, q + w - 7);
        let full_ring =
            (0..7).all(|d| m.is_dark(right + d, bottom) && m.is_dark(right, bottom + d));
        assert!(!full_ring);
    }

    #[test]
    fn data_too_long_names_the_limit_and_the_way_out() {
        let err = render_matrix(&"a".repeat(2332), &RenderOptions::default()).unwrap_err();
        assert_eq!(
            err,
            RenderError::DataTooLong {
                bytes: 2332,
                error_correction: ErrorCorrection::Medium,
                max_bytes: 2331
            }
        );
        let message = err.to_string();
        assert!(message.contains("2332 bytes"), "{message}");
        assert!(message.contains("at most 2331"), "{message}");
        assert!(
            message.contains("error correction L (at most 2953"),
            "{message}"
        );

        let low = RenderOptions {
            error_correction: ErrorCorrection::Low,
            ..RenderOptions::default()
        };
        // Version 36-L holds 2369 bytes, 35-L 2303.
        assert_eq!(render_matrix(&"a".repeat(2332), &low).unwrap().version, 36);
        assert!(matches!(
            render_svg(&"a".repeat(2954), &low),
            Err(RenderError::DataTooLong {
                bytes: 2954,
                max_bytes: 2953,
                ..
            })
        ));
        let high = RenderOptions {
            error_correction: ErrorCorrection::High,
            ..RenderOptions::default()
        };
        assert!(render_matrix(&"a".repeat(1273), &high).is_ok());
        assert!(render_matrix(&"a".repeat(1274), &high).is_err());
    }

    #[test]
    fn svg_is_well_formed_with_the_right_view_box_and_colours() {
        let options = RenderOptions {
            module_px: 3,
            dark_color: "#112233".to_owned(),
            light_color: "#fafafa".to_owned(),
            ..RenderOptions::default()
        };
        let svg = render_svg("282869134728532396", &options).unwrap();
        let doc = roxmltree::Document::parse(&svg).unwrap();
        let root = doc.root_element();
        assert_eq!(root.tag_name().name(), "svg");
        assert_eq!(
            root.tag_name().namespace(),
            Some("http://www.w3.org/2000/svg")
        );
        // 18 digits at M: version 1, 21 modules + 2 × 4 quiet zone = 29 modules × 3 px.
        assert_eq!(root.attribute("viewBox"), Some("0 0 87 87"));
        assert_eq!(root.attribute("width"), Some("87"));
        let rect = root.children().find(|n| n.has_tag_name("rect")).unwrap();
        assert_eq!(rect.attribute("fill"), Some("#fafafa"));
        let path = root.children().find(|n| n.has_tag_name("path")).unwrap();
        assert_eq!(path.attribute("fill"), Some("#112233"));
    }

    /// Every dark module of the matrix, and nothing else, is drawn in the SVG.
    #[test]
    fn svg_draws_exactly_the_dark_modules() {
        let text = "00020101021126270011app.danbao0108m-0000426304ABCD";
        let options = RenderOptions {
            module_px: 5,
            quiet_zone: 2,
            ..RenderOptions::default()
        };
        let matrix = render_matrix(text, &options).unwrap();
        let svg = render_svg(text, &options).unwrap();
        let doc = roxmltree::Document::parse(&svg).unwrap();
        let path = doc
            .root_element()
            .children()
            .find(|n| n.has_tag_name("path"))
            .unwrap();
        let d = path.attribute("d").unwrap();
        let mut drawn = std::collections::BTreeSet::new();
        for command in d.split('M').filter(|c| !c.is_empty()) {
            // "x y" then "h5v5H..V..": each dark module is one 5×5 square.
            let head: String = command.chars().take_while(|c| *c != 'h').collect();
            let mut xy = head.split(' ').map(|n| n.parse::<u32>().unwrap());
            let (x, y) = (xy.next().unwrap(), xy.next().unwrap());
            assert!(command.starts_with(&format!("{x} {y}h5v5")), "{command}");
            drawn.insert((x / 5, y / 5));
        }
        let dark: std::collections::BTreeSet<(u32, u32)> = (0..matrix.size)
            .flat_map(|y| (0..matrix.size).map(move |x| (x, y)))
            .filter(|&(x, y)| matrix.is_dark(x, y))
            .collect();
        assert_eq!(drawn, dark);
        let side = matrix.size * 5;
        assert!(svg.contains(&format!("viewBox=\"0 0 {side} {side}\"")));
    }

    #[test]
    fn out_of_range_options_are_refused() {
        let err = render_svg(
            "x",
            &RenderOptions {
                quiet_zone: 65,
                ..RenderOptions::default()
            },
        )
        .unwrap_err();
        assert_eq!(
            err.to_string(),
            "quiet_zone is 65 modules; it must be 0 to 64 (4 is what scanners expect)"
        );
        let err = render_svg(
            "x",
            &RenderOptions {
                module_px: 0,
                ..RenderOptions::default()
            },
        )
        .unwrap_err();
        assert_eq!(
            err.to_string(),
            "module_px is 0; it must be 1 to 256 pixels"
        );
        let err = render_svg(
            "x",
            &RenderOptions {
                light_color: "white".to_owned(),
                ..RenderOptions::default()
            },
        )
        .unwrap_err();
        assert_eq!(
            err,
            RenderError::InvalidColor {
                which: "light_color",
                value: "white".to_owned()
            }
        );
        // The matrix ignores SVG-only options.
        assert!(
            render_matrix(
                "x",
                &RenderOptions {
                    module_px: 0,
                    dark_color: String::new(),
                    ..RenderOptions::default()
                }
            )
            .is_ok()
        );
    }

    #[test]
    fn empty_text_renders_a_version_1_symbol() {
        let m = default_matrix("");
        assert_eq!(m.version, 1);
        assert_eq!(decode(&m), "");
    }

    #[test]
    fn is_dark_is_false_outside() {
        let m = render_matrix("x", &RenderOptions::default()).unwrap();
        assert!(!m.is_dark(m.size, 0));
        assert!(!m.is_dark(0, u32::MAX));
    }
}
