"""OFAC Sanctions List Service ENHANCED_XML exports: CONS_ENHANCED.ZIP and SDN_ENHANCED.ZIP.

OFAC publishes each list as a ZIP holding one XML file (``CONS_ENHANCED.ZIP`` ->
``CONS_ENHANCED.XML``). The XML is ``<sanctionsData>`` in the ``.../exports/ENHANCED_XML``
namespace: ``publicationInfo`` (``dataAsOf``), ``referenceValues`` (countries with ISO codes ...),
``featureTypes`` (with the legacy "DOB"/"POB" labels) and ``entities``.

Files: the canonical name is the ZIP. The bare XML is accepted under the same canonical name:
``file_aliases`` maps ``cons_enhanced.xml`` -> ``CONS_ENHANCED.ZIP`` and the content is sniffed
(``PK`` = ZIP, ``<`` = XML), so ``update --from DIR`` works with either. We chose an alias over a
second canonical name because a spec's canonical names are all *required* files.

Safety: the XML is parsed only with defusedxml, streamed with ``iterparse`` so that
SDN_ENHANCED.XML (well over 100 MB) never sits in memory as a tree. A ZIP whose declared
uncompressed size exceeds :data:`MAX_XML_BYTES` is refused before anything is extracted (zip
bomb); ``zipfile`` itself stops at the declared size and checks the CRC at the end of the member.

How an entity becomes a :class:`~entityscreen.model.Party` is in :mod:`.ofac_enhanced_entity`.
"""

from __future__ import annotations

import io
import zipfile
import zlib
from collections.abc import Iterator
from functools import partial
from typing import Protocol
from xml.etree.ElementTree import Element, ParseError

import defusedxml.ElementTree as DET
from defusedxml import DefusedXmlException

from entityscreen.errors import SourceFormatError
from entityscreen.model import Party
from entityscreen.sources import Files, SourceSpec
from entityscreen.sources.common import iso_date
from entityscreen.sources.ofac_enhanced_entity import Context, entity_party

__all__ = ["MAX_XML_BYTES", "SOURCES", "parse_enhanced", "published_enhanced"]

# The SDN export is ~100-150 MB of XML today; 1 GiB leaves room to grow while still refusing
# a zip bomb long before it can exhaust memory or disk.
MAX_XML_BYTES = 1 << 30

BASE_URL = "https://sanctionslistservice.ofac.treas.gov/api/PublicationPreview/exports/"
_FIX_DOWNLOAD = "the download is truncated or damaged; download it again"


class _Readable(Protocol):
    def read(self, size: int = -1, /) -> bytes: ...


# --------------------------------------------------------------------------- container


class _ZipMemberReader:
    """Reads one ZIP member, turning zipfile/zlib failures (bad CRC ...) into SourceFormatError."""

    def __init__(self, stream: _Readable, label: str) -> None:
        self._stream = stream
        self._label = label
        self._total = 0

    def read(self, size: int = -1, /) -> bytes:
        try:
            chunk = self._stream.read(size)
        except (zipfile.BadZipFile, zlib.error, EOFError, OSError, ValueError) as exc:
            raise SourceFormatError(
                self._label, f"the ZIP member cannot be extracted ({exc})", fix=_FIX_DOWNLOAD
            ) from None
        self._total += len(chunk)
        if self._total > MAX_XML_BYTES:  # belt and braces: zipfile stops at the declared size
            raise SourceFormatError(
                self._label, f"more than {MAX_XML_BYTES:,} bytes uncompressed", fix=_FIX_DOWNLOAD
            )
        return chunk


