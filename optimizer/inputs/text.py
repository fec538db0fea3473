"""Text read from inputs: ids and free text in one Unicode form, invisible characters refused.

Two strings that look the same must be the same id, and nothing a user wrote may drive the
terminal that prints it. So every id (``parcel_id``, ``lane_id``, the ids an override names) is
normalised to NFC (``é`` typed as one code point or as ``e`` + a combining accent is one id) and
refused if it holds a control character (Unicode category Cc: escape sequences, NUL, tabs), a
format character (Cf: zero-width spaces and joiners, bidi marks and overrides), a line or
paragraph separator, a lone surrogate, or leading or trailing whitespace. Free text (names,
sources, descriptions, extra CSV columns) is normalised to NFC and refused only for control
characters other than tab (and newline where the field may span lines) and lone surrogates.

``printable`` is the other half: every problem message shows user text through it, with such
characters escaped (``\\x1b``, ``\\u202e``) and long values cut, so even a refused value is
shown safely and briefly.
"""

from __future__ import annotations

import re
import unicodedata

#: categories an id may not contain: control, format, line/paragraph separator, surrogate
ID_FORBIDDEN = frozenset({"Cc", "Cf", "Zl", "Zp", "Cs"})
#: categories free text may not contain (tab, and newline in multi-line text, excepted)
TEXT_FORBIDDEN = frozenset({"Cc", "Cs"})
#: characters ``printable`` escapes: what an id may not hold, and unassigned/private code points
UNPRINTABLE = ID_FORBIDDEN | {"Co", "Cn"}
#: user text longer than this is cut in messages
SHOW_CHARS = 120

_ASCII_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_ASCII_TEXT_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")  # tab, CR, LF allowed
_ASCII_LINE_CONTROL = re.compile(r"[\x00-\x08\x0a-\x1f\x7f]")  # tab allowed


def describe(ch: str) -> str:
    """A character as a reader can identify it: ``U+200B ZERO WIDTH SPACE``."""
    name = unicodedata.name(ch, "") or {"\t": "TAB", "\n": "LINE FEED", "\r": "CARRIAGE RETURN",
                                        "\x1b": "ESCAPE", "\x00": "NUL"}.get(ch, "")
    return f"U+{ord(ch):04X}" + (f" {name}" if name else "")


def _kind(category: str) -> str:
    """What a character of ``category`` is, in words."""
    return {"Cc": "a control character", "Cf": "an invisible format character",
            "Zl": "a line separator", "Zp": "a paragraph separator",
            "Cs": "a lone surrogate (not valid Unicode)"}.get(category, "a forbidden character")


def _first_forbidden(text: str, forbidden: frozenset[str], allowed: str) -> tuple[int, str] | None:
    """Position and character of the first character of a forbidden category, if any."""
    for i, ch in enumerate(text):
        if ch not in allowed and unicodedata.category(ch) in forbidden:
            return i, ch
    return None


def _refuse(found: tuple[int, str], what: str) -> ValueError:
    """The error for the character ``found`` (position, character) in ``what``."""
    i, ch = found
    return ValueError(f"{what} contains {_kind(unicodedata.category(ch))} ({describe(ch)}) at "
                      f"character {i + 1}")


def nfc(text: str) -> str:
    """``text`` in Unicode normal form C (ASCII, the common case, is returned as it is)."""
    if text.isascii() or unicodedata.is_normalized("NFC", text):
        return text
    return unicodedata.normalize("NFC", text)


def clean_id(value: str, what: str = "an id") -> str:
    """An id in NFC, or ValueError if it holds an invisible or control character or starts or
    ends with whitespace (see the module docstring)."""
    if value.isascii():
        match = _ASCII_CONTROL.search(value)
        found = (match.start(), match.group()) if match else None
    else:
        value = nfc(value)
        found = _first_forbidden(value, ID_FORBIDDEN, "")
    if found is not None:
        raise _refuse(found, what)
    if value != value.strip():
        raise ValueError(f"{what} starts or ends with whitespace")
    return value


def clean_text(value: str, what: str = "text", multiline: bool = False) -> str:
    """Free text in NFC, or ValueError if it holds a control character other than tab (and
    newline / carriage return when ``multiline``) or a lone surrogate."""
    allowed = "\t\n\r" if multiline else "\t"
    if value.isascii():
        pattern = _ASCII_TEXT_CONTROL if multiline else _ASCII_LINE_CONTROL
        match = pattern.search(value)
        found = (match.start(), match.group()) if match else None
    else:
        value = nfc(value)
        found = _first_forbidden(value, TEXT_FORBIDDEN, allowed)
    if found is not None:
        raise _refuse(found, what)
    return value


def check_id(value: str) -> str:
    """Pydantic validator form of ``clean_id``."""
    return clean_id(value)


def check_text(value: str) -> str:
    """Pydantic validator form of ``clean_text`` (one line)."""
    return clean_text(value)


def check_multiline(value: str) -> str:
    """Pydantic validator form of ``clean_text`` for text that may span lines."""
    return clean_text(value, multiline=True)


def check_name(value: str) -> str:
    """A scenario name: an id that is also safe as part of a file name (no path separators;
    it names output folders such as ``out/sweep-NAME``)."""
    value = clean_id(value, "the name")
    for sep in ("/", "\\"):
        if sep in value:
            raise ValueError(f"the name contains a path separator {sep!r}: it names output "
                             "folders")
    return value


def printable(value: object, limit: int = SHOW_CHARS) -> str:
    """``value`` as text safe for a terminal: unprintable characters escaped, cut at ``limit``."""
    text = value if isinstance(value, str) else str(value)
    if len(text) > limit:
        text = text[:limit] + f"… ({len(text):,} characters)"
    if text.isascii() and not _ASCII_CONTROL.search(text):
        return text
    out = []
    for ch in text:
        if unicodedata.category(ch) in UNPRINTABLE:
            code = ord(ch)
            out.append(f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}" if code < 0x10000
                       else f"\\U{code:08x}")
        else:
            out.append(ch)
    return "".join(out)
