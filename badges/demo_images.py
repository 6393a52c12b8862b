"""Generated badge images for demo data and tests (no files to ship)."""

from __future__ import annotations

import io

from PIL import Image, ImageDraw


def badge_png(color: tuple[int, int, int], size: int = 400) -> bytes:
    image = Image.new("RGBA", (size, size), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    draw.ellipse(
        (8, 8, size - 8, size - 8), fill=color + (255,), outline=(255, 255, 255, 255), width=12
    )
    inner = size // 4
    draw.regular_polygon((size // 2, size // 2, inner), n_sides=5, fill=(255, 255, 255, 230))
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()
