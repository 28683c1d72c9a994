"""The fetcher's guard: which addresses may be fetched, and a connection layer that
connects only to the addresses it checked, within one deadline per request.

Used by :mod:`detente.ingest.fetch` (see its docstring and ``docs/fetching.md``):
:func:`check_url` checks each hop of a redirect chain before it is requested;
:class:`GuardedBackend` resolves the host itself when a connection opens, checks those
addresses against the :class:`AddressPolicy` and connects to the checked IP literal (no
DNS rebinding between check and use); :class:`Deadline` cuts off a server trickling
bytes; :class:`GuardedTransport` ties them into an ``httpx`` transport.
"""

from __future__ import annotations

import ipaddress
import logging
import socket
import ssl
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import httpcore
import httpx

from ..errors import ConfigError, DetenteError, InputError
from .feeds import safe_url

if TYPE_CHECKING:
    from .fetch import FetchOptions

logger = logging.getLogger(__name__)

__all__ = ["AddressPolicy", "BlockedAddress", "Deadline", "FetchError", "GuardedBackend",
           "GuardedTransport", "IPAddress", "Resolver", "check_url", "refusal_kind",
           "resolve_host"]

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
Resolver = Callable[[str, int], Sequence[IPAddress]]


class FetchError(InputError):
    """A URL that could not be fetched; the message names it."""


class BlockedAddress(DetenteError):
    """A host resolves to an address the policy refuses."""

    def __init__(self, host: str, address: IPAddress, kind: str) -> None:
        self.host, self.address, self.kind = host, address, kind
        subject = f"{address} is" if host.strip("[]") == str(address) else \
            f"{host} resolves to {address},"
        super().__init__(f"{subject} {kind}")


# -- addresses ----------------------------------------------------------------------------

def refusal_kind(ip: IPAddress) -> str | None:
    """Why ``ip`` is not public ("a loopback address", ...); None if it is public."""
    if isinstance(ip, ipaddress.IPv6Address):
        inner = _embedded_ipv4(ip)
        if inner is not None:
            kind = refusal_kind(inner)
            return f"{kind} (IPv4 {inner} inside IPv6)" if kind else None
    checks = (("unspecified", ip.is_unspecified), ("loopback", ip.is_loopback),
              ("link-local", ip.is_link_local), ("multicast", ip.is_multicast),
              ("reserved", ip.is_reserved), ("private", ip.is_private),
              ("non-public", not ip.is_global))
    return next((f"a {kind} address" for kind, hit in checks if hit), None)


def _embedded_ipv4(ip: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    if ip.ipv4_mapped is not None:
        return ip.ipv4_mapped
    if ip.sixtofour is not None:
        return ip.sixtofour
    if ip.teredo is not None:
        return ip.teredo[1]
    if ip in _NAT64:
        return ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
    return None


_NAT64 = ipaddress.IPv6Network("64:ff9b::/96")


@dataclass(frozen=True)
class AddressPolicy:
    """Which addresses may be connected to."""

    allow_private: bool = False
    allow_networks: tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...] = ()

    @classmethod
    def from_options(cls, options: FetchOptions) -> AddressPolicy:
        try:
            networks = tuple(ipaddress.ip_network(n, strict=False) for n in options.allow_networks)
        except ValueError as exc:
            raise ConfigError(f"allow_networks: {exc} (give CIDRs such as 10.1.2.0/24)") from None
        return cls(options.allow_private, networks)

    def check(self, host: str, addresses: Sequence[IPAddress]) -> None:
        """Raise BlockedAddress unless every one of ``addresses`` may be used."""
        if self.allow_private:
            return
        for ip in addresses:
            kind = refusal_kind(ip)
            if kind and not any(ip.version == net.version and ip in net
                                for net in self.allow_networks):
                raise BlockedAddress(host, ip, kind)


def resolve_host(host: str, port: int) -> list[IPAddress]:
    """Every address ``host`` resolves to (the system resolver), without zone ids."""
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    found = [ipaddress.ip_address(str(info[4][0]).split("%")[0]) for info in infos]
    return list(dict.fromkeys(found))


def addresses_of(host: str, port: int, resolver: Resolver) -> list[IPAddress]:
    """An IP literal as itself; a name through ``resolver`` (an empty answer is an error)."""
    try:
        return [ipaddress.ip_address(host.strip("[]"))]
    except ValueError:
        pass
    found = list(resolver(host, port))
    if not found:
        raise socket.gaierror(f"no address for {host}")
    return found


def resolve_within(resolver: Resolver, host: str, port: int,
                   seconds: float | None) -> list[IPAddress]:
    """``addresses_of`` within ``seconds`` (TimeoutError after): the system resolver has no
    timeout of its own. A look-up that hangs is left to a daemon thread."""
    found: list[list[IPAddress]] = []
    failed: list[BaseException] = []

    def look_up() -> None:
        try:
            found.append(addresses_of(host, port, resolver))
        except BaseException as exc:  # handed to the caller's thread
            failed.append(exc)

    worker = threading.Thread(target=look_up, name="detente-dns", daemon=True)
    worker.start()
    worker.join(seconds)
    if failed:
        raise failed[0]
    if not found:
        raise TimeoutError(f"resolving {host} took longer than {seconds or 0:g} s")
    return found[0]


