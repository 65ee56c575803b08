"""Settings: paths of the bureau's adjustable layer, runtime dirs, secrets.

Everything a bureau or an operator changes is named in the ini file; this
module turns those names into absolute paths, creates the runtime
directories under ``var_dir`` on first start, and supplies secrets without
ever writing one into a file under version control.
"""
import json
import os
import secrets

SECRET_ENV = 'CASEFILE_SECRET'
ADMIN_PASSWORD_ENV = 'CASEFILE_ADMIN_PASSWORD'
#: a file outside the repository with ``KEY=VALUE`` lines (the format of
#: a systemd ``EnvironmentFile``), readable by the service user only
SECRETS_FILE_ENV = 'CASEFILE_SECRETS_FILE'

#: settings that name a directory, and their default relative to ``here``
DIRECTORY_SETTINGS = {
    'casefile.schemas_dir': 'schemas',
    'casefile.workflows_dir': 'workflows',
    'casefile.templates_dir': 'templates',
}


def var_dir(settings):
    return os.path.abspath(settings.get('casefile.var_dir')
                           or settings.get('var_dir') or 'var')


def storage_uris(var):
    """The embedded default: FileStorage and blobs under ``var_dir``."""
    return {
        'zodbconn.uri': (
            'file://%s/Data.fs?connection_cache_size=20000'
            '&blobstorage_dir=%s/blobs&blobstorage_layout=bushy'
            % (var, var)),
        'zodbconn.uri.audit': (
            'file://%s/audit.fs?connection_cache_size=2000' % var),
    }


def zeo_uris(address, blob_dir, shared=True):
    """``zodbconn.uri`` and ``zodbconn.uri.audit`` of a ZEO client.

    ``shared``: ``blob_dir`` is the ZEO server's own blob directory (the
    processes run on the server's machine, or see it over a shared file
    system); otherwise it is this process's private blob cache.
    """
    return {
        'zodbconn.uri': (
            'zeo://%s?storage=1&cache_size=200MB&blob_dir=%s'
            '&shared_blob_dir=%s&connection_cache_size=20000'
            % (address, blob_dir, 'true' if shared else 'false')),
        'zodbconn.uri.audit': 'zeo://%s?storage=audit' % address,
    }


def zeo_settings(global_config, settings, var):
    """The storage URIs when ``zeo_address`` names a ZEO server.

    ``pserve INI zeo_address=127.0.0.1:8100 zeo_blob_dir=/srv/zeo/blobs``
    (or ``casefile.zeo_address`` / ``casefile.zeo_blob_dir`` in the ini)
    is shorter and safer than spelling out two ``zeo://`` URIs; without
    ``zeo_blob_dir`` each process keeps a private blob cache under
    ``var_dir``.  An explicit ``zodbconn.uri`` (RelStorage, say) wins.
    """
    address = (settings.get('casefile.zeo_address')
               or global_config.get('zeo_address'))
    if not address:
        return {}
    blob_dir = (settings.get('casefile.zeo_blob_dir')
                or global_config.get('zeo_blob_dir'))
    if blob_dir:
        return zeo_uris(address, os.path.abspath(blob_dir), shared=True)
    return zeo_uris(address, os.path.join(var, 'blobcache'), shared=False)


def runtime_dirs(settings):
    """The directories under ``var_dir`` that must exist before ZODB opens."""
    base = var_dir(settings)
    return {
        'var': base,
        'blobs': os.path.join(base, 'blobs'),
        'index': settings.get('casefile.index_dir') or os.path.join(base, 'index'),
        'tmp': os.path.join(base, 'tmp'),
    }


def ensure_runtime_dirs(settings):
    for path in runtime_dirs(settings).values():
        os.makedirs(path, exist_ok=True)


def load_or_create_secrets(path):
    """Secrets live in ``var_dir`` (git-ignored), created once with mode 0600.

    The cookie-signing secret and the initial administrator password are
    random per installation; production sets them from the environment.
    """
    if os.path.exists(path):
        with open(path, encoding='utf-8') as f:
            return json.load(f)
    values = {
        'secret': secrets.token_urlsafe(32),
        'admin_password': secrets.token_urlsafe(12),
    }
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, 'w', encoding='utf-8') as f:
        json.dump(values, f)
    return values


def read_secrets_file(path):
    """``KEY=VALUE`` lines of ``path``; refuse a file others can read.

    Blank lines and ``#`` comments are skipped; values may be quoted.
    """
    mode = os.stat(path).st_mode
    if mode & 0o077:
        raise ValueError(
            'secrets file %s is readable by group or others (mode %o): '
            'chmod 600 it' % (path, mode & 0o777))
    values = {}
    with open(path, encoding='utf-8') as f:
        for line in f:
            line = line.strip()
            if not line or line.startswith('#') or '=' not in line:
                continue
            key, value = line.split('=', 1)
            value = value.strip()
            if len(value) > 1 and value[0] == value[-1] and value[0] in '"\'':
                value = value[1:-1]
            values[key.strip()] = value
    return values


def prepare_settings(global_config, settings):
    """Return settings completed with absolute paths and secrets."""
    settings = dict(settings)
    global_config = global_config or {}
    here = global_config.get('here') or os.getcwd()
    # PasteDeploy interpolates ``%(var_dir)s`` inside [app:main] with the
    # file's [DEFAULT] even when ``pserve INI var_dir=X`` overrides it; only
    # ``global_config`` carries the override.  So paths under var_dir are
    # derived here from global_config, not interpolated in the ini.
    if global_config.get('var_dir') and 'casefile.var_dir' not in settings:
        settings['casefile.var_dir'] = global_config['var_dir']
    var = var_dir(settings)
    for key, value in zeo_settings(global_config, settings, var).items():
        settings.setdefault(key, value)
    for key, value in storage_uris(var).items():
        settings.setdefault(key, value)
    for key, default in DIRECTORY_SETTINGS.items():
        value = settings.get(key) or os.path.join(here, default)
        settings[key] = os.path.abspath(value)
    settings['casefile.var_dir'] = var_dir(settings)
    ensure_runtime_dirs(settings)
    settings.setdefault('casefile.index_dir',
                        runtime_dirs(settings)['index'])
    settings.setdefault('substanced.uploads_tempdir',
                        runtime_dirs(settings)['tmp'])
    stored = load_or_create_secrets(
        os.path.join(settings['casefile.var_dir'], 'secrets.json'))
    # the environment first, then a secrets file outside the repository,
    # then the ini (tests), then the generated var_dir/secrets.json
    secrets_file = (os.environ.get(SECRETS_FILE_ENV)
                    or settings.get('casefile.secrets_file'))
    from_file = read_secrets_file(secrets_file) if secrets_file else {}
    settings['substanced.secret'] = (os.environ.get(SECRET_ENV)
                                     or from_file.get(SECRET_ENV)
                                     or settings.get('substanced.secret')
                                     or stored['secret'])
    settings['substanced.initial_password'] = (
        os.environ.get(ADMIN_PASSWORD_ENV)
        or from_file.get(ADMIN_PASSWORD_ENV)
        or settings.get('substanced.initial_password')
        or stored['admin_password'])
    settings.setdefault('substanced.initial_login', 'admin')
    settings.setdefault('pyramid.default_locale_name', 'zh_CN')
    return settings
