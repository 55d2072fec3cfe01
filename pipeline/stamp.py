"""The diary stamp: its bilingual text and where on page 1 it can go without covering the letter."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import numpy as np

# Natural size of the stamp drawn by pipeline.sign (six lines of 7 pt Lohit Devanagari plus padding);
# longer text is shrunk to fit, so callers can always reserve this box.
STAMP_WIDTH_PT = 190.0
STAMP_HEIGHT_PT = 72.0

EDGE_INSET_PT = 10.0  # keep the stamp off the very edge, where printers and scanners clip
CLEARANCE_PT = 4.0  # ink this close to the stamp counts as covered
CELL_PT = 2.0  # resolution of the search grid
ROOM_PT = 24.0  # among clean places, prefer the one with least ink this far around it
MARGIN_REACH = 0.2  # the stamp may sit this far (fraction of the page) in from an edge


@dataclass(frozen=True)
class DiaryStamp:
    """What the receipt stamp on a diarised letter says."""

    diary_no: str
    received_at: datetime
    office: str
    office_hi: str
    signer: str


def stamp_lines(stamp: DiaryStamp) -> list[str]:
    """The stamp text, one line per entry, each in Hindi and English."""
    lines = [
        f"डायरी सं. / Diary No.: {stamp.diary_no}",
        f"प्राप्ति / Received: {stamp.received_at.strftime('%d-%m-%Y %H:%M')}",
    ]
    if stamp.office_hi:
        lines.append(f"कार्यालय: {stamp.office_hi}")
    lines.append(f"Office: {stamp.office}")
    lines.append(f"हस्ताक्षरकर्ता / Signed by: {stamp.signer}")
    return lines


def _cell_counts(ink: np.ndarray, rows: int, cols: int) -> np.ndarray:
    """Ink pixels per grid cell, for a grid of rows x cols cells covering the whole mask."""
    mask = np.asarray(ink).astype(bool, copy=False).view(np.uint8)
    height, width = mask.shape
    row_edges = np.linspace(0, height, rows + 1).astype(np.intp)
    col_edges = np.linspace(0, width, cols + 1).astype(np.intp)
    # Sum of each band of rows, then of each band of columns: exact for any mask size.
    by_rows = np.add.reduceat(mask, row_edges[:-1], axis=0, dtype=np.uint32)
    by_rows[np.diff(row_edges) == 0] = 0
    counts = np.add.reduceat(by_rows, col_edges[:-1], axis=1, dtype=np.int64)
    counts[:, np.diff(col_edges) == 0] = 0
    return counts


def _window_sums(counts: np.ndarray, win_rows: int, win_cols: int) -> np.ndarray:
    """Ink in every win_rows x win_cols window; entry [r, c] is the window whose top-left cell is (r, c)."""
    table = np.zeros((counts.shape[0] + 1, counts.shape[1] + 1), dtype=np.int64)
    table[1:, 1:] = counts.cumsum(axis=0).cumsum(axis=1)
    return (
        table[win_rows:, win_cols:]
        - table[:-win_rows, win_cols:]
        - table[win_rows:, :-win_cols]
        + table[:-win_rows, :-win_cols]
    )


def find_stamp_box(
    ink: np.ndarray,
    page_width_pt: float,
    page_height_pt: float,
    stamp_w_pt: float,
    stamp_h_pt: float,
) -> tuple[float, float, float, float]:
    """PDF box (x1, y1, x2, y2; origin bottom-left) in the page margins where the stamp covers least ink.

    `ink` is page 1 as a boolean mask, top row first. Among equally clean places the one with the
    most empty room around it wins (the widest margin), then the one nearest the top-right corner,
    which is where a receipt stamp traditionally goes.
    """
    mask = np.asarray(ink)
    if mask.ndim != 2 or mask.size == 0:
        raise ValueError("ink must be a non-empty 2-D mask")
    stamp_w = min(stamp_w_pt, page_width_pt - 2 * EDGE_INSET_PT)
    stamp_h = min(stamp_h_pt, page_height_pt - 2 * EDGE_INSET_PT)
    if stamp_w <= 0 or stamp_h <= 0:
        return (0.0, 0.0, min(stamp_w_pt, page_width_pt), min(stamp_h_pt, page_height_pt))

    rows = max(1, min(round(page_height_pt / CELL_PT), mask.shape[0]))
    cols = max(1, min(round(page_width_pt / CELL_PT), mask.shape[1]))
    cell_h = page_height_pt / rows
    cell_w = page_width_pt / cols
    counts = _cell_counts(mask, rows, cols)

    # The window searched is the stamp plus its clearance on every side.
    pad_r = int(np.ceil(CLEARANCE_PT / cell_h))
    pad_c = int(np.ceil(CLEARANCE_PT / cell_w))
    stamp_r = int(np.ceil(stamp_h / cell_h))
    stamp_c = int(np.ceil(stamp_w / cell_w))
    win_r = min(rows, stamp_r + 2 * pad_r)
    win_c = min(cols, stamp_c + 2 * pad_c)
    sums = _window_sums(counts, win_r, win_c)

    # Top-left cell of the stamp itself for every window position, and its distance from each edge.
    top = np.arange(sums.shape[0])[:, None] + pad_r
    left = np.arange(sums.shape[1])[None, :] + pad_c
    inset_r = int(np.ceil(EDGE_INSET_PT / cell_h))
    inset_c = int(np.ceil(EDGE_INSET_PT / cell_w))
    from_top = top - inset_r
    from_bottom = rows - inset_r - (top + stamp_r)
    from_left = left - inset_c
    from_right = cols - inset_c - (left + stamp_c)
    inside = (from_top >= 0) & (from_bottom >= 0) & (from_left >= 0) & (from_right >= 0)
    reach_r = MARGIN_REACH * rows
    reach_c = MARGIN_REACH * cols
    in_margin = (
        (from_top <= reach_r) | (from_bottom <= reach_r) | (from_left <= reach_c) | (from_right <= reach_c)
    )
    allowed = inside & in_margin
    if not allowed.any():
        allowed = inside
    if not allowed.any():
        allowed = np.ones_like(sums, dtype=bool)

    # Least ink first; then the most empty room around the stamp (the widest part of the margin);
    # remaining ties go to the place closest to the top-right corner.
    distance = np.hypot(np.maximum(from_top, 0) * cell_h, np.maximum(from_right, 0) * cell_w)
    ink_cost = np.where(allowed, sums, np.iinfo(np.int64).max)
    best_ink = ink_cost.min()
    room_r = int(np.ceil(ROOM_PT / cell_h))
    room_c = int(np.ceil(ROOM_PT / cell_w))
    padded = np.pad(counts, ((room_r, room_r), (room_c, room_c)))
    crowding = _window_sums(padded, win_r + 2 * room_r, win_c + 2 * room_c)[: sums.shape[0], : sums.shape[1]]
    best = ink_cost == best_ink
    least_crowded = np.where(best, crowding, np.iinfo(np.int64).max)
    best &= least_crowded <= least_crowded.min()
    candidates = np.where(best, distance, np.inf)
    r, c = np.unravel_index(int(np.argmin(candidates)), candidates.shape)

    x1 = float((c + pad_c) * cell_w)
    y_top = float((r + pad_r) * cell_h)
    x1 = min(max(x1, 0.0), page_width_pt - stamp_w)
    y_top = min(max(y_top, 0.0), page_height_pt - stamp_h)
    y1 = page_height_pt - y_top - stamp_h
    return (x1, y1, x1 + stamp_w, y1 + stamp_h)
