"""One embedded font per face in the assembled guide: the chunks' subsets of a face joined into one.

Each chunk is its own WeasyPrint document and embeds its own subset of every face it sets, under
WeasyPrint's tag for the face (a hash of the font's description, not of its glyphs: every chunk
writes `VLCMHS+EB-Garamond`). Appended together, one tag would name as many programs as chunks,
which ISO 32000 forbids (9.6.4) and which loses glyphs in tools that merge fonts by name. After the
pages are appended, each face (the same tagged name, outline kind and embedding) gets one font
dictionary, which every chunk's font resources then name:

- **One program.** WeasyPrint subsets with glyph ids retained (`RETAIN_GIDS`), so every chunk draws
  a glyph by its id in the original font, with `Identity` CID to glyph maps. The union of the
  subsets is built under those same ids (`font_programs.py`), and no content stream needs new
  glyph ids. (Renumbering glyphs would mean rewriting every string of text in the book.)
- **Codes, widths and text.** A code draws a CID (itself, under `Identity-H`; a character the font
  lacks gets a code past the font's glyphs that draws CID 0, the `.notdef` box, through a CMap of
  WeasyPrint's). The first chunk to use a code gives its text, as the first use does in one
  document; a glyph's width is the one most pages were drawn with. A chunk that disagrees has its
  text strings rewritten, in the content streams that select that font, in two cases: (1) each
  chunk numbers the characters it lacks from the same first code, so one code can mean two
  characters: a later chunk's gets the code an earlier chunk gave the same character, or a new
  one; (2) WeasyPrint rounds a glyph's width once per document, at the size it first draws it, so
  a few glyphs measure 1/1000 em apart between chunks: the strings keep their glyphs, and a `TJ`
  positioning number after each such glyph gives the difference back, so every glyph stays where
  the chunk put it.
- **A tag of its own.** The tag is six letters from the SHA-256 of the joined program (as WeasyPrint
  makes its own from MD5), so a subset that differs has another tag, in the guide and against the
  dossiers. A face used with one program only keeps that program, renamed the same way.
- **What cannot be joined** (subsets of different outline kinds or em sizes, CID-keyed or CFF2
  outlines, CFF private dictionaries that differ, a CFF glyph renumbered) keeps a font per chunk,
  each renamed after its own program, so a tag still names one program. Fonts not written as
  WeasyPrint writes them (Type 3 bitmap fonts, which carry no program; other encodings or CID to
  glyph maps) are left as they are.

Only the chunked guide passes here; what is cached per chunk and every single-document render
(variants, dossiers) are WeasyPrint's own output.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field

import pikepdf

from .font_programs import merge_programs
from .glyph_strings import Remap, rewrite_text

_FONT_FILES = ("/FontFile2", "/FontFile3")
_BFCHAR = re.compile(rb"beginbfchar(.*?)endbfchar", re.S)
_CIDCHAR = re.compile(rb"begincidchar(.*?)endcidchar", re.S)
_PAIR = re.compile(rb"<([0-9a-fA-F]+)>\s*<([0-9a-fA-F]*)>")
_CODE_CID = re.compile(rb"<([0-9a-fA-F]+)>\s*(\d+)")
_CMAP_HEAD = (b"/CIDInit /ProcSet findresource begin\n12 dict begin\nbegincmap\n/CIDSystemInfo\n")
_IDENTITY_INFO = pikepdf.Dictionary(Registry=pikepdf.String("Adobe"), Ordering=pikepdf.String("Identity"), Supplement=0)


@dataclass
class _Member:
    """One chunk's font dictionary for a face, read: what its codes draw, say and measure."""

    font: pikepdf.Object
    cids: dict[int, int]  # code → CID
    texts: dict[int, str]  # code → text, from ToUnicode
    widths: dict[int, float]  # CID (or, for a code drawn as .notdef, that code) → width, from W
    default_width: float
    uses: int = 0  # the pages and forms whose resources name it
    remap: Remap = field(default_factory=dict)

    @property
    def descendant(self) -> pikepdf.Object:
        return self.font.DescendantFonts[0]

    @property
    def program(self) -> pikepdf.Object:
        descriptor = self.descendant.FontDescriptor
        return next(descriptor[key] for key in _FONT_FILES if key in descriptor)

    def width(self, code: int) -> float:
        return self.widths.get(self.cids[code], self.default_width)


