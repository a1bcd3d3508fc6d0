"""Turn bytes into text honestly: BOM, then declared charset, then detection."""
from __future__ import annotations

import codecs
import re
from dataclasses import dataclass, field

# Legacy labels mapped to the superset browsers actually use, so bytes the label does not
# strictly cover (curly quotes in "ISO-8859-1", rare hanzi in "GB2312") still decode.
_SUPERSETS = {
    "iso8859-1": "cp1252",
    "latin-1": "cp1252",
    "us-ascii": "cp1252",
    "ascii": "cp1252",
    "gb2312": "gb18030",
    "gbk": "gb18030",
    "euc_kr": "cp949",
    "shift_jis": "cp932",
    "big5": "big5hkscs",
    "iso8859-9": "cp1254",
    "tis-620": "cp874",
    "iso8859-11": "cp874",
}
_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
_XML_DECL = re.compile(rb"""^\s*<\?xml[^>]*?encoding\s*=\s*["']([A-Za-z0-9._:-]+)["']""")
_HTML_META = re.compile(
    rb"""<meta[^>]+?charset\s*=\s*["']?\s*([A-Za-z0-9._:-]+)""", re.IGNORECASE
)
_CT_CHARSET = re.compile(r"""charset\s*=\s*["']?([A-Za-z0-9._:-]+)""", re.IGNORECASE)
_FEW_NON_ASCII = 16
_WESTERN = {"cp1252", "latin_1", "iso8859_1", "iso8859_15"}


class DecodeError(ValueError):
    """The bytes are not text in any encoding we can determine."""


@dataclass
class Decoded:
    """Decoded text, the codec used, and how it was chosen (for meta and notes)."""

    text: str
    encoding: str
    how: str  # "bom", "header", "xml-declaration", "html-meta", "utf-8", "detected"
    notes: list[str] = field(default_factory=list)


def charset_from_content_type(content_type: str | None) -> str | None:
    """The charset parameter of a Content-Type header value, if any."""
    if not content_type:
        return None
    m = _CT_CHARSET.search(content_type)
    return m.group(1) if m else None


def declared_in_document(data: bytes) -> tuple[str, str] | None:
    """The encoding declared inside the document (XML declaration or HTML meta) and where."""
    head = data[:8192]
    m = _XML_DECL.match(head)
    if m:
        return m.group(1).decode("ascii"), "xml-declaration"
    m = _HTML_META.search(head)
    if m:
        return m.group(1).decode("ascii"), "html-meta"
    return None


def _codec(label: str) -> str | None:
    """The Python codec for a charset label (upgraded to its superset), or None if unknown."""
    try:
        name = codecs.lookup(label.strip().lower()).name
    except LookupError:
        return None
    return _SUPERSETS.get(name, name)


def _is_multibyte_utf8(data: bytes) -> bool:
    # Valid UTF-8 containing non-ASCII is almost never an accident in a legacy encoding.
    if data.isascii():
        return False
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def detect(data: bytes) -> tuple[str, str] | None:
    """Guess the encoding of undeclared bytes: (python codec, text) or None if not text."""
    try:
        return "utf-8", data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    if sum(b >= 0x80 for b in data) < _FEW_NON_ASCII and not _looks_binary(data):
        # A handful of accented bytes is too little for any detector (it says Big5 for
        # "naïve"); windows-1252 is what browsers assume, and the right guess most often.
        return "cp1252", _decode_cp1252(data)
    from charset_normalizer import from_bytes  # lazy: only needed for undeclared legacy bytes

    results = from_bytes(data)
    best = results.best()
    if best is None:
        return None
    # charset-normalizer ranks e.g. cp1257 above cp1252 for Portuguese; among equally clean
    # candidates prefer windows-1252, the web's default legacy encoding.
    for m in results:
        if m.chaos <= best.chaos + 0.01 and m.encoding in _WESTERN:
            return "cp1252", _decode_cp1252(data)
    return best.encoding, str(best)


def _looks_binary(data: bytes) -> bool:
    return b"\x00" in data


def _decode_cp1252(data: bytes) -> str:
    try:
        return data.decode("cp1252")
    except UnicodeDecodeError:  # the five bytes cp1252 leaves undefined
        return data.decode("latin-1")


def _strict(data: bytes, codec: str) -> str | None:
    try:
        return data.decode(codec)
    except UnicodeDecodeError:
        if codec == "cp1252":
            return data.decode("latin-1")
        return None


def decode_bytes(data: bytes, declared: str | None = None, markup: bool = True) -> Decoded:
    """Decode ``data``: BOM, then ``declared`` (HTTP charset), then in-document declaration
    (when ``markup``), then UTF-8, then detection. Raises DecodeError if nothing fits."""
    for bom, codec in _BOMS:
        if data.startswith(bom):
            try:
                return Decoded(data.decode(codec), codec, "bom")
            except UnicodeDecodeError as e:
                raise DecodeError(f"bytes do not match their {codec} byte-order mark: {e}") from e

    notes: list[str] = []
    candidates: list[tuple[str, str]] = []
    if declared:
        candidates.append((declared, "header"))
    if markup:
        doc = declared_in_document(data)
        if doc:
            candidates.append(doc)
    for label, how in candidates:
        codec = _codec(label)
        if codec is None:
            notes.append(f"unknown charset {label!r} declared ({how}); ignored")
            continue
        if codec not in ("utf-8", "utf-16", "utf-32") and _is_multibyte_utf8(data):
            notes.append(f"declared {label} ({how}) but the bytes are valid UTF-8; decoded as utf-8")
            return Decoded(data.decode("utf-8"), "utf-8", "utf-8", notes)
        text = _strict(data, codec)
        if text is not None:
            return Decoded(text, codec, how, notes)
        # A wrong declaration: try the next one, then detection.
        notes.append(f"declared {label} ({how}) but the bytes are not valid {codec}")

    found = detect(data)
    if found is None:
        raise DecodeError("cannot determine the text encoding (the bytes look binary)")
    codec, text = found
    if notes:
        notes[-1] += f"; detected {codec}"
    return Decoded(text, codec, "utf-8" if codec == "utf-8" else "detected", notes)
