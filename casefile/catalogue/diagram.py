"""The flow of an application (办理流程) as an inline SVG, drawn on the server.

No JavaScript, no CDN: the guide must work on the bureau's closed network
and print as it is shown.  Items are boxes laid out in columns by
prerequisite level (``Catalogue.levels``): the boxes of one column are
reviewed at the same time (并联审批); an arrow from one box to another
means the second waits for the result of the first (前置事项).  A start
node (one intake) and an end node (unified issuance) frame the columns.
Each box shows the item, its section and its promised working days; the
boxes on the critical path -- the chain that decides the total -- are
drawn in the bureau's red.

``flow_diagram`` returns the SVG text together with the boxes and arrows it
drew, so that tests can check the geometry without parsing.
"""
from dataclasses import dataclass
from xml.sax.saxutils import escape, quoteattr

from ..i18n import _

BOX_W, NODE_W = 224, 96
GAP_X, GAP_Y, PAD = 56, 18, 12
FONT, SMALL = 14, 12
LINE = 18
HEADER = 26
MAX_NAME_LINES = 3


class Markup(str):
    """Text that is already markup: templates insert it unescaped."""

    def __html__(self):
        return str(self)


@dataclass(frozen=True)
class Box:
    key: str              # item code, or 'start' / 'end'
    x: int
    y: int
    w: int
    h: int
    level: int            # -1 start, len(levels) end

    @property
    def right(self):
        return self.x + self.w

    @property
    def middle(self):
        return self.y + self.h // 2


@dataclass(frozen=True)
class Arrow:
    source: str
    target: str
    kind: str             # 'prerequisite' or 'flow'


@dataclass(frozen=True)
class Diagram:
    svg: Markup
    boxes: dict           # key -> Box
    arrows: tuple         # of Arrow
    width: int
    height: int


def text_width(text, size=FONT):
    """Approximate rendered width: CJK glyphs are square, Latin narrower."""
    return sum(size if ord(ch) > 0x2e80 else size * 0.58 for ch in text)


#: may not begin a line (禁则): they stay with the line before
NO_LINE_START = '）)】」』》〉，、。：；！？,.:;!?…'


def wrap(text, width, size=FONT, max_lines=MAX_NAME_LINES):
    """Split ``text`` into lines no wider than ``width`` pixels."""
    lines, line = [], ''
    for ch in text:
        if line and text_width(line + ch, size) > width \
                and ch not in NO_LINE_START:
            lines.append(line)
            line = ''
        line += ch
    if line:
        lines.append(line)
    if len(lines) > max_lines:
        lines = lines[:max_lines]
        lines[-1] = lines[-1][:-1] + '…'
    return lines


def _default_translate(message):
    return message.interpolate() if hasattr(message, 'interpolate') \
        else str(message)


