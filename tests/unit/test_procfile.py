"""Procfile parsing and merging with buildpack defaults."""

import pytest

from paas_platform.domain.procfile import ProcfileError, merge_process_types, parse_procfile


def test_parses_types_in_order_ignoring_comments_and_blanks():
    text = "# processes\nweb: gunicorn app:app --bind 0.0.0.0:$PORT\n\nWorker:python worker.py  \nrelease: python manage.py migrate\n"
    assert parse_procfile(text) == {
        "web": "gunicorn app:app --bind 0.0.0.0:$PORT",
        "worker": "python worker.py",
        "release": "python manage.py migrate",
    }


@pytest.mark.parametrize("text,message", [
    ("web: a\nweb: b\n", "line 2: duplicate process type web"),
    ("web: a\nWEB: b\n", "line 2: duplicate process type web"),
    ("web a\n", "line 1 is not `type: command`"),
    ("\n\nweb:\n", "line 3: process type web has no command"),
    ("-web: x\n", "line 1 is not"),
    ("w" * 64 + ": x\n", "line 1: process type must be"),
])
def test_errors_name_the_line(text, message):
    with pytest.raises(ProcfileError, match=message):
        parse_procfile(text)


def test_procfile_wins_over_buildpack_defaults():
    merged = merge_process_types({"web": "gunicorn app:app"}, {"web": "python app.py", "console": "python"})
    assert merged == {"web": "gunicorn app:app", "console": "python"}
