"""SHA-256 and SM3 (GB/T 32905-2016) of streamed files.

China's archives authorities ask for SM3 next to (or instead of) SHA-256.
OpenSSL 1.1.1 and later implement SM3, so ``hashlib.new('sm3')`` is used
when the Python build offers it: it is fast and streams.  Where it does
not (OpenSSL built without SM3, FIPS mode), the pure-Python compression
function of ``gmssl`` is driven block by block, so a file is still hashed
as a stream, only slower.  Both give the standard's test vector
(``sm3(b'abc') = 66c7f0f4...``; tests check it).
"""
import hashlib

CHUNK = 1 << 20


def _openssl_sm3():
    try:
        hashlib.new('sm3')
    except ValueError:
        return None
    return lambda: hashlib.new('sm3')


class GmsslSM3:
    """An incremental SM3 on gmssl's compression function ``sm3_cf``."""

    name = 'sm3'

    def __init__(self):
        from gmssl import sm3
        self._cf = sm3.sm3_cf
        self._v = list(sm3.IV)
        self._buffer = b''
        self._length = 0

    def update(self, data):
        self._length += len(data)
        data = self._buffer + bytes(data)
        full = len(data) - len(data) % 64
        cf = self._cf
        v = self._v
        for i in range(0, full, 64):
            v = cf(v, list(data[i:i + 64]))
        self._v = v
        self._buffer = data[full:]

    def hexdigest(self):
        bits = self._length * 8
        tail = self._buffer + b'\x80'
        tail += b'\x00' * ((56 - len(tail)) % 64)
        tail += bits.to_bytes(8, 'big')
        v = self._v
        for i in range(0, len(tail), 64):
            v = self._cf(v, list(tail[i:i + 64]))
        return ''.join('%08x' % word for word in v)


_sm3_factory = _openssl_sm3()


def new_sm3():
    if _sm3_factory is not None:
        return _sm3_factory()
    return GmsslSM3()


def sm3_implementation():
    return 'openssl' if _sm3_factory is not None else 'gmssl'


class Digests:
    """SHA-256, SM3 and size of what passes through :meth:`update`."""

    def __init__(self):
        self.sha256 = hashlib.sha256()
        self.sm3 = new_sm3()
        self.size = 0

    def update(self, data):
        self.sha256.update(data)
        self.sm3.update(data)
        self.size += len(data)

    def result(self):
        return {'sha256': self.sha256.hexdigest(),
                'sm3': self.sm3.hexdigest(), 'size': self.size}


def digest_file(fileobj, chunk=CHUNK):
    digests = Digests()
    while True:
        data = fileobj.read(chunk)
        if not data:
            break
        digests.update(data)
    return digests.result()
