"""The first gate: the document must be a plan.json by its JSON Schema, with sane numbers.

Everything after this gate may rely on the types the schema promises (a count is an integer,
a leg has a lane id, money is not negative), so a malformed document gives problems of kind
``schema`` and never an exception. Two things JSON Schema cannot say are checked here too:
every number must be finite (Python's ``json`` reads ``NaN`` and ``Infinity``, and NaN
compares false with everything, which would let it pass any later check) and every integer
must be exact in a JSON number (at most 2^53), so no later arithmetic overflows.

The schema is the package's own (``optimizer/data/plan.schema.json``, shared with the writer).
Two things make validating a large plan affordable on every solve, neither changing what is
valid: the schema's local ``$ref``s are inlined once, without the annotations (resolving
references is most of ``jsonschema``'s time); and a plain value (a scalar, a list of strings, or
an object of such: a compliance check, a document, a load) that passed a subschema is not
validated against it again when it recurs (a plan repeats the same checks, documents, ids and
dates hundreds of times, and validity depends only on the value and its schema).
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Hashable, Iterator, Mapping
from functools import cache
from importlib import resources
from typing import Any

from jsonschema import Draft202012Validator, ValidationError
from jsonschema.protocols import Validator
from jsonschema.validators import extend

from optimizer.verify.problems import PlanProblem

#: the largest integer a JSON number holds exactly
MAX_EXACT_INT = 2**53
#: at most this many schema problems are listed (the rest are counted)
MAX_LISTED = 50
#: a message longer than this is cut (jsonschema quotes the offending value whole)
MAX_MESSAGE = 300


#: objects with more keys than this are not remembered
MAX_PLAIN_KEYS = 8

_ITEMS = Draft202012Validator.VALIDATORS["items"]
#: (id of a subschema, a plain value) that passed it, while one document is validated
_PASSED: set[tuple[int, Hashable]] = set()


def _scalar(value: Any) -> Hashable | None:
    """A JSON scalar, or a list of strings, as a key with its type (JSON's true, 1 and 1.0 are
    not interchangeable here); None for anything else."""
    if value is None or isinstance(value, (str, int, float)):
        return (type(value).__name__, value)
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return ("list", tuple(value))
    return None


def _plain(value: Any) -> Hashable | None:
    """``_scalar``, or a small object of such values, as a key; None for anything else."""
    if not isinstance(value, dict):
        return _scalar(value)
    if len(value) > MAX_PLAIN_KEYS:
        return None  # a batch, a vehicle entry, the totals: never repeated whole
    key = []
    for name, item in value.items():
        part = _scalar(item)
        if part is None:
            return None
        key.append((name, part))
    return ("object", tuple(sorted(key, key=lambda kv: kv[0])))


def _descend_once(validator: Validator, instance: Any, schema: Any,
                  **where: Any) -> Iterator[ValidationError]:
    """``validator.descend``, skipped for a plain value that already passed ``schema``
    (validation is a function of the value and its schema alone: no dynamic references)."""
    key = _plain(instance)
    if key is not None and (id(schema), key) in _PASSED:
        return
    errors = list(validator.descend(instance, schema, **where))
    if not errors and key is not None:
        _PASSED.add((id(schema), key))
    yield from errors


def _items_once(validator: Validator, items: Any, instance: Any,
                schema: Mapping[str, Any]) -> Iterator[ValidationError]:
    """The ``items`` keyword, each plain item that recurs validated once."""
    if (not isinstance(items, dict) or schema.get("prefixItems")
            or not validator.is_type(instance, "array")):
        yield from _ITEMS(validator, items, instance, schema)
        return
    for index, item in enumerate(instance):
        yield from _descend_once(validator, item, items, path=index)


def _properties_once(validator: Validator, properties: Mapping[str, Any], instance: Any,
                     schema: Mapping[str, Any]) -> Iterator[ValidationError]:
    """The ``properties`` keyword, each plain value that recurs validated once."""
    if not validator.is_type(instance, "object"):
        return
    for name, subschema in properties.items():
        if name in instance:
            yield from _descend_once(validator, instance[name], subschema, path=name,
                                     schema_path=name)


_Validator = extend(Draft202012Validator, validators={"items": _items_once,
                                                      "properties": _properties_once})


class _NotInlinable(ValueError):
    """The schema has a reference that inlining cannot replace (remote or recursive)."""


#: keywords that only annotate (they never make a document invalid)
_ANNOTATIONS = frozenset({"$comment", "title", "description", "examples", "default",
                          "deprecated", "readOnly", "writeOnly"})
#: keywords whose value maps names to subschemas (the names are not keywords)
_NAMED = frozenset({"properties", "patternProperties", "dependentSchemas"})
#: keywords whose value is data, not a schema
_DATA = frozenset({"const", "enum", "required", "type", "pattern", "format"})


def _inline(node: Any, defs: Mapping[str, Any], done: dict[str, Any],
            stack: tuple[str, ...] = ()) -> Any:
    """The schema ``node`` with every ``{"$ref": "#/$defs/NAME"}`` replaced by the definition
    it names (one shared copy per definition, in ``done``), and without annotations (so most
    references become their target alone).

    Keywords left next to a ``$ref`` apply as well as the reference (draft 2020-12), so they
    are kept beside it under ``allOf``.
    """
    if isinstance(node, list):
        return [_inline(item, defs, done, stack) for item in node]
    if not isinstance(node, dict):
        return node
    out: dict[str, Any] = {}
    for key, value in node.items():
        if key in _ANNOTATIONS or key in ("$ref", "$defs"):
            continue
        if key in _NAMED and isinstance(value, dict):
            out[key] = {name: _inline(sub, defs, done, stack) for name, sub in value.items()}
        else:
            out[key] = value if key in _DATA else _inline(value, defs, done, stack)
    ref = node.get("$ref")
    if ref is None:
        return out
    name = ref.removeprefix("#/$defs/") if isinstance(ref, str) else ""
    if not isinstance(ref, str) or name == ref or name not in defs or name in stack:
        raise _NotInlinable(str(ref))
    if name not in done:
        done[name] = _inline(defs[name], defs, done, (*stack, name))
    if not out:
        return done[name]
    out["allOf"] = [*out.get("allOf", []), done[name]]
    return out


@cache
def validator() -> Validator:
    """The validator of plan.json's schema (built once)."""
    text = resources.files("optimizer.data").joinpath("plan.schema.json").read_text(
        encoding="utf-8")
    schema = json.loads(text)
    if "$dynamicRef" in text or "$recursiveRef" in text:  # validity would depend on the path
        return Draft202012Validator(schema, format_checker=Draft202012Validator.FORMAT_CHECKER)
    try:
        flat = _inline(schema, schema.get("$defs", {}), {})
    except _NotInlinable:
        flat = schema
    return _Validator(flat, format_checker=Draft202012Validator.FORMAT_CHECKER)


