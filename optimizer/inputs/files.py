"""Reading input files: text, YAML and CSV, with the errors a user can act on.

Every problem is reported with its file, its row (CSV line number) or YAML path, the field and
what is wrong, and several problems are collected before giving up (``Collector``), so a user
fixes a file in one pass. Nothing is ever written. What a problem shows of the user's text goes
through ``text.printable`` (control and invisible characters escaped, long values cut).

CSV files are streamed (``open_csv``): read a line at a time, each row handed on and dropped, so
a file costs the memory of its parsed rows, not several copies of its text; the bytes, lines and
data rows read are counted and reading stops at the first limit crossed (``MAX_FILE_BYTES``,
``MAX_CSV_LINES``, the caller's row limit, ``MAX_LINE_CHARS``).
"""

from __future__ import annotations

import codecs
import csv
import difflib
import io
import reprlib
import types
import typing
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO, TypeVar

import yaml
from pydantic import BaseModel, ValidationError

from optimizer.errors import InputError, Problem
from optimizer.inputs.text import clean_id, nfc, printable

M = TypeVar("M", bound=BaseModel)

#: stop collecting after this many problems in one file
MAX_PROBLEMS = 50
#: refuse input files larger than this (bytes); a returns week of 50,000 parcels is ~6 MB and
#: the largest planned run (500,000 parcels) ~60 MB
MAX_FILE_BYTES = 512 * 1024 * 1024
#: refuse YAML files larger than this (bytes): the bundled ports.yaml is 17 kB; YAML is parsed
#: as a whole, at several times its size in memory
MAX_YAML_BYTES = 16 * 1024 * 1024
#: stop reading a CSV after this many lines, blank ones included (600,000 parcels, each
#: followed by a blank line, fit)
MAX_CSV_LINES = 2_000_000
#: refuse a CSV line longer than this (characters); a returns row is ~130
MAX_LINE_CHARS = 1024 * 1024
#: the longest file, YAML path and field shown in a message, and the longest message
SHOW_PATH_CHARS, SHOW_MESSAGE_CHARS = 400, 1000

_REPR = reprlib.Repr()
_REPR.maxstring, _REPR.maxother, _REPR.maxlevel = 80, 80, 3
_REPR.maxlist = _REPR.maxtuple = _REPR.maxdict = _REPR.maxset = 6


def problem(file: Path | str, where: str, field: str, message: str) -> Problem:
    """A Problem whose parts are safe to print (see ``text.printable``)."""
    return Problem(printable(str(file), SHOW_PATH_CHARS), printable(where, SHOW_PATH_CHARS),
                   printable(field, SHOW_PATH_CHARS), printable(message, SHOW_MESSAGE_CHARS))


def shown(value: Any) -> str:
    """A short repr of a value the user wrote, for a message (at most a few dozen items)."""
    return _REPR.repr(value)


def refuse(file: Path | str, where: str, field: str, message: str) -> InputError:
    """An InputError of one problem (to ``raise``)."""
    return InputError([problem(file, where, field, message)])


def nearest(word: object, known: Iterable[str]) -> str | None:
    """The known name closest to ``word`` (a typo's likely intent), or None if none is close.

    Compared case-insensitively, so ``KGS`` finds ``kg`` as ``kgs`` does."""
    names = {str(k).lower(): str(k) for k in known}
    found = difflib.get_close_matches(str(word).lower(), list(names), n=1)
    return names[found[0]] if found else None


def did_you_mean(word: object, known: Iterable[str]) -> str:
    """`` (did you mean X?)`` for the closest known name, or ``""``: the tail of a message."""
    found = nearest(word, known)
    return f" (did you mean {found}?)" if found is not None else ""


def unknown_key(key: object, allowed: Sequence[str], what: str = "key") -> str:
    """The message for a key (or column) no format has: what it is, the closest allowed one,
    and every allowed one, so the user can fix it without opening the README."""
    near = nearest(key, allowed)
    return (f"unknown {what} {shown(key)}" + (f"; did you mean {near}?" if near else "")
            + f" (allowed: {', '.join(allowed)})")


