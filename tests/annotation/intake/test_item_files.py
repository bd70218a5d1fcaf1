"""Items files: CSV and JSONL parsing, every problem with its line, media, archives, folders."""

from __future__ import annotations

import csv
import io
import json
import wave
import zipfile
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from PIL import Image

from annotation.errors import Problem, ValidationFailed
from annotation.intake import item_rows
from annotation.intake.item_files import (
    ArchiveProblem,
    ItemDraft,
    ItemProblem,
    load_from_paths,
    load_project_dir,
    parse_items,
    read_items_archive,
)
from annotation.intake.spec import SpecProblem, spec_to_toml
from annotation.media.preparation import MediaProblem
from annotation.media.sources import (
    DirectorySource,
    MediaUnavailable,
    MemorySource,
    SourceProblem,
    ZipSource,
    safe_relative_path,
)
from annotation.models import AnswerType, MediaKind, NumberRange, ProjectSpec
from tests.projects import make_spec

SPEC = make_spec()
MULTI = make_spec(answer_type=AnswerType.MULTI)
NUMBER = make_spec(answer_type=AnswerType.NUMBER, number_range=NumberRange(0, 10))


def png(color: str = "red", size: tuple[int, int] = (40, 30)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, color).save(buffer, "PNG")
    return buffer.getvalue()


def wav(seconds: float = 0.5) -> bytes:
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as writer:
        writer.setnchannels(1)
        writer.setsampwidth(2)
        writer.setframerate(8000)
        writer.writeframes(bytes(int(16000 * seconds)))
    return buffer.getvalue()


MEDIA = MemorySource(
    {"img/cat.png": png(), "img/dog.png": png("blue"), "sound.wav": wav(), "bad.png": b"junk"}
)


def problems_of(
    text: str | bytes,
    filename: str = "items.csv",
    spec: ProjectSpec = SPEC,
    media: MemorySource | None = MEDIA,
) -> list[tuple[str, int | None, str | None]]:
    data = text.encode("utf-8") if isinstance(text, str) else text
    with pytest.raises(ValidationFailed) as caught:
        parse_items(data, filename, spec, media)
    return [(str(p.code), p.line, p.field) for p in caught.value.problems]


# -- good files -------------------------------------------------------------------------


def test_csv_with_semicolons_and_bom_as_french_excel_writes() -> None:
    data = (
        "\ufeffid;text;image;gold;explanation;training\r\n"
        "a1;Le chat dort;;cat;C'est un chat;\r\n"
        'a2;"Un chien; puis un autre";;;;\r\n'
        "a3;;img/cat.png;Cat;;oui\r\n"
    ).encode()
    drafts = parse_items(data, "items.csv", SPEC, MEDIA)
    assert [d.external_id for d in drafts] == ["a1", "a2", "a3"]
    first, second, third = drafts
    assert first == ItemDraft(
        2, "a1", MediaKind.TEXT, "Le chat dort", None, "cat", "C'est un chat", False
    )
    assert second.text == "Un chien; puis un autre"
    assert (third.kind, third.gold_answer, third.training, third.line) == (
        MediaKind.IMAGE,
        "cat",
        True,
        4,
    )
    assert third.media is not None and third.media.send_as == "photo"


def test_tab_separated_and_default_ids() -> None:
    drafts = parse_items(b"text\tgold\nhello\tdog\n\nbye\t\n", "items.tsv", SPEC, None)
    assert [(d.external_id, d.line, d.gold_answer) for d in drafts] == [
        ("2", 2, "dog"),
        ("4", 4, None),
    ]


def test_excel_separator_hint_line_is_honoured() -> None:
    data = b"sep=;\r\nid;text\r\nx;a, b and c\r\n"
    drafts = parse_items(data, "items.csv", SPEC, None)
    assert [(d.external_id, d.line, d.text) for d in drafts] == [("x", 3, "a, b and c")]