def _pick_member(zf: zipfile.ZipFile, file: str) -> zipfile.ZipInfo:
    xmls = [i for i in zf.infolist() if not i.is_dir() and i.filename.lower().endswith(".xml")]
    if not xmls:
        names = ", ".join(i.filename for i in zf.infolist()) or "nothing"
        raise SourceFormatError(
            file,
            f"the ZIP archive holds no XML file (it holds {names})",
            fix="is this OFAC's CONS_ENHANCED.ZIP / SDN_ENHANCED.ZIP?",
        )
    if len(xmls) == 1:
        return xmls[0]
    expected = file.rsplit(".", 1)[0].lower() + ".xml"
    for info in xmls:
        if info.filename.rsplit("/", 1)[-1].lower() == expected:
            return info
    raise SourceFormatError(
        file,
        f"the ZIP archive holds {len(xmls)} XML files and none is named {expected.upper()}",
        fix="is this OFAC's ENHANCED_XML export?",
    )


def _open_zip(data: bytes, file: str) -> tuple[_Readable, str]:
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
        info = _pick_member(zf, file)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, OSError, ValueError) as exc:
        raise SourceFormatError(
            file, f"not a readable ZIP archive ({exc})", fix=_FIX_DOWNLOAD
        ) from None
    label = f"{file}:{info.filename}"
    if info.file_size > MAX_XML_BYTES:
        raise SourceFormatError(
            label,
            f"declares {info.file_size:,} bytes uncompressed, over the {MAX_XML_BYTES:,}-byte "
            "limit (a zip bomb?)",
            fix="download the file from OFAC again",
        )
    if info.flag_bits & 0x1:
        raise SourceFormatError(label, "the ZIP member is encrypted", fix=_FIX_DOWNLOAD)
    try:
        stream = zf.open(info)
    except (zipfile.BadZipFile, NotImplementedError, RuntimeError, OSError, ValueError) as exc:
        raise SourceFormatError(
            label, f"the ZIP member cannot be opened ({exc})", fix=_FIX_DOWNLOAD
        ) from None
    return _ZipMemberReader(stream, label), label


def _open(files: Files, file: str) -> tuple[_Readable, str]:
    """The XML stream inside ``files[file]`` (a ZIP or the bare XML) and a label for errors."""
    data = files.get(file)
    if data is None:
        raise SourceFormatError(file, "the file is missing", fix=f"download {BASE_URL}{file}")
    if not data:
        raise SourceFormatError(file, "the file is empty", fix="download it again")
    if data.startswith(b"PK"):
        return _open_zip(data, file)
    if data[:64].lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"<"):
        if len(data) > MAX_XML_BYTES:
            raise SourceFormatError(file, f"more than {MAX_XML_BYTES:,} bytes of XML")
        return io.BytesIO(data), file
    raise SourceFormatError(
        file,
        "neither a ZIP archive nor an XML file",
        fix=f"download OFAC's ENHANCED_XML export from {BASE_URL}{file}",
    )


# --------------------------------------------------------------------------- XML stream


class _Prefixed:
    """A stream whose first bytes were already read (to sniff the root element)."""

    def __init__(self, head: bytes, rest: _Readable) -> None:
        self._head = head
        self._rest = rest

    def read(self, size: int = -1, /) -> bytes:
        if self._head:
            head, self._head = self._head, b""
            return head
        return self._rest.read(size)


def _root_tag(stream: _Readable) -> tuple[_Readable, str | None]:
    """The root element's tag, read from the first 16 KiB, and the stream to parse in full."""
    head = stream.read(1 << 14)
    tag = None
    try:
        for _, elem in DET.iterparse(io.BytesIO(head), events=("start",)):
            tag = elem.tag
            break
    except (ParseError, DefusedXmlException):
        pass  # the full parse below reports it, with the line
    return _Prefixed(head, stream), tag


def _events(stream: _Readable, label: str, events: tuple[str, ...]) -> Iterator[Element]:
    try:
        for _, elem in DET.iterparse(stream, events=events):
            yield elem
    except ParseError as exc:
        line = exc.position[0] if getattr(exc, "position", None) else None
        raise SourceFormatError(
            label, f"malformed XML ({exc.msg})", line=line, fix=_FIX_DOWNLOAD
        ) from None
    except DefusedXmlException as exc:
        raise SourceFormatError(
            label, f"unsafe XML refused ({exc})", fix="is this OFAC's original file?"
        ) from None


