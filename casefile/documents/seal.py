"""The one seal (一枚印章): the bureau's round red approval seal, drawn.

行政审批专用章: a red ring, the bureau's name along the upper arc, a
five-pointed star in the middle and "行政审批专用章" below it -- drawn with
reportlab vector operations on the page (no image, nothing downloaded), in
the embedded Chinese font, slightly translucent so that the text under it
stays legible as with an ink stamp.  Official seals are 42 mm across.

The drawn seal is the visible mark; the digital signature (``sign.py``) is
what makes the document verifiable.
"""
import math

SEAL_RED = (0.85, 0.07, 0.07)
SEAL_DIAMETER_MM = 42
LABEL = '行政审批专用章'


def star_points(cx, cy, outer, inner=None, rotation=90):
    """The ten corners of a five-pointed star, the first pointing up."""
    inner = inner if inner is not None else outer * 0.382
    points = []
    for i in range(10):
        radius = outer if i % 2 == 0 else inner
        angle = math.radians(rotation + i * 36)
        points.append((cx + radius * math.cos(angle),
                       cy + radius * math.sin(angle)))
    return points


def arc_angles(count, span):
    """Angles (degrees, 90 = top) of ``count`` characters over ``span``,
    left to right."""
    if count == 1:
        return [90.0]
    start = 90 + span / 2
    step = span / (count - 1)
    return [start - i * step for i in range(count)]


def draw_seal(canvas, cx, cy, radius, font, name, label=LABEL,
              color=SEAL_RED, alpha=0.9):
    """Draw the seal centred at ``(cx, cy)`` (points) on ``canvas``."""
    canvas.saveState()
    canvas.setStrokeColorRGB(*color)
    canvas.setFillColorRGB(*color)
    canvas.setFillAlpha(alpha)
    canvas.setStrokeAlpha(alpha)
    # like ink: the black text under the seal stays black
    canvas.setBlendMode('Multiply')
    ring = radius * 0.075
    canvas.setLineWidth(ring)
    canvas.circle(cx, cy, radius - ring / 2, stroke=1, fill=0)

    # the bureau's name along the upper arc, each character upright
    chars = [c for c in name if not c.isspace()]
    size = min(radius * 0.33, radius * 4.6 / max(len(chars), 1))
    span = min(250.0, 24.0 * len(chars) + 30)
    baseline = radius - ring - radius * 0.05 - size * 0.86
    canvas.setFont(font, size)
    for char, angle in zip(chars, arc_angles(len(chars), span)):
        canvas.saveState()
        canvas.translate(cx, cy)
        canvas.rotate(angle - 90)
        canvas.drawCentredString(0, baseline, char)
        canvas.restoreState()

    # the star
    path = canvas.beginPath()
    points = star_points(cx, cy + radius * 0.02, radius * 0.30)
    path.moveTo(*points[0])
    for point in points[1:]:
        path.lineTo(*point)
    path.close()
    canvas.drawPath(path, stroke=0, fill=1)

    # the seal's purpose, straight, below the star
    if label:
        label_size = min(radius * 0.18, radius * 1.3 / len(label))
        canvas.setFont(font, label_size)
        canvas.drawCentredString(cx, cy - radius * 0.58, label)
    canvas.restoreState()
