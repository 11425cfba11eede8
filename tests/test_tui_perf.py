"""A 1,000-bead pair must scroll without lag.

Measured two ways: the bead table's own cost to draw a full screen of beads it has not
drawn before (what a jump or a page-down costs), and whole key presses through Pilot
(key handling, cursor, scrolling, compositing). Bounds are generous so a busy CI
machine does not flake; the numbers are printed (run with -s to see them).
"""

from __future__ import annotations

import asyncio
import statistics
import time

import pytest
from textual.geometry import Region

from aligner.store import Store
from tests.review_data import add_big_pair
from tui.app import ReviewApp
from tui.screens.pair import PairScreen
from tui.widgets import BeadTable


@pytest.mark.timing
def test_a_1000_bead_pair_scrolls_fast(tmp_path):
    db = tmp_path / "big.db"
    with Store(db) as s:
        pair = add_big_pair(s, 1000)
    timings: dict[str, float] = {}

    async def main() -> None:
        app = ReviewApp(db, "tester", resume=False)
        async with app.run_test(size=(160, 45)) as pilot:
            t = time.perf_counter()
            app.push_screen(PairScreen(pair, 0))
            await pilot.pause()
            timings["open pair (s)"] = time.perf_counter() - t
            table = app.screen.query_one(BeadTable)
            assert len(table.beads) == 1000

            t = time.perf_counter()
            table.set_pair(table.src, table.tgt, table.beads)  # wrap and measure every bead again
            timings["layout 1000 beads (ms)"] = (time.perf_counter() - t) * 1000

            region = Region(0, 0, table.size.width, table.size.height)
            frames = []
            for position in range(0, 1000, 20):
                table.move_to(position)
                table._cache.clear()
                table._styles_cache.clear()
                t = time.perf_counter()
                lines = table.render_lines(region)
                frames.append((time.perf_counter() - t) * 1000)
                assert len(lines) == table.size.height
            timings["draw a fresh screen, median (ms)"] = statistics.median(frames)
            timings["draw a fresh screen, worst (ms)"] = max(frames)

            await pilot.press("home")
            t = time.perf_counter()
            for _ in range(20):
                await pilot.press("z")  # bound to nothing: what Pilot itself costs per key
            timings["unbound key, mean incl. Pilot (ms)"] = (time.perf_counter() - t) * 1000 / 20
            t = time.perf_counter()
            for _ in range(40):
                await pilot.press("j")
            timings["key 'down', mean incl. Pilot (ms)"] = (time.perf_counter() - t) * 1000 / 40
            assert table.cursor == 40
            t = time.perf_counter()
            for _ in range(15):
                await pilot.press("pagedown")
            timings["key 'page down', mean incl. Pilot (ms)"] = (time.perf_counter() - t) * 1000 / 15
            assert table.cursor > 150
            await pilot.press("end")
            assert table.cursor == 999
            assert table.scroll_offset.y > 0

    asyncio.run(main())
    print()
    for name, value in timings.items():
        print(f"  {name}: {value:.2f}")
    assert timings["layout 1000 beads (ms)"] < 1500
    assert timings["draw a fresh screen, median (ms)"] < 50
    assert timings["draw a fresh screen, worst (ms)"] < 1000  # one GC pause is fine, a stall is not
    assert timings["key 'down', mean incl. Pilot (ms)"] < 1000
    assert timings["key 'page down', mean incl. Pilot (ms)"] < 1000
