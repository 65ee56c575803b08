"""The ``egg:casefile#waitress`` server runner: waitress on ``http_port``.

``pserve INI http_port=7001`` must start a second instance, but PasteDeploy
interpolates ``%(http_port)s`` in [server:main] with the file's [DEFAULT]
value; only ``global_conf`` carries the command-line override.  This runner
takes the port from there and hands everything else to waitress.

It also writes the ZEO server's configuration (``make serve-zeo``) and
names the URIs a ZEO client uses: one place for deployment and tests.
"""
import os

from waitress import serve_paste

from .config import zeo_uris  # noqa: F401 (one place for deployment)


def serve(app, global_conf, **kw):
    if 'listen' not in kw and 'port' not in kw:
        host = kw.pop('host', '127.0.0.1')
        kw['listen'] = '%s:%s' % (host, global_conf.get('http_port', '6543'))
    print('casefile serving on http://%s/' % kw['listen'].split()[0],
          flush=True)
    return serve_paste(app, global_conf, **kw)


ZEO_CONF = """\
# ZEO server of casefile: the case database (with blobs) and the audit log.
# Start: runzeo -C {directory}/zeo.conf   (never runzeo -a/-f: no blobs)
<zeo>
  address {address}
</zeo>

<filestorage 1>
  path {directory}/Data.fs
  blob-dir {directory}/blobs
</filestorage>

<filestorage audit>
  path {directory}/audit.fs
</filestorage>

<eventlog>
  level INFO
  <logfile>
    path {directory}/zeo.log
    format %(asctime)s %(levelname)s %(message)s
  </logfile>
</eventlog>
"""


def zeo_conf(directory, address='127.0.0.1:8100'):
    """The ``runzeo -C`` configuration for a ZEO server in ``directory``."""
    return ZEO_CONF.format(directory=os.path.abspath(directory),
                           address=address)


def main(argv=None):
    """``python -m casefile.server zeo-conf DIR [ADDRESS]``: write
    ``DIR/zeo.conf`` (used by ``make serve-zeo``)."""
    import sys
    args = list(sys.argv[1:] if argv is None else argv)
    if len(args) not in (2, 3) or args[0] != 'zeo-conf':
        print('usage: python -m casefile.server zeo-conf DIR [HOST:PORT]',
              file=sys.stderr)
        return 2
    directory = args[1]
    os.makedirs(directory, exist_ok=True)
    path = os.path.join(directory, 'zeo.conf')
    with open(path, 'w', encoding='utf-8') as f:
        f.write(zeo_conf(directory, *args[2:]))
    print(path)
    return 0


if __name__ == '__main__':
    raise SystemExit(main())