def merge_fonts(pdf: pikepdf.Pdf, pages: Sequence[pikepdf.Dictionary]) -> None:
    """Give every face drawn on `pages` one font dictionary and program under one tag (see the module)."""
    drawings = list(_drawings(pages))
    members: dict[tuple[int, int], _Member | None] = {}
    faces: dict[tuple[str, ...], list[_Member]] = {}
    for _, resources in drawings:
        for font in resources.get("/Font", pikepdf.Dictionary()).values():
            if font.objgen not in members:
                member = members[font.objgen] = _read(font)
                if member is not None:
                    faces.setdefault(_face(member), []).append(member)
            if (found := members[font.objgen]) is not None:
                found.uses += 1
    replaced: dict[tuple[int, int], pikepdf.Object] = {}
    for face in faces.values():
        joined = _join(pdf, face)
        if joined is None:
            for member in face:
                _rename(member, _tag(member.program.read_bytes()))
        else:
            replaced.update((member.font.objgen, joined) for member in face)
    for holder, resources in drawings:
        fonts = resources.get("/Font", pikepdf.Dictionary())
        remaps = {str(key): found.remap for key, font in fonts.items()
                  if (found := members.get(font.objgen)) is not None and found.remap}
        if remaps:
            rewrite_text(pdf, holder, remaps)
    for _, resources in drawings:
        fonts = resources.get("/Font", pikepdf.Dictionary())
        for key in list(fonts.keys()):
            if fonts[key].objgen in replaced:
                fonts[key] = replaced[fonts[key].objgen]


def _drawings(pages: Sequence[pikepdf.Dictionary]) -> Iterator[tuple[pikepdf.Object, pikepdf.Dictionary]]:
    """Every page, form XObject and tiling pattern drawn on `pages`, once, with its resources."""
    seen: set[tuple[int, int]] = set()
    expanded: set[tuple[int, int]] = set()
    stack: list[tuple[pikepdf.Object, pikepdf.Object | None]] = [(page, page.get("/Resources"))
                                                                  for page in reversed(pages)]
    while stack:
        holder, resources = stack.pop()
        if holder.is_indirect and holder.objgen in seen or not isinstance(resources, pikepdf.Dictionary):
            continue
        seen.add(holder.objgen)
        yield holder, resources
        if resources.is_indirect:
            if resources.objgen in expanded:
                continue  # a chunk's pages and forms share one resource dictionary: its forms are on the stack
            expanded.add(resources.objgen)
        for xobject in resources.get("/XObject", pikepdf.Dictionary()).values():
            if xobject.get("/Subtype") == pikepdf.Name.Form:
                stack.append((xobject, xobject.get("/Resources", resources)))
        for pattern in resources.get("/Pattern", pikepdf.Dictionary()).values():
            if pattern.get("/PatternType") == 1:
                stack.append((pattern, pattern.get("/Resources")))


def _read(font: pikepdf.Object) -> _Member | None:
    """A Type 0 font with an embedded program, read; None for any other (Type 3) or one we cannot read."""
    if font.get("/Subtype") != pikepdf.Name.Type0 or "/ToUnicode" not in font:
        return None
    descendant = font.DescendantFonts[0]
    descriptor = descendant.get("/FontDescriptor", pikepdf.Dictionary())
    if not any(key in descriptor for key in _FONT_FILES):
        return None
    if descendant.get("/CIDToGIDMap", pikepdf.Name.Identity) != pikepdf.Name.Identity:
        return None
    texts = {int(code, 16): bytes.fromhex(text.decode()).decode("utf-16-be", "replace")
             for block in _BFCHAR.findall(font.ToUnicode.read_bytes()) for code, text in _PAIR.findall(block)}
    encoding = font.get("/Encoding")
    if encoding == pikepdf.Name("/Identity-H"):
        cids = {code: code for code in texts}
    elif isinstance(encoding, pikepdf.Stream) and b"cidrange" not in (data := encoding.read_bytes()):
        mapped = {int(code, 16): int(cid) for block in _CIDCHAR.findall(data) for code, cid in _CODE_CID.findall(block)}
        cids = {code: mapped.get(code, 0) for code in texts}
    else:
        return None
    return _Member(font, cids, texts, _widths(descendant.get("/W", pikepdf.Array())),
                   float(descendant.get("/DW", 1000)))