def _unwrap(tp: Any) -> Any:
    """A type without its ``Annotated`` metadata."""
    while typing.get_origin(tp) is typing.Annotated:
        tp = typing.get_args(tp)[0]
    return tp


def _is_model(tp: Any) -> bool:
    return isinstance(tp, type) and issubclass(tp, BaseModel)


def _step(tp: Any, part: Any) -> Any:
    """The type found at ``part`` (a field, an index, a key, or a union member's tag) inside a
    value of type ``tp``, as pydantic writes an error's location; None when it is not found."""
    tp = _unwrap(tp)
    origin = typing.get_origin(tp)
    if origin in (typing.Union, types.UnionType):
        members = [_unwrap(a) for a in typing.get_args(tp) if a is not type(None)]
        tagged = [m for m in members if getattr(m, "__name__", None) == part]
        if tagged:
            return tagged[0]
        return next((s for s in (_step(m, part) for m in members) if s is not None), None)
    if origin in (list, tuple, set, frozenset):
        return typing.get_args(tp)[0] if isinstance(part, int) else None
    if origin is dict:
        return typing.get_args(tp)[1]
    if _is_model(tp):
        for name, info in tp.model_fields.items():
            if part in (name, info.alias):
                return info.annotation
    return None


def allowed_keys(model: type[BaseModel], loc: Sequence[Any]) -> list[str]:
    """The keys the mapping at ``loc`` (an ``extra_forbidden`` error's location, the unknown
    key last) may hold, as the user writes them (aliases such as ``from``); [] if unknown."""
    tp: Any = model
    for part in loc[:-1]:
        tp = _step(tp, part)
        if tp is None:
            return []
    tp = _unwrap(tp)
    if typing.get_origin(tp) in (typing.Union, types.UnionType):
        tp = next((m for m in map(_unwrap, typing.get_args(tp)) if _is_model(m)), None)
    if not _is_model(tp):
        return []
    return [info.alias or name for name, info in tp.model_fields.items()]


def validation_message(e: Mapping[str, Any], model: type[BaseModel] | None = None) -> str:
    """The message of one pydantic error as a user reads it: an unknown key with the allowed
    ones and a did-you-mean (when ``model``, the validated model, is known), a value with what
    was got."""
    msg = str(e["msg"]).removeprefix("Value error, ")
    if e["type"] == "extra_forbidden":
        allowed = allowed_keys(model, e["loc"]) if model is not None else []
        key = e["loc"][-1] if e["loc"] else "?"
        return unknown_key(key, allowed) if allowed else \
            f"unknown key {shown(key)} (not part of the format)"
    if e["type"] in ("less_than_equal", "too_long", "string_too_long"):
        return f"{msg}, the limit for this field (got {shown(e.get('input'))})"
    if "input" in e and e["type"] not in ("missing",):
        return f"{msg} (got {shown(e['input'])})"
    return msg