def test_multiline_csv_cells_keep_the_first_line_number() -> None:
    data = b'id,text\nx,"two\nlines"\ny,after\n'
    drafts = parse_items(data, "items.csv", SPEC, None)
    assert [(d.external_id, d.line, d.text) for d in drafts] == [
        ("x", 2, "two\nlines"),
        ("y", 4, "after"),
    ]


def test_jsonl_with_typed_values() -> None:
    lines = [
        {"id": 7, "text": "red and blue", "gold": ["bird", "cat"], "training": True},
        {"ID": "b", "media": "sound.wav", "gold": "dog", "explanation": "Barks."},
        {"text": "nothing known", "gold": None},
    ]
    data = "\n".join(json.dumps(line) for line in lines).encode()
    drafts = parse_items(data, "items.jsonl", MULTI, MEDIA)
    assert [(d.external_id, d.gold_answer, d.training, d.kind) for d in drafts] == [
        ("7", "cat|bird", True, MediaKind.TEXT),
        ("b", "dog", False, MediaKind.AUDIO),
        ("3", None, False, MediaKind.TEXT),
    ]
    assert drafts[1].media is not None and drafts[1].media.duration == pytest.approx(0.5)


def test_number_gold_with_comma_and_jsonl_number() -> None:
    drafts = parse_items(b'text,gold\na,"2,5"\n', "items.csv", NUMBER, None)
    assert drafts[0].gold_answer == "2.5"
    drafts = parse_items(b'{"text": "a", "gold": 3.0}\n', "x.jsonl", NUMBER, None)
    assert drafts[0].gold_answer == "3"


def test_each_media_file_is_prepared_once() -> None:
    reads: list[str] = []

    class CountingSource(MemorySource):
        def read(self, relative_path: str) -> bytes:
            reads.append(relative_path)
            return super().read(relative_path)

    source = CountingSource({"cat.png": png()})
    data = b"image\ncat.png\ncat.png\n./cat.png\n././cat.png\n.//cat.png\n"
    drafts = parse_items(data, "items.csv", SPEC, source)
    assert all(draft.media is drafts[0].media for draft in drafts)
    assert reads == ["cat.png"]  # every spelling of the path reaches one file, read once


def test_progress_is_reported_up_to_the_total() -> None:
    calls: list[tuple[int, int]] = []
    data = ("text\n" + "".join(f"row {n}\n" for n in range(250))).encode()
    parse_items(data, "items.csv", SPEC, None, on_progress=lambda d, t: calls.append((d, t)))
    assert calls[-1] == (250, 250)
    assert 1 < len(calls) <= 101
    assert [done for done, _ in calls] == sorted(done for done, _ in calls)


# -- problems ---------------------------------------------------------------------------

