"""fetch: the SSRF guard, redirects, size caps and base64 decoding, against a real loopback server."""

from __future__ import annotations

import ipaddress
import os
from typing import List

import pytest

from .serving_fixtures import FileServer, b64, file_server, png_bytes  # noqa: F401 (fixture)

from avatar_worker import fetch
from avatar_worker.errors import FetchFailed, FetchForbidden, InputInvalid, InputTooLarge
from avatar_worker.fetch import FetchPolicy, decode_base64, fetch_url, is_public_address

LOOPBACK_ONLY = (ipaddress.ip_network("127.0.0.1/32"),)


def allowing_loopback(**overrides: object) -> FetchPolicy:
    """The test-only policy: loopback permitted, everything else as in production."""
    return FetchPolicy(allowed_networks=LOOPBACK_ONLY, **overrides)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "address",
    [
        "127.0.0.1", "127.9.9.9", "10.0.0.1", "172.16.5.4", "192.168.1.1", "169.254.169.254",
        "100.64.0.1", "0.0.0.0", "224.0.0.1", "240.0.0.1", "255.255.255.255", "192.0.2.1",
        "::1", "::", "fe80::1", "fc00::1", "fd12:3456::1", "ff02::1", "::ffff:127.0.0.1",
        "::ffff:10.0.0.1", "64:ff9b::a00:1", "2002:0a00:0001::1", "fec0::1",
    ],
)
def test_non_public_addresses_are_refused(address: str) -> None:
    assert not is_public_address(ipaddress.ip_address(address))


@pytest.mark.parametrize("address", ["8.8.8.8", "1.1.1.1", "93.184.216.34", "2606:4700:4700::1111", "::ffff:8.8.8.8"])
def test_public_addresses_are_accepted(address: str) -> None:
    assert is_public_address(ipaddress.ip_address(address))


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1/x.png",
        "http://10.0.0.1/x.png",
        "http://169.254.169.254/latest/meta-data/",
        "http://[::1]/x.png",
        "http://[::ffff:127.0.0.1]/x.png",
        "http://0.0.0.0/x.png",
        "http://localhost/x.png",
        "http://2130706433/x.png",  # 127.0.0.1 as a decimal number: getaddrinfo accepts it
        "file:///etc/passwd",
        "gopher://127.0.0.1:70/_GET",
        "ftp://example.com/a.png",
        "http://user:secret@example.com/a.png",
        "dict://127.0.0.1:11211/stat",
    ],
)
def test_default_policy_refuses_hostile_urls(url: str, tmp_path: "os.PathLike[str]") -> None:
    with pytest.raises(FetchForbidden):
        fetch_url(url, os.path.join(str(tmp_path), "out"), "image_url", FetchPolicy())


def test_a_name_resolving_to_a_private_address_is_refused(tmp_path: "os.PathLike[str]") -> None:
    resolved: List[str] = []

    def resolver(host: str, port: int) -> List[str]:
        resolved.append(host)
        return ["93.184.216.34", "10.1.2.3"]  # one public, one private: still refused

    with pytest.raises(FetchForbidden, match="10.1.2.3"):
        fetch_url("https://images.example.test/a.png", os.path.join(str(tmp_path), "o"), "image_url", FetchPolicy(resolver=resolver))
    assert resolved == ["images.example.test"]


def test_connects_to_the_vetted_address_not_a_second_lookup(file_server: FileServer, tmp_path: "os.PathLike[str]") -> None:
    """DNS rebinding: the name is resolved once; the connection goes to that address with the
    original Host header."""
    calls: List[str] = []

    def resolver(host: str, port: int) -> List[str]:
        calls.append(host)
        return ["127.0.0.1"]

    seen_hosts: List[str] = []

    def route(handler) -> None:  # type: ignore[no-untyped-def]
        seen_hosts.append(handler.headers.get("Host"))
        body = b"hello"
        handler.send_response(200)
        handler.send_header("Content-Length", str(len(body)))
        handler.end_headers()
        handler.wfile.write(body)

    file_server.routes["/rebind"] = route
    out = os.path.join(str(tmp_path), "o")
    result = fetch_url(f"http://media.example.test:{file_server.port}/rebind?sig=secret", out, "audio_url",
                       allowing_loopback(resolver=resolver))
    assert calls == ["media.example.test"]
    assert seen_hosts == [f"media.example.test:{file_server.port}"]
    assert open(out, "rb").read() == b"hello"
    assert result.final_url is not None and "secret" not in result.final_url


