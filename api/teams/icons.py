"""The Teams app's two icons, drawn here so the package needs no image files or image library.

Shapes are signed distance functions in unit coordinates (0..1 across the icon); a pixel's
coverage is how far its centre lies inside the edge, which anti-aliases without sampling twice.
The output depends only on the code, so every build gives the same bytes.
"""

from __future__ import annotations

import math
import struct
import zlib
from collections.abc import Callable, Sequence
from itertools import pairwise

Point = tuple[float, float]
Shape = Callable[[float, float], float]  # signed distance in unit coordinates, negative inside
RGB = tuple[int, int, int]

NAVY: RGB = (0x1D, 0x35, 0x57)  # the widget's colour
WHITE: RGB = (0xFF, 0xFF, 0xFF)


def _segment(a: Point, b: Point, radius: float) -> Shape:
    """A stroke from a to b with round ends."""
    (ax, ay), (bx, by) = a, b
    dx, dy = bx - ax, by - ay
    length2 = dx * dx + dy * dy

    def distance(x: float, y: float) -> float:
        t = max(0.0, min(1.0, ((x - ax) * dx + (y - ay) * dy) / length2))
        return math.hypot(x - ax - t * dx, y - ay - t * dy) - radius

    return distance


def _stroke(points: Sequence[Point], radius: float) -> Shape:
    """A polyline of round-ended strokes."""
    return _union([_segment(a, b, radius) for a, b in pairwise(points)])


def _arc(centre: Point, rx: float, ry: float, start: float, end: float, steps: int = 12) -> list[Point]:
    """Points along an elliptical arc (angles in degrees, 0 = right, 90 = down)."""
    cx, cy = centre
    angles = (math.radians(start + (end - start) * i / steps) for i in range(steps + 1))
    return [(cx + rx * math.cos(a), cy + ry * math.sin(a)) for a in angles]


def _rounded_box(centre: Point, half: Point, radius: float) -> Shape:
    """A rectangle with rounded corners."""
    (cx, cy), (hx, hy) = centre, half

    def distance(x: float, y: float) -> float:
        qx, qy = abs(x - cx) - hx + radius, abs(y - cy) - hy + radius
        return math.hypot(max(qx, 0.0), max(qy, 0.0)) + min(max(qx, qy), 0.0) - radius

    return distance


def _triangle(*corners: Point) -> Shape:
    """A triangle, corners clockwise on screen: the farthest of its edges' half-planes, exact
    inside and close enough outside for a one-pixel edge."""
    edges = []
    for (ax, ay), (bx, by) in zip(corners, corners[1:] + corners[:1], strict=True):
        length = math.hypot(bx - ax, by - ay)
        edges.append((ax, ay, (by - ay) / length, (ax - bx) / length))  # a point and the outward normal

    def distance(x: float, y: float) -> float:
        return max((x - ax) * nx + (y - ay) * ny for ax, ay, nx, ny in edges)

    return distance


def _union(shapes: Sequence[Shape]) -> Shape:
    """Everything any of the shapes covers."""
    return lambda x, y: min(shape(x, y) for shape in shapes)


def _outline(shape: Shape, half_width: float) -> Shape:
    """The shape's edge as a line of the given half width."""
    return lambda x, y: abs(shape(x, y)) - half_width


def _bubble() -> Shape:
    """A speech bubble with its tail down to the left."""
    return _union([_rounded_box((0.5, 0.44), (0.34, 0.25), 0.09), _triangle((0.28, 0.62), (0.47, 0.62), (0.22, 0.86))])


def _letters(centre: Point, height: float, radius: float) -> Shape:
    """The letters ROP in strokes around `centre`, each 0.7 times as wide as it is high."""
    width, gap = height * 0.7, height * 0.3
    left, top = centre[0] - (3 * width + 2 * gap) / 2, centre[1] - height / 2
    bottom, middle = top + height, centre[1]
    bowl = height * 0.25  # R's and P's bowl: a half ellipse on the upper half

    def stem_and_bowl(x: float) -> list[Shape]:
        curve = _arc((x + width - bowl, top + bowl), bowl, bowl, -90, 90)
        return [_segment((x, top), (x, bottom), radius), _stroke([(x, top), *curve, (x, middle)], radius)]

    r_left, o_left, p_left = left, left + width + gap, left + 2 * (width + gap)
    o = _stroke(_arc((o_left + width / 2, middle), width / 2, height / 2, 0, 360, 32), radius)
    r_leg = _segment((r_left + width * 0.45, middle), (r_left + width, bottom), radius)
    letters = _union([*stem_and_bowl(r_left), r_leg, o, *stem_and_bowl(p_left)])
    return _culled(letters, _rounded_box(centre, (centre[0] - left + radius, height / 2 + radius), 0.0))


def _culled(shape: Shape, bounds: Shape, margin: float = 0.01) -> Shape:
    """`shape`, which lies within `bounds`, measured stroke by stroke only near them: farther out,
    the distance to the bounds is a lower bound that already means "not covered"."""
    return lambda x, y: outside if (outside := bounds(x, y)) > margin else shape(x, y)


def _coverage(shape: Shape, size: int) -> list[list[float]]:
    """How much of each pixel the shape covers, 0..1, row by row."""
    scale = 1.0 / size
    return [
        [max(0.0, min(1.0, 0.5 - shape((col + 0.5) * scale, (row + 0.5) * scale) * size)) for col in range(size)]
        for row in range(size)
    ]


def _png(size: int, channels: int, rows: Sequence[bytes]) -> bytes:
    """An 8-bit PNG (colour type 2 = RGB, 6 = RGBA) with every row unfiltered."""

    def chunk(tag: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + tag + data + struct.pack(">I", zlib.crc32(tag + data))

    colour_type = {3: 2, 4: 6}[channels]
    header = struct.pack(">IIBBBBB", size, size, 8, colour_type, 0, 0, 0)
    pixels = zlib.compress(b"".join(b"\x00" + row for row in rows), 9)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")


def _mix(under: RGB, over: RGB, amount: float) -> RGB:
    """`over` painted on `under` with the given coverage."""
    return (
        round(under[0] + (over[0] - under[0]) * amount),
        round(under[1] + (over[1] - under[1]) * amount),
        round(under[2] + (over[2] - under[2]) * amount),
    )


def color_icon(size: int = 192) -> bytes:
    """Teams' colour icon: a white speech bubble saying "ROP" on the widget's navy, edge to edge."""
    bubble = _coverage(_bubble(), size)
    letters = _coverage(_letters((0.5, 0.44), 0.16, 0.024), size)
    rows = []
    for bubble_row, letter_row in zip(bubble, letters, strict=True):
        pixels = (_mix(_mix(NAVY, WHITE, b), NAVY, t) for b, t in zip(bubble_row, letter_row, strict=True))
        rows.append(bytes(channel for pixel in pixels for channel in pixel))
    return _png(size, 3, rows)


def outline_icon(size: int = 32) -> bytes:
    """Teams' outline icon: the bubble's edge, white on transparent."""
    edge = _coverage(_outline(_bubble(), 1.0 / size), size)
    rows = [bytes(channel for alpha in row for channel in (*WHITE, round(alpha * 255))) for row in edge]
    return _png(size, 4, rows)
