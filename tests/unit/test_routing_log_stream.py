"""LogStreamDecoder: the engine's chunked, multiplexed log stream back into lines,
whatever the read boundaries."""

from paas_platform.runtime.log_stream import LogStreamDecoder


def frame(text: bytes, stream: int = 1) -> bytes:
    return bytes([stream, 0, 0, 0]) + len(text).to_bytes(4, "big") + text


def chunked(*pieces: bytes) -> bytes:
    return b"".join(b"%x\r\n%s\r\n" % (len(p), p) for p in pieces) + b"0\r\n\r\n"


WIRE = chunked(frame(b"paas-router app=demo status=200\n"), frame(b"nginx says\n", 2),
               frame(b"half a "), frame("line \u00e9\n".encode()))
LINES = ["paas-router app=demo status=200", "nginx says", "half a line \u00e9"]


def test_one_read():
    decoder = LogStreamDecoder()
    assert decoder.feed(WIRE) == LINES and decoder.finished


def test_every_split_point_gives_the_same_lines():
    for cut in range(1, len(WIRE)):
        decoder = LogStreamDecoder()
        assert decoder.feed(WIRE[:cut]) + decoder.feed(WIRE[cut:]) == LINES, cut


def test_byte_by_byte():
    decoder = LogStreamDecoder()
    lines = []
    for i in range(len(WIRE)):
        lines += decoder.feed(WIRE[i:i + 1])
    assert lines == LINES and decoder.finished


def test_several_frames_in_one_chunk_and_chunk_extensions():
    decoder = LogStreamDecoder()
    body = frame(b"a\n") + frame(b"b\nc\n")
    wire = b"%x;ext=1\r\n%s\r\n" % (len(body), body)
    assert decoder.feed(wire) == ["a", "b", "c"] and not decoder.finished
