"""Regenerate the non-UTF-8 and binary fixtures in this directory (texts written for Newsweave).

Run: .venv/bin/python tests/data/sources/make_fixtures.py
"""
from __future__ import annotations

import io
import struct
import zlib
from pathlib import Path

HERE = Path(__file__).resolve().parent


def png_1x1() -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    ihdr = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr)
            + chunk(b"IDAT", zlib.compress(b"\x00\xff\x00\x00")) + chunk(b"IEND", b""))


def warc(gzip: bool) -> bytes:
    from warcio.statusandheaders import StatusAndHeaders
    from warcio.warcwriter import WARCWriter

    pages = [
        ("https://gazette.example/ferry", "200 OK", "text/html; charset=utf-8",
         "<html><head><title>Ferry resumes</title></head><body><p>The ferry resumed "
         "on Tuesday – après la tempête.</p></body></html>".encode("utf-8")),
        ("https://gazette.example/logo.png", "200 OK", "image/png", png_1x1()),
        ("https://gazette.example/gone", "404 Not Found", "text/html",
         b"<html><body>Not found</body></html>"),
        ("https://gazette.example/cafe", "200 OK", "text/html",
         "<html><head><meta charset='iso-8859-1'><title>Café reopens</title></head>"
         "<body><p>The café on the square reopened.</p></body></html>".encode("latin-1")),
    ]
    buf = io.BytesIO()
    writer = WARCWriter(buf, gzip=gzip)
    writer.write_record(writer.create_warcinfo_record("small.warc", {"software": "newsweave tests"}))
    for uri, status, ctype, body in pages:
        headers = StatusAndHeaders(status, [("Content-Type", ctype)], protocol="HTTP/1.1")
        writer.write_record(writer.create_warc_record(uri, "response", payload=io.BytesIO(body),
                                                      http_headers=headers))
    return buf.getvalue()


def main() -> None:
    (HERE / "latin1_meta.html").write_bytes(
        "<html><head><meta http-equiv='Content-Type' content='text/html; charset=ISO-8859-1'>"
        "<title>Município aprova orçamento</title></head><body><p>A câmara aprovou o "
        "orçamento – por unanimidade.</p></body></html>".encode("cp1252"))
    (HERE / "undeclared_latin1.txt").write_bytes(
        "Governo anuncia programa de formação\n\nO ministério da Educação anunciou na "
        "segunda-feira um novo programa de formação para professores, com início previsto "
        "em março. A medida abrange escolas públicas de todo o país e será avaliada após "
        "um ano de aplicação.\n".encode("latin-1"))
    (HERE / "wrong_declared.html").write_bytes(
        "<html><head><meta charset='iso-8859-1'><title>Zürich – Öffnungszeiten</title>"
        "</head><body><p>Die Bibliothek in Zürich öffnet wieder.</p></body></html>".encode("utf-8"))
    (HERE / "utf16_bom.txt").write_bytes(
        "Ночной поезд возобновил движение.\n".encode("utf-16"))
    (HERE / "tiny.png").write_bytes(png_1x1())
    (HERE / "small.warc").write_bytes(warc(gzip=False))
    (HERE / "small.warc.gz").write_bytes(warc(gzip=True))


if __name__ == "__main__":
    main()
