"""Where things go on the dashboard page for a given browser window, in CSS pixels.

The page measures its window and the pictures are drawn at exactly the size they are shown, so the
text on them is as large on the screen as it was drawn (16 px and up). The network, the stage counts
and the main chart fit the window without scrolling at 1366x768 and larger; the other charts, one
school's teachers and the intervention buttons follow below.
"""

from __future__ import annotations

from dataclasses import dataclass

DEFAULT_WINDOW = (1366, 768)  # used until the browser has reported its window
SIDE_WIDTH = 340  # the settings panel on the left (wide windows)
PAD = 12  # page padding and gaps between panels
SCROLLBAR = 16
# above the pictures: page padding 12 + title 40 + toolbar 60 + stage counts 46 + picture switches 44, as
# fixed by the page's CSS (app.CSS)
HEADER = 202
NARROW = 1100  # below this width the settings panel goes above the pictures


@dataclass(frozen=True)
class Layout:
    """Sizes in CSS pixels for one window: the side panel and every picture (width, height)."""

    window: tuple[int, int]
    side: int
    main: int
    network: tuple[int, int]
    chart: tuple[int, int]
    charts: tuple[int, int]
    teachers: tuple[int, int]
    stacked: bool
    font_px: int = 16  # the smallest text on the pictures: 16 px, larger on large windows


def _clamp(x: float, lo: float, hi: float) -> int:
    return int(round(min(max(x, lo), hi)))


def layout_for(width: int | None, height: int | None) -> Layout:
    """The page's layout for a window of `width` x `height` CSS pixels (defaults before it is known)."""
    width = _clamp(width or DEFAULT_WINDOW[0], 480, 7680)
    height = _clamp(height or DEFAULT_WINDOW[1], 400, 4320)
    stacked = width < NARROW
    side = 0 if stacked else SIDE_WIDTH
    main = width - side - 2 * PAD - SCROLLBAR - (0 if stacked else PAD)
    main = max(main, 360)
    pictures_h = _clamp(height - HEADER - PAD, 340, 1400)
    if main >= 760:
        net_w = int(main * 0.46)
        network = (net_w, pictures_h)
        chart = (main - net_w - PAD, pictures_h)
    else:
        network = (main, _clamp(main * 1.05, 320, pictures_h))
        chart = (main, _clamp(main * 0.9, 320, pictures_h))
    charts = (main, _clamp(main * 0.66, 560, 1100))
    below = main if main < 900 else (main - PAD) // 2 - 2
    teachers = (below, _clamp(below * 0.95, 480, 800))
    font_px = _clamp(16 * min(width / DEFAULT_WINDOW[0], height / DEFAULT_WINDOW[1]), 16, 24)
    return Layout((width, height), side, main, network, chart, charts, teachers, stacked, font_px)
