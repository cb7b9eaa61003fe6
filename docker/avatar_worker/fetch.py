"""Safe download of a job input given as a URL or as base64.

A serving worker runs inside a cloud network with a metadata service and private neighbours, and
its job inputs come from whoever can call the endpoint. So a URL is only fetched when every
address its host resolves to is globally routable; the connection goes to the vetted address
itself (the name is never resolved a second time, which defeats DNS rebinding) while the ``Host``
header and TLS SNI/certificate check keep using the name. Redirects are followed by hand, each hop
vetted the same way. Bodies are streamed to disk under a byte cap and an overall deadline.

Tests that need an "allowed" server on loopback pass a :class:`FetchPolicy` with
``allowed_networks`` (the worker reads it from ``AVATAR_FETCH_ALLOW_NETWORKS``, empty by
default); nothing else relaxes the guard.
"""

from __future__ import annotations

import base64
import binascii
import ipaddress
import re
import socket
import time
from dataclasses import dataclass, field
from typing import Callable, List, Optional, Tuple, Union
from urllib.parse import urljoin, urlsplit

import urllib3
from urllib3.exceptions import HTTPError as Urllib3HTTPError
from urllib3.exceptions import TimeoutError as Urllib3TimeoutError

from .errors import FetchFailed, FetchForbidden, FetchTimeout, InputInvalid, InputTooLarge

IPAddress = Union[ipaddress.IPv4Address, ipaddress.IPv6Address]
IPNetwork = Union[ipaddress.IPv4Network, ipaddress.IPv6Network]
Resolver = Callable[[str, int], List[str]]

_REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
_CHUNK_BYTES = 64 * 1024
_USER_AGENT = "avatar-worker/1"

# IPv6 prefixes that embed an IPv4 address a router would reach: vet the embedded address too.
_NAT64 = ipaddress.ip_network("64:ff9b::/96")
_CGNAT = ipaddress.ip_network("100.64.0.0/10")


def _system_resolver(host: str, port: int) -> List[str]:
    """Resolve ``host`` with getaddrinfo, returning every address (IPv4 and IPv6)."""
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return [str(info[4][0]) for info in infos]


@dataclass(frozen=True)
class FetchPolicy:
    """Limits for one download.

    ``allowed_networks`` lists non-public networks that are nevertheless accepted; it exists for
    tests and private setups only (every entry widens the SSRF surface). ``resolver`` replaces
    getaddrinfo, so tests can make a name resolve to a chosen address without touching DNS.
    """

    max_bytes: int = 50 * 1024 * 1024
    connect_timeout_seconds: float = 10.0
    read_timeout_seconds: float = 30.0
    deadline_seconds: float = 120.0
    max_redirects: int = 5
    allowed_networks: Tuple[IPNetwork, ...] = ()
    resolver: Resolver = field(default=_system_resolver, compare=False)


@dataclass(frozen=True)
class FetchedInput:
    """A job input written to a local file."""

    path: str
    size_bytes: int
    source: str  # "url" or "base64"
    content_type: Optional[str] = None
    final_url: Optional[str] = None


def parse_allowed_networks(text: str) -> Tuple[IPNetwork, ...]:
    """Parse a comma-separated CIDR list (``AVATAR_FETCH_ALLOW_NETWORKS``)."""
    networks = []
    for part in (p.strip() for p in text.split(",")):
        if part:
            networks.append(ipaddress.ip_network(part, strict=False))
    return tuple(networks)


def is_public_address(address: IPAddress) -> bool:
    """Return True when ``address`` is globally routable unicast.

    ``ipaddress.is_global`` alone is not enough on Python 3.10: it calls multicast and some
    reserved ranges global, and it does not look inside IPv4-mapped / NAT64 / 6to4 IPv6 forms.
    """
    if isinstance(address, ipaddress.IPv6Address):
        if address.ipv4_mapped is not None:  # ::ffff:a.b.c.d is the IPv4 host itself
            return is_public_address(address.ipv4_mapped)
        embedded: Optional[ipaddress.IPv4Address] = None
        if address in _NAT64:
            embedded = ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
        if embedded is None and address.sixtofour is not None:
            embedded = address.sixtofour
        if embedded is None and address.teredo is not None:
            embedded = address.teredo[1]
        if embedded is not None and not is_public_address(embedded):
            return False
    if (
        address.is_loopback
        or address.is_private
        or address.is_link_local
        or address.is_multicast
        or address.is_reserved
        or address.is_unspecified
    ):
        return False
    if isinstance(address, ipaddress.IPv4Address) and address in _CGNAT:
        return False
    if isinstance(address, ipaddress.IPv6Address) and address.is_site_local:
        return False
    return address.is_global


