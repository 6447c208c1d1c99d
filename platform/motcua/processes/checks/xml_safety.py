"""Parse uploaded XML without trusting it.

A DTD is the door to XXE (external entities reading local files or URLs) and to entity
expansion bombs ("billion laughs"). BPMN never needs one, so any DOCTYPE or ENTITY
declaration is refused by scanning the raw text *before* libxml2 sees it; the parser is
hardened as well, as a second line of defence.

The scan is only sound if we read the bytes the way libxml2 will, so the document's
encoding is pinned down first and anything we cannot read the same way (UTF-7, EBCDIC,
UTF-32, ...) is refused.
"""

from __future__ import annotations

import codecs
import re

from lxml import etree

from motcua.processes.checks.problems import Problem

__all__ = ["MAX_XML_BYTES", "XmlRejected", "parse_xml"]

MAX_XML_BYTES = 5 * 1024 * 1024

# Encodings in which every ASCII character is the byte itself and no multi-byte sequence
# contains an ASCII byte: scanning the raw bytes for "<!DOCTYPE" is then exact.
_ASCII_COMPATIBLE = frozenset(
    {
        "utf-8",
        "utf8",
        "us-ascii",
        "ascii",
        "iso-8859-1",
        "latin1",
        "latin-1",
        "iso-8859-15",
        "windows-1252",
        "cp1252",
        "windows-1258",
        "cp1258",
    }
)
_UTF16 = frozenset({"utf-16", "utf-16le", "utf-16be", "utf16"})

_DECLARED_ENCODING = re.compile(r"""^\s*<\?xml[^>]*?\bencoding\s*=\s*["']([^"']*)["']""")
_FORBIDDEN = re.compile(r"<!\s*(DOCTYPE|ENTITY)", re.IGNORECASE)

_UTF8_BOM = codecs.BOM_UTF8
_UTF32_BOMS = (codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE)
_UTF16_BOMS = {codecs.BOM_UTF16_LE: "utf-16-le", codecs.BOM_UTF16_BE: "utf-16-be"}


class XmlRejected(ValueError):
    """The upload is not XML we are willing to read; ``problem`` says why."""

    def __init__(self, problem: Problem) -> None:
        super().__init__(problem.message)
        self.problem = problem


def _reject(message: str, filename: str, line: int | None = None) -> XmlRejected:
    return XmlRejected(Problem(message=message, line=line, file=filename, rule="xml"))


def _text_for_scan(data: bytes, filename: str) -> str:
    """Decode ``data`` the way libxml2 would, or refuse what we cannot read the same way."""
    if data.startswith(_UTF32_BOMS) or data[:4] in (b"\x00\x00\x00<", b"<\x00\x00\x00"):
        raise _reject(
            "Tệp dùng mã hóa UTF-32, không được hỗ trợ: lưu lại tệp ở mã hóa UTF-8.", filename
        )
    codec = None
    body = data
    if data.startswith(_UTF8_BOM):
        codec, body = "utf-8", data[len(_UTF8_BOM) :]
    else:
        for bom, name in _UTF16_BOMS.items():
            if data.startswith(bom):
                codec, body = name, data[len(bom) :]
                break
    if codec is None and data[:2] in (b"<\x00", b"\x00<"):
        codec = "utf-16-le" if data[:1] == b"<" else "utf-16-be"
    if codec is not None and codec.startswith("utf-16"):
        try:
            text = body.decode(codec)
        except UnicodeDecodeError:
            raise _reject(
                "Tệp UTF-16 bị hỏng (không giải mã được): lưu lại tệp ở mã hóa UTF-8.", filename
            ) from None
        _check_declared(text, filename, allowed=_UTF16 | {"utf-16-le", "utf-16-be"})
        return text
    # ASCII-compatible: latin-1 maps every byte to one character, so nothing is lost and
    # every ASCII byte stays what it is, whatever the real single-byte or UTF-8 encoding.
    text = body.decode("latin-1")
    _check_declared(text, filename, allowed=_ASCII_COMPATIBLE)
    return text


