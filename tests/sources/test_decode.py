"""Decoding bytes: BOM, declared charset, in-document declaration, detection."""
from __future__ import annotations

import codecs
import random

import pytest

from newsweave.sources.decode import DecodeError, charset_from_content_type, decode_bytes
from newsweave.sources.formats import binary_kind, format_for_name, sniff_format


def test_bom_wins() -> None:
    d = decode_bytes(codecs.BOM_UTF8 + "café".encode("utf-8"), declared="iso-8859-1")
    assert (d.text, d.how) == ("café", "bom")


def test_http_charset_then_document_declaration() -> None:
    data = "<html><meta charset='utf-8'>naïve</html>".encode("cp1252")
    assert decode_bytes(data, declared="windows-1252").how == "header"
    d = decode_bytes(data)  # the meta tag lies (says utf-8) and the bytes are not UTF-8
    assert "naïve" in d.text and d.how == "detected"
    assert "declared utf-8 (html-meta) but the bytes are not valid utf-8" in d.notes[0]


def test_gb2312_label_decodes_as_gb18030() -> None:
    text = "新闻国内：習近平"  # the traditional form is outside GB2312 proper
    d = decode_bytes(f'<?xml version="1.0" encoding="gb2312"?><r>{text}</r>'.encode("gb18030"))
    assert text in d.text and d.encoding == "gb18030" and d.how == "xml-declaration"


def test_unknown_charset_label_is_ignored() -> None:
    d = decode_bytes("plain ascii".encode(), declared="x-no-such-charset")
    assert d.text == "plain ascii" and "unknown charset" in d.notes[0]


def test_markup_declaration_ignored_for_plain_text() -> None:
    data = "<meta charset='koi8-r'> but this is utf-8: ü".encode("utf-8")
    assert decode_bytes(data, markup=False).encoding == "utf-8"


def test_undecodable_bytes() -> None:
    with pytest.raises(DecodeError):
        decode_bytes(random.Random(1).randbytes(5000))


def test_long_undeclared_texts_are_detected() -> None:
    ru = ("Правительство объявило о новой программе поддержки школ; "
          "министр образования представил её в понедельник в Москве.")
    assert decode_bytes(ru.encode("cp1251")).text == ru
    zh = "国务院今天公布了新的教育改革方案，重点支持农村地区的学校建设和教师培训。"
    assert decode_bytes(zh.encode("gb18030")).text == zh


def test_charset_from_content_type() -> None:
    assert charset_from_content_type('text/html; charset="ISO-8859-1"') == "ISO-8859-1"
    assert charset_from_content_type("text/html") is None
    assert charset_from_content_type(None) is None


@pytest.mark.parametrize("name,fmt", [
    ("a.TXT", "text"), ("a.md", "text"), ("a.htm", "html"), ("a.jsonl", "jsonl"),
    ("crawl.warc.gz", "warc"), ("feed.atom", "feed"), ("a.rss", "feed"), ("README", None),
    ("archive.tar.gz", None),
])
def test_format_for_name(name: str, fmt: str | None) -> None:
    assert format_for_name(name) == fmt


@pytest.mark.parametrize("head,fmt", [
    (b'<?xml version="1.0"?>\n<rss version="2.0">', "feed"),
    (b"<feed xmlns='http://www.w3.org/2005/Atom'>", "feed"),
    (b"\xef\xbb\xbf<!DOCTYPE html><html>", "html"),
    (b'{"text": "a"}\n{"text": "b"}\n', "jsonl"),
    (b'{\n  "text": "a"\n}\n', "json"),
    (b'[{"text": "a"}]', "json"),
    (b"id,title,text\n1,a,b\n", "csv"),
    (b"Hello, world. An ordinary sentence.\n", "text"),
    (b"WARC/1.1\r\n", "warc"),
])
def test_sniff_format(head: bytes, fmt: str) -> None:
    assert sniff_format(head) == fmt


def test_binary_kind() -> None:
    assert binary_kind(b"%PDF-1.7\n") == "a PDF document"
    assert binary_kind("Ordinary text – with a dash.".encode()) is None
    assert binary_kind(codecs.BOM_UTF16_LE + "text".encode("utf-16-le")) is None