def _widths(array: pikepdf.Object) -> dict[int, float]:
    """A CID font's W array: `c [w1 w2 …]` and `c_first c_last w` runs."""
    items = list(array)
    widths: dict[int, float] = {}
    index = 0
    while index < len(items):
        first = int(items[index])
        if isinstance(items[index + 1], pikepdf.Array):
            widths.update((first + offset, float(width)) for offset, width in enumerate(items[index + 1]))
            index += 2
        else:
            widths.update((cid, float(items[index + 2])) for cid in range(first, int(items[index + 1]) + 1))
            index += 3
    return widths


def _face(member: _Member) -> tuple[str, ...]:
    descriptor = member.descendant.FontDescriptor
    program = member.program
    return (str(member.font.BaseFont), str(member.descendant.Subtype),
            next(key for key in _FONT_FILES if key in descriptor), str(program.get("/Subtype", "")))


def _join(pdf: pikepdf.Pdf, members: list[_Member]) -> pikepdf.Object | None:
    """One font dictionary for `members` (in page order), their remaps set; None if they cannot be joined."""
    widths = _widths_by_most_use(members)
    cids: dict[int, int] = {}  # the joined font's code → CID
    texts: dict[int, str] = {}
    notdef_codes: dict[tuple[int, str], int] = {}  # (CID, text) → code, for codes that do not draw their own CID
    for member in members:
        for code in sorted(member.texts):
            cid, text = member.cids[code], member.texts[code]
            own = cid == code
            new = code if own else notdef_codes.get((cid, text), code)
            if new == code and code in cids and (cids[code] != cid or not own and texts[code] != text):
                new = max(cids) + 1  # this code means something else in an earlier chunk
                if new > 0xFFFF:
                    return None
            if not own:
                notdef_codes[(cid, text)] = new
                if code in member.widths:
                    widths.setdefault(new, member.widths[code])  # WeasyPrint lists such a code's width too
            cids.setdefault(new, cid)
            texts.setdefault(new, text)
            delta = widths[cid] - member.width(code)
            if new != code or delta:
                member.remap[code] = (new, delta)
    program = _joined_program(members)
    if program is None:
        for member in members:
            member.remap.clear()
        return None
    return _font_dictionary(pdf, members[0], program, cids, texts, widths)


def _widths_by_most_use(members: list[_Member]) -> dict[int, float]:
    """Each CID's width: the one its chunks' fonts give most, by the pages and forms that use them (the first
    on a tie), so that fewest content streams need their positions given back."""
    tallies: dict[int, dict[float, int]] = {}
    for member in members:
        for cid in sorted(set(member.cids.values())):
            width = member.widths.get(cid, member.default_width)
            tally = tallies.setdefault(cid, {})
            tally[width] = tally.get(width, 0) + member.uses
    return {cid: max(tally, key=tally.__getitem__) for cid, tally in tallies.items()}


def _joined_program(members: list[_Member]) -> pikepdf.Object | bytes | None:
    """The members' programs made one, from as few as draw every glyph (the stream itself if one does)."""
    drawn = [set(member.cids.values()) for member in members]
    missing = set().union(*drawn)
    chosen: list[int] = []
    while missing:  # the program that draws most of what is missing first: fewer programs to read
        best = max(range(len(members)), key=lambda index: (len(drawn[index] & missing), -index))
        chosen.append(best)
        missing -= drawn[best]
    if len(chosen) == 1:
        return members[chosen[0]].program
    chosen.sort()
    return merge_programs([members[index].program.read_bytes() for index in chosen], [drawn[index] for index in chosen],
                          [max(members[index].texts, default=0) + 1 for index in chosen])


