"""Render and sign: the searchable PDF with its diary stamp, signed last, written atomically."""

from __future__ import annotations

import hashlib
from pathlib import Path

import numpy as np

from pipeline import pdf, sign, store
from pipeline.config import Settings
from pipeline.model import Document, OcrPage, Receipt
from pipeline.stamp import STAMP_HEIGHT_PT, STAMP_WIDTH_PT, DiaryStamp, find_stamp_box


def signed_pdf(
    settings: Settings,
    signer: sign.DakSigner,
    document: Document,
    receipt: Receipt,
    pages: list[OcrPage],
    first_page_ink: np.ndarray,
) -> tuple[Path, str]:
    """Assemble, stamp and sign the receipt's PDF; return its path and sha256.

    `first_page_ink` is page 1's ink map (`pages.ink_map`): the stamp goes where it has none.
    """
    assert receipt.diary_no is not None and receipt.received_at is not None
    writer = pdf.assemble(document, pages)
    pdf.set_metadata(
        writer,
        title=receipt.subject or f"Receipt {receipt.diary_no}",
        subject=receipt.subject,
        author=receipt.sender,
        keywords=[receipt.diary_no, receipt.letter_no or "", receipt.category or ""],
        created=receipt.received_at,
    )
    width, height = pdf.page_size(writer)
    box = find_stamp_box(first_page_ink, width, height, STAMP_WIDTH_PT, STAMP_HEIGHT_PT)
    stamp = DiaryStamp(
        diary_no=receipt.diary_no,
        received_at=receipt.received_at,
        office=settings.office.name,
        office_hi=settings.office.name_hi,
        signer=signer.subject,
    )
    target = store.output_path(settings.receipts_dir, receipt.received_at.year, receipt.diary_no)
    sign.sign_pdf(pdf.to_bytes(writer), target, signer, stamp, box)
    return target, hashlib.sha256(target.read_bytes()).hexdigest()
