"""Reading input files: text, YAML and CSV, with the errors a user can act on.

Every problem is reported with its file, its row (CSV line number) or YAML path, the field and
what is wrong, and several problems are collected before giving up (``Collector``), so a user
fixes a file in one pass. Nothing is ever written.
"""

from __future__ import annotations

import csv
import io as _io
from collections import Counter
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from optimizer.errors import InputError, Problem

#: stop collecting after this many problems in one file
MAX_PROBLEMS = 50
#: refuse input files larger than this (bytes); a returns week of 50,000 parcels is ~6 MB
MAX_FILE_BYTES = 512 * 1024 * 1024


class Collector:
    """Accumulates problems for one file and raises them together."""

    def __init__(self, file: Path | str) -> None:
        self.file = str(file)
        self.problems: list[Problem] = []

    def add(self, where: str, field: str, message: str) -> None:
        if len(self.problems) < MAX_PROBLEMS:
            self.problems.append(Problem(self.file, where, field, message))
        elif len(self.problems) == MAX_PROBLEMS:
            self.problems.append(Problem(self.file, "", "", "too many problems; stopped here"))

    def add_validation(self, err: ValidationError, where: str, prefix: str = "") -> None:
        for e in err.errors(include_url=False):
            loc = ".".join(str(x) for x in e["loc"])
            field = f"{prefix}{loc}" if prefix and loc else (prefix.rstrip(".") or loc)
            msg = e["msg"]
            if e["type"] == "extra_forbidden":
                msg = "unknown key (not part of the format)"
            elif "input" in e and e["type"] not in ("missing",):
                msg = f"{msg} (got {e['input']!r})"
            self.add(where, field, msg)

    @property
    def full(self) -> bool:
        return len(self.problems) > MAX_PROBLEMS

    def raise_if_any(self) -> None:
        if self.problems:
            raise InputError(self.problems)


def read_text(path: Path) -> str:
    """Read a UTF-8 text file (a BOM is accepted), with clear errors for the usual mistakes."""
    col = Collector(path)
    if not path.exists():
        col.add("", "", "file not found")
    elif not path.is_file():
        col.add("", "", "not a file")
    elif path.stat().st_size > MAX_FILE_BYTES:
        col.add("", "", f"file too large ({path.stat().st_size} bytes, limit {MAX_FILE_BYTES})")
    col.raise_if_any()
    data = path.read_bytes()
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        hint = ""
        try:
            data.decode("gbk")
            hint = " (it looks like GBK: re-save it as UTF-8)"
        except UnicodeDecodeError:
            pass
        col.add(f"byte {exc.start}", "", f"not valid UTF-8{hint}")
        col.raise_if_any()
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
      before anything expands it (a message, a merge, a validator).
    - A key written twice in one mapping is an error, not "the last one wins"; keys brought in
      by a merge key (``<<: *base``) may be overridden, as YAML intends.
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
            self._count(self._sizes.get(id(node), 1), event.start_mark)
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


def read_yaml(path: Path) -> Any:
    """Parse a YAML file, turning syntax errors into a problem with line and column."""
    text = read_text(path)
    try:
        return yaml.load(text, Loader=_SafeLoader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        problem = getattr(exc, "problem", None) or str(exc)
        raise InputError([Problem(str(path), where, "", f"invalid YAML: {problem}")]) from None


def read_csv(path: Path, required: Iterable[str], optional: Iterable[str] = ()) -> tuple[
        list[str], list[tuple[int, dict[str, str]]]]:
    """Read a CSV with a header row; returns the header and (line number, row) pairs."""
    reader = csv.reader(_io.StringIO(read_text(path), newline=""))
    header = _header(path, reader, list(required), list(optional))
    col = Collector(path)
    rows: list[tuple[int, dict[str, str]]] = []
    try:
        for values in reader:
            if not values or all(not v.strip() for v in values):
                continue
            if len(values) != len(header):
                col.add(f"line {reader.line_num}", "",
                        f"{len(values)} values for {len(header)} columns")
                if col.full:
                    break
                continue
            rows.append((reader.line_num,
                         {h: v.strip() for h, v in zip(header, values, strict=True)}))
    except csv.Error as exc:
        col.add(f"line {reader.line_num}", "", f"malformed CSV: {exc}")
    col.raise_if_any()
    if not rows:
        raise InputError([Problem(str(path), "", "", "no data rows")])
    return header, rows


def _header(path: Path, reader: Any, required: list[str], optional: list[str]) -> list[str]:
    """The header row: every required column present, no name twice, none empty."""
    col = Collector(path)
    try:
        header = [h.strip() for h in next(reader)]
    except (StopIteration, csv.Error) as exc:
        raise InputError([Problem(str(path), "line 1", "", f"cannot read the header: {exc}")]) \
            from None
    present = set(header)
    missing = [c for c in required if c not in present]
    if missing:
        col.add("line 1", ", ".join(missing), "missing column(s); expected "
                + ", ".join(required) + (" (optional: " + ", ".join(optional) + ")"
                                         if optional else ""))
    dupes = sorted(h for h, n in Counter(header).items() if n > 1)
    if dupes:
        col.add("line 1", ", ".join(dupes), "duplicate column name(s)")
    if any(not h for h in header):
        col.add("line 1", "", "empty column name in the header")
    col.raise_if_any()
    return header


def blank_to_none(row: Mapping[str, str], keys: Iterable[str]) -> dict[str, Any]:
    out: dict[str, Any] = dict(row)
    for k in keys:
        if k in out and out[k] == "":
            out[k] = None
    return out