def _is_permitted(address: IPAddress, policy: FetchPolicy) -> bool:
    if is_public_address(address):
        return True
    return any(address.version == net.version and address in net for net in policy.allowed_networks)


@dataclass(frozen=True)
class _Target:
    scheme: str
    host: str  # as written in the URL (name or literal), without brackets
    port: int
    path: str  # path + query, never empty
    address: str  # the vetted IP we connect to


def _vet_url(url: str, field_name: str, policy: FetchPolicy) -> _Target:
    """Check scheme, credentials and every resolved address of ``url``; return where to connect."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as err:
        raise InputInvalid(f"`{field_name}` is not a valid URL: {err}.") from err
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https"):
        raise FetchForbidden(
            f"`{field_name}` uses the scheme {scheme or '(none)'!r}; only http and https URLs are fetched."
        )
    if parts.username is not None or parts.password is not None:
        raise FetchForbidden(
            f"`{field_name}` embeds credentials (user:password@); use a presigned URL or base64 instead."
        )
    host = parts.hostname
    if not host:
        raise InputInvalid(f"`{field_name}` has no host.")
    port = port or (443 if scheme == "https" else 80)
    try:
        literal: Optional[IPAddress] = ipaddress.ip_address(host)
    except ValueError:
        literal = None
    if literal is not None:
        addresses = [literal]
    else:
        try:
            addresses = [ipaddress.ip_address(a.split("%", 1)[0]) for a in policy.resolver(host, port)]
        except (OSError, UnicodeError) as err:
            raise FetchFailed(f"`{field_name}`: cannot resolve host {host!r}: {err}.") from err
        if not addresses:
            raise FetchFailed(f"`{field_name}`: host {host!r} resolved to no address.")
    refused = [str(a) for a in addresses if not _is_permitted(a, policy)]
    if refused:
        # Refuse if ANY address is private: connecting to "the public one" would still let an
        # attacker steer a retrying client onto the private one.
        raise FetchForbidden(
            f"`{field_name}`: host {host!r} resolves to a non-public address ({', '.join(refused)}); "
            "only publicly routable hosts are fetched."
        )
    path = parts.path or "/"
    if parts.query:
        path = f"{path}?{parts.query}"
    return _Target(scheme=scheme, host=host, port=port, path=path, address=str(addresses[0]))


def _host_header(target: _Target) -> str:
    host = f"[{target.host}]" if ":" in target.host else target.host
    default_port = 443 if target.scheme == "https" else 80
    return host if target.port == default_port else f"{host}:{target.port}"


def _open_pool(target: _Target, policy: FetchPolicy) -> urllib3.HTTPConnectionPool:
    timeout = urllib3.Timeout(connect=policy.connect_timeout_seconds, read=policy.read_timeout_seconds)
    if target.scheme == "https":
        # Connect to the vetted IP, but present and verify the original name (SNI + certificate).
        return urllib3.HTTPSConnectionPool(
            target.address,
            target.port,
            timeout=timeout,
            retries=False,
            maxsize=1,
            server_hostname=target.host,
            assert_hostname=target.host,
            cert_reqs="CERT_REQUIRED",
        )
    return urllib3.HTTPConnectionPool(target.address, target.port, timeout=timeout, retries=False, maxsize=1)


def fetch_url(url: str, dest_path: str, field_name: str, policy: FetchPolicy) -> FetchedInput:
    """Download ``url`` to ``dest_path`` under ``policy``; raise a typed error on any refusal."""
    started = time.monotonic()
    current = url
    for _hop in range(policy.max_redirects + 1):
        target = _vet_url(current, field_name, policy)
        pool = _open_pool(target, policy)
        try:
            response = pool.urlopen(
                "GET",
                target.path,
                headers={
                    "Host": _host_header(target),
                    "User-Agent": _USER_AGENT,
                    # Ask for the bytes as stored: a gzip body would dodge the byte cap.
                    "Accept-Encoding": "identity",
                },
                redirect=False,
                retries=False,
                preload_content=False,
                decode_content=False,
            )
        except Urllib3TimeoutError as err:
            pool.close()
            raise FetchTimeout(f"`{field_name}`: timed out connecting to {target.host}.") from err
        except (Urllib3HTTPError, OSError) as err:
            pool.close()
            raise FetchFailed(f"`{field_name}`: cannot connect to {target.host}: {err}.") from err
        try:
            if response.status in _REDIRECT_STATUSES:
                location = response.headers.get("Location")
                if not location:
                    raise FetchFailed(f"`{field_name}`: HTTP {response.status} without a Location header.")
                current = urljoin(current, location)
                continue
            if response.status != 200:
                raise FetchFailed(f"`{field_name}`: the server answered HTTP {response.status} for {_redact(current)}.")
            size = _stream_body(response, dest_path, field_name, policy, started)
            return FetchedInput(
                path=dest_path,
                size_bytes=size,
                source="url",
                content_type=response.headers.get("Content-Type"),
                final_url=_redact(current),
            )
        finally:
            response.release_conn()
            response.close()
            pool.close()
    raise FetchFailed(f"`{field_name}`: more than {policy.max_redirects} redirects.")


def _stream_body(
    response: urllib3.BaseHTTPResponse, dest_path: str, field_name: str, policy: FetchPolicy, started: float
) -> int:
    length = response.headers.get("Content-Length")
    if length is not None and length.isdigit() and int(length) > policy.max_bytes:
        raise InputTooLarge(
            f"`{field_name}` is {int(length)} bytes, above the {policy.max_bytes}-byte limit."
        )
    size = 0
    try:
        with open(dest_path, "wb") as out:
            while True:
                if time.monotonic() - started > policy.deadline_seconds:
                    raise FetchTimeout(
                        f"`{field_name}`: download did not finish within {policy.deadline_seconds:g} s."
                    )
                # read1 returns as soon as any bytes arrive, so the deadline is checked often
                # even against a server that trickles data.
                chunk = response.read1(_CHUNK_BYTES)
                if not chunk:
                    break
                size += len(chunk)
                if size > policy.max_bytes:
                    raise InputTooLarge(f"`{field_name}` is larger than the {policy.max_bytes}-byte limit.")
                out.write(chunk)
    except Urllib3TimeoutError as err:
        raise FetchTimeout(f"`{field_name}`: the server stopped sending data.") from err
    except (Urllib3HTTPError, OSError) as err:
        raise FetchFailed(f"`{field_name}`: download broke off: {err}.") from err
    if length is not None and length.isdigit() and size != int(length):
        raise FetchFailed(f"`{field_name}`: got {size} bytes but the server announced {length}.")
    return size


def _redact(url: str) -> str:
    """Drop the query string (presigned URLs carry credentials in it) before logging or returning."""
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}{parts.path}"


_DATA_URL = re.compile(r"^data:[^,]*?(;base64)?,", re.IGNORECASE)


def decode_base64(text: str, dest_path: str, field_name: str, max_bytes: int) -> FetchedInput:
    """Decode base64 (optionally a ``data:<mime>;base64,`` URL) to ``dest_path``."""
    match = _DATA_URL.match(text)
    if match:
        if not match.group(1):
            raise InputInvalid(f"`{field_name}` is a data: URL without ;base64.")
        text = text[match.end():]
    compact = re.sub(r"\s+", "", text)
    # Check the size before decoding so that an oversize payload never costs memory twice.
    if len(compact) // 4 * 3 > max_bytes + 3:
        raise InputTooLarge(
            f"`{field_name}` decodes to about {len(compact) // 4 * 3} bytes, above the {max_bytes}-byte limit."
        )
    try:
        data = base64.b64decode(compact, validate=True)
    except (binascii.Error, ValueError) as err:
        raise InputInvalid(f"`{field_name}` is not valid base64: {err}.") from err
    if not data:
        raise InputInvalid(f"`{field_name}` is empty.")
    if len(data) > max_bytes:
        raise InputTooLarge(f"`{field_name}` is {len(data)} bytes, above the {max_bytes}-byte limit.")
    with open(dest_path, "wb") as out:
        out.write(data)
    return FetchedInput(path=dest_path, size_bytes=len(data), source="base64")


def fetch_input(
    url: Optional[str],
    base64_text: Optional[str],
    dest_path: str,
    field_prefix: str,
    policy: FetchPolicy,
) -> FetchedInput:
    """Materialise one input (``<prefix>_url`` or ``<prefix>_base64``) as a local file."""
    if url is not None:
        return fetch_url(url, dest_path, f"{field_prefix}_url", policy)
    if base64_text is not None:
        return decode_base64(base64_text, dest_path, f"{field_prefix}_base64", policy.max_bytes)
    raise InputInvalid(f"give `{field_prefix}_url` or `{field_prefix}_base64`.")

