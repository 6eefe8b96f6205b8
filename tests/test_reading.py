"""Reading articles from files, folders and stdin: exact text, stable ids, a reason for each bad input."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from quotegraph.reading import Article, ReadError, files, iter_inputs

LIMIT = 5_000_000


def read_all(paths: list[Path | str], max_bytes: int = LIMIT, stdin: bytes | None = None) -> list:
    stream = io.BytesIO(stdin) if stdin is not None else None
    return list(iter_inputs([str(p) for p in paths], max_bytes=max_bytes, stdin=stream))


def read_one(path: Path, max_bytes: int = LIMIT) -> Article | ReadError:
    [item] = read_all([path], max_bytes)
    return item


def write(path: Path, data: bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return path


# --- the text is the file, exactly ------------------------------------------------------------


def test_text_is_the_file_decoded_with_crlf_and_non_ascii_kept(tmp_path):
    raw = "Café owner “Zoë” said:\r\n\r\n«Ça va», naïve – 東京 🙂\r\n".encode()
    article = read_one(write(tmp_path / "cafe.txt", raw))
    assert isinstance(article, Article)
    assert article.text.encode("utf-8") == raw
    assert "\r\n" in article.text


def test_offsets_into_the_text_index_the_decoded_file(tmp_path):
    raw = "Zoë\r\nsaid “hello”.\r\n"
    article = read_one(write(tmp_path / "a.txt", raw.encode()))
    start = article.text.index("said")
    assert article.text[start : start + 4] == "said"
    assert start == raw.index("said")  # code-point offset, CRLF counted as two characters


def test_a_leading_byte_order_mark_is_kept_so_offsets_still_match(tmp_path):
    article = read_one(write(tmp_path / "bom.txt", b"\xef\xbb\xbfHeadline\n"))
    assert article.text == "\ufeffHeadline\n"


def test_the_id_is_the_file_stem_and_the_title_is_the_first_non_blank_line(tmp_path):
    article = read_one(
        write(tmp_path / "harbour-vote.txt", b"\n\n  Council backs bridge  \nBody.\n")
    )
    assert article.id == "harbour-vote"
    assert article.meta["title"] == "Council backs bridge"
    assert article.meta["path"] == str(tmp_path / "harbour-vote.txt")


def test_a_first_line_that_is_a_whole_paragraph_is_not_taken_for_a_title(tmp_path):
    article = read_one(write(tmp_path / "long.txt", ("word " * 100).encode()))
    assert article.meta["title"] is None


# --- folders and stdin ------------------------------------------------------------------------


def test_a_folder_means_every_txt_file_beneath_it_recursively_in_sorted_order(tmp_path):
    for name in ["b.txt", "a.txt", "sub/c.txt", "sub/deeper/d.txt", "notes.md", "sub/e.TXT.bak"]:
        write(tmp_path / "news" / name, b"Some text.\n")
    items = read_all([tmp_path / "news"])
    assert [
        Path(item.meta["path"]).relative_to(tmp_path / "news").as_posix() for item in items
    ] == [
        "a.txt",
        "b.txt",
        "sub/c.txt",
        "sub/deeper/d.txt",
    ]


def test_a_folder_without_any_txt_file_is_reported_not_silently_skipped(tmp_path):
    write(tmp_path / "empty-folder" / "readme.md", b"# not an article\n")
    [error] = read_all([tmp_path / "empty-folder"])
    assert isinstance(error, ReadError)
    assert "no .txt files" in error.reason


def test_clashing_file_stems_get_distinct_ids_in_order(tmp_path):
    first = write(tmp_path / "x" / "index.txt", b"One.\n")
    second = write(tmp_path / "y" / "index.txt", b"Two.\n")
    third = write(tmp_path / "z" / "index.txt", b"Three.\n")
    assert [item.id for item in read_all([first, second, third])] == ["index", "index-2", "index-3"]


def test_a_dash_reads_the_article_from_stdin_with_the_id_stdin():
    [article] = read_all(["-"], stdin="“Yes,” she said.\r\n".encode())
    assert article == Article(
        "stdin", "“Yes,” she said.\r\n", {"title": "“Yes,” she said.", "path": None}
    )


def test_files_and_stdin_mix_in_command_line_order(tmp_path):
    path = write(tmp_path / "file.txt", b"From a file.\n")
    items = read_all([path, "-"], stdin=b"From stdin.\n")
    assert [(item.id, item.text) for item in items] == [
        ("file", "From a file.\n"),
        ("stdin", "From stdin.\n"),
    ]


# --- bad input: one error per document, with what is wrong and what to do ---------------------


def test_an_empty_file_is_reported_as_empty(tmp_path):
    error = read_one(write(tmp_path / "empty.txt", b""))
    assert isinstance(error, ReadError)
    assert (error.id, error.path) == ("empty", str(tmp_path / "empty.txt"))
    assert "empty" in error.reason


def test_a_whitespace_only_file_is_reported_as_such(tmp_path):
    error = read_one(write(tmp_path / "blank.txt", b" \r\n\t\n  \n"))
    assert isinstance(error, ReadError)
    assert "only whitespace" in error.reason


@pytest.mark.parametrize(
    "data",
    [
        b"%PDF-1.7\n\x00\x00\x00binary stream",  # NUL bytes
        bytes(range(1, 9)) * 40,  # control characters only
    ],
    ids=["nul-bytes", "control-chars"],
)
def test_a_binary_file_is_reported_as_binary_not_as_bad_utf8(tmp_path, data):
    error = read_one(write(tmp_path / "scan.txt", data))
    assert isinstance(error, ReadError)
    assert "binary" in error.reason
    assert "UTF-8" in error.reason  # says what to convert it to


def test_invalid_utf8_is_reported_with_the_byte_offset_of_the_first_bad_byte(tmp_path):
    data = b"Prime minister said caf\xe9 au lait.\n"  # Latin-1 é
    error = read_one(write(tmp_path / "latin1.txt", data))
    assert isinstance(error, ReadError)
    assert f"byte offset {len('Prime minister said caf')}" in error.reason
    assert "e9" in error.reason
    assert "re-save" in error.reason


def test_a_file_over_the_size_limit_is_refused_with_the_flag_that_raises_it(tmp_path):
    error = read_one(write(tmp_path / "big.txt", b"a" * 101), max_bytes=100)
    assert isinstance(error, ReadError)
    assert "101 bytes" in error.reason
    assert "--max-bytes" in error.reason


def test_a_file_exactly_at_the_size_limit_is_read(tmp_path):
    assert isinstance(read_one(write(tmp_path / "edge.txt", b"a" * 100), max_bytes=100), Article)


def test_stdin_over_the_size_limit_is_refused_too():
    [error] = read_all(["-"], max_bytes=10, stdin=b"x" * 50)
    assert isinstance(error, ReadError)
    assert "--max-bytes" in error.reason


def test_a_missing_path_is_reported_with_advice(tmp_path):
    [error] = read_all([tmp_path / "nowhere.txt"])
    assert isinstance(error, ReadError)
    assert error.id == "nowhere"
    assert "no such file" in error.reason


def test_an_unreadable_file_is_reported_as_permission_denied(tmp_path, monkeypatch):
    path = write(tmp_path / "locked.txt", b"Secret.\n")

    def refuse(*args, **kwargs):
        raise PermissionError(13, "Permission denied", str(path))

    monkeypatch.setattr(files, "open", refuse, raising=False)  # works as root too
    error = read_one(path)
    assert isinstance(error, ReadError)
    assert "permission denied" in error.reason


def test_bad_documents_keep_their_place_and_never_stop_the_batch(tmp_path):
    folder = tmp_path / "batch"
    write(folder / "1-good.txt", b"First.\n")
    write(folder / "2-empty.txt", b"")
    write(folder / "3-binary.txt", b"\x00\x01\x02")
    write(folder / "4-latin1.txt", b"caf\xe9\n")
    write(folder / "5-good.txt", b"Last.\n")
    items = read_all([folder, tmp_path / "missing.txt"])
    assert [type(item).__name__ for item in items] == [
        "Article",
        "ReadError",
        "ReadError",
        "ReadError",
        "Article",
        "ReadError",
    ]
    assert [item.id for item in items] == [
        "1-good",
        "2-empty",
        "3-binary",
        "4-latin1",
        "5-good",
        "missing",
    ]


def test_reading_is_lazy_so_a_long_batch_starts_at_once(tmp_path):
    first = write(tmp_path / "first.txt", b"First.\n")
    later = tmp_path / "later.txt"
    write(later, b"Written later.\n")
    items = iter_inputs([str(first), str(later)], max_bytes=LIMIT)
    assert next(items).text == "First.\n"
    later.write_bytes(b"Changed after the batch started.\n")
    assert next(items).text == "Changed after the batch started.\n"
