"""Bar charts drawn on the server as SVG: nothing is loaded from elsewhere and no script runs.
Every chart stands next to a table with the same numbers, its text alternative."""

from __future__ import annotations

import math
from dataclasses import dataclass

# Colours with at least 3:1 contrast against white (WCAG 1.4.11), told apart by the legend
# and the table as well, never by colour alone.
COLOURS = ("#0b5cad", "#1e6b32", "#b00020", "#6e30a0", "#8a5a00")

WIDTH, HEIGHT = 720, 260
LEFT, RIGHT, TOP, BOTTOM = 48, 8, 12, 36


@dataclass(frozen=True)
class Bar:
    x: str
    y: str
    width: str
    height: str
    colour: str
    title: str


@dataclass(frozen=True)
class Tick:
    y: str
    label: str


@dataclass(frozen=True)
class Label:
    x: str
    text: str


@dataclass(frozen=True)
class Series:
    label: str
    values: list[int]


@dataclass(frozen=True)
class Chart:
    id: str
    title: str
    description: str
    bars: list[Bar]
    ticks: list[Tick]
    labels: list[Label]
    legend: list[tuple[str, str]]
    width: int = WIDTH
    height: int = HEIGHT
    left: int = LEFT
    right: int = WIDTH - RIGHT
    label_y: int = HEIGHT - BOTTOM + 16


TICKS = 4


def _nice_maximum(value: int) -> int:
    """The top of the scale: four steps of 1, 2 or 5 × 10ⁿ, at or above ``value``."""
    wanted = max(value, 1) / TICKS
    power = 10 ** math.floor(math.log10(wanted)) if wanted >= 1 else 1
    step = next(step * power for step in (1, 2, 5, 10) if step * power >= wanted)
    return step * TICKS


def _f(value: float) -> str:
    # SVG wants a dot, whatever the language of the page.
    return f"{value:.1f}"


def grouped_bars(
    *,
    chart_id: str,
    title: str,
    description: str,
    categories: list[str],
    series: list[Series],
    axis_labels: list[str] | None = None,
) -> Chart:
    """Bars of every series side by side for each category; ``axis_labels`` (shorter names
    of the categories) go under the bars."""
    plot_width = WIDTH - LEFT - RIGHT
    plot_height = HEIGHT - TOP - BOTTOM
    maximum = _nice_maximum(max((max(s.values, default=0) for s in series), default=0))
    group = plot_width / max(len(categories), 1)
    bar_width = group * 0.8 / max(len(series), 1)
    bars = []
    for index, category in enumerate(categories):
        for number, one in enumerate(series):
            value = one.values[index]
            height = plot_height * value / maximum
            bars.append(
                Bar(
                    x=_f(LEFT + index * group + group * 0.1 + number * bar_width),
                    y=_f(TOP + plot_height - height),
                    width=_f(max(bar_width - 1, 1)),
                    height=_f(height),
                    colour=COLOURS[number % len(COLOURS)],
                    title=f"{category}: {one.label} {value}",
                )
            )
    ticks = [
        Tick(
            y=_f(TOP + plot_height - plot_height * step / TICKS),
            label=str(maximum * step // TICKS),
        )
        for step in range(TICKS + 1)
    ]
    # At most twelve labels under the bars, so that they never run into each other.
    every = math.ceil(len(categories) / 12) or 1
    labels = [
        Label(x=_f(LEFT + index * group + group / 2), text=label)
        for index, label in enumerate(axis_labels or categories)
        if index % every == 0
    ]
    legend = [(COLOURS[number % len(COLOURS)], one.label) for number, one in enumerate(series)]
    return Chart(
        id=chart_id,
        title=title,
        description=description,
        bars=bars,
        ticks=ticks,
        labels=labels,
        legend=legend,
    )
