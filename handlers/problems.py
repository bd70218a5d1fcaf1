"""Import problems (``annotation.errors.Problem``) as localized lines for people to read.

Every problem code of the spec, items, archive, source and media parsers has one ``N_``
template in :data:`TEMPLATES` (a few codes have variants for absent bounds or sizes). A line
reads ``<where>: <what>``, where ``<where>`` names the file (``params["file"]``), the line and
the field or column, e.g. ``items.csv line 12, column "gold": gold answer "cow" is not one of
the options``. Byte sizes are shown as ``12.3 MB``, lists joined with commas, long values cut.

The text is plain (no HTML): send it without a parse mode, or ``html.escape`` it first.
Formatting never raises: a missing parameter shows as ``…``, a broken translation falls back
to the English template.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

from annotation.answers import format_number
from annotation.errors import ErrorCode, Problem
from annotation.intake.item_files import ArchiveProblem
from annotation.intake.item_rows import COLUMNS, ItemProblem
from annotation.intake.spec_fields import SpecProblem
from annotation.media.preparation import MediaProblem
from annotation.media.sources import SourceProblem
from handlers.messages import N_
from handlers.services import Translations

MESSAGE_LIMIT = 4096  # a Telegram message, in characters
MAX_VALUE = 80  # characters of one parameter shown before cutting it
MISSING = "…"

TEMPLATES: dict[str, str] = {
    SpecProblem.SYNTAX: N_("TOML syntax error at column {column}"),
    SpecProblem.ENCODING: N_("the file is not saved as UTF-8 text"),
    SpecProblem.MISSING_FIELD: N_("this field is required"),
    SpecProblem.UNKNOWN_FIELD: N_("unknown field (check the spelling)"),
    SpecProblem.WRONG_TYPE: N_("must be {expected}"),
    SpecProblem.EMPTY: N_("must not be empty"),
    SpecProblem.TOO_LONG: N_("too long: {length} characters, at most {limit}"),
    SpecProblem.UNKNOWN_LANGUAGE: N_('unknown language "{language}" (use one of: {allowed})'),
    SpecProblem.UNKNOWN_VALUE: N_('unknown value "{value}" (use one of: {allowed})'),
    # TRANSLATORS: BCP 47 is the standard of language codes; keep the codes as they are.
    SpecProblem.BAD_LANGUAGE_TAG: N_('"{value}" is not a language code: write a BCP 47 tag '
                                     "such as mg, fr, en or mg-MG"),
    SpecProblem.OUT_OF_RANGE: N_("{value} is not between {minimum} and {maximum}"),
    SpecProblem.OPTIONS_REQUIRED: N_('answer type "{answer_type}" needs a list of options'),
    SpecProblem.OPTION_COUNT: N_("{count} options: give between {minimum} and {maximum}"),
    SpecProblem.DUPLICATE_OPTION: N_('option "{value}" is listed twice'),
    SpecProblem.OPTION_SEPARATOR: N_('option "{value}" must not contain "{separator}"'),
    SpecProblem.NOT_APPLICABLE: N_('not used with answer type "{answer_type}"'),
    SpecProblem.BAD_RANGE: N_("the minimum {minimum} is greater than the maximum {maximum}"),
    SpecProblem.TOO_DEEP: N_("lists or tables are nested too deeply: this is not a valid "
                             "project settings file"),
    ItemProblem.FILE_TOO_LARGE: N_("file too large: {size}, at most {limit}"),
    ItemProblem.ENCODING: N_("the file is not saved as UTF-8 text"),
    ItemProblem.EMPTY: N_("the file has no items"),
    # TRANSLATORS: {columns} are the column names to write, keep them as they are.
    ItemProblem.NO_HEADER: N_("the first row names no known column (found: {found}); "
                              "use: {columns}"),
    ItemProblem.MISSING_COLUMN: N_("no text or media column: add one of {needed}"),
    ItemProblem.UNKNOWN_COLUMN: N_("unknown column (check the spelling)"),
    ItemProblem.DUPLICATE_COLUMN: N_("this column appears twice"),
    ItemProblem.CSV_SYNTAX: N_("the CSV file cannot be read from here (check the quotes)"),
    ItemProblem.UNCLOSED_QUOTE: N_("a quote opened on this line is never closed: the rows "
                                   "after it would merge into one item"),
    ItemProblem.CELL_TOO_LONG: N_("a cell is longer than {limit} characters (check the "
                                  "quotes)"),
    ItemProblem.EXTRA_CELLS: N_("{found} cells, but the first row has {expected} columns"),
    ItemProblem.BAD_JSON: N_("this line is not valid JSON"),
    ItemProblem.NOT_AN_OBJECT: N_("this line must be a JSON object"),
    ItemProblem.WRONG_TYPE: N_("must be {expected}"),
    ItemProblem.TOO_MANY: N_("too many items: at most {limit}"),
    ItemProblem.DUPLICATE_ID: N_('id "{id}" is already used on line {first_line}'),
    ItemProblem.TOO_LONG: N_("too long: {length} characters, at most {limit}"),
    ItemProblem.TEXT_TOO_LONG: N_("text too long: {length} characters, at most {limit}"),
    ItemProblem.CAPTION_TOO_LONG: N_("text too long for a media item: {length} characters, "
                                     "at most {limit} with this question"),
    ItemProblem.EMPTY_ITEM: N_("empty item: give a text or a media file"),
    ItemProblem.EMPTY_CELL: N_("empty: this kind of task needs this column"),
    # TRANSLATORS: keep the column names (response_a…) as they are.
    ItemProblem.MIXED_CANDIDATES: N_("two sorts of response in one item: give response_a and "
                                     "response_b (texts) or response_a_media and "
                                     "response_b_media (two images or two audio clips), "
                                     "not one of each"),
    ItemProblem.AMBIGUOUS_MEDIA: N_("use only one of the image, audio and media columns"),
    ItemProblem.NO_MEDIA_SOURCE: N_('media file "{path}": send the items file and its media '
                                    "together in one zip archive"),
    ItemProblem.BAD_GOLD: N_('gold answer "{value}" is not valid'),
    ItemProblem.WRONG_MEDIA: N_('this item cannot be asked as "{answer_type}": boxes are drawn '
                                "on an image, spans tagged in a text without media"),
    # TRANSLATORS: BCP 47 is the standard of language codes; keep the codes as they are.
    ItemProblem.BAD_LANGUAGE: N_('"{value}" is not a language code: write a BCP 47 tag '
                                 "such as mg, fr, en or mg-MG"),
    ItemProblem.BAD_BOOLEAN: N_('"{value}" is not true or false'),
    ItemProblem.TRAINING_WITHOUT_GOLD: N_("a training item needs a gold answer"),
    ItemProblem.EXPLANATION_WITHOUT_GOLD: N_("an explanation needs a gold answer"),
    ItemProblem.MISSING_FILE: N_('file "{file}" not found'),
    SourceProblem.UNSAFE_PATH: N_('"{path}" points outside the folder of the items file'),
    SourceProblem.MISSING_MEDIA: N_('media file "{path}" not found'),
    SourceProblem.UNREADABLE_MEDIA: N_('media file "{path}" cannot be read'),
    SourceProblem.BAD_ZIP: N_("this is not a zip archive"),
    SourceProblem.TOO_MANY_FILES: N_("too many files in the archive: {count}, at most {limit}"),
    SourceProblem.TOO_LARGE: N_("the archive is too large once unpacked: {size}, "
                                "at most {limit}"),
    ArchiveProblem.NO_ITEMS_FILE: N_("no items file in the archive: add one of {names}"),
    ArchiveProblem.SEVERAL_ITEMS_FILES: N_("several items files ({names}): keep only one"),
    ArchiveProblem.NO_SPEC: N_('project settings missing: add "{file}"'),
    MediaProblem.CORRUPT: N_('"{filename}" is damaged or empty'),
    MediaProblem.UNSUPPORTED: N_('"{filename}" is not a supported image or audio format'),
    MediaProblem.DECOMPRESSION_BOMB: N_('image "{filename}" is too large: {width}×{height} '
                                        "pixels, at most {limit} megapixels"),
    MediaProblem.TOO_LARGE: N_('"{filename}" is too large: {size}, at most {limit}'),
    MediaProblem.TOO_LONG: N_('"{filename}" is too long: {duration} s, at most {limit} s'),
    MediaProblem.UPLOAD_PIXELS: N_('image "{filename}" goes past the {limit} megapixels of '
                                   "images one upload may hold: split the items into "
                                   "several uploads"),
    MediaProblem.UNDECODABLE: N_('"{filename}" cannot be joined into an audio comparison: '
                                 "use OGG, MP3 or WAV clips (M4A cannot be decoded here)"),
}

SYNTAX_NO_COLUMN = N_("TOML syntax error")
# An import refused because the server's disk is full (``annotation.errors.StorageFull``).
DISK_FULL = N_("The server's disk is full: nothing was imported. Please tell an admin.")
AT_LEAST = N_("{value} must be at least {minimum}")
AT_MOST = N_("{value} must be at most {maximum}")
NOT_FINITE = N_("{value} is not a finite number")
BOMB_NO_SIZE = N_('image "{filename}" is too large: at most {limit} megapixels')
GOLD_REASONS: dict[str, str] = {
    ErrorCode.NOT_A_CHOICE: N_('gold answer "{value}" is not one of the options'),
    ErrorCode.NOT_A_NUMBER: N_('gold answer "{value}" is not a number'),
    ErrorCode.OUT_OF_RANGE: N_('gold answer "{value}" is not between {minimum} and {maximum}'),
    ErrorCode.EMPTY_ANSWER: N_("the gold answer is empty"),
    ErrorCode.MARKS_MALFORMED: N_('gold answer "{value}" cannot be read as marks'),
    ErrorCode.TOO_MANY_MARKS: N_("the gold answer has more than {limit} marks"),
    ErrorCode.UNKNOWN_CLASS: N_('the gold answer\'s label "{name}" is not one of {allowed}'),
    ErrorCode.OUT_OF_IMAGE: N_("the gold answer has a mark outside the image (0 to 1)"),
    ErrorCode.BOX_TOO_SMALL: N_("the gold answer has a box under 0.002 wide or high"),
    ErrorCode.POINTS_NOT_ALLOWED: N_('the gold answer has points: add "points = true" to the '
                                     "settings to allow them"),
    ErrorCode.SPAN_OUT_OF_TEXT: N_("the gold answer's span {start}-{end} is outside the text "
                                   "({length} characters)"),
    ErrorCode.SPANS_OVERLAP: N_('the gold answer\'s spans overlap on "{words}": add '
                                '"overlapping = true" to the settings to allow it'),
    ErrorCode.NO_MARKS: N_('the gold answer marks nothing, but the settings say "nothing = '
                           'false"'),
}
UNKNOWN_PROBLEM = N_("not valid ({code})")

# Values of ``expected`` in ``wrong_type`` problems.
TYPE_NAMES: dict[str, str] = {
    "string": N_("text"),
    "integer": N_("a whole number"),
    "number": N_("a number"),
    "list": N_("a list"),
    "table": N_("a table"),
    "string_or_table": N_("text or a table of languages"),
    "boolean": N_("true or false"),
}

FILE_LOCATION = N_("{file} {position}")
LINE = N_("line {line}")
SPEC_FIELD = N_('field "{field}"')
COLUMN = N_('column "{field}"')
LOCATED = N_("{location}: {problem}")
BYTE_UNITS = (N_("{size} B"), N_("{size} KB"), N_("{size} MB"), N_("{size} GB"))

_BYTE_CODES = frozenset({ItemProblem.FILE_TOO_LARGE, SourceProblem.TOO_LARGE,
                         MediaProblem.TOO_LARGE})
_PIXEL_CODES = frozenset({MediaProblem.DECOMPRESSION_BOMB, MediaProblem.UPLOAD_PIXELS})
# The ``file`` param of these names what is missing, not where the problem is.
_FILE_IS_SUBJECT = frozenset({ItemProblem.MISSING_FILE, ArchiveProblem.NO_SPEC})


def _fill(params: Mapping[str, object], translated: str, english: str) -> str:
    """Fill a translated template, falling back to the English one, never raising."""
    values = _Params(params)
    for text in (translated, english):
        try:
            return text.format_map(values)
        except (ValueError, IndexError, KeyError, AttributeError, TypeError):
            continue
    return english


def _format(translations: Translations, template: str, params: Mapping[str, object]) -> str:
    """Translate and fill a template."""
    return _fill(params, translations.gettext(template), template)


class _Params(dict[str, object]):
    """Template values where an absent one reads ``…``."""

    def __missing__(self, key: str) -> str:
        return MISSING


def format_size(size: object, translations: Translations) -> str:
    """Return a byte count as ``12.3 MB`` (units of 1024)."""
    if not isinstance(size, int | float) or isinstance(size, bool) or not math.isfinite(size):
        return MISSING
    value, unit = float(size), 0
    while abs(value) >= 1024 and unit < len(BYTE_UNITS) - 1:
        value, unit = value / 1024, unit + 1
    shown = format_number(round(value, 1)) if unit else str(int(value))
    return _format(translations, BYTE_UNITS[unit], {"size": shown})


def _value(value: object) -> str:
    """Return a parameter as short text: numbers shortest, lists joined, long text cut."""
    if value is None:
        return MISSING
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, float):
        text = format_number(value) if math.isfinite(value) else str(value)
    elif isinstance(value, list | tuple | set | frozenset):
        text = ", ".join(_value(v) for v in value) or MISSING
    else:
        text = str(value)
    text = " ".join(text.split())  # a cell may hold newlines: keep one line per problem
    return text if len(text) <= MAX_VALUE else text[: MAX_VALUE - 1] + "…"


def _template(code: str, params: Mapping[str, object]) -> str:
    """Pick the template of a problem, choosing a variant when bounds or sizes are absent."""
    if code == SpecProblem.SYNTAX and params.get("column") is None:
        return SYNTAX_NO_COLUMN
    if code == SpecProblem.OUT_OF_RANGE:
        low, high = params.get("minimum"), params.get("maximum")
        if low is None and high is None:
            return NOT_FINITE
        if high is None:
            return AT_LEAST
        if low is None:
            return AT_MOST
    if code == ItemProblem.BAD_GOLD:
        return GOLD_REASONS.get(str(params.get("reason")), TEMPLATES[code])
    if code == MediaProblem.DECOMPRESSION_BOMB and params.get("width") is None:
        return BOMB_NO_SIZE
    if code in TEMPLATES:
        return TEMPLATES[code]
    return TEMPLATES.get(str(params.get("reason")), UNKNOWN_PROBLEM)


def _values(code: str, params: Mapping[str, object], translations: Translations
            ) -> dict[str, object]:
    """Return the params as display text, with sizes, pixel limits and types readable."""
    values: dict[str, object] = {k: _value(v) for k, v in params.items()}
    values["code"] = _value(code)
    if code in _BYTE_CODES or str(params.get("reason")) in _BYTE_CODES:
        for key in ("size", "limit"):
            if key in params:
                values[key] = format_size(params[key], translations)
    limit = params.get("limit")
    if code in _PIXEL_CODES and isinstance(limit, int | float):
        values["limit"] = format_number(round(limit / 1_000_000, 1))
    expected = params.get("expected")
    if isinstance(expected, str) and expected in TYPE_NAMES:
        values["expected"] = translations.gettext(TYPE_NAMES[expected])
    if code == ItemProblem.NO_HEADER:
        values["columns"] = ", ".join(COLUMNS)
    return values


def _location(problem: Problem, translations: Translations) -> str:
    """Return where a problem is (file, line, field or column), or an empty string."""
    parts: list[str] = []
    if problem.line is not None:
        parts.append(_format(translations, LINE, {"line": problem.line}))
    if problem.field:
        label = SPEC_FIELD if str(problem.code).startswith("spec.") else COLUMN
        parts.append(_format(translations, label, {"field": _value(problem.field)}))
    position = ", ".join(parts)
    file = problem.params.get("file")
    if file is None or problem.code in _FILE_IS_SUBJECT:
        return position
    name = _value(file)
    if not position:
        return name
    return _format(translations, FILE_LOCATION, {"file": name, "position": position})


def describe_problem(problem: Problem, translations: Translations) -> str:
    """Return one problem as a localized line: where it is, then what is wrong."""
    code = str(problem.code)
    what = _format(translations, _template(code, problem.params),
                   _values(code, problem.params, translations))
    where = _location(problem, translations)
    if not where:
        return what
    return _format(translations, LOCATED, {"location": where, "problem": what})


def describe_problems(problems: Sequence[Problem], translations: Translations,
                      limit: int = 30) -> str:
    """Return up to ``limit`` problems, one a line, and "… and N more" past it.

    The text stays under a Telegram message's 4096 characters: lines that would not fit
    are counted in the "more" line instead.
    """
    budget = MESSAGE_LIMIT - 100  # room for the "and N more" line
    lines: list[str] = []
    used = 0
    for problem in problems[: max(0, limit)]:
        line = describe_problem(problem, translations)
        if used + len(line) + 1 > budget:
            break
        lines.append(line)
        used += len(line) + 1
    rest = len(problems) - len(lines)
    if rest > 0:
        more = translations.ngettext("… and {n} more problem", "… and {n} more problems", rest)
        lines.append(_fill({"n": rest}, more, "… and {n} more problems"))
    return "\n".join(lines)
