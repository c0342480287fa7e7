"""Charts drawn on the server: the daily means of one dimension as SVG geometry, with the
same figures as rows for the table a screen reader reads instead."""

import functools
from dataclasses import dataclass
from datetime import date, timedelta

from markupsafe import Markup, escape

from app.clinician.sparklines import DailyMeans
from app.journal.models import RATING_COLUMNS
from app.journal.schemas import SeriesPoint

WIDTH, HEIGHT = 600, 160
PADDING = 24
SCALE_MAX = 10  # ratings are 0 to 10
DIMENSION_LABELS = {
    "mood": "Mood",
    "focus": "Focus",
    "anxiety": "Anxiety",
    "creativity": "Creativity",
    "connection": "Social connection",
}


@dataclass(frozen=True)
class ChartPoint:
    day: date
    mean: float
    x: float
    y: float


@dataclass(frozen=True)
class Chart:
    dimension: str
    label: str
    days: int
    first_day: date
    last_day: date
    points: list[ChartPoint]
    width: int = WIDTH
    height: int = HEIGHT

    @property
    def polylines(self) -> list[str]:
        """The line through the points, broken where days without entries leave a gap (a
        line across them would draw figures nobody reported)."""
        runs: list[list[ChartPoint]] = []
        for point in self.points:
            if runs and (point.day - runs[-1][-1].day).days == 1:
                runs[-1].append(point)
            else:
                runs.append([point])
        return [
            " ".join(f"{point.x:.1f},{point.y:.1f}" for point in run)
            for run in runs
            if len(run) > 1
        ]

    @property
    def gridlines(self) -> list[tuple[int, float]]:
        """(rating, y) of the horizontal lines at 0, 5 and 10."""
        return [(value, _y(value)) for value in (0, 5, SCALE_MAX)]

    @property
    def left(self) -> int:
        return PADDING

    @property
    def right(self) -> int:
        return WIDTH - PADDING // 2


def _y(value: float) -> float:
    return HEIGHT - PADDING / 2 - value / SCALE_MAX * (HEIGHT - PADDING)


def daily_chart(dimension: str, series: list[SeriesPoint], last_day: date, days: int) -> Chart:
    """The dimension's daily means over the `days` local days ending `last_day`: one point
    per day that has a mean, placed by its date (days without entries leave a gap in x)."""
    first_day = last_day - timedelta(days=days - 1)
    span = max(days - 1, 1)
    points = []
    for point in series:
        mean = getattr(point, dimension)
        if mean is None or not first_day <= point.period_start <= last_day:
            continue
        offset = (point.period_start - first_day).days
        x = PADDING + offset / span * (WIDTH - PADDING * 1.5)
        points.append(ChartPoint(point.period_start, mean, x, _y(mean)))
    return Chart(dimension, DIMENSION_LABELS[dimension], days, first_day, last_day, points)


def daily_charts(series: list[SeriesPoint], last_day: date, days: int) -> list[Chart]:
    return [daily_chart(name, series, last_day, days) for name in RATING_COLUMNS]


SPARK_WIDTH, SPARK_HEIGHT, SPARK_PADDING = 120, 28, 3
_SPARK_SIZE = (
    f'viewBox="0 0 {SPARK_WIDTH} {SPARK_HEIGHT}" width="{SPARK_WIDTH}" height="{SPARK_HEIGHT}"'
)


@functools.lru_cache(maxsize=64)
def _spark_transform(days: int) -> str:
    """From (place in the window, mean) to the sparkline's pixels: the path is written in
    the data's own units and this maps them (y upwards), so that no point is computed."""
    step = (SPARK_WIDTH - 2 * SPARK_PADDING) / max(days - 1, 1)
    scale = (SPARK_HEIGHT - 2 * SPARK_PADDING) / SCALE_MAX
    return f"matrix({step:.4f} 0 0 {-scale:.4f} {SPARK_PADDING} {SPARK_HEIGHT - SPARK_PADDING})"


def sparkline(dimension: str, means: DailyMeans, days: int) -> Markup:
    """A small line of the daily means over a window of `days` (oldest first, by place in
    the window), broken at gaps (a path moves instead of drawing across them, and a lone
    day draws nothing); labelled with its figures for a screen reader. Written here rather
    than in a template: a caseload page draws 400 of them, and the template's escaping of
    each attribute was half of the page's rendering."""
    label = DIMENSION_LABELS[dimension]
    if not means:
        text = escape(f"{label}: no entries in the last {days} days")
        path = ""
    else:
        steps = []
        previous = -2
        for place, mean in means:
            steps.append(f"{'L' if place == previous + 1 else 'M'}{place} {mean}")
            previous = place
        values = [mean for _, mean in means]
        text = escape(
            f"{label}, last {days} days: {len(values)} days with entries, lowest "
            f"{min(values):g}, highest {max(values):g}, latest {values[-1]:g}"
        )
        path = f'<path transform="{_spark_transform(days)}" d="{"".join(steps)}"/>'
    return Markup(  # noqa: S704 - fixed names, digits and the escaped description
        f'<svg class="sparkline {escape(dimension)}" {_SPARK_SIZE} role="img" aria-label="{text}" '
        f'focusable="false"><title>{text}</title>{path}</svg>'
    )