I = ItemProblem  # noqa: E741 - short alias keeps the table readable
Expected = list[tuple[str, int | None, str | None]]
CSV_CASES: list[tuple[str, Expected]] = [
    ("", [(I.EMPTY, None, None)]),
    ("id,text\n", [(I.EMPTY, None, None)]),
    ("foo,bar\n1,2\n", [(I.NO_HEADER, 1, None)]),
    ("id,gold\n1,cat\n", [(I.MISSING_COLUMN, 1, None)]),
    ("text,colour\nhi,red\n", [(I.UNKNOWN_COLUMN, 1, "colour")]),
    ("text,prompt\nhi,why?\n", [(I.UNKNOWN_COLUMN, 2, "prompt")]),  # another kind's
    ("text,Text\nhi,ho\n", [(I.DUPLICATE_COLUMN, 1, "text")]),
    ("id,text\n1,a\n1,b\n", [(I.DUPLICATE_ID, 3, "id")]),
    ("id,text\n3,a\n,b\n", [(I.DUPLICATE_ID, 3, "id")]),
    ("text\na,b\n", [(I.EXTRA_CELLS, 2, None)]),
    ("text,gold\na,cow\n", [(I.BAD_GOLD, 2, "gold")]),
    ("text,gold,training\na,,yes\n", [(I.TRAINING_WITHOUT_GOLD, 2, "training")]),
    ("text,explanation\na,why\n", [(I.EXPLANATION_WITHOUT_GOLD, 2, "explanation")]),
    ("text,gold,training\na,cat,perhaps\n", [(I.BAD_BOOLEAN, 2, "training")]),
    (f"text\n{'x' * 3501}\n", [(I.TEXT_TOO_LONG, 2, "text")]),
    (f"text,image\n{'x' * 890},img/cat.png\n", [(I.CAPTION_TOO_LONG, 2, "text")]),
    (f"id,text\n{'i' * 201},a\n", [(I.TOO_LONG, 2, "id")]),
    (f"text,gold,explanation\na,cat,{'e' * 1001}\n", [(I.TOO_LONG, 2, "explanation")]),
    ("id,text\n5,\n", [(I.EMPTY_ITEM, 2, None)]),
    ("image,audio\nimg/cat.png,sound.wav\n", [(I.AMBIGUOUS_MEDIA, 2, "audio")]),
    ("image\nimg/none.png\n", [(SourceProblem.MISSING_MEDIA, 2, "image")]),
    ("image\n../secret.png\n", [(SourceProblem.UNSAFE_PATH, 2, "image")]),
    ("audio\n/etc/passwd\n", [(SourceProblem.UNSAFE_PATH, 2, "audio")]),
    ("media\nC:\\Users\\me\\cat.png\n", [(SourceProblem.UNSAFE_PATH, 2, "media")]),
    ("image\nbad.png\n", [(MediaProblem.CORRUPT, 2, "image")]),
    ("image\nsound.wav\n", [(MediaProblem.UNSUPPORTED, 2, "image")]),
    (f'text\n"{"x" * 140_000}"\n', [(I.CELL_TOO_LONG, 2, None)]),
    ("id,text\n1,fine\n2,\"never closed\n3,merged\n4,merged\n", [(I.UNCLOSED_QUOTE, 3, None)]),
    ('id,text\n1,"a\nb",\n2,"open\n3,x\n', [(I.UNCLOSED_QUOTE, 4, None)]),
    ('id,text\n1,ok\n2,"stray" quote\n', [(I.CSV_SYNTAX, 3, None)]),
]


@pytest.mark.parametrize(("text", "expected"), CSV_CASES)
def test_each_csv_problem(text: str, expected: list[tuple[str, int | None, str | None]]) -> None:
    assert problems_of(text) == [(str(c), line, field) for c, line, field in expected]


JSONL_CASES: list[tuple[str, Expected]] = [
    ('{"text": "a"}\n{"text": \n', [(I.BAD_JSON, 2, None)]),
    ('{"text": "a"}\n["text"]\n', [(I.NOT_AN_OBJECT, 2, None)]),
    ('{"text": ["a"]}\n', [(I.WRONG_TYPE, 1, "text"), (I.EMPTY_ITEM, 1, None)]),
    ('{"text": "a", "training": "maybe", "gold": "cat"}', [(I.BAD_BOOLEAN, 1, "training")]),
    # an object is a gold's JSON (boxes, spans, several questions): this kind's canonical
    # form refuses it
    ('{"text": "a", "gold": {"x": 1}}', [(I.BAD_GOLD, 1, "gold")]),
    ('{"text": "a", "gold": [1]}', [(I.WRONG_TYPE, 1, "gold")]),
    ('{"text": "a", "label": 1}\n{"text": "b", "label": 2}', [(I.UNKNOWN_COLUMN, 1, "label")]),
    ("[" * 100_000, [(I.BAD_JSON, 1, None)]),
    ("\n\n", [(I.EMPTY, None, None)]),
]


@pytest.mark.parametrize(("text", "expected"), JSONL_CASES)
def test_each_jsonl_problem(text: str, expected: list[tuple[str, int | None, str | None]]) -> None:
    assert problems_of(text, "items.jsonl") == [(str(c), ln, f) for c, ln, f in expected]