def test_redirects_are_followed_and_each_hop_vetted(file_server: FileServer, tmp_path: "os.PathLike[str]") -> None:
    body = png_bytes()
    target = file_server.add("/final.png", body, "image/png")
    first = file_server.add_redirect("/hop1", "/hop2")
    file_server.add_redirect("/hop2", target, status=307)
    result = fetch_url(first, os.path.join(str(tmp_path), "o"), "image_url", allowing_loopback())
    assert result.size_bytes == len(body)
    assert result.final_url == target


@pytest.mark.parametrize(
    "location",
    ["http://10.0.0.1/secret", "http://169.254.169.254/latest/meta-data/iam/", "http://[::1]:8080/", "file:///etc/passwd"],
)
def test_redirect_to_a_private_address_is_refused(location: str, file_server: FileServer, tmp_path: "os.PathLike[str]") -> None:
    url = file_server.add_redirect(f"/evil-{abs(hash(location))}", location)
    with pytest.raises(FetchForbidden):
        fetch_url(url, os.path.join(str(tmp_path), "o"), "image_url", allowing_loopback())


def test_redirect_loops_stop(file_server: FileServer, tmp_path: "os.PathLike[str]") -> None:
    url = file_server.add_redirect("/loop", "/loop")
    with pytest.raises(FetchFailed, match="redirects"):
        fetch_url(url, os.path.join(str(tmp_path), "o"), "image_url", allowing_loopback())


def test_content_length_over_the_cap_is_refused_before_reading(file_server: FileServer, tmp_path: "os.PathLike[str]") -> None:
    url = file_server.add_streaming("/big-announced", 5_000_000, announce_length=True)
    with pytest.raises(InputTooLarge):
        fetch_url(url, os.path.join(str(tmp_path), "o"), "audio_url", allowing_loopback(max_bytes=1_000_000))


def test_streamed_body_over_the_cap_is_aborted(file_server: FileServer, tmp_path: "os.PathLike[str]") -> None:
    url = file_server.add_streaming("/big-chunked", 5_000_000, announce_length=False)
    with pytest.raises(InputTooLarge):
        fetch_url(url, os.path.join(str(tmp_path), "o"), "audio_url", allowing_loopback(max_bytes=1_000_000))


def test_http_errors_are_fetch_failed(file_server: FileServer, tmp_path: "os.PathLike[str]") -> None:
    with pytest.raises(FetchFailed, match="404"):
        fetch_url(file_server.url("/missing"), os.path.join(str(tmp_path), "o"), "image_url", allowing_loopback())


def test_base64_plain_and_data_url(tmp_path: "os.PathLike[str]") -> None:
    body = png_bytes(64, 64)
    out = os.path.join(str(tmp_path), "o")
    assert decode_base64(b64(body), out, "image_base64", 10**6).size_bytes == len(body)
    assert decode_base64("data:image/png;base64," + b64(body), out, "image_base64", 10**6).size_bytes == len(body)
    wrapped = "\n".join(b64(body)[i:i + 76] for i in range(0, len(b64(body)), 76))
    assert decode_base64(wrapped, out, "image_base64", 10**6).size_bytes == len(body)


@pytest.mark.parametrize("text", ["!!!not-base64!!!", "abc", "data:image/png,rawbytes"])
def test_bad_base64_is_input_invalid(text: str, tmp_path: "os.PathLike[str]") -> None:
    with pytest.raises(InputInvalid):
        decode_base64(text, os.path.join(str(tmp_path), "o"), "image_base64", 10**6)


def test_oversize_base64_is_refused_before_decoding(tmp_path: "os.PathLike[str]") -> None:
    with pytest.raises(InputTooLarge):
        decode_base64("A" * 4_000_000, os.path.join(str(tmp_path), "o"), "audio_base64", 1_000_000)


def test_allowed_networks_parse() -> None:
    assert fetch.parse_allowed_networks(" 127.0.0.1/32, ::1/128 ,") == (
        ipaddress.ip_network("127.0.0.1/32"), ipaddress.ip_network("::1/128"))