def _font_dictionary(pdf: pikepdf.Pdf, first: _Member, program: pikepdf.Object | bytes, cids: dict[int, int],
                     texts: dict[int, str], widths: dict[int, float]) -> pikepdf.Object:
    """A Type 0 font as WeasyPrint writes one, for the joined program, codes, widths and text."""
    if isinstance(program, bytes):
        extra = {"Subtype": first.program.Subtype} if "/Subtype" in first.program else {"Length1": len(program)}
        program = pikepdf.Stream(pdf, program, **extra)
    stream = program
    name = pikepdf.Name(f"/{_tag(stream.read_bytes())}+{str(first.font.BaseFont).split('+', 1)[-1]}")
    old_descriptor = first.descendant.FontDescriptor
    descriptor = pikepdf.Dictionary(dict(old_descriptor.items()))
    file_key = next(key for key in _FONT_FILES if key in old_descriptor)
    descriptor[file_key], descriptor.FontName = stream, name
    bbox = [float(value) for value in old_descriptor.FontBBox]
    descriptor.FontBBox = pikepdf.Array([0, bbox[1], max(widths.values(), default=0), bbox[3]])
    fixed_pitch = len(widths) > 1 and len(set(widths.values())) == 1
    descriptor.Flags = int(old_descriptor.Flags) & ~1 | int(fixed_pitch)
    if "/CIDSet" in old_descriptor:
        used = sorted(set(cids.values()))
        bits = bytearray((used[-1] // 8) + 1)
        for cid in used:
            bits[cid // 8] |= 0x80 >> (cid % 8)
        descriptor.CIDSet = pikepdf.Stream(pdf, bytes(bits))
    descendant = pikepdf.Dictionary(dict(first.descendant.items()))
    descendant.BaseFont, descendant.FontDescriptor = name, pdf.make_indirect(descriptor)
    descendant.W = _width_array(widths)
    font = pikepdf.Dictionary(Type=pikepdf.Name.Font, Subtype=pikepdf.Name.Type0, BaseFont=name,
                              ToUnicode=pikepdf.Stream(pdf, _to_unicode(texts)),
                              DescendantFonts=pikepdf.Array([pdf.make_indirect(descendant)]))
    if all(code == cid for code, cid in cids.items()):
        font.Encoding = pikepdf.Name("/Identity-H")
    else:
        font.Encoding = pikepdf.Stream(pdf, _encoding(cids), Type=pikepdf.Name.CMap,
                                       CMapName=pikepdf.Name("/WP-Encod-0"), CIDSystemInfo=_IDENTITY_INFO)
    return pdf.make_indirect(font)


def _rename(member: _Member, tag: str) -> None:
    name = pikepdf.Name(f"/{tag}+{str(member.font.BaseFont).split('+', 1)[-1]}")
    member.font.BaseFont = member.descendant.BaseFont = member.descendant.FontDescriptor.FontName = name


def _tag(program: bytes) -> str:
    """Six capitals from the program's digest, as WeasyPrint spells a subset tag."""
    return "".join(chr(65 + byte % 26) for byte in hashlib.sha256(program).digest()[:6])


def _number(value: float) -> int | float:
    return int(value) if value.is_integer() else value


def _width_array(widths: dict[int, float]) -> pikepdf.Array:
    """W in WeasyPrint's form: `first [w …]` for every run of consecutive CIDs."""
    items: list[object] = []
    for cid in sorted(widths):
        if cid - 1 not in widths:
            items += [cid, []]
        items[-1].append(_number(widths[cid]))  # type: ignore[attr-defined]
    return pikepdf.Array([pikepdf.Array(item) if isinstance(item, list) else item for item in items])


def _cmap(info: bytes, name: bytes, kind: bytes, body: list[bytes]) -> bytes:
    return b"\n".join([_CMAP_HEAD + info, b"/CMapName /" + name + b" def", b"/CMapType " + kind + b" def",
                       b"1 begincodespacerange", b"<0000> <ffff>", b"endcodespacerange", *body, b"endcmap",
                       b"CMapName currentdict /CMap defineresource pop", b"end", b"end"])


def _batches(lines: list[bytes], operator: bytes) -> list[bytes]:
    body: list[bytes] = []
    for start in range(0, len(lines), 100):
        body += [b"%d begin%s" % (len(lines[start:start + 100]), operator), *lines[start:start + 100],
                 b"end" + operator]
    return body


def _to_unicode(texts: dict[int, str]) -> bytes:
    lines = [b"<%04x> <%s>" % (code, texts[code].encode("utf-16-be").hex().encode()) for code in sorted(texts)]
    info = b"<< /Registry (Adobe)\n/Ordering (UCS)\n/Supplement 0\n>> def"
    return _cmap(info, b"Adobe-Identity-UCS", b"2", _batches(lines, b"bfchar"))


def _encoding(cids: dict[int, int]) -> bytes:
    lines = [b"<%04x> %d" % (code, cids[code]) for code in sorted(cids)]
    info = b"3 dict dup begin\n/Registry (Adobe) def\n/Ordering (Identity) def\n/Supplement 0 def\nend def"
    return _cmap(info, b"WP-Encod-0", b"1", _batches(lines, b"cidchar"))