class Collector:
    """Accumulates problems for one file and raises them together."""

    def __init__(self, file: Path | str) -> None:
        self.file = str(file)
        self.problems: list[Problem] = []

    def add(self, where: str, field: str, message: str) -> None:
        """Record one problem (the first ``MAX_PROBLEMS``; then a note that there are more)."""
        if len(self.problems) < MAX_PROBLEMS:
            self.problems.append(problem(self.file, where, field, message))
        elif len(self.problems) == MAX_PROBLEMS:
            self.problems.append(Problem(self.file, "", "", "too many problems; stopped here"))

    def stop(self, where: str, field: str, message: str) -> InputError:
        """The problems so far and this last one (a limit reached), to ``raise`` at once."""
        return InputError([*self.problems[:MAX_PROBLEMS],
                           problem(self.file, where, field, message)])

    def add_validation(self, err: ValidationError, where: str, prefix: str = "",
                       model: type[BaseModel] | None = None) -> None:
        """One problem per pydantic error: its YAML path or column, its message, what it got
        (an unknown key with the keys ``model`` allows there and a did-you-mean)."""
        for e in err.errors(include_url=False):
            loc = ".".join(str(x) for x in e["loc"])
            field = f"{prefix}{loc}" if prefix and loc else (prefix.rstrip(".") or loc)
            self.add(where, field, validation_message(e, model))

    @property
    def full(self) -> bool:
        return len(self.problems) > MAX_PROBLEMS

    def raise_if_any(self) -> None:
        if self.problems:
            raise InputError(self.problems)

    def validate(self, model: type[M], raw: Any) -> M:
        """``raw`` validated as ``model``, or InputError with one problem per pydantic error."""
        try:
            return model.model_validate(raw)
        except ValidationError as err:
            self.add_validation(err, "", model=model)
            self.raise_if_any()
            raise  # pragma: no cover - add_validation always adds


def _check_file(path: Path, limit: int) -> None:
    """The path names a readable regular file within ``limit`` bytes."""
    try:
        if not path.exists():
            raise refuse(path, "", "", "file not found")
        if not path.is_file():
            raise refuse(path, "", "", "not a file")
        size = path.stat().st_size
    except OSError as exc:
        raise refuse(path, "", "", f"cannot read it: {exc.strerror or exc}") from None
    if size > limit:
        raise refuse(path, "", "", f"file too large ({size:,} bytes, limit {limit:,})")


def _decode_problem(path: Path, stream: Iterable[bytes]) -> InputError:
    """The problem of a file that is not UTF-8: the byte where it fails, and whether it is GBK
    (the usual culprit: a spreadsheet saved with the Chinese Windows default)."""
    utf8 = codecs.getincrementaldecoder("utf-8")()
    gbk = codecs.getincrementaldecoder("gbk")()
    offset, bad, is_gbk = 0, None, True
    for chunk in stream:
        if bad is None:
            try:
                utf8.decode(chunk)
            except UnicodeDecodeError as exc:
                bad = offset - len(utf8.getstate()[0]) + exc.start
        if is_gbk:
            try:
                gbk.decode(chunk)
            except UnicodeDecodeError:
                is_gbk = False
        offset += len(chunk)
        if bad is not None and not is_gbk:
            break
    hint = " (it looks like GBK: re-save it as UTF-8)" if is_gbk else ""
    return refuse(path, f"byte {bad if bad is not None else offset}", "", f"not valid UTF-8{hint}")


def check_file(path: Path, limit: int = MAX_FILE_BYTES) -> None:
    """Raise InputError unless ``path`` is a readable regular file within ``limit`` bytes."""
    _check_file(path, limit)


def _chunks(data: bytes, size: int = 1 << 20) -> Iterator[bytes]:
    for i in range(0, len(data), size):
        yield data[i:i + size]


def _file_chunks(path: Path, size: int = 1 << 20) -> Iterator[bytes]:
    with path.open("rb") as fh:
        while chunk := fh.read(size):
            yield chunk


def read_text(path: Path, limit: int | None = None) -> str:
    """Read a whole UTF-8 text file (a BOM is accepted; at most ``limit`` bytes, by default
    ``MAX_FILE_BYTES``), with clear errors for the usual mistakes. For YAML and small files;
    CSV files are streamed (``open_csv``)."""
    limit = MAX_FILE_BYTES if limit is None else limit
    _check_file(path, limit)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise refuse(path, "", "", f"cannot read it: {exc.strerror or exc}") from None
    if len(data) > limit:  # it grew since it was measured
        raise refuse(path, "", "", f"file too large (more than {limit:,} bytes)")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise _decode_problem(path, _chunks(data)) from None
    col = Collector(path)
    if "\x00" in text:
        col.add("", "", "contains NUL bytes: not a text file")
    if not text.strip():
        col.add("", "", "file is empty")
    col.raise_if_any()
    return text


