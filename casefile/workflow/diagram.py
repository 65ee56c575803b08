"""A workflow drawn as SVG on the server: states in columns, transitions as
arrows, so an administrator can check a workflow file by eye.

Columns follow the shortest path from the initial state; a transition that
goes back (to an earlier or the same column) is drawn as a curve below.
"""
from xml.sax.saxutils import escape

BOX_W, BOX_H = 150, 44
COL_GAP, ROW_GAP = 90, 46
MARGIN = 30


def layout(definition):
    depth = {definition.initial: 0}
    queue = [definition.initial]
    while queue:
        state = queue.pop(0)
        for t in definition.transitions_from(state):
            if t.to not in depth:
                depth[t.to] = depth[state] + 1
                queue.append(t.to)
    for name in definition.states:
        depth.setdefault(name, max(depth.values(), default=0) + 1)
    columns = {}
    for name in definition.states:
        columns.setdefault(depth[name], []).append(name)
    positions = {}
    for col, names in columns.items():
        for row, name in enumerate(names):
            positions[name] = (MARGIN + col * (BOX_W + COL_GAP),
                               MARGIN + row * (BOX_H + ROW_GAP))
    return positions


def render(definition):
    positions = layout(definition)
    width = max(x for x, y in positions.values()) + BOX_W + MARGIN
    height = max(y for x, y in positions.values()) + BOX_H + MARGIN + 80
    out = ['<svg xmlns="http://www.w3.org/2000/svg" role="img" '
           'class="workflow" viewBox="0 0 %d %d" width="%d" height="%d" '
           'font-family="sans-serif" font-size="12">' % (width, height,
                                                         width, height),
           '<title>%s</title>' % escape(definition.title),
           '<defs><marker id="arrow-%s" viewBox="0 0 10 10" refX="10" '
           'refY="5" markerWidth="7" markerHeight="7" orient="auto">'
           '<path d="M0,0 L10,5 L0,10 z" fill="#5f6b7a"/></marker></defs>'
           % definition.name]
    back = 0
    for t in definition.transitions.values():
        for source in t.from_states:
            x1, y1 = positions[source]
            x2, y2 = positions[t.to]
            label = escape(t.title)
            if x2 > x1:
                sx, sy = x1 + BOX_W, y1 + BOX_H / 2
                ex, ey = x2, y2 + BOX_H / 2
                out.append('<line class="edge" data-from="%s" data-to="%s" '
                           'data-transition="%s" x1="%d" y1="%d" x2="%d" '
                           'y2="%d" stroke="#5f6b7a" '
                           'marker-end="url(#arrow-%s)"/>'
                           % (source, t.to, t.name, sx, sy, ex, ey,
                              definition.name))
                out.append('<text x="%d" y="%d" text-anchor="middle" '
                           'fill="#1f2933">%s</text>'
                           % ((sx + ex) / 2, (sy + ey) / 2 - 5, label))
            else:
                back += 1
                sx, sy = x1 + BOX_W / 2, y1 + BOX_H
                ex, ey = x2 + BOX_W / 2, y2 + BOX_H
                dip = max(sy, ey) + 24 + 14 * back
                out.append('<path class="edge back" data-from="%s" '
                           'data-to="%s" data-transition="%s" '
                           'd="M%d,%d C%d,%d %d,%d %d,%d" '
                           'fill="none" stroke="#b26a00" '
                           'stroke-dasharray="4 3" marker-end="url(#arrow-%s)"'
                           '/>' % (source, t.to, t.name, sx, sy, sx, dip, ex,
                                   dip, ex, ey, definition.name))
                out.append('<text x="%d" y="%d" text-anchor="middle" '
                           'fill="#b26a00">%s</text>'
                           % ((sx + ex) / 2, dip - 2, label))
    for name, state in definition.states.items():
        x, y = positions[name]
        fill = '#fdecea' if name == definition.initial else (
            '#eef1f4' if state.final else '#ffffff')
        out.append('<g class="state" data-state="%s"><rect x="%d" y="%d" '
                   'width="%d" height="%d" rx="6" fill="%s" stroke="#b71c1c"'
                   '/><text x="%d" y="%d" text-anchor="middle" '
                   'font-size="14">%s</text><text x="%d" y="%d" '
                   'text-anchor="middle" fill="#5f6b7a">%s</text></g>'
                   % (name, x, y, BOX_W, BOX_H, fill, x + BOX_W / 2, y + 19,
                      escape(state.title), x + BOX_W / 2, y + 35,
                      escape(name)))
    out.append('</svg>')
    return ''.join(out)
