"""Uploaded source archives: what is refused, and what the clean archive holds."""

import io
import tarfile

import pytest

from paas_platform.builder.source import SourceLimits, SourceRejected, receive, sanitize

LIMITS = SourceLimits(max_compressed=1024 * 1024, max_unpacked=4 * 1024 * 1024)


def make_tgz(path, entries):
    """entries: (name, kind, payload) with kind file|dir|sym|hard|fifo|chr."""
    with tarfile.open(path, "w:gz") as tar:
        for name, kind, payload in entries:
            info = tarfile.TarInfo(name)
            data = None
            if kind == "file":
                info.size, info.mode = len(payload), 0o4755 if name.endswith(".sh") else 0o644
                data = io.BytesIO(payload)
            elif kind == "dir":
                info.type = tarfile.DIRTYPE
            elif kind == "sym":
                info.type, info.linkname = tarfile.SYMTYPE, payload
            elif kind == "hard":
                info.type, info.linkname = tarfile.LNKTYPE, payload
            elif kind == "fifo":
                info.type = tarfile.FIFOTYPE
            elif kind == "chr":
                info.type = tarfile.CHRTYPE
            tar.addfile(info, data)
    return path


def test_clean_archive_keeps_files_links_and_procfile(tmp_path):
    upload = make_tgz(tmp_path / "in.tgz", [
        ("./", "dir", None),
        ("./Procfile", "file", b"web: python app.py\n"),
        ("./app.py", "file", b"print('hi')\n"),
        ("./bin/run.sh", "file", b"#!/bin/sh\n"),
        ("./static", "dir", None),
        ("./static/current", "sym", "../app.py"),
        ("./copy.py", "hard", "app.py"),
    ])
    tree = sanitize(upload, tmp_path / "out.tar", LIMITS)
    assert tree.procfile == "web: python app.py\n"
    assert tree.top_level == {"Procfile", "app.py", "bin", "static", "copy.py"}
    assert not tree.has_dockerfile
    with tarfile.open(tree.tar_path) as tar:
        members = {m.name: m for m in tar}
    assert set(members) == {"Procfile", "app.py", "bin/run.sh", "static", "static/current", "copy.py"}
    assert members["static/current"].linkname == "../app.py"
    assert all(m.uid == 1000 and m.gid == 1000 for m in members.values())
    assert members["bin/run.sh"].mode == 0o755  # setuid bit dropped
    assert tree.unpacked_bytes == len(b"web: python app.py\n") + len(b"print('hi')\n") + len(b"#!/bin/sh\n")


@pytest.mark.parametrize("entries,message", [
    ([("../evil", "file", b"x")], "'..'"),
    ([("a/../../evil", "file", b"x")], "'..'"),
    ([("/etc/passwd", "file", b"x")], "absolute path"),
    ([("link", "sym", "/etc/passwd")], "outside"),
    ([("link", "sym", "../../etc")], "outside"),
    ([("d", "dir", None), ("d/link", "sym", "../..")], "outside"),
    ([("link", "sym", "."), ("link/file", "file", b"x")], "through a link"),
    ([("hard", "hard", "/etc/shadow")], "absolute path"),
    ([("hard", "hard", "missing")], "outside"),
    ([("pipe", "fifo", None)], "device or FIFO"),
    ([("tty", "chr", None)], "device or FIFO"),
])
def test_unsafe_entries_are_refused(tmp_path, entries, message):
    upload = make_tgz(tmp_path / "in.tgz", [("ok.txt", "file", b"fine")] + entries)
    with pytest.raises(SourceRejected, match=message):
        sanitize(upload, tmp_path / "out.tar", LIMITS)


def test_unpacked_cap(tmp_path):
    # Compresses to a few KB, unpacks past the cap: a small zip bomb.
    upload = make_tgz(tmp_path / "in.tgz", [("big", "file", b"\0" * (5 * 1024 * 1024))])
    assert upload.stat().st_size < LIMITS.max_compressed
    with pytest.raises(SourceRejected, match="unpacks to over the 4 MB limit"):
        sanitize(upload, tmp_path / "out.tar", LIMITS)


def test_compressed_cap_stops_reading(tmp_path):
    chunks = (b"x" * 65536 for _ in range(100))
    with pytest.raises(SourceRejected, match="over the 1 MB upload limit"):
        receive(chunks, tmp_path / "upload", LIMITS)
    assert (tmp_path / "upload").stat().st_size <= LIMITS.max_compressed


@pytest.mark.parametrize("payload,message", [
    (b"", "no source archive"),
    (b"this is not a tarball at all", "not a readable tar"),
])
def test_garbage_is_refused(tmp_path, payload, message):
    with pytest.raises(SourceRejected, match=message):
        receive([payload], tmp_path / "upload", LIMITS)
        sanitize(tmp_path / "upload", tmp_path / "out.tar", LIMITS)


def test_empty_archive_is_refused(tmp_path):
    upload = make_tgz(tmp_path / "in.tgz", [("./", "dir", None)])
    with pytest.raises(SourceRejected, match="empty"):
        sanitize(upload, tmp_path / "out.tar", LIMITS)