#: YAML nesting deeper than this is refused (no input format nests beyond 6 levels)
MAX_YAML_DEPTH = 64
#: a YAML document whose aliases would expand to more nodes than this is refused
MAX_YAML_NODES = 1_000_000


class _SafeLoader(yaml.SafeLoader):
    """A safe loader that bounds the work a small file can cause, and refuses duplicate keys.

    - Nesting deeper than ``MAX_YAML_DEPTH`` is refused while composing (before Python's own
      recursion limit is reached).
    - Aliases are counted at their expanded size as the document is composed (each node's
      size once, in linear time): a "billion laughs" document of a few hundred bytes is refused
      before anything expands it (a message, a merge, a validator). An alias inside the value
      it names (``&a [*a]``, a structure that contains itself) is refused.
    - A key written twice in one mapping is an error, not "the last one wins"; keys brought in
      by a merge key (``<<: *base``) may be overridden, as YAML intends.
    - Every string is normalised to Unicode NFC as it is built, so two spellings of one text
      (``é`` as one code point or two) are one key, one id, one value.
    """

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self._depth = 0
        self._total = 0
        self._sizes: dict[int, int] = {}

    def compose_node(self, parent: Any, index: Any) -> Any:
        """Compose one node, counting its expanded size and its depth (see the class)."""
        if self.check_event(yaml.AliasEvent):
            event = self.peek_event()
            node = super().compose_node(parent, index)
            if id(node) not in self._sizes:  # its anchor's node is still being composed
                raise yaml.composer.ComposerError(
                    None, None, f"the alias *{event.anchor} refers to a value that contains "
                    "it (a recursive structure)", event.start_mark)
            self._count(self._sizes[id(node)], event.start_mark)
            return node
        self._depth += 1
        if self._depth > MAX_YAML_DEPTH:
            raise yaml.composer.ComposerError(
                None, None, f"nested deeper than {MAX_YAML_DEPTH} levels",
                self.peek_event().start_mark)
        start = self._total
        node = super().compose_node(parent, index)
        self._depth -= 1
        self._count(1, node.start_mark)
        self._sizes[id(node)] = self._total - start
        return node

    def _count(self, n: int, mark: Any) -> None:
        self._total += n
        if self._total > MAX_YAML_NODES:
            raise yaml.composer.ComposerError(
                None, None, f"the document expands to more than {MAX_YAML_NODES:,} values "
                "(aliases repeated inside aliases?)", mark)

    def construct_object(self, node: yaml.Node, deep: bool = False) -> Any:
        """Build one value; a value its tag cannot hold (``2025-02-30``, ``!!int 0x``) is a YAML
        error at its line, not a Python exception."""
        try:
            return super().construct_object(node, deep=deep)  # type: ignore[no-untyped-call]
        except (ValueError, TypeError, AttributeError, OverflowError) as exc:
            raise yaml.constructor.ConstructorError(
                None, None, f"cannot read {shown(node.value)} as {node.tag.rsplit(':', 1)[-1]}"
                f" ({exc})", node.start_mark) from None

    def construct_nfc_str(self, node: yaml.ScalarNode) -> str:
        """A string scalar, in NFC."""
        return nfc(self.construct_scalar(node))  # type: ignore[no-untyped-call]

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        seen: set[Any] = set()
        for key_node, _ in node.value:
            if key_node.tag == "tag:yaml.org,2002:merge":
                continue
            key = self.construct_object(key_node, deep=deep)  # type: ignore[no-untyped-call]
            try:
                duplicate = key in seen
            except TypeError:  # an unhashable key: let the base class report it
                break
            if duplicate:
                raise yaml.constructor.ConstructorError(
                    None, None, f"duplicate key {key!r}", key_node.start_mark)
            seen.add(key)
        return super().construct_mapping(node, deep=deep)


