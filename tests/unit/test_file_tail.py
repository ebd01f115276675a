"""RotatingFileTail: complete lines only, resume at a position, rotation under a writer."""

from paas_platform.runtime.file_tail import RotatingFileTail, TailPosition


class Writer:
    """Appends like nginx: to whatever file it opened, until told to reopen."""

    def __init__(self, path):
        self.path = path
        self.file = open(path, "ab", buffering=0)
        self.reopened = 0

    def write(self, text: str) -> None:
        self.file.write(text.encode())

    def reopen(self) -> None:
        self.file.close()
        self.file = open(self.path, "ab", buffering=0)
        self.reopened += 1


class Clock:
    def __init__(self):
        self.now = 0.0

    def __call__(self):
        return self.now


def test_returns_complete_lines_and_waits_for_the_rest(tmp_path):
    path = tmp_path / "access.log"
    tail = RotatingFileTail(path, None, reopen=lambda: None)
    assert tail.poll() == ([], None)  # no file yet
    writer = Writer(path)
    writer.write("one\ntw")
    lines, position = tail.poll()
    assert lines == ["one"] and position.offset == 4
    writer.write("o\nthree\n")
    lines, position = tail.poll()
    assert lines == ["two", "three"] and position.offset == len("one\ntwo\nthree\n")
    assert tail.poll()[0] == []


def test_resumes_where_it_stopped_and_restarts_a_replaced_file(tmp_path):
    path = tmp_path / "access.log"
    writer = Writer(path)
    writer.write("a\nb\n")
    first = RotatingFileTail(path, None, reopen=lambda: None)
    _, position = first.poll()
    first.close()
    writer.write("c\n")
    again = RotatingFileTail(path, TailPosition.decode(position.encode()), reopen=lambda: None)
    assert again.poll()[0] == ["c"]
    stranger = RotatingFileTail(path, TailPosition(inode=1, offset=2), reopen=lambda: None)
    assert stranger.poll()[0] == ["a", "b", "c"]  # another file's position: from the start
    assert TailPosition.decode("garbage") is None


def test_rotates_and_reads_the_old_file_to_its_end(tmp_path):
    path = tmp_path / "access.log"
    writer, clock = Writer(path), Clock()
    tail = RotatingFileTail(path, None, reopen=writer.reopen, rotate_at=10, clock=clock)
    writer.write("0123456789\n")
    assert tail.poll()[0] == ["0123456789"]
    assert writer.reopened == 1 and (tmp_path / "access.log.1").exists()
    writer.write("after\n")  # into the new file
    assert tail.poll()[0] == []  # the old file first, until the writer surely let go
    clock.now += 5
    lines, position = tail.poll()
    assert lines == ["after"] and not (tmp_path / "access.log.1").exists()
    assert position.inode == path.stat().st_ino


def test_a_restart_during_rotation_finishes_the_old_file_first(tmp_path):
    path = tmp_path / "access.log"
    writer, clock = Writer(path), Clock()
    tail = RotatingFileTail(path, None, reopen=writer.reopen, rotate_at=5, clock=clock)
    writer.write("first\n")
    _, position = tail.poll()
    tail.close()
    assert position.inode == (tmp_path / "access.log.1").stat().st_ino
    writer.write("second\n")
    resumed = RotatingFileTail(path, position, reopen=writer.reopen, rotate_at=1000, clock=clock)
    assert resumed.poll()[0] == []
    clock.now += 5
    assert resumed.poll()[0] == ["second"]