def _where(path: Any) -> str:
    """A JSON path as 'batches/3/legs/0/cost_cny' ('(document)' for the root)."""
    return "/".join(str(p) for p in path) or "(document)"


#: a run of digits long enough to be an integer beyond 2^53
_LONG_DIGITS = re.compile(r"\d{16,}")


def _odd_numbers(doc: Any) -> list[str]:
    """Where the document holds a non-finite number or an integer beyond 2^53."""
    try:
        text = json.dumps(doc, allow_nan=False)
    except (TypeError, ValueError):
        pass  # not JSON at all, or NaN / Infinity somewhere: find them
    else:
        if not _LONG_DIGITS.search(text):
            return []
    found: list[str] = []
    stack: list[tuple[tuple[Any, ...], Any]] = [((), doc)]
    while stack:
        path, value = stack.pop()
        if isinstance(value, dict):
            stack.extend(((*path, k), v) for k, v in value.items())
        elif isinstance(value, list):
            stack.extend(((*path, i), v) for i, v in enumerate(value))
        elif isinstance(value, float) and not math.isfinite(value):
            found.append(f"{_where(path)}: {value} is not a finite number")
        elif (isinstance(value, int) and not isinstance(value, bool)
              and abs(value) > MAX_EXACT_INT):
            found.append(f"{_where(path)}: {value:.3e} is beyond the integers a JSON number "
                         "holds exactly")
    return sorted(found)


def _cut(message: str) -> str:
    """A message short enough to read."""
    return message if len(message) <= MAX_MESSAGE else message[:MAX_MESSAGE - 3] + "..."


def schema_problems(doc: Any) -> list[PlanProblem]:
    """Every way ``doc`` is not a plan.json (empty: the rest of the checker may trust types)."""
    try:
        errors = sorted(validator().iter_errors(doc), key=lambda e: [str(p) for p in e.path])
    finally:
        _PASSED.clear()  # the memo holds the document's values: let them go
    messages = [_cut(f"{_where(e.absolute_path)}: {e.message}") for e in errors]
    messages += _odd_numbers(doc)
    problems = [PlanProblem("schema", None, f"not a plan.json: {m}")
                for m in messages[:MAX_LISTED]]
    if len(messages) > MAX_LISTED:
        problems.append(PlanProblem("schema", None, f"not a plan.json: and "
                                    f"{len(messages) - MAX_LISTED} more schema problems"))
    return problems