def test_media_without_a_source() -> None:
    assert problems_of("image\ncat.png\n", media=None) == [(str(I.NO_MEDIA_SOURCE), 2, "image")]


def test_number_gold_out_of_range_names_the_bounds() -> None:
    with pytest.raises(ValidationFailed) as caught:
        parse_items(b"text,gold\na,11\n", "items.csv", NUMBER, None)
    (problem,) = caught.value.problems
    assert problem.code == I.BAD_GOLD
    assert problem.params == {"value": "11", "reason": "out_of_range", "minimum": 0, "maximum": 10}


def test_not_utf8() -> None:
    assert problems_of("text\nok\ncaf\xe9\n".encode("latin-1")) == [(str(I.ENCODING), 3, None)]


def test_too_many_items(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(item_rows, "MAX_ITEMS", 3)
    text = "text\n" + "row\n" * 5
    assert problems_of(text) == [(str(I.TOO_MANY), 5, None)]
    jsonl = '{"text": "a"}\n' * 5
    assert problems_of(jsonl, "items.jsonl") == [(str(I.TOO_MANY), 4, None)]


def test_file_too_large(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(item_rows, "MAX_FILE_BYTES", 10)
    assert problems_of("text\nsome long row\n") == [(str(I.FILE_TOO_LARGE), None, None)]


def test_every_bad_row_is_reported_with_its_line_and_nothing_is_returned() -> None:
    data = (
        "id;text;image;gold;training\n"  # 1
        "a;fine;;cat;\n"  # 2
        "b;;;;\n"  # 3 empty item
        "c;ok;;cow;\n"  # 4 bad gold
        'd;"spans\ntwo lines";;;true\n'  # 5-6 training without gold
        "a;duplicate;;;\n"  # 7 duplicate id
        "e;;missing.png;;\n"  # 8 missing media
        "f;;bad.png;dog;maybe\n"  # 9 corrupt media and bad boolean
        "g;;bad.png;;\n"  # 10 corrupt media again (prepared once, reported twice)
        "h;last one is fine;;;\n"  # 11
    )
    assert problems_of(data) == [
        (str(I.EMPTY_ITEM), 3, None),
        (str(I.BAD_GOLD), 4, "gold"),
        (str(I.TRAINING_WITHOUT_GOLD), 5, "training"),
        (str(I.DUPLICATE_ID), 7, "id"),
        (str(SourceProblem.MISSING_MEDIA), 8, "image"),
        (str(MediaProblem.CORRUPT), 9, "image"),
        (str(I.BAD_BOOLEAN), 9, "training"),
        (str(MediaProblem.CORRUPT), 10, "image"),
    ]


def test_every_row_code_has_a_case() -> None:
    seen = {code for _, expected in CSV_CASES + JSONL_CASES for code, _, _ in expected}
    seen |= {I.NO_MEDIA_SOURCE, I.ENCODING, I.TOO_MANY, I.FILE_TOO_LARGE, I.MISSING_FILE}
    seen |= {I.EMPTY_CELL}  # a comparison's cells: tests/annotation/kinds/test_pairwise.py
    seen |= {I.MIXED_CANDIDATES}  # tests/annotation/kinds/test_image_pairs.py
    seen |= {I.WRONG_MEDIA}  # tests/annotation/kinds/test_boxes.py, test_spans.py
    seen |= {I.BAD_LANGUAGE}  # tests/annotation/kinds/test_recording_language.py
    assert set(ItemProblem) <= seen


# -- sources ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("a/b.png", "a/b.png"), ("./a//b.png", "a/b.png"), ("a\\b.png", "a/b.png")],
)
def test_safe_relative_path(raw: str, expected: str) -> None:
    assert safe_relative_path(raw) == expected


@pytest.mark.parametrize("raw", ["../a.png", "a/../../b", "/abs.png", "C:/x.png", "", "a\x00b"])
def test_unsafe_paths_are_refused(raw: str) -> None:
    with pytest.raises(MediaUnavailable) as caught:
        safe_relative_path(raw)
    assert caught.value.reason is SourceProblem.UNSAFE_PATH


def test_directory_source_refuses_symlinks_out(tmp_path: Path) -> None:
    outside = tmp_path / "outside.png"
    outside.write_bytes(png())
    root = tmp_path / "project"
    (root / "media").mkdir(parents=True)
    (root / "media" / "in.png").write_bytes(png())
    (root / "media" / "link.png").symlink_to(outside)
    source = DirectorySource(root)
    assert source.exists("media/in.png") and not source.exists("../outside.png")
    assert not source.exists("media/link.png")
    with pytest.raises(MediaUnavailable) as caught:
        source.read("media/link.png")
    assert caught.value.reason is SourceProblem.UNSAFE_PATH
    with pytest.raises(MediaUnavailable):
        source.read("media")  # a directory is not a media file


def zip_bytes(files: dict[str, bytes | str]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in files.items():
            archive.writestr(name, data)
    return buffer.getvalue()


SPEC_TOML = spec_to_toml(SPEC)


def test_zip_with_spec_items_and_media_in_a_folder() -> None:
    data = zip_bytes(
        {
            "pets/project.toml": SPEC_TOML,
            "pets/items.csv": "id,image,gold\np1,media/Cat.PNG,cat\np2,media/dog.png,\n",
            "pets/media/cat.png": png(),
            "pets/media/dog.png": png("blue"),
            "__MACOSX/pets/._items.csv": b"\x00",
        }
    )
    spec, drafts = read_items_archive(data, None)
    assert spec == SPEC
    assert [(d.external_id, d.kind, d.gold_answer) for d in drafts] == [
        ("p1", MediaKind.IMAGE, "cat"),
        ("p2", MediaKind.IMAGE, None),
    ]


def test_zip_items_are_checked_against_the_given_spec() -> None:
    data = zip_bytes({"items.jsonl": '{"text": "a", "gold": "5"}\n'})
    archive_spec, drafts = read_items_archive(data, NUMBER)
    assert archive_spec is None and drafts[0].gold_answer == "5"


def test_zip_path_traversal_is_refused() -> None:
    data = zip_bytes(
        {
            "items.csv": "image\n../evil.png\n/etc/hosts\nok.png\n",
            "../evil.png": png(),
            "ok.png": png(),
        }
    )
    with pytest.raises(ValidationFailed) as caught:
        read_items_archive(data, SPEC)
    assert [(p.code, p.line, p.params["file"]) for p in caught.value.problems] == [
        (SourceProblem.UNSAFE_PATH, 2, "items.csv"),
        (SourceProblem.UNSAFE_PATH, 3, "items.csv"),
    ]


def archive_problems(data: bytes, spec: ProjectSpec | None = SPEC) -> list[str]:
    with pytest.raises(ValidationFailed) as caught:
        read_items_archive(data, spec)
    return [str(p.code) for p in caught.value.problems]


def test_archive_problems() -> None:
    assert archive_problems(b"not a zip") == [SourceProblem.BAD_ZIP]
    assert archive_problems(zip_bytes({"x.txt": "hi"})) == [ArchiveProblem.NO_ITEMS_FILE]
    both = zip_bytes({"a/items.csv": "text\nx\n", "b/items.csv": "text\ny\n"})
    assert archive_problems(both) == [ArchiveProblem.SEVERAL_ITEMS_FILES]
    assert archive_problems(zip_bytes({"items.csv": "text\nx\n"}), None) == [ArchiveProblem.NO_SPEC]
    broken = zip_bytes({"project.toml": 'name = "x"\n', "items.csv": "text\nx\n"})
    assert archive_problems(broken, None) == [SpecProblem.MISSING_FIELD] * 2
    oversized = zip_bytes({"items.csv": "image\nbig.png\n", "big.png": bytes(21 * 2**20)})
    assert archive_problems(oversized) == [MediaProblem.TOO_LARGE]


def test_spec_and_item_problems_of_an_archive_are_reported_together() -> None:
    data = zip_bytes({"project.toml": 'name = ""\n', "items.csv": "text\n\n"})
    with pytest.raises(ValidationFailed) as caught:
        read_items_archive(data, SPEC)
    files = {(str(p.code), p.params["file"]) for p in caught.value.problems}
    assert (str(SpecProblem.EMPTY), "project.toml") in files
    assert (str(ItemProblem.EMPTY), "items.csv") in files


def test_zip_bombs_are_refused_before_reading() -> None:
    data = zip_bytes({"items.csv": "text\nx\n", "zeros.bin": bytes(2**20)})
    assert len(data) < 10_000
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        with pytest.raises(ValidationFailed) as caught:
            ZipSource(archive, max_total_bytes=100_000)
        assert caught.value.problems[0].code == SourceProblem.TOO_LARGE
        with pytest.raises(ValidationFailed) as caught:
            ZipSource(archive, max_members=1)
        assert caught.value.problems[0].code == SourceProblem.TOO_MANY_FILES


# -- files on disk ----------------------------------------------------------------------


def test_load_from_paths_reads_media_next_to_the_items_file(tmp_path: Path) -> None:
    (tmp_path / "project.toml").write_text(SPEC_TOML, encoding="utf-8")
    (tmp_path / "media").mkdir()
    (tmp_path / "media" / "cat.png").write_bytes(png())
    items = tmp_path / "items.csv"
    items.write_text("id,image,gold\n1,media/cat.png,cat\n", encoding="utf-8")
    spec, drafts = load_from_paths(tmp_path / "project.toml", items)
    assert spec == SPEC and drafts[0].media is not None
    assert load_project_dir(tmp_path) == (spec, drafts)
    archive = tmp_path / "items.zip"
    archive.write_bytes(zip_bytes({"items.csv": items.read_text(), "media/cat.png": png()}))
    assert load_from_paths(tmp_path / "project.toml", archive) == (spec, drafts)


def test_load_from_paths_names_the_file_of_each_problem(tmp_path: Path) -> None:
    (tmp_path / "project.toml").write_text("colour = 1\n" + SPEC_TOML, encoding="utf-8")
    (tmp_path / "items.jsonl").write_text('{"text": "x"}\n', encoding="utf-8")
    with pytest.raises(ValidationFailed) as caught:
        load_project_dir(tmp_path)
    assert [(p.code, p.params["file"]) for p in caught.value.problems] == [
        (SpecProblem.UNKNOWN_FIELD, "project.toml")
    ]
    with pytest.raises(ValidationFailed) as caught:
        load_from_paths(tmp_path / "nope.toml", tmp_path / "items.jsonl")
    assert caught.value.problems[0].code == ItemProblem.MISSING_FILE
    (tmp_path / "project.toml").write_text(SPEC_TOML, encoding="utf-8")
    (tmp_path / "items.jsonl").write_text('{"text": "x", "gold": "cow"}\n', encoding="utf-8")
    with pytest.raises(ValidationFailed) as caught:
        load_project_dir(tmp_path)
    assert [(p.code, p.line, p.params["file"]) for p in caught.value.problems] == [
        (ItemProblem.BAD_GOLD, 1, "items.jsonl")
    ]


def test_project_dir_needs_exactly_one_items_file(tmp_path: Path) -> None:
    with pytest.raises(ValidationFailed) as caught:
        load_project_dir(tmp_path)
    assert caught.value.problems[0].code == ArchiveProblem.NO_ITEMS_FILE


# -- properties -------------------------------------------------------------------------

CODES = {str(c) for c in (*ItemProblem, *SourceProblem, *MediaProblem, *ArchiveProblem)}


def _only_known_problems(problems: tuple[Problem, ...]) -> None:
    assert problems
    assert {str(p.code) for p in problems} <= CODES | {str(c) for c in SpecProblem}


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=400), st.sampled_from(["items.csv", "items.jsonl", "items"]))
def test_arbitrary_bytes_give_drafts_or_validation_failed(data: bytes, name: str) -> None:
    try:
        drafts = parse_items(data, name, SPEC, MEDIA)
    except ValidationFailed as exc:
        _only_known_problems(exc.problems)
    else:
        assert all(isinstance(d, ItemDraft) for d in drafts)