def check_url(url: str, policy: AddressPolicy, resolver: Resolver = resolve_host) -> None:
    """The check made on every hop: an http(s) URL whose host's addresses all pass ``policy``.

    Raises FetchError (bad URL, other scheme, unknown host) or BlockedAddress.
    """
    try:
        parsed = httpx.URL(url)
    except (httpx.InvalidURL, TypeError) as exc:
        raise FetchError(safe_url(url), f"not a valid URL ({exc})") from None
    if parsed.scheme not in ("http", "https"):
        raise FetchError(safe_url(url), f"the scheme {parsed.scheme or '(none)'!r} is not fetched",
                         "give an http:// or https:// URL")
    host = parsed.raw_host.decode("ascii")  # IDNA-encoded, as the connection will use it
    if not host:
        raise FetchError(safe_url(url), "the URL names no host")
    port = parsed.port or (443 if parsed.scheme == "https" else 80)
    try:
        addresses = addresses_of(host, port, resolver)
    except (OSError, UnicodeError) as exc:
        raise FetchError(safe_url(url), f"cannot resolve the host {host} ({exc})",
                         "check the URL") from None
    policy.check(host, addresses)


# -- the guarded connection layer -----------------------------------------------------------

class Deadline:
    """The end of the current request, checked on every socket operation."""

    def __init__(self) -> None:
        self.expires: float | None = None

    def start(self, seconds: float) -> None:
        self.expires = time.monotonic() + seconds

    def stop(self) -> None:
        self.expires = None

    def passed(self) -> bool:
        return self.expires is not None and time.monotonic() >= self.expires

    def clamp(self, timeout: float | None) -> float | None:
        """``timeout`` cut to what is left; ReadTimeout when nothing is."""
        if self.expires is None:
            return timeout
        left = self.expires - time.monotonic()
        if left <= 0:
            raise httpcore.ReadTimeout("the total time allowed for the request has passed")
        return left if timeout is None else min(timeout, left)


class DeadlineStream(httpcore.NetworkStream):
    """A socket stream whose every read and write ends by the deadline."""

    def __init__(self, inner: httpcore.NetworkStream, deadline: Deadline) -> None:
        self._inner, self._deadline = inner, deadline

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        return self._inner.read(max_bytes, self._deadline.clamp(timeout))

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        self._inner.write(buffer, self._deadline.clamp(timeout))

    def close(self) -> None:
        self._inner.close()

    def start_tls(self, ssl_context: Any, server_hostname: str | None = None,
                  timeout: float | None = None) -> httpcore.NetworkStream:
        tls = self._inner.start_tls(ssl_context, server_hostname, self._deadline.clamp(timeout))
        return DeadlineStream(tls, self._deadline)

    def get_extra_info(self, info: str) -> Any:
        return self._inner.get_extra_info(info)


class GuardedBackend(httpcore.NetworkBackend):
    """Opens TCP connections only to checked addresses: resolve, check, connect to the IP."""

    def __init__(self, policy: AddressPolicy, resolver: Resolver, deadline: Deadline) -> None:
        self.policy, self.resolver, self.deadline = policy, resolver, deadline
        self._inner = httpcore.SyncBackend()

    def connect_tcp(self, host: str, port: int, timeout: float | None = None,
                    local_address: str | None = None,
                    socket_options: Iterable[Any] | None = None) -> httpcore.NetworkStream:
        try:
            addresses = resolve_within(self.resolver, host, port, self.deadline.clamp(timeout))
        except TimeoutError as exc:
            raise httpcore.ConnectTimeout(str(exc)) from None
        except (OSError, UnicodeError) as exc:
            raise httpcore.ConnectError(f"cannot resolve {host} ({exc})") from None
        self.policy.check(host, addresses)
        failure: Exception = httpcore.ConnectError(f"cannot connect to {host}")
        for ip in addresses:
            try:
                stream = self._inner.connect_tcp(str(ip), port, self.deadline.clamp(timeout),
                                                 local_address, socket_options)
            except httpcore.ConnectError as exc:
                failure = exc
                continue
            return DeadlineStream(stream, self.deadline)
        raise failure

    def connect_unix_socket(self, path: str, timeout: float | None = None,
                            socket_options: Iterable[Any] | None = None) -> httpcore.NetworkStream:
        raise httpcore.ConnectError("unix sockets are never fetched")

    def sleep(self, seconds: float) -> None:
        time.sleep(seconds)


class _CoreStream(httpx.SyncByteStream):
    def __init__(self, inner: Iterable[bytes]) -> None:
        self._inner = inner

    def __iter__(self) -> Iterator[bytes]:
        yield from self._inner

    def close(self) -> None:
        close = getattr(self._inner, "close", None)
        if close is not None:
            close()


class GuardedTransport(httpx.BaseTransport):
    """An httpx transport over an httpcore pool that connects through GuardedBackend."""

    def __init__(self, backend: GuardedBackend, ca_file: str | None = None) -> None:
        context = ssl.create_default_context(cafile=ca_file) if ca_file \
            else httpx.create_ssl_context()
        self._pool = httpcore.ConnectionPool(ssl_context=context,
                                             network_backend=backend, max_connections=8,
                                             keepalive_expiry=5.0, retries=0)

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        url = httpcore.URL(scheme=request.url.raw_scheme, host=request.url.raw_host,
                           port=request.url.port, target=request.url.raw_path)
        assert isinstance(request.stream, Iterable)
        core = httpcore.Request(method=request.method, url=url, headers=request.headers.raw,
                                content=request.stream, extensions=request.extensions)
        answer = self._pool.handle_request(core)
        assert isinstance(answer.stream, Iterable)
        return httpx.Response(status_code=answer.status, headers=answer.headers,
                              stream=_CoreStream(answer.stream), extensions=answer.extensions)

    def close(self) -> None:
        self._pool.close()
