"""The server-drawn bar charts: a readable scale, bars in proportion, SVG numbers with a dot."""

from __future__ import annotations

import pytest
from django.utils import translation

from insights.charts import Series, grouped_bars


@pytest.mark.parametrize(
    ("largest", "ticks"),
    [
        (0, ["0", "1", "2", "3", "4"]),
        (6, ["0", "2", "4", "6", "8"]),
        (10, ["0", "5", "10", "15", "20"]),
        (37, ["0", "10", "20", "30", "40"]),
        (81_234, ["0", "50000", "100000", "150000", "200000"]),
    ],
)
def test_the_scale_has_four_round_steps_above_the_largest_bar(largest, ticks):
    chart = grouped_bars(
        chart_id="c", title="t", description="d", categories=["a"], series=[Series("s", [largest])]
    )
    assert [tick.label for tick in chart.ticks] == ticks


def test_bars_are_in_proportion_and_labels_never_crowd():
    with translation.override("nl"):
        chart = grouped_bars(
            chart_id="c",
            title="t",
            description="d",
            categories=[f"m{number}" for number in range(36)],
            series=[Series("a", [8] * 36), Series("b", [2] * 36)],
        )
    first, second = chart.bars[0], chart.bars[1]
    assert float(first.height) == pytest.approx(4 * float(second.height))
    assert "," not in first.height and "," not in first.x
    assert first.title == "m0: a 8"
    assert len(chart.labels) == 12  # every third month
