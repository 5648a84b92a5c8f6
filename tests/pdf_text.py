"""The text of a PDF that ``core.pdf`` wrote, in reading order, for tests to look for words.

reportlab writes the text of an embedded TrueType subset as one-byte glyph codes in literal
strings (``(\\001\\002) Tj``); each font's ToUnicode map says which character a code is. A
string of the built-in fonts (``/F1``, Helvetica) is its own text. Each shown string ends a line,
so a value wrapped over two lines of a cell reads as two lines."""

import base64
import re
import zlib

_OBJECT = re.compile(rb"(\d+) 0 obj\s*(.*?)endobj", re.S)
_STREAM = re.compile(rb"<<(.*?)>>\s*stream\r?\n(.*?)endstream", re.S)
_TOKEN = re.compile(rb"\((?:\\.|[^\\)])*\)|/[^\s/\[\]()<>]+|\[|\]|[^\s/\[\]()<>]+", re.S)
_ESCAPES = {b"n": b"\n", b"r": b"\r", b"t": b"\t", b"b": b"\b", b"f": b"\f"}


def stream_bytes(match: re.Match) -> bytes:
    """A stream's bytes, as many as its ``/Length`` says: stripping the white space around them
    would eat a compressed stream's last bytes when they happen to be white space."""
    head, data = match.group(1), match.group(2)
    length = re.search(rb"/Length (\d+)", head)
    return data[: int(length.group(1))] if length else data.strip()


def _stream(body: bytes) -> bytes:
    match = _STREAM.search(body)
    if not match:
        return b""
    head, data = match.group(1), stream_bytes(match)
    if b"ASCII85Decode" in head:
        data = base64.a85decode(data.removeprefix(b"<~").removesuffix(b"~>"))
    if b"FlateDecode" in head:
        data = zlib.decompress(data)
    return data


def _literal(token: bytes) -> bytes:
    """The bytes of a PDF literal string ``(...)``, escapes undone."""
    out, body, index = bytearray(), token[1:-1], 0
    while index < len(body):
        char = body[index : index + 1]
        if char != b"\\":
            out += char
            index += 1
            continue
        following = body[index + 1 : index + 2]
        octal = re.match(rb"[0-7]{1,3}", body[index + 1 : index + 4])
        if octal:
            out.append(int(octal.group(0), 8) & 0xFF)
            index += 1 + len(octal.group(0))
        else:
            out += _ESCAPES.get(following, following)
            index += 2
    return bytes(out)


def _unicode_maps(objects: dict[int, bytes]) -> dict[bytes, dict[int, str]]:
    """Font resource name (``/F2+0``) → code → character, from the fonts' ToUnicode maps."""
    maps = {}
    for body in objects.values():
        name = re.search(rb"/Name (/\S+)", body)
        to_unicode = re.search(rb"/ToUnicode (\d+) 0 R", body)
        if not (name and to_unicode and b"/Type /Font" in body):
            continue
        cmap = _stream(objects[int(to_unicode.group(1))])
        maps[name.group(1)] = {
            int(code, 16): chr(int(char, 16))
            for code, char in re.findall(rb"<([0-9A-Fa-f]{2})> <([0-9A-Fa-f]{4})>", cmap)
        }
    return maps


def pdf_text(pdf: bytes) -> str:
    """Every shown string of every page's content, one per line."""
    objects = {int(m.group(1)): m.group(2) for m in _OBJECT.finditer(pdf)}
    maps = _unicode_maps(objects)
    lines = []
    for body in objects.values():
        if b"/Type /Page" not in body or b"/Contents" not in body:
            continue
        content = _stream(objects[int(re.search(rb"/Contents (\d+) 0 R", body).group(1))])
        font, operands = None, []
        for token in _TOKEN.findall(content):
            if token.startswith(b"(") or token.startswith(b"/") or token in (b"[", b"]"):
                operands.append(token)
            elif token == b"Tf":
                font = next((t for t in reversed(operands) if t.startswith(b"/")), font)
                operands = []
            elif token in (b"Tj", b"TJ", b"'", b'"'):
                codes = b"".join(_literal(t) for t in operands if t.startswith(b"("))
                table = maps.get(font)
                lines.append(
                    "".join(table.get(c, chr(c)) for c in codes) if table else codes.decode("latin-1")
                )
                operands = []
            elif not re.fullmatch(rb"[-+.\d]+", token):
                operands = []
    return "\n".join(lines)
