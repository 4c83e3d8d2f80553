"""Draws the web app's PNG icons (static/icons/) from the favicon's design with Pillow:
the sizes browsers and phones ask for (192 and 512, a maskable 512 with the cup inside
the safe zone, Apple's 180). Run again after changing the design; the PNGs are committed.
"""

from __future__ import annotations

from pathlib import Path

from PIL import Image, ImageDraw

OUT = Path(__file__).resolve().parents[1] / "static" / "icons"
GREEN, CREAM, STEAM = "#2f5d50", "#f4e6cf", "#d9a066"


def draw(size: int, maskable: bool) -> Image.Image:
    scale = 4  # drawn large, then shrunk: smooth edges
    big = size * scale
    image = Image.new("RGBA", (big, big), (0, 0, 0, 0))
    pen = ImageDraw.Draw(image)
    if maskable:  # the platform cuts its own shape: fill everything
        pen.rectangle((0, 0, big, big), fill=GREEN)
    else:
        pen.rounded_rectangle((0, 0, big - 1, big - 1), radius=big * 14 // 64, fill=GREEN)
    inset = 0.2 if maskable else 0.0  # the maskable safe zone is the inner 80 %
    unit = big * (1 - 2 * inset) / 64
    origin = big * inset

    def at(x: float, y: float) -> tuple[float, float]:
        return origin + x * unit, origin + y * unit

    pen.rectangle((*at(14, 26), *at(44, 34)), fill=CREAM)
    pen.pieslice((*at(14, 19), *at(44, 49)), 0, 180, fill=CREAM)
    pen.arc((*at(40, 29), *at(54, 41)), 270, 90, fill=CREAM, width=int(4 * unit))
    for x in (22, 30, 38):
        pen.line(
            (*at(x, 12), *at(x - 2, 17), *at(x + 1, 22)),
            fill=STEAM,
            width=int(3 * unit),
            joint="curve",
        )
    return image.resize((size, size), Image.LANCZOS)


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    for name, size, maskable in (
        ("icon-192.png", 192, False),
        ("icon-512.png", 512, False),
        ("maskable-512.png", 512, True),
        ("apple-touch-icon.png", 180, True),
    ):
        draw(size, maskable).save(OUT / name, optimize=True)


if __name__ == "__main__":
    main()
