//! Drawing any payload (EMV code, Danbao code, payment code) as a QR symbol.
//!
//! The encoding and its checks are the core's (`danbao_domain::qr::render`); this module only
//! converts options and results. `options = null` (Kotlin) / `None` (Python) means the core's
//! defaults: error correction M, a 4-module quiet zone, 8 px modules, black on white.

use danbao_domain::qr::render as core;

use crate::error::{DanbaoError, guard};

/// How much of the symbol can be damaged and still read (ISO/IEC 18004 §6.5.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Enum)]
pub enum ErrorCorrection {
    /// L: about 7 % recoverable; the densest symbol.
    Low,
    /// M: about 15 % recoverable; the default for payment codes.
    Medium,
    /// Q: about 25 % recoverable.
    Quartile,
    /// H: about 30 % recoverable (room for a logo overlay).
    High,
}

impl From<ErrorCorrection> for core::ErrorCorrection {
    fn from(level: ErrorCorrection) -> Self {
        match level {
            ErrorCorrection::Low => Self::Low,
            ErrorCorrection::Medium => Self::Medium,
            ErrorCorrection::Quartile => Self::Quartile,
            ErrorCorrection::High => Self::High,
        }
    }
}

impl From<core::ErrorCorrection> for ErrorCorrection {
    fn from(level: core::ErrorCorrection) -> Self {
        match level {
            core::ErrorCorrection::Low => Self::Low,
            core::ErrorCorrection::Medium => Self::Medium,
            core::ErrorCorrection::Quartile => Self::Quartile,
            core::ErrorCorrection::High => Self::High,
        }
    }
}

/// How to render a symbol. Start from [`default_render_options`] and change what you need.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
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

impl From<core::RenderOptions> for RenderOptions {
    fn from(options: core::RenderOptions) -> Self {
        Self {
            error_correction: options.error_correction.into(),
            quiet_zone: options.quiet_zone,
            module_px: options.module_px,
            dark_color: options.dark_color,
            light_color: options.light_color,
        }
    }
}

impl From<RenderOptions> for core::RenderOptions {
    fn from(options: RenderOptions) -> Self {
        Self {
            error_correction: options.error_correction.into(),
            quiet_zone: options.quiet_zone,
            module_px: options.module_px,
            dark_color: options.dark_color,
            light_color: options.light_color,
        }
    }
}

/// A QR symbol as modules, for shells that draw it themselves (Compose Canvas, SwiftUI).
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct QrMatrix {
    /// Modules per side, quiet zone included.
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

impl From<core::QrMatrix> for QrMatrix {
    fn from(matrix: core::QrMatrix) -> Self {
        Self {
            size: matrix.size,
            quiet_zone: matrix.quiet_zone,
            version: matrix.version,
            error_correction: matrix.error_correction.into(),
            modules: matrix.modules,
        }
    }
}

/// The core's default options: error correction M, quiet zone 4, 8 px modules, black on white.
#[uniffi::export]
pub fn default_render_options() -> RenderOptions {
    core::RenderOptions::default().into()
}

/// Renders `text` as a standalone SVG document (`options` null/None: the defaults).
///
/// Fails with `Render` when the text does not fit a QR symbol at the chosen level, or an
/// option is out of range; the message says which and what would fit.
#[uniffi::export(default(options = None))]
pub fn render_qr_svg(text: String, options: Option<RenderOptions>) -> Result<String, DanbaoError> {
    guard(|| {
        let options = options.map(Into::into).unwrap_or_default();
        Ok(core::render_svg(&text, &options)?)
    })
}

/// Renders `text` as a module matrix (`options` null/None: the defaults; only
/// `error_correction` and `quiet_zone` matter here).
///
/// Fails with `Render` when the text does not fit a QR symbol at the chosen level, or the
/// quiet zone is out of range.
#[uniffi::export(default(options = None))]
pub fn render_qr_matrix(
    text: String,
    options: Option<RenderOptions>,
) -> Result<QrMatrix, DanbaoError> {
    guard(|| {
        let options = options.map(Into::into).unwrap_or_default();
        Ok(core::render_matrix(&text, &options)?.into())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_are_the_cores() {
        let options = default_render_options();
        assert_eq!(options.error_correction, ErrorCorrection::Medium);
        assert_eq!(options.quiet_zone, core::DEFAULT_QUIET_ZONE);
        assert_eq!(
            core::RenderOptions::from(options),
            core::RenderOptions::default()
        );
    }

    #[test]
    fn matrix_is_the_cores_matrix() {
        let ours = render_qr_matrix("HELLO".into(), None).unwrap();
        let core = core::render_matrix("HELLO", &core::RenderOptions::default()).unwrap();
        assert_eq!(ours.size, core.size);
        assert_eq!(ours.version, 1);
        assert_eq!(ours.size, 21 + 2 * 4);
        assert_eq!(ours.modules, core.modules);
    }

    #[test]
    fn render_errors_map_to_render() {
        let options = RenderOptions {
            dark_color: "red".into(),
            ..default_render_options()
        };
        let err = render_qr_svg("x".into(), Some(options)).unwrap_err();
        assert!(matches!(err, DanbaoError::Render { .. }), "{err:?}");
        assert!(err.to_string().contains("is not a colour"), "{err}");
    }
}