_SafeLoader.add_constructor("tag:yaml.org,2002:str", _SafeLoader.construct_nfc_str)


def read_yaml(path: Path) -> Any:
    """Parse a YAML file, turning syntax errors into a problem with line and column."""
    text = read_text(path, MAX_YAML_BYTES)
    try:
        return yaml.load(text, Loader=_SafeLoader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        what = getattr(exc, "problem", None) or str(exc)
        raise refuse(path, where, "", f"invalid YAML: {what}") from None


class _CountingReader(io.RawIOBase):
    """A binary file that counts the bytes read and refuses to read past ``limit`` (a file may
    grow while it is read, or report no size at all)."""

    def __init__(self, raw: BinaryIO, path: Path, limit: int) -> None:
        super().__init__()
        self._raw, self._path, self._limit = raw, path, limit
        self.count = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        """Read into ``buffer`` from the file, counting."""
        n = self._raw.readinto(buffer) or 0
        self.count += n
        if self.count > self._limit:
            raise refuse(self._path, "", "", f"file too large (more than {self._limit:,} bytes)")
        return n


class CsvTable:
    """A CSV file read a row at a time: ``header`` (checked), then ``rows(collector)``.

    Blank lines are skipped without being kept; a NUL byte, a line over ``MAX_LINE_CHARS``,
    text that is not UTF-8, more than ``MAX_CSV_LINES`` lines or more than ``max_rows`` data
    rows stop the reading with the problems found so far.
    """

    def __init__(self, path: Path, text: io.TextIOBase, max_rows: int, what: str) -> None:
        self.path, self.max_rows, self.what = path, max_rows, what
        self.header: list[str] = []
        self._text = text
        self._reader = csv.reader(self._lines())

    def _lines(self) -> Iterator[str]:
        """The file's lines (ends kept, as ``csv`` wants them), checked as they are read."""
        number = 0
        while True:
            try:
                line = self._text.readline(MAX_LINE_CHARS)
            except UnicodeDecodeError:
                raise _decode_problem(self.path, _file_chunks(self.path)) from None
            if not line:
                return
            number += 1
            if "\x00" in line:
                raise refuse(self.path, f"line {number}", "", "contains NUL bytes: not a text file")
            if len(line) >= MAX_LINE_CHARS and line[-1] not in "\r\n":
                raise refuse(self.path, f"line {number}", "",
                             f"line longer than {MAX_LINE_CHARS:,} characters (the limit)")
            if number > MAX_CSV_LINES:
                raise refuse(self.path, f"line {number}", "",
                             f"more than {MAX_CSV_LINES:,} lines (the limit per CSV file, blank "
                             "lines included); stopped reading here")
            yield line

    def _records(self, col: Collector) -> Iterator[list[str]]:
        """The non-blank CSV records; a malformed one is a problem and ends the reading."""
        try:
            for values in self._reader:
                if values and any(v.strip() for v in values):
                    yield values
        except csv.Error as exc:
            col.add(f"line {self._reader.line_num}", "", f"malformed CSV: {exc}")

    def read_header(self, required: list[str], optional: list[str]) -> None:
        """The header row: every required column present, no name twice, none empty."""
        col = Collector(self.path)
        first = next(self._records(col), None)
        col.raise_if_any()
        if first is None:
            raise refuse(self.path, "", "", "file is empty")
        self.header = _check_header(self.path, first, required, optional)

    def rows(self, col: Collector) -> Iterator[tuple[int, dict[str, str]]]:
        """(line number, row) of each data row; ragged rows are problems in ``col``."""
        count = 0
        for values in self._records(col):
            line = self._reader.line_num
            if len(values) != len(self.header):
                col.add(f"line {line}", "", f"{len(values)} values for {len(self.header)} columns")
            else:
                count += 1
                if count > self.max_rows:
                    raise col.stop(f"line {line}", "", f"more than {self.max_rows:,} "
                                   f"{self.what} (the limit per run); stopped reading here")
                yield line, {h: v.strip() for h, v in zip(self.header, values, strict=True)}
            if col.full:
                return
        if count == 0:
            col.raise_if_any()
            raise refuse(self.path, "", "", "no data rows")


@contextmanager
def open_csv(path: Path, required: Iterable[str], optional: Iterable[str] = (), *,
             max_rows: int = MAX_CSV_LINES, what: str = "rows") -> Iterator[CsvTable]:
    """Open a CSV with a header row for reading row by row (see ``CsvTable``)."""
    _check_file(path, MAX_FILE_BYTES)
    try:
        raw = path.open("rb", buffering=0)
    except OSError as exc:
        raise refuse(path, "", "", f"cannot read it: {exc.strerror or exc}") from None
    counting = _CountingReader(raw, path, MAX_FILE_BYTES)
    text = io.TextIOWrapper(io.BufferedReader(counting, 1 << 16), encoding="utf-8-sig",
                            newline="")
    try:
        table = CsvTable(path, text, max_rows, what)
        table.read_header(list(required), list(optional))
        yield table
    except OSError as exc:
        raise refuse(path, "", "", f"cannot read it: {exc.strerror or exc}") from None
    finally:
        text.close()
        raw.close()


def read_csv(path: Path, required: Iterable[str], optional: Iterable[str] = (), *,
             max_rows: int = MAX_CSV_LINES, what: str = "rows") -> tuple[
        list[str], list[tuple[int, dict[str, str]]]]:
    """Read a whole CSV with a header row (for small files); returns the header and (line
    number, row) pairs, or raises every shape problem found."""
    col = Collector(path)
    with open_csv(path, required, optional, max_rows=max_rows, what=what) as table:
        rows = list(table.rows(col))
    col.raise_if_any()
    return table.header, rows


def _check_header(path: Path, raw: list[str], required: list[str],
                  optional: list[str], where: str = "line 1") -> list[str]:
    """The header's names (stripped, NFC): every required column present, none twice, none
    empty, none with control or invisible characters."""
    col = Collector(path)
    header = []
    for name in raw:
        try:
            header.append(clean_id(name.strip(), "the column name"))
        except ValueError as exc:
            col.add(where, name, str(exc))
            header.append(name.strip())
    present = set(header)
    missing = [c for c in required if c not in present]
    if missing:
        col.add(where, ", ".join(missing), "missing column(s); expected "
                + ", ".join(required) + (" (optional: " + ", ".join(optional) + ")"
                                         if optional else ""))
    dupes = sorted(h for h, n in Counter(header).items() if n > 1)
    if dupes:
        col.add(where, ", ".join(dupes), "duplicate column name(s)")
    if any(not h for h in header):
        col.add(where, "", "empty column name in the header")
    col.raise_if_any()
    return header


def blank_to_none(row: Mapping[str, str], keys: Iterable[str]) -> dict[str, Any]:
    """The row with the empty cells of ``keys`` as None (an optional column left blank)."""
    out: dict[str, Any] = dict(row)
    for k in keys:
        if k in out and out[k] == "":
            out[k] = None
    return out


# ---- tables: a CSV file or a sheet of an Excel workbook -------------------------------------

#: columns read from a spreadsheet row (a rate sheet has ~20; a stray cell far to the right of
#: the table is not read)
MAX_SHEET_COLUMNS = 1_000


@dataclass(frozen=True, slots=True)
class Table:
    """A small table read whole: its header and its non-blank data rows as text.

    ``file`` names it in messages (the path, and the sheet of a workbook); ``rows`` holds
    (where, row) pairs, ``where`` being ``line N`` of a CSV or ``row N`` of a sheet, and every
    cell is stripped text (``""`` for a blank one), whatever the spreadsheet stored.
    """

    file: str
    header: list[str]
    header_where: str
    rows: list[tuple[str, dict[str, str]]]


def read_table(path: Path, required: Iterable[str], optional: Iterable[str] = (), *,
               sheet: str, max_rows: int, what: str = "rows") -> Table:
    """Read a CSV file, or an ``.xlsx`` workbook's sheet named ``sheet`` (else its first
    sheet), whole: the header checked like a CSV's (required columns present, none twice, none
    empty), then every row. Cells of a workbook may be real dates and numbers or text; they
    are turned into the text a CSV would hold (dates ISO, numbers as Python writes them)."""
    if path.suffix.lower() in (".xlsx", ".xlsm"):
        return _read_sheet(path, list(required), list(optional), sheet, max_rows, what)
    if path.suffix.lower() in (".xls", ".xlsb", ".ods", ".numbers"):
        raise refuse(path, "", "", f"a {path.suffix} workbook cannot be read: save it as .xlsx "
                     "or as CSV (UTF-8)")
    header, rows = read_csv(path, required, optional, max_rows=max_rows, what=what)
    return Table(str(path), header, "line 1", [(f"line {n}", row) for n, row in rows])


def cell_text(value: Any) -> str:
    """A spreadsheet cell as the text a CSV would hold: ISO dates (a datetime at midnight is its
    date), integers without a decimal point, other numbers as Python writes them."""
    import datetime as dt

    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    return str(value).strip()


def _header_text(value: Any) -> str:
    """A header cell: a number (Excel turns a typed ``+45`` into 45) is the break ``+45``."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        return "+" + cell_text(value)
    return cell_text(value)


def _read_sheet(path: Path, required: list[str], optional: list[str], sheet: str,
                max_rows: int, what: str) -> Table:
    """``read_table`` for a workbook (openpyxl, read-only, formulas' cached values)."""
    _check_file(path, MAX_FILE_BYTES)
    try:
        import openpyxl

        book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except InputError:
        raise
    except Exception as exc:  # any failure of the parser: a file it cannot read
        raise refuse(path, "", "", "cannot read it as an Excel workbook (.xlsx): "
                     f"{type(exc).__name__}: {exc}") from None
    try:
        ws = book[sheet] if sheet in book.sheetnames else book.worksheets[0]
        label = f"{path} (sheet {ws.title})"
        return _sheet_table(path, label, ws, required, optional, max_rows, what)
    except InputError:
        raise
    except Exception as exc:  # a corrupt sheet fails while it is read
        raise refuse(path, "", "", "cannot read it as an Excel workbook (.xlsx): "
                     f"{type(exc).__name__}: {exc}") from None
    finally:
        book.close()


def _sheet_table(path: Path, label: str, ws: Any, required: list[str], optional: list[str],
                 max_rows: int, what: str) -> Table:
    """The header and rows of one worksheet (blank rows skipped, a value right of the last
    named column refused)."""
    it = ws.iter_rows(values_only=True, max_col=MAX_SHEET_COLUMNS)
    first = next(it, None)
    names = [_header_text(v) for v in (first or ())]
    while names and names[-1] == "":
        names.pop()
    if not names:
        raise refuse(label, "row 1", "", "no header row (the first row names the columns)")
    header = _check_header(Path(label), names, required, optional, "row 1")
    col = Collector(label)
    rows: list[tuple[str, dict[str, str]]] = []
    for n, values in enumerate(it, start=2):
        cells = [cell_text(v) for v in values]
        if not any(cells):
            continue
        if any(cells[len(header):]):
            col.add(f"row {n}", "", f"a value right of the last named column "
                    f"({len(header)} columns)")
            continue
        if len(rows) >= max_rows:
            raise col.stop(f"row {n}", "", f"more than {max_rows:,} {what} (the limit); "
                           "stopped reading here")
        cells += [""] * (len(header) - len(cells))
        rows.append((f"row {n}", dict(zip(header, cells, strict=False))))
    col.raise_if_any()
    if not rows:
        raise refuse(label, "", "", "no data rows")
    return Table(label, header, "row 1", rows)
