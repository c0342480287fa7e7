"""The console's server-drawn charts: one point per day with a mean, placed by date, and the
line broken where days are missing."""

from datetime import date, timedelta

from app.console.charts import HEIGHT, daily_chart
from app.journal.schemas import SeriesPoint


def point(day: date, mood: float | None) -> SeriesPoint:
    return SeriesPoint(
        period_start=day, entries=1, mood=mood, focus=None, anxiety=None, creativity=None,
        connection=None,
    )  # fmt: skip


def test_a_point_per_day_with_a_mean_and_a_line_broken_at_gaps() -> None:
    last = date(2026, 12, 7)
    series = [
        point(last - timedelta(days=40), 9),  # outside the 30 days
        point(last - timedelta(days=5), 4),
        point(last - timedelta(days=4), 6),
        point(last - timedelta(days=3), None),  # no mood that day
        point(last - timedelta(days=1), 10),
        point(last, 0),
    ]

    chart = daily_chart("mood", series, last, 30)

    assert [p.mean for p in chart.points] == [4, 6, 10, 0]
    assert len(chart.polylines) == 2
    assert chart.points[-1].x > chart.points[0].x
    assert chart.points[2].y < chart.points[3].y  # higher means nearer the top
    assert all(0 <= p.y <= HEIGHT for p in chart.points)
    assert chart.label == "Mood" and chart.first_day == last - timedelta(days=29)