cell = st.text(alphabet='ab;,\t"\n\r |é{}[]:cat.pngdog1\\/', max_size=12)
header = st.lists(st.sampled_from([*item_rows.COLUMNS, "x", ""]), min_size=1, max_size=6)


@settings(max_examples=200, deadline=None)
@given(header, st.lists(st.lists(cell, max_size=7), max_size=6), st.sampled_from(",;\t"))
def test_csv_like_text_gives_drafts_or_line_numbered_problems(
    columns: list[str], rows: list[list[str]], delimiter: str
) -> None:
    text = "\n".join(delimiter.join(r) for r in [columns, *rows])
    line_count = text.replace("\r\n", "\n").replace("\r", "\n").count("\n") + 1
    try:
        drafts = parse_items(text.encode(), "items.csv", MULTI, MEDIA)
    except ValidationFailed as exc:
        _only_known_problems(exc.problems)
        assert all(p.line is None or 1 <= p.line <= line_count for p in exc.problems)
    else:
        assert len({d.external_id for d in drafts}) == len(drafts)


@settings(max_examples=100, deadline=None)
@given(st.binary(max_size=300))
def test_arbitrary_archives_raise_only_validation_failed(data: bytes) -> None:
    for candidate in (data, b"PK\x03\x04" + data):
        with pytest.raises(ValidationFailed) as caught:
            read_items_archive(candidate, SPEC)
        _only_known_problems(caught.value.problems)


