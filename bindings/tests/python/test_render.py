"""QR rendering through the generated Python bindings and the real library."""

import re

import pytest

import danbao


def dark(matrix, x, y):
    return matrix.modules[y * matrix.size + x]


def test_default_options_are_the_cores():
    assert danbao.default_render_options() == danbao.RenderOptions(
        error_correction=danbao.ErrorCorrection.MEDIUM,
        quiet_zone=4,
        module_px=8,
        dark_color="#000000",
        light_color="#ffffff",
    )


def test_matrix_has_quiet_zone_and_finder_pattern():
    matrix = danbao.render_qr_matrix("HELLO")
    # Version 1 is 21 modules wide; the default quiet zone adds 4 on each side.
    assert (matrix.size, matrix.version, matrix.quiet_zone) == (29, 1, 4)
    assert matrix.error_correction == danbao.ErrorCorrection.MEDIUM
    assert len(matrix.modules) == 29 * 29
    assert not any(dark(matrix, x, 3) for x in range(29)), "quiet zone row must be light"
    # Top-left finder pattern (ISO/IEC 18004 §6.3.3): dark ring, light ring, dark 3x3 core.
    assert all(dark(matrix, 4 + i, 4) for i in range(7))
    assert not dark(matrix, 5, 5)
    assert dark(matrix, 7, 7)


def test_options_change_the_matrix():
    options = danbao.default_render_options()
    options.quiet_zone = 0
    options.error_correction = danbao.ErrorCorrection.HIGH
    matrix = danbao.render_qr_matrix("HELLO", options)
    assert (matrix.size, matrix.quiet_zone) == (21, 0)
    assert matrix.error_correction == danbao.ErrorCorrection.HIGH
    assert dark(matrix, 0, 0)


def test_svg_is_sized_by_modules_and_colours():
    options = danbao.default_render_options()
    options.module_px = 2
    options.dark_color = "#112233"
    svg = danbao.render_qr_svg("HELLO", options)
    assert svg.lstrip().startswith("<?xml")
    assert re.search(r'viewBox="0 0 58 58"', svg), svg[:300]
    assert 'fill="#112233"' in svg


def test_too_long_text_is_a_render_error_saying_what_fits():
    with pytest.raises(danbao.DanbaoError.Render) as caught:
        danbao.render_qr_svg("a" * 3000)
    assert str(caught.value).startswith(
        "text of 3000 bytes does not fit a QR code at error correction M, "
        "which holds at most 2331 bytes"
    )


def test_bad_colour_is_a_render_error():
    options = danbao.default_render_options()
    options.light_color = "white"
    with pytest.raises(danbao.DanbaoError.Render, match="is not a colour"):
        danbao.render_qr_svg("x", options)