def _check_declared(text: str, filename: str, allowed: frozenset[str]) -> None:
    stripped = text.lstrip()
    if not stripped.startswith("<"):
        raise _reject(
            "Tệp không phải XML (không bắt đầu bằng thẻ '<'): hãy tải lên tệp .bpmn lưu từ "
            "trình thiết kế quy trình, mã hóa UTF-8.",
            filename,
            line=1,
        )
    match = _DECLARED_ENCODING.match(text)
    if match is not None and match.group(1).strip().lower() not in allowed:
        raise _reject(
            f'Mã hóa "{match.group(1)}" khai báo trong tệp không được hỗ trợ: lưu lại tệp ở '
            "mã hóa UTF-8.",
            filename,
            line=1,
        )


def _make_parser() -> etree.XMLParser:
    # A new parser per call: lxml parsers keep state and must not be shared across threads.
    return etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        dtd_validation=False,
        huge_tree=False,
        remove_blank_text=False,
        remove_comments=False,
    )


def parse_xml(data: bytes, filename: str) -> etree._ElementTree:
    """Parse untrusted XML, refusing DTDs, oversized and malformed input.

    Raises :class:`XmlRejected` carrying a :class:`Problem` (Vietnamese message, line when
    known). Never resolves entities, never touches the network or the file system.
    """
    if not data or not data.strip():
        raise _reject("Tệp rỗng: hãy chọn tệp .bpmn có nội dung.", filename)
    if len(data) > MAX_XML_BYTES:
        raise _reject(
            f"Tệp quá lớn ({len(data) // 1024} KB): giới hạn là "
            f"{MAX_XML_BYTES // (1024 * 1024)} MB. Xóa bớt phần thừa (ảnh nhúng, chú thích) "
            "hoặc tách thành quy trình con.",
            filename,
        )
    text = _text_for_scan(data, filename)
    forbidden = _FORBIDDEN.search(text)
    if forbidden is not None:
        line = text.count("\n", 0, forbidden.start()) + 1
        raise _reject(
            f"Tệp chứa khai báo <!{forbidden.group(1).upper()}>, không được phép vì lý do an "
            "ninh (có thể đọc trộm tệp trên máy chủ hoặc làm treo hệ thống): xóa khai báo "
            "DOCTYPE/ENTITY; tệp BPMN không cần chúng.",
            filename,
            line=line,
        )
    try:
        root = etree.fromstring(data, parser=_make_parser())
    except etree.XMLSyntaxError as exc:
        error_line = exc.lineno if isinstance(exc.lineno, int) and exc.lineno > 0 else None
        where = f" ở dòng {error_line}" if error_line else ""
        raise _reject(
            f"Tệp không phải XML hợp lệ{where}: {exc.msg}. Kiểm tra thẻ đóng/mở và các ký tự "
            "đặc biệt (& phải viết là &amp;, < là &lt;).",
            filename,
            line=error_line,
        ) from None
    except etree.LxmlError as exc:
        raise _reject(f"Không đọc được tệp XML: {exc}.", filename) from None
    tree = root.getroottree()
    if tree.docinfo.doctype:
        # Unreachable while the scan above holds; kept in case an encoding slips past it.
        raise _reject("Tệp chứa khai báo DOCTYPE, không được phép vì lý do an ninh.", filename)
    return tree


_XML_DECLARATION = re.compile(rb"""^(<\?xml[^>]*?\bencoding\s*=\s*)(["'])[^"']*\2""")


def as_utf8(data: bytes, filename: str) -> bytes:
    """The document as UTF-8 bytes, its declaration saying so: a file saved in UTF-16 or a
    single-byte encoding is kept as the same text, never garbled when stored as text. Raises
    :class:`XmlRejected` as :func:`parse_xml` does."""
    tree = parse_xml(data, filename)
    encoding = (tree.docinfo.encoding or "utf-8").lower()
    if encoding.replace("-", "") in ("utf8", "usascii", "ascii"):
        return data[len(_UTF8_BOM):] if data.startswith(_UTF8_BOM) else data
    text = data.decode(encoding).lstrip("\ufeff").encode("utf-8")
    return _XML_DECLARATION.sub(rb"\1\2UTF-8\2", text, count=1)
