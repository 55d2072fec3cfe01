"""Signatures per second on one core: dak's signer against plain pyHanko, same PDF, same stamp, same process.

The PDF is the two-page letter the signing tests use; each signature is PAdES B-B with the visible
bilingual diary stamp in Lohit Devanagari. The baseline is pyHanko used as its documentation shows:
SimpleSigner.load_pkcs12 once, a TextStampStyle with the stock GlyphAccumulatorFactory, and no
bytes_reserved (so pyHanko sizes the signature with a dry run).

    .venv/bin/python bench/sign.py [--seconds 5] [--target 25]
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
import tempfile
import time
from collections.abc import Callable
from io import BytesIO
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from pyhanko.pdf_utils import layout  # noqa: E402
from pyhanko.pdf_utils.font.opentype import GlyphAccumulatorFactory  # noqa: E402
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter  # noqa: E402
from pyhanko.pdf_utils.text import TextBoxStyle  # noqa: E402
from pyhanko.sign import fields, signers  # noqa: E402
from pyhanko.stamp import TextStampStyle  # noqa: E402

from pipeline.config import SigningSettings  # noqa: E402
from pipeline.sign import DEV_PASSPHRASE, DEV_PKCS12, STAMP_FONT, load_signer, sign_pdf, verify_pdf  # noqa: E402
from pipeline.stamp import stamp_lines  # noqa: E402
from tests.test_sign import diary_stamp, make_two_page_pdf  # noqa: E402

BOX = (395.0, 760.0, 585.0, 832.0)


def rate(work: Callable[[int], None], seconds: float) -> tuple[float, int]:
    """Signatures per CPU second, running `work` until `seconds` of CPU time have passed."""
    work(-1)  # warm up: fonts, caches
    n, start = 0, time.process_time()
    while time.process_time() - start < seconds:
        work(n)
        n += 1
    return n / (time.process_time() - start), n


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=5.0, help="CPU seconds per contender (default 5)")
    parser.add_argument("--target", type=float, default=25.0, help="signatures/s dak must reach (default 25)")
    args = parser.parse_args()
    logging.getLogger("fontTools").setLevel(logging.ERROR)  # the baseline subsets the font every time
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {sorted(os.sched_getaffinity(0))[0]})  # one core

    work_dir = Path(tempfile.mkdtemp(prefix="dak-bench-sign-"))
    keys = work_dir / "keys"
    signer = load_signer(SigningSettings(), keys, "District Office Hisar")
    stamp = diary_stamp(signer.subject)
    pdf = make_two_page_pdf()
    out = work_dir / "dak.pdf"

    def dak(_: int) -> None:
        sign_pdf(pdf, out, signer, stamp, BOX)

    plain_signer = signers.SimpleSigner.load_pkcs12(
        str(keys / DEV_PKCS12), passphrase=(keys / DEV_PASSPHRASE).read_bytes().strip()
    )
    assert plain_signer is not None
    style = TextStampStyle(
        stamp_text="%(dak)s",
        text_box_style=TextBoxStyle(font=GlyphAccumulatorFactory(str(STAMP_FONT)), font_size=7, leading=10),
        inner_content_layout=layout.SimpleBoxLayoutRule(
            x_align=layout.AxisAlignment.ALIGN_MIN,
            y_align=layout.AxisAlignment.ALIGN_MID,
            margins=layout.Margins.uniform(3),
            inner_content_scaling=layout.InnerScaling.SHRINK_TO_FIT,
        ),
    )
    plain_out = work_dir / "plain.pdf"

    def plain(_: int) -> None:
        meta = signers.PdfSignatureMetadata(
            field_name="Sig", md_algorithm="sha256", subfilter=fields.SigSeedSubFilter.PADES
        )
        pdf_signer = signers.PdfSigner(
            meta,
            signer=plain_signer,
            stamp_style=style,
            new_field_spec=fields.SigFieldSpec(sig_field_name="Sig", on_page=0, box=BOX),  # type: ignore[arg-type]
        )
        buf = BytesIO()
        pdf_signer.sign_pdf(
            IncrementalPdfFileWriter(BytesIO(pdf)),
            output=buf,
            appearance_text_params={"dak": "\n".join(stamp_lines(stamp))},
        )
        plain_out.write_bytes(buf.getvalue())

    dak_rate, dak_n = rate(dak, args.seconds)
    plain_rate, plain_n = rate(plain, args.seconds)
    assert verify_pdf(out, signer.trust_roots).valid, "dak's benchmark output does not verify"
    assert verify_pdf(plain_out, signer.trust_roots).valid, "the baseline's output does not verify"

    print(
        f"2-page PDF, visible bilingual stamp, PAdES B-B, RSA-2048, one core ({os.cpu_count()} on this machine)"
    )
    print(f"plain pyHanko : {plain_rate:6.1f} signatures/s  ({plain_n} signed)")
    print(f"dak           : {dak_rate:6.1f} signatures/s  ({dak_n} signed)")
    print(f"ratio         : {dak_rate / plain_rate:6.2f}x plain pyHanko")
    print(f"target        : {args.target:.0f}/s -> {'met' if dak_rate >= args.target else 'NOT met'}")
    return 0 if dak_rate >= args.target else 1


if __name__ == "__main__":
    sys.exit(main())
