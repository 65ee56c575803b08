"""Archive export memory: a 10 MB and a 1 GB case, peak memory of each.

    .venv/bin/python bench/archive.py [--sizes 10,1024] [--keep DIR]

Builds a throw-away installation with one archived 开办药店 case per size
(``--sizes`` in MB).  The case's materials are PDFs of up to 20 MB (the
upload limit) whose bytes are generated on the fly straight into ZODB
blobs, never held in memory.  Then each case is exported in a process of
its own (``casefile archive export`` does the same work) and verified;
the process's peak resident memory (``ru_maxrss``) is reported next to
the memory of the same process just before the export, so the figure is
what the export itself needs.  Flat memory means the 1 GB case needs about
what the 10 MB case needs.
"""
import argparse
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)
sys.path.insert(0, os.path.join(REPO, 'tests'))

MB = 1 << 20
PART = 20 * MB          # the upload limit: no material is larger


def rss_mb():
    """Current resident memory (Linux /proc)."""
    with open('/proc/self/status') as f:
        for line in f:
            if line.startswith('VmRSS:'):
                return int(line.split()[1]) / 1024.0
    return 0.0


def peak_mb():
    """Peak resident memory since the last :func:`reset_peak` (VmHWM)."""
    with open('/proc/self/status') as f:
        for line in f:
            if line.startswith('VmHWM:'):
                return int(line.split()[1]) / 1024.0
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def reset_peak():
    """Linux: start counting the peak anew (``clear_refs`` 5)."""
    try:
        with open('/proc/self/clear_refs', 'w') as f:
            f.write('5')
    except OSError:
        pass


def open_app(var_dir):
    from conftest import make_settings
    from casefile import compat, main
    compat.install()
    return main({'here': REPO}, **make_settings(var_dir, **{
        'casefile.demo': 'true'}))


