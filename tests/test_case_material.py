"""Uploads: sniffed, hashed, size-limited, named safely, versioned."""
import hashlib
import io

import pytest

from casefile.case.material import (
    Material, UploadError, sanitize_filename, sniff, store_upload)
from casehelpers import PDF_BYTES, PNG_BYTES

JPEG_BYTES = b'\xff\xd8\xff\xe0\x00\x10JFIF\x00' + b'\x00' * 64


def test_pdf_is_stored_with_sniffed_type_size_and_sha256():
    upload = store_upload(io.BytesIO(PDF_BYTES), 'a.pdf', ['pdf'])
    assert upload.mimetype == 'application/pdf'
    assert upload.size == len(PDF_BYTES)
    assert upload.sha256 == hashlib.sha256(PDF_BYTES).hexdigest()
    with upload.blob.open('r') as f:
        assert f.read() == PDF_BYTES


def test_jpg_extension_accepts_jpeg_content():
    upload = store_upload(io.BytesIO(JPEG_BYTES), 'photo.JPG', ['jpg'])
    assert upload.mimetype == 'image/jpeg'


@pytest.mark.parametrize('name,data,allowed,code', [
    ('a.pdf', b'', ['pdf'], 'empty'),
    ('a.pdf', PNG_BYTES, ['pdf'], 'content-mismatch'),
    ('a.exe', b'MZ\x90\x00', ['pdf'], 'type-not-allowed'),
    ('a.png', PNG_BYTES, ['pdf'], 'type-not-allowed'),
    ('noext', PDF_BYTES, ['pdf'], 'type-not-allowed'),
    ('a.docx', PDF_BYTES, ['docx'], 'content-mismatch'),
])
def test_bad_uploads_raise_a_coded_error(name, data, allowed, code):
    with pytest.raises(UploadError) as e:
        store_upload(io.BytesIO(data), name, allowed)
    assert e.value.code == code


def test_oversize_upload_stops_while_streaming():
    class Endless(io.RawIOBase):
        read_calls = 0

        def read(self, n=-1):
            Endless.read_calls += 1
            return b'%PDF' + b'0' * (n - 4)
    with pytest.raises(UploadError) as e:
        store_upload(Endless(), 'a.pdf', ['pdf'], max_bytes=1024 * 1024)
    assert e.value.code == 'too-large'
    assert Endless.read_calls < 40  # it did not read everything first


@pytest.mark.parametrize('raw,clean', [
    ('../../etc/passwd.pdf', 'passwd.pdf'),
    ('C:\\Users\\x\\营业执照.pdf', '营业执照.pdf'),
    ('a\x00b<script>.pdf', 'ab_script_.pdf'),
    ('', 'file'),
    ('...', 'file'),
])
def test_file_names_are_sanitised(raw, clean):
    assert sanitize_filename(raw) == clean


def test_sniff_recognises_text_and_binary():
    assert sniff('申请书'.encode('utf-8')) == 'text/plain'
    assert sniff(b'\x00\x01\x02\xff') == 'application/octet-stream'


def test_replacing_keeps_every_version():
    material = Material('营业执照', 'business_licence')
    first = store_upload(io.BytesIO(PDF_BYTES), 'v1.pdf', ['pdf'])
    second = store_upload(io.BytesIO(PDF_BYTES + b'%x'), 'v2.pdf', ['pdf'])
    material.add_version(first, 'clerk')
    material.add_version(second, 'clerk', reason='清晰度不够')
    assert [v.number for v in material.versions] == [1, 2]
    assert material.current.filename == 'v2.pdf'
    assert material.versions[0].filename == 'v1.pdf'
    assert material.versions[1].reason == '清晰度不够'
