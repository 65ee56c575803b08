"""The ``egg:casefile#waitress`` server runner: waitress on ``http_port``.

``pserve INI http_port=7001`` must start a second instance, but PasteDeploy
interpolates ``%(http_port)s`` in [server:main] with the file's [DEFAULT]
value; only ``global_conf`` carries the command-line override.  This runner
takes the port from there and hands everything else to waitress.
"""
from waitress import serve_paste


def serve(app, global_conf, **kw):
    if 'listen' not in kw and 'port' not in kw:
        host = kw.pop('host', '127.0.0.1')
        kw['listen'] = '%s:%s' % (host, global_conf.get('http_port', '6543'))
    print('casefile serving on http://%s/' % kw['listen'].split()[0],
          flush=True)
    return serve_paste(app, global_conf, **kw)
