"""Puts the generated danbao.py (and the libdanbao_ffi.so next to it) on sys.path.

`cargo xtask test` and `cargo xtask bindings` write both into ./generated; run one of them
before calling pytest directly. DANBAO_PY_BINDINGS overrides the directory.
"""

import os
import pathlib
import sys

GENERATED = pathlib.Path(
    os.environ.get("DANBAO_PY_BINDINGS", pathlib.Path(__file__).parent / "generated")
)

if not (GENERATED / "danbao.py").is_file():
    raise RuntimeError(
        f"no generated bindings in {GENERATED}: run `cargo xtask bindings` first"
    )

sys.path.insert(0, str(GENERATED))
