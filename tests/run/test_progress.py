"""JobProgress: counts and the time left; a plain line every few seconds in a log, a bar on a terminal."""

from __future__ import annotations

import io

from scim_harness.progress import JobProgress


class _Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def _log_progress(clock: _Clock, stream: io.StringIO, total: int | None = 10) -> JobProgress:
    return JobProgress(
        "run",
        "scenarios",
        total=total,
        outcomes=("passed", "failed"),
        stream=stream,
        terminal=False,
        clock=clock,
    )


def test_a_log_gets_a_plain_line_every_interval_and_not_more() -> None:
    clock, stream = _Clock(), io.StringIO()
    progress = _log_progress(clock, stream)
    progress.tick()
    assert stream.getvalue() == "", "nothing before the first interval"
    clock.now += 5
    progress.advance("passed")
    progress.tick()
    progress.tick()
    assert stream.getvalue().splitlines() == [
        "run: 1/10 scenarios (1 passed, 0 failed), 5 s elapsed, about 45 s left"
    ]


def test_the_time_left_follows_the_pace_so_far() -> None:
    clock, stream = _Clock(), io.StringIO()
    progress = _log_progress(clock, stream)
    for _ in range(4):
        progress.advance("passed")
    progress.advance("failed")
    clock.now += 50
    assert progress.eta() == 50.0
    assert progress.line() == "run: 5/10 scenarios (4 passed, 1 failed), 50 s elapsed, about 50 s left"


def test_no_estimate_before_the_first_unit_or_without_a_total() -> None:
    clock, stream = _Clock(), io.StringIO()
    assert _log_progress(clock, stream).eta() is None
    unknown = _log_progress(clock, stream, total=None)
    unknown.advance("passed")
    assert unknown.eta() is None
    clock.now += 61
    assert unknown.line() == "run: 1/? scenarios (1 passed, 0 failed), 1 min 01 s elapsed"


def test_close_prints_the_final_line_in_a_log() -> None:
    clock, stream = _Clock(), io.StringIO()
    progress = _log_progress(clock, stream, total=1)
    progress.advance("passed")
    progress.close()
    assert stream.getvalue() == "run: 1/1 scenarios (1 passed, 0 failed), 0 s elapsed, finished\n"


def test_a_terminal_gets_a_bar_with_the_counts() -> None:
    stream = io.StringIO()
    progress = JobProgress("run", "scenarios", total=3, outcomes=("passed",), stream=stream, terminal=True)
    progress.advance("passed")
    progress.echo("a line from elsewhere")
    progress.close()
    text = stream.getvalue()
    assert "1/3" in text and "1 passed" in text and "a line from elsewhere" in text
    assert "\x1b[" in text, "drawn for a terminal"
