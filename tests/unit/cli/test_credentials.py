"""Token lookup and storage (credentials.py) beyond what the auth command tests cover."""

from pathlib import Path

import pytest

from paas_cli import credentials
from paas_cli.errors import CliError, NotLoggedIn


def test_api_host_drops_scheme_and_port():
    assert credentials.api_host("http://Paas.Example:5000/api") == "paas.example"


def test_netrc_path_prefers_NETRC(tmp_path):
    assert credentials.netrc_path({"NETRC": "/x/n", "HOME": "/h"}) == Path("/x/n")
    assert credentials.netrc_path({"HOME": str(tmp_path)}) == tmp_path / ".netrc"


def test_missing_netrc_means_not_logged_in(tmp_path):
    with pytest.raises(NotLoggedIn):
        credentials.find_token("http://h:5000", {"HOME": str(tmp_path)})


def test_unreadable_netrc_is_a_clear_error(tmp_path):
    (tmp_path / ".netrc").mkdir()  # a directory where the file should be

    with pytest.raises(CliError, match=r"cannot read .*\.netrc"):
        credentials.find_token("http://h:5000", {"HOME": str(tmp_path)})


def test_save_refuses_token_with_whitespace(tmp_path):
    with pytest.raises(CliError, match="no whitespace"):
        credentials.save_token("http://h", {"HOME": str(tmp_path)}, "admin", "two words")
    assert not (tmp_path / ".netrc").exists()


def test_save_refuses_to_rewrite_unparseable_file(tmp_path):
    (tmp_path / ".netrc").write_text("machine\n")

    with pytest.raises(CliError, match="cannot parse"):
        credentials.save_token("http://h", {"HOME": str(tmp_path)}, "admin", "t")
    assert (tmp_path / ".netrc").read_text() == "machine\n"


def test_remove_reports_whether_there_was_an_entry(tmp_path):
    environ = {"HOME": str(tmp_path)}
    credentials.save_token("http://h:1", environ, "admin", "t")

    assert credentials.remove_token("http://h:1", environ) is True
    assert credentials.remove_token("http://h:1", environ) is False
    assert (tmp_path / ".netrc").read_text() == ""
