"""ApiClient: URLs, headers, and how HTTP failures become ApiError / ApiUnreachable."""

import httpx
import pytest

from paas_cli.client import ApiClient
from paas_cli.errors import ApiError, ApiUnreachable, CliError

from .conftest import FakeApi


def client_for(fake: FakeApi, base_url: str = "http://api.test") -> ApiClient:
    return ApiClient(base_url, "tok", transport=httpx.MockTransport(fake.handle))


def test_every_request_is_authenticated_json(fake_api):
    fake_api.on("GET", "/apps", [])

    client_for(fake_api).list_apps()

    headers = fake_api.requests[0].headers
    assert headers["Authorization"] == "Bearer tok"
    assert headers["Accept"] == "application/json"


def test_base_url_path_prefix_is_kept(fake_api):
    fake_api.on("GET", "/paas/apps/demo", {"name": "demo"})

    assert client_for(fake_api, "http://api.test/paas").get_app("demo") == {"name": "demo"}


def test_path_segments_are_encoded(fake_api):
    fake_api.on("GET", "/apps/a%2F..%2Fb/releases/7/config-vars", {})

    client_for(fake_api).release_config_vars("a/../b", 7)

    assert fake_api.calls == [("GET", "/apps/a%2F..%2Fb/releases/7/config-vars")]


def test_update_config_vars_returns_release_version(fake_api):
    fake_api.on(
        "PATCH", "/apps/demo/config-vars", {"A": "1"}, headers={"Paas-Release-Version": "12"}
    )

    assert client_for(fake_api).update_config_vars("demo", {"A": "1", "B": None}) == (
        {"A": "1"},
        12,
    )
    assert fake_api.requests[0].body == {"A": "1", "B": None}


def test_rollback_posts_target(fake_api):
    fake_api.on("POST", "/apps/demo/releases", {"version": 9}, status=201)

    assert client_for(fake_api).rollback("demo", 4) == {"version": 9}
    assert fake_api.requests[0].body == {"release": 4}


def test_error_json_becomes_api_error(fake_api):
    fake_api.on("DELETE", "/apps/demo", {"id": "conflict", "message": "busy"}, status=409)

    with pytest.raises(ApiError) as caught:
        client_for(fake_api).destroy_app("demo")

    assert (caught.value.id, caught.value.message, caught.value.status) == ("conflict", "busy", 409)


def test_error_json_without_message_is_generic(fake_api):
    fake_api.on("GET", "/account", {"detail": "nope"}, status=401)

    with pytest.raises(ApiError, match="^401 from API$"):
        client_for(fake_api).account()


def test_timeout_is_unreachable():
    def slow(request):
        raise httpx.ReadTimeout("", request=request)

    client = ApiClient("http://api.test", "tok", transport=httpx.MockTransport(slow))

    expected = r"^cannot reach the paas API at http://api.test: ReadTimeout$"
    with pytest.raises(ApiUnreachable, match=expected):
        client.list_apps()


def test_create_build_streams_the_chunks_with_a_known_length(fake_api):
    fake_api.on("POST", "/apps/demo/builds", {"id": "b"}, status=201)
    produced = []

    def chunks():
        for chunk in (b"\x1f\x8b", b"rest"):
            produced.append(chunk)
            yield chunk

    assert client_for(fake_api).create_build("demo", chunks(), 6, "abc123") == {"id": "b"}

    request = fake_api.requests[0]
    assert (produced, request.content) == ([b"\x1f\x8b", b"rest"], b"\x1f\x8brest")
    assert request.headers["Content-Length"] == "6"
    assert "Transfer-Encoding" not in request.headers
    assert request.headers["Paas-Source-Version"] == "abc123"


def test_stream_text_path_is_relative_to_the_api_url(fake_api):
    fake_api.on("GET", "/paas/apps/demo/builds/b/output", text="line 1\nline 2\n")

    client = client_for(fake_api, "http://api.test/paas")

    assert "".join(client.stream_text("/apps/demo/builds/b/output")) == "line 1\nline 2\n"


def test_stream_text_accepts_an_absolute_url_into_the_api(fake_api):
    fake_api.on("GET", "/apps/demo/builds/b/output", text="ok\n")

    chunks = client_for(fake_api).stream_text("http://api.test/apps/demo/builds/b/output")

    assert "".join(chunks) == "ok\n"


def test_stream_text_never_sends_the_token_to_another_host(fake_api):
    chunks = client_for(fake_api).stream_text("http://evil.test/apps/demo/builds/b/output")

    with pytest.raises(CliError, match="URL outside http://api.test"):
        list(chunks)
    assert fake_api.requests == []


def test_stream_text_failure_mid_stream_is_unreachable():
    def broken(request):
        def body():
            yield b"first\n"
            raise httpx.RemoteProtocolError("peer closed connection")

        return httpx.Response(200, content=body())

    client = ApiClient("http://api.test", "tok", transport=httpx.MockTransport(broken))

    with pytest.raises(ApiUnreachable, match="peer closed connection"):
        list(client.stream_text("/out"))


def test_purge_build_cache_accepts_204(fake_api):
    fake_api.on("DELETE", "/apps/demo/build-cache", status=204, text="")

    assert client_for(fake_api).purge_build_cache("demo") is None
    assert fake_api.calls == [("DELETE", "/apps/demo/build-cache")]
