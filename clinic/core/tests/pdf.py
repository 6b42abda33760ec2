"""The text of a PDF that WeasyPrint drew, for tests: enough of PDF to read it back without a PDF
library (compressed object streams, Type 0 fonts with ToUnicode maps, TJ/Tj text operators).

It reads what WeasyPrint writes, not any PDF: a test that needs more should add a PDF library."""

from __future__ import annotations

import re
import zlib

_OBJECT = re.compile(rb"(\d+) 0 obj\s*(.*?)\s*endobj", re.S)
_STREAM = re.compile(rb"stream\r?\n(.*?)\r?\nendstream", re.S)
_FONT_REFERENCE = re.compile(rb"/([A-Za-z0-9_+.-]+)\s+(\d+) 0 R")
_TEXT = re.compile(
    rb"/(?P<font>[A-Za-z0-9_+.-]+)\s+[\d.]+\s+Tf"
    rb"|\[(?P<array>(?:[^\]\\]|\\.)*)\]\s*TJ"
    rb"|<(?P<single>[0-9A-Fa-f]*)>\s*Tj"
    rb"|(?P<end>\bET\b|\bTm\b|\bT[dD*]\b)"
)


def _stream(body: bytes) -> bytes | None:
    match = _STREAM.search(body)
    if match is None:
        return None
    data = match.group(1)
    if b"/FlateDecode" in body[: match.start()]:
        data = zlib.decompress(data)
    return data


def _objects(pdf: bytes) -> dict[int, bytes]:
    objects = {int(m.group(1)): m.group(2) for m in _OBJECT.finditer(pdf)}
    for body in list(objects.values()):
        if re.search(rb"/Type\s*/ObjStm", body):
            data = _stream(body)
            first = int(re.search(rb"/First\s+(\d+)", body).group(1))
            numbers = [int(n) for n in data[:first].split()]
            pairs = list(zip(numbers[::2], numbers[1::2], strict=True))
            for index, (number, offset) in enumerate(pairs):
                end = pairs[index + 1][1] if index + 1 < len(pairs) else len(data) - first
                objects[number] = data[first + offset : first + end]
    return objects


def _cmap(data: bytes) -> dict[int, str]:
    mapping: dict[int, str] = {}
    for block in re.findall(rb"beginbfchar(.*?)endbfchar", data, re.S):
        for source, target in re.findall(rb"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>", block):
            mapping[int(source, 16)] = bytes.fromhex(target.decode()).decode("utf-16-be")
    for block in re.findall(rb"beginbfrange(.*?)endbfrange", data, re.S):
        for low, high, target in re.findall(
            rb"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>", block
        ):
            start = int(target, 16)
            for offset, code in enumerate(range(int(low, 16), int(high, 16) + 1)):
                mapping[code] = chr(start + offset)
    return mapping


def pdf_text(pdf: bytes) -> str:
    """The text drawn on every page, in drawing order, with each run of white space (and each move
    of the text position) as one space."""
    objects = _objects(pdf)
    maps: dict[int, dict[int, str]] = {}
    for number, body in objects.items():
        reference = re.search(rb"/ToUnicode\s+(\d+) 0 R", body)
        if reference is not None:
            maps[number] = _cmap(_stream(objects[int(reference.group(1))]) or b"")
    fonts = {
        name: maps[int(number)]
        for body in objects.values()
        for name, number in _FONT_REFERENCE.findall(body)
        if int(number) in maps
    }
    lines: list[str] = []
    for body in objects.values():
        data = _stream(body) if b"stream" in body else None
        if not data or b"Tf" not in data:
            continue
        font: dict[int, str] = {}
        line = ""
        for match in _TEXT.finditer(data):
            if match.group("font"):
                font = fonts.get(match.group("font"), {})
            elif match.group("end"):
                lines.append(line)
                line = ""
            else:
                text = match.group("array") or match.group("single") or b""
                for run in re.findall(rb"<([0-9A-Fa-f]*)>", text) or [text]:
                    codes = bytes.fromhex(run.decode())
                    line += "".join(
                        font.get(int.from_bytes(codes[i : i + 2], "big"), "")
                        for i in range(0, len(codes), 2)
                    )
    return " ".join(" ".join(lines).split())