def flow_diagram(catalogue, code, translate=None, which='promised'):
    """Draw the flow of application ``code``; ``translate`` localises."""
    translate = translate or _default_translate
    plan = catalogue.schedule(code, which)
    levels = plan.levels
    critical = set(plan.critical_items)
    items = {item.code: item for item in catalogue.items_of(code)}

    names = {c: wrap(items[c].name, BOX_W - 2 * PAD) for c in items}
    name_lines = max((len(lines) for lines in names.values()), default=1)
    box_h = PAD * 2 + name_lines * LINE + 2 * (SMALL + 6)
    tallest = max((len(level) for level in levels), default=1)
    body_h = tallest * box_h + (tallest - 1) * GAP_Y
    top = HEADER
    height = top + body_h + PAD

    labels = {'start': translate(_('Single intake')),
              'end': translate(_('Unified issuance'))}
    node_w = {key: max(NODE_W, int(text_width(label)) + 2 * PAD + 8)
              for key, label in labels.items()}
    boxes = {}
    x = PAD
    node_h = 56
    boxes['start'] = Box('start', x, top + (body_h - node_h) // 2,
                         node_w['start'], node_h, -1)
    x += node_w['start'] + GAP_X
    column_x = []
    for level, codes in enumerate(levels):
        column_x.append(x)
        col_h = len(codes) * box_h + (len(codes) - 1) * GAP_Y
        y = top + (body_h - col_h) // 2
        for c in codes:
            boxes[c] = Box(c, x, y, BOX_W, box_h, level)
            y += box_h + GAP_Y
        x += BOX_W + GAP_X
    boxes['end'] = Box('end', x, top + (body_h - node_h) // 2,
                       node_w['end'], node_h, len(levels))
    width = x + node_w['end'] + PAD

    arrows = []
    needed = set()
    for slot in plan.slots:
        if not slot.waits_for:
            arrows.append(Arrow('start', slot.item, 'flow'))
        for p in slot.waits_for:
            arrows.append(Arrow(p, slot.item, 'prerequisite'))
            needed.add(p)
    for slot in plan.slots:
        if slot.item not in needed:
            arrows.append(Arrow(slot.item, 'end', 'flow'))

    title = translate(_('Flow of ${title}',
                        mapping={'title': catalogue.application(code).title}))
    desc = []
    for level, codes in enumerate(levels):
        desc.append(translate(_('Step ${n}: ${items}', mapping={
            'n': level + 1,
            'items': '、'.join(items[c].name for c in codes)})))
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="flow" '
        f'viewBox="0 0 {width} {height}" width="{width}" height="{height}" '
        f'role="img" aria-labelledby="flow-title flow-desc" '
        f'font-family="WenQuanYi Zen Hei, Noto Sans CJK SC, Microsoft YaHei, '
        f'sans-serif">',
        f'<title id="flow-title">{escape(title)}</title>',
        f'<desc id="flow-desc">{escape("；".join(desc))}</desc>',
        '<defs><marker id="flow-arrow" viewBox="0 0 10 10" refX="9" refY="5" '
        'markerWidth="8" markerHeight="8" orient="auto-start-reverse">'
        '<path d="M0,0 L10,5 L0,10 z" fill="#5f6b7a"/></marker>'
        '<marker id="flow-arrow-red" viewBox="0 0 10 10" refX="9" refY="5" '
        'markerWidth="8" markerHeight="8" orient="auto-start-reverse">'
        '<path d="M0,0 L10,5 L0,10 z" fill="#b71c1c"/></marker></defs>',
    ]
    for level, cx in enumerate(column_x):
        label = translate(_('Step ${n}', mapping={'n': level + 1}))
        if len(levels[level]) > 1:
            label += ' · ' + translate(_('in parallel'))
        out.append(f'<text x="{cx + BOX_W // 2}" y="{FONT + 2}" '
                   f'text-anchor="middle" font-size="{SMALL}" '
                   f'fill="#5f6b7a">{escape(label)}</text>')

    for arrow in arrows:
        a, b = boxes[arrow.source], boxes[arrow.target]
        x1, y1, x2, y2 = a.right, a.middle, b.x - 2, b.middle
        bend = (x2 - x1) / 2
        red = (arrow.kind == 'prerequisite' and arrow.source in critical
               and arrow.target in critical)
        stroke = '#b71c1c' if red else '#5f6b7a'
        dash = ' stroke-dasharray="5 4"' if arrow.kind == 'flow' else ''
        marker = 'flow-arrow-red' if red else 'flow-arrow'
        out.append(
            f'<path class="arrow {arrow.kind}" '
            f'data-from={quoteattr(arrow.source)} '
            f'data-to={quoteattr(arrow.target)} '
            f'd="M{x1},{y1} C{x1 + bend:.0f},{y1} '
            f'{x2 - bend:.0f},{y2} {x2},{y2}" '
            f'fill="none" stroke="{stroke}" stroke-width="1.6"{dash} '
            f'marker-end="url(#{marker})"/>')

    for key, label in labels.items():
        box = boxes[key]
        out.append(
            f'<g class="node" data-node="{key}">'
            f'<rect x="{box.x}" y="{box.y}" width="{box.w}" height="{box.h}" '
            f'rx="28" fill="#fdecea" stroke="#b71c1c" stroke-width="1.5"/>'
            f'<text x="{box.x + box.w // 2}" y="{box.middle + 5}" '
            f'text-anchor="middle" font-size="{FONT}" fill="#1f2933">'
            f'{escape(label)}</text></g>')

    for level, codes in enumerate(levels):
        for c in codes:
            box, item = boxes[c], items[c]
            on_path = c in critical
            section = catalogue.sections[item.section].name
            days = translate(_('${days} working days',
                               mapping={'days': item.limits.days(which)}))
            out.append(
                f'<g class="item{" critical" if on_path else ""}" '
                f'data-item={quoteattr(c)} data-level="{level}">'
                f'<rect x="{box.x}" y="{box.y}" width="{box.w}" '
                f'height="{box.h}" rx="6" fill="#fff" '
                f'stroke="{"#b71c1c" if on_path else "#98a3b0"}" '
                f'stroke-width="{2.5 if on_path else 1.2}"/>')
            y = box.y + PAD + FONT
            for line in names[c]:
                out.append(f'<text x="{box.x + PAD}" y="{y}" '
                           f'font-size="{FONT}" font-weight="bold" '
                           f'fill="#1f2933">{escape(line)}</text>')
                y += LINE
            y = box.y + box.h - PAD - SMALL - 6
            out.append(f'<text x="{box.x + PAD}" y="{y}" font-size="{SMALL}" '
                       f'fill="#5f6b7a">{escape(section)}</text>')
            out.append(f'<text x="{box.x + PAD}" y="{y + SMALL + 6}" '
                       f'font-size="{SMALL}" fill="#b71c1c">'
                       f'{escape(days)}</text>')
            out.append('</g>')
    out.append('</svg>')
    return Diagram(Markup(''.join(out)), boxes, tuple(arrows), width, height)
