"""Charts drawn on the server: the daily means of one dimension as SVG geometry, with the
same figures as rows for the table a screen reader reads instead."""

from dataclasses import dataclass
from datetime import date, timedelta

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


@dataclass(frozen=True)
class Sparkline:
    label: str
    days: int
    means: list[tuple[date, float]]
    polylines: list[str]
    width: int = SPARK_WIDTH
    height: int = SPARK_HEIGHT

    @property
    def description(self) -> str:
        if not self.means:
            return f"{self.label}: no entries in the last {self.days} days"
        values = [mean for _, mean in self.means]
        return (
            f"{self.label}, last {self.days} days: {len(values)} days with entries, lowest "
            f"{min(values):g}, highest {max(values):g}, latest {values[-1]:g}"
        )


def sparkline(dimension: str, means: dict[date, float], last_day: date, days: int) -> Sparkline:
    """A small line of the daily means over the `days` ending `last_day`, broken at gaps."""
    first_day = last_day - timedelta(days=days - 1)
    ordered = sorted((day, mean) for day, mean in means.items() if first_day <= day <= last_day)
    # Per point: x from the day's offset, y from the mean (computed for a whole caseload page).
    x_step = (SPARK_WIDTH - 2 * SPARK_PADDING) / max(days - 1, 1)
    y_scale = (SPARK_HEIGHT - 2 * SPARK_PADDING) / SCALE_MAX
    base = first_day.toordinal()
    runs: list[list[str]] = []
    previous = -2
    for day, mean in ordered:
        offset = day.toordinal() - base
        if offset != previous + 1:
            runs.append([])
        runs[-1].append(
            "%.1f,%.1f"  # noqa: UP031 - the fastest formatting, per point of 12,000
            % (SPARK_PADDING + offset * x_step, SPARK_HEIGHT - SPARK_PADDING - mean * y_scale)
        )
        previous = offset
    lines = [" ".join(run) for run in runs if len(run) > 1]
    return Sparkline(DIMENSION_LABELS[dimension], days, ordered, lines)