def pdf_into(out, size, seed):
    """A valid one-page PDF of ``size`` bytes, written in 1 MB pieces: the
    bulk is an unreferenced stream of pseudo-random bytes (a scan)."""
    import hashlib
    head = b'%PDF-1.4\n%\xe2\xe3\xcf\xd3\n'
    objs = [b'1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n',
            b'2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n',
            b'3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]>>'
            b'endobj\n']
    offsets = []
    position = len(head)
    out.write(head)
    for obj in objs:
        offsets.append(position)
        out.write(obj)
        position += len(obj)
    length = max(size - position - 400, 1)
    offsets.append(position)
    start = b'4 0 obj<</Length %d>>stream\n' % length
    out.write(start)
    block = hashlib.sha512(seed.encode()).digest() * (MB // 64)
    left = length
    while left > 0:
        piece = block[:min(left, MB)]
        out.write(piece)
        left -= len(piece)
        block = block[1:] + block[:1]
    end = b'\nendstream endobj\n'
    out.write(end)
    position += len(start) + length + len(end)
    xref = b'xref\n0 5\n0000000000 65535 f \n' + b''.join(
        b'%010d 00000 n \n' % o for o in offsets)
    out.write(xref + b'trailer<</Size 5/Root 1 0 R>>\nstartxref\n%d\n%%%%EOF\n'
              % position)


def build(var_dir, sizes):
    """An archived pharmacy case per size; ``{size: case number}``."""
    import transaction
    from pyramid.threadlocal import manager
    from substanced.workflow import STATE_ATTR
    from ZODB.blob import Blob
    from casefile.archive.service import archived
    from casefile.case.intake import application_data
    from casefile.case.material import StoredUpload
    from casefile.case.service import create_case
    from casefile.catalogue.store import catalogue_versions
    app = open_app(var_dir)
    registry = app.registry
    db = registry._zodb_databases['']
    manager.push({'registry': registry, 'request': None})
    numbers = {}
    try:
        for size_mb in sizes:
            conn = db.open()
            root = conn.root()['app_root']
            version = catalogue_versions(root).current
            application = application_data(version.catalogue, 'M-01', {})
            case = create_case(root, application, {
                'kind': 'company', 'name': '鞍山市康宁大药房有限公司',
                'identifier': '91210302MA1234567X'}, form_data={},
                catalogue_version=version.number, actor='bench',
                registry=registry)
            left = size_mb * MB
            n = 0
            while left > 0:
                n += 1
                part = min(PART, left)
                left -= part
                blob = Blob()
                with blob.open('w') as f:
                    pdf_into(f, part, '%s-%d' % (case.case_number, n))
                with blob.open('r') as f:
                    from casefile.archive.hashing import digest_file
                    d = digest_file(f)
                upload = StoredUpload(blob, 'scan-%03d.pdf' % n, d['size'],
                                      'application/pdf', d['sha256'])
                material = registry.content.create(
                    'Material', '扫描件 %d' % n, 'scan', ())
                material.add_version(upload, 'bench')
                # no events: the search index need not read a gigabyte
                case['materials'].add('m%04d' % n, material,
                                      send_events=False)
                transaction.commit()
                conn.cacheGC()
            getattr(case, STATE_ATTR)['case'] = 'archived'
            archived(case, 'bench', registry)
            transaction.commit()
            numbers[size_mb] = case.case_number
            conn.close()
    finally:
        manager.pop()
        for each in registry._zodb_databases.values():
            each.close()
    return numbers


def export(var_dir, number, out):
    """Run in a process of its own: export, verify, print the figures."""
    import transaction
    from pyramid.threadlocal import manager
    app = open_app(var_dir)
    registry = app.registry
    db = registry._zodb_databases['']
    manager.push({'registry': registry, 'request': None})
    conn = db.open()
    case = conn.root()['app_root']['cases'][number]
    from casefile.archive.index import file_index
    file_index(case)                      # warm: imports, fonts
    import gc
    gc.collect()
    reset_peak()
    before_rss, before_peak = rss_mb(), peak_mb()
    from casefile.archive.package import (
        export_package, load_public_key, verify_package)
    started = time.time()
    summary = export_package(case, out, registry.settings, 'bench')
    seconds = time.time() - started
    export_peak = peak_mb()
    started = time.time()
    problems = verify_package(out, load_public_key(registry.settings))
    verify_seconds = time.time() - started
    print('%d %d %.1f %.1f %.1f %.1f %.1f %d %d' % (
        summary['bytes'], os.path.getsize(out), seconds, verify_seconds,
        before_rss, before_peak, export_peak,
        len(problems), summary['records']))
    transaction.abort()
    conn.close()
    manager.pop()
    for each in registry._zodb_databases.values():
        each.close()


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--sizes', default='10,1024')
    parser.add_argument('--keep')
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(',')]
    base = args.keep or tempfile.mkdtemp(prefix='casefile-archive-bench-')
    var_dir = os.path.join(base, 'var')
    os.makedirs(var_dir, exist_ok=True)
    try:
        started = time.time()
        numbers = build(var_dir, sizes)
        print('built %s MB cases in %.0f s' % (
            ' and '.join(str(s) for s in sizes), time.time() - started))
        for size_mb in sizes:
            out = os.path.join(base, 'case-%d.zip' % size_mb)
            result = subprocess.run(
                [sys.executable, __file__, '--export-one', var_dir,
                 numbers[size_mb], out], capture_output=True, text=True,
                cwd=REPO)
            if result.returncode:
                print(result.stderr[-2000:])
                sys.exit(1)
            line = result.stdout.strip().splitlines()[-1].split()
            (records_bytes, zip_bytes, seconds, verify_seconds, before,
             before_peak, peak, problems, count) = line
            print('archive export of a %d MB case (%s records, %.0f MB zip): '
                  '%.1f s (%.0f MB/s), verify %.1f s; RSS %.0f MB before, '
                  'peak %.0f MB during export (+%.0f MB); problems %s' % (
                      size_mb, count, int(zip_bytes) / MB, float(seconds),
                      int(records_bytes) / MB / max(float(seconds), 0.01),
                      float(verify_seconds), float(before), float(peak),
                      float(peak) - float(before), problems))
            if problems != '0':
                sys.exit(1)
            os.remove(out)
    finally:
        if not args.keep:
            shutil.rmtree(base, ignore_errors=True)


if __name__ == '__main__':
    if len(sys.argv) > 1 and sys.argv[1] == '--export-one':
        export(*sys.argv[2:5])
    else:
        main()