csv_text = st.text(alphabet='ab,;"\n é\\|x', min_size=1, max_size=10).filter(str.strip)


def _write_csv(rows: list[list[str]]) -> tuple[str, list[int]]:
    """Return rows written as CSV and the line each row starts on."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    starts = []
    for row in rows:
        starts.append(buffer.getvalue().count("\n") + 1)
        writer.writerow(row)
    return buffer.getvalue(), starts


@settings(max_examples=150, deadline=None)
@given(st.lists(csv_text, min_size=1, max_size=8))
def test_well_quoted_csv_reads_back_exactly_under_the_strict_reader(texts: list[str]) -> None:
    rows = [["id", "text"], *([str(n), text] for n, text in enumerate(texts))]
    data, starts = _write_csv(rows)
    table = item_rows.read_rows(data.encode(), "items.csv")
    assert table.problems == ()
    assert [(row.line, dict(row.cells)) for row in table.rows] == [
        (line, {"id": str(n), "text": text})
        for n, (line, text) in enumerate(zip(starts[1:], texts, strict=True))]


plain_text = st.text(alphabet="ab,; é\\|x", min_size=1, max_size=10).filter(str.strip)


@settings(max_examples=150, deadline=None)
@given(st.lists(csv_text, max_size=5), plain_text, st.lists(plain_text, max_size=5))
def test_an_unclosed_quote_is_reported_where_it_opens(
    before: list[str], opened: str, after: list[str]
) -> None:
    data, _starts = _write_csv([["id", "text"], *([str(n), t] for n, t in enumerate(before))])
    line = data.count("\n") + 1
    data += f'{len(before)},"{opened}\n' + "".join(f"{t}\n" for t in after)
    table = item_rows.read_rows(data.encode(), "items.csv")
    assert [(p.code, p.line) for p in table.problems] == [(ItemProblem.UNCLOSED_QUOTE, line)]
    assert len(table.rows) == len(before)  # the rows after the quote are not merged into one