def _namespace(tag: str, label: str) -> str:
    ns, local = tag[1:].split("}", 1) if tag.startswith("{") else ("", tag)
    if local != "sanctionsData" or not ns.endswith("ENHANCED_XML"):
        raise SourceFormatError(
            label,
            f"not an OFAC ENHANCED_XML export (the root element is <{local}>)",
            fix=f"use CONS_ENHANCED.ZIP / SDN_ENHANCED.ZIP from {BASE_URL}; the legacy "
            "sdn.xml/consolidated.xml and sdn_advanced.xml have their own sources",
        )
    return ns


def _open_xml(files: Files, file: str) -> tuple[_Readable, str, str]:
    """The XML stream, a label for errors, and the namespace; refuses other XML at once."""
    stream, label = _open(files, file)
    stream, root = _root_tag(stream)
    if root is None:  # not even a start tag: let the parser say what is wrong, and where
        for _ in _events(stream, label, ("start",)):
            break
        raise SourceFormatError(label, "no XML element found", fix=_FIX_DOWNLOAD)
    return stream, label, _namespace(root, label)


def parse_enhanced(files: Files, *, source: str, file: str, url: str) -> Iterator[Party]:
    """Stream the entities of one ENHANCED_XML export as parties."""
    stream, label, ns = _open_xml(files, file)
    ctx = Context(ns, source=source, url=url, label=label)
    # Tags compared on each of the ~10^6 elements of the SDN export: build them once. Only
    # "end" events: "start" events would double the work for nothing.
    t_entities, t_entity = ctx.tag("entities"), ctx.tag("entity")
    t_reference, t_feature = ctx.tag("referenceValue"), ctx.tag("featureType")
    count = 0
    have_entities = False
    for elem in _events(stream, label, ("end",)):
        tag = elem.tag
        if tag == t_entity:
            count += 1
            yield entity_party(elem, ctx, count)
            elem.clear()  # keep memory flat on the 100+ MB SDN export
        elif tag == t_reference:
            ctx.add_reference_value(elem)
        elif tag == t_feature:
            ctx.add_feature_type(elem)
        elif tag == t_entities:
            have_entities = True
    if not have_entities:
        raise SourceFormatError(
            label, "no <entities> element", fix="is this OFAC's ENHANCED_XML export?"
        )
    if count == 0:
        raise SourceFormatError(label, "the list holds no entity records", fix=_FIX_DOWNLOAD)


def published_enhanced(files: Files, *, file: str) -> str | None:
    """``publicationInfo/dataAsOf`` (e.g. ``2025-01-10T00:00:00`` -> ``2025-01-10``)."""
    stream, label, ns = _open_xml(files, file)
    data_as_of, info = f"{{{ns}}}dataAsOf", f"{{{ns}}}publicationInfo"
    for elem in _events(stream, label, ("end",)):
        if elem.tag == data_as_of:
            return iso_date(elem.text)
        if elem.tag == info:  # publicationInfo comes first: no need to read the rest
            return None
    return None


def _spec(name: str, title: str, file: str) -> SourceSpec:
    url = BASE_URL + file
    xml_name = file.rsplit(".", 1)[0] + ".XML"
    return SourceSpec(
        name=name,
        title=title,
        publisher="US Treasury OFAC",
        urls={file: url},
        parse=partial(parse_enhanced, source=name, file=file, url=url),
        published=partial(published_enhanced, file=file),
        file_aliases={xml_name.lower(): file},
    )


SOURCES = (
    _spec(
        "ofac_cons_enhanced",
        "OFAC Consolidated (non-SDN) List, ENHANCED_XML",
        "CONS_ENHANCED.ZIP",
    ),
    _spec("ofac_sdn_enhanced", "OFAC SDN List, ENHANCED_XML", "SDN_ENHANCED.ZIP"),
)
