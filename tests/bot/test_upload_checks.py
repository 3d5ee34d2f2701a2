"""bot/upload_checks.py: an attachment is judged from its name and size, before download,
by the engine's own extensions and size limit."""

from __future__ import annotations

import pytest

from bot.upload_checks import upload_problem
from index.parsing.upload import MAX_UPLOAD_BYTES


@pytest.mark.parametrize(
    ("filename", "size", "problem"),
    [
        ("a.txt", 10, None),
        ("a.MD", 10, None),
        ("page.html", 10, None),
        ("page.htm", MAX_UPLOAD_BYTES, None),
        ("a.pdf", 10, "not an article file"),
        ("noext", 10, "not an article file"),
        ("a.txt", 0, "is empty"),
        ("a.txt", MAX_UPLOAD_BYTES + 1, "the limit is 2 MB"),
    ],
)
def test_upload_checks_before_download(filename: str, size: int, problem: str | None) -> None:
    found = upload_problem(filename, size)
    if problem is None:
        assert found is None
    else:
        assert found is not None
        assert problem in found


def test_a_path_in_the_name_is_reduced_to_the_file_name() -> None:
    assert upload_problem("../../etc/passwd", 10) == (
        "'passwd' is not an article file: attach a .txt, .md or .html file."
    )
