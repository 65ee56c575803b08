"""Charts drawn on the server as inline SVG: no JavaScript, no CDN.

The bureau's network is closed and pages must print; an SVG string in the
page does both.  Each function takes plain numbers and already translated
labels and returns markup (every text escaped).
"""
from xml.sax.saxutils import escape, quoteattr

GREEN, YELLOW, RED, GREY, INK, LINE = ('#1b7f3b', '#e0a100', '#c62828',
                                       '#c7ced6', '#1f2933', '#d9dee5')


def rate_colour(rate, good=0.95, fair=0.8):
    if rate is None:
        return GREY
    return GREEN if rate >= good else YELLOW if rate >= fair else RED


def _svg(width, height, title, body):
    return ('<svg xmlns="http://www.w3.org/2000/svg" role="img" '
            'class="chart" width="100%%" viewBox="0 0 %d %d" '
            'style="max-width:%dpx" aria-label=%s><title>%s</title>%s</svg>'
            % (width, height, width, quoteattr(title), escape(title),
               ''.join(body)))


def _text(x, y, text, anchor='start', size=12, fill=INK, weight=None):
    return ('<text x="%.1f" y="%.1f" font-size="%d" fill="%s" '
            'text-anchor="%s"%s>%s</text>' % (
                x, y, size, fill, anchor,
                ' font-weight="bold"' if weight else '', escape(str(text))))


def on_time_bars(rows, title, no_data='—', red_label=''):
    """Horizontal bars: on-time rate per section, in ranking order.

    ``rows``: ``[(name, rate or None, decided, red now)]``."""
    label_w, bar_w, row_h, top = 150, 360, 26, 8
    width = label_w + bar_w + 150
    height = top * 2 + row_h * max(1, len(rows)) + 18
    body = []
    # grid at 0, 50, 80, 95, 100 %
    for mark in (0, 0.5, 0.8, 0.95, 1.0):
        x = label_w + bar_w * mark
        body.append('<line x1="%.1f" y1="%d" x2="%.1f" y2="%d" stroke="%s" '
                    'stroke-dasharray="3,3"/>' % (x, top, x,
                                                  height - 18, LINE))
        body.append(_text(x, height - 5, '%d%%' % round(mark * 100),
                          'middle', 10, '#5f6b7a'))
    for n, (name, rate, decided, red) in enumerate(rows):
        y = top + n * row_h
        body.append(_text(label_w - 8, y + 17, name, 'end'))
        if rate is None:
            body.append(_text(label_w + 4, y + 17, no_data, fill='#5f6b7a'))
        else:
            body.append('<rect x="%d" y="%d" width="%.1f" height="%d" '
                        'fill="%s" rx="2"><title>%s</title></rect>' % (
                            label_w, y + 5, max(1.0, bar_w * rate),
                            row_h - 10, rate_colour(rate),
                            escape('%s %.1f%% (%d)' % (name, rate * 100,
                                                       decided))))
            body.append(_text(label_w + bar_w + 6, y + 17,
                              '%.1f%% · %d' % (rate * 100, decided)))
        if red:
            body.append(_text(width - 4, y + 17, '%s %d' % (red_label, red),
                              'end', 11, RED))
    return _svg(width, height, title, body)


def monthly_bars(months, title, on_time_label, late_label):
    """Stacked columns per month: decided on time (green) and late (red).

    ``months``: ``[(label, on_time, late)]``."""
    left, top, plot_h, col_w, gap = 40, 24, 160, 28, 10
    count = max(1, len(months))
    width = max(320, left + count * (col_w + gap) + 20)
    height = top + plot_h + 40
    peak = max([o + l for _m, o, l in months] + [1])
    step = _nice_step(peak)
    peak = step * (-(-peak // step))
    body = []
    tick = 0
    while tick <= peak:
        y = top + plot_h - plot_h * tick / peak
        body.append('<line x1="%d" y1="%.1f" x2="%d" y2="%.1f" stroke="%s"/>'
                    % (left, y, width - 10, y, LINE))
        body.append(_text(left - 4, y + 4, tick, 'end', 10, '#5f6b7a'))
        tick += step
    for n, (label, on_time, late) in enumerate(months):
        x = left + 8 + n * (col_w + gap)
        h_ok = plot_h * on_time / peak
        h_late = plot_h * late / peak
        base = top + plot_h
        if on_time:
            body.append('<rect x="%d" y="%.1f" width="%d" height="%.1f" '
                        'fill="%s"><title>%s</title></rect>' % (
                            x, base - h_ok, col_w, h_ok, GREEN,
                            escape('%s %s %d' % (label, on_time_label,
                                                 on_time))))
        if late:
            body.append('<rect x="%d" y="%.1f" width="%d" height="%.1f" '
                        'fill="%s"><title>%s</title></rect>' % (
                            x, base - h_ok - h_late, col_w, h_late, RED,
                            escape('%s %s %d' % (label, late_label, late))))
        body.append(_text(x + col_w / 2, base + 14, label[2:], 'middle', 10))
    legend_y = height - 8
    body.append('<rect x="%d" y="%d" width="10" height="10" fill="%s"/>'
                % (left, legend_y - 9, GREEN))
    body.append(_text(left + 14, legend_y, on_time_label, size=11))
    body.append('<rect x="%d" y="%d" width="10" height="10" fill="%s"/>'
                % (left + 110, legend_y - 9, RED))
    body.append(_text(left + 124, legend_y, late_label, size=11))
    return _svg(width, height, title, body)


def _nice_step(peak):
    raw = peak / 4.0
    magnitude = 1
    while magnitude * 10 <= raw:
        magnitude *= 10
    for factor in (1, 2, 5, 10):
        if magnitude * factor >= raw:
            return max(1, magnitude * factor)
    return max(1, magnitude * 10)
