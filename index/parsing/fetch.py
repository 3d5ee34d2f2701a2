"""Fetch a news page by its link, safely, for ``/add url:`` (nothing is written here).

- http and https only; no credentials in the link; at most ``MAX_URL_CHARS``.
- The host is resolved and **every** address it resolves to must be public (not loopback,
  private, link-local, CGNAT, multicast, reserved or unspecified, IPv4-mapped ones
  included) unless ``allow_private``; the connection then goes to the address that was
  checked (pinned), so a second DNS answer cannot swap it (DNS rebinding). The same holds
  on every redirect, at most ``max_redirects`` of them.
- One deadline for the whole fetch (every hop and the body), the upload size cap
  (``upload.MAX_UPLOAD_BYTES``, checked on Content-Length and while reading), and only
  HTML or plain text: a PDF, an image or anything else is refused with one line.

Every refusal is an ``ArticleError`` with one line naming the link and what went wrong.
The page's text is then extracted by the upload path (``upload.prepare``: trafilatura for
HTML), which refuses a page without an article in it (a login wall, a cookie page).
"""

from __future__ import annotations

import contextlib
import http.client
import ipaddress
import logging
import re
import socket
import ssl
import time
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urljoin, urlsplit

from index.errors import ArticleError
from index.parsing import upload

log = logging.getLogger(__name__)

MAX_URL_CHARS = 2000
USER_AGENT = "QuoteBot/1.0 (a Discord bot quoting news articles; fetches one page on request)"
_REDIRECTS = frozenset({301, 302, 303, 307, 308})
_HTML_TYPES = frozenset({"text/html", "application/xhtml+xml"})
_CHUNK = 64 * 1024
_CGNAT = ipaddress.ip_network("100.64.0.0/10")
_MIN_WORDS = 60

Resolver = Callable[..., list[Any]]


@dataclass(frozen=True, slots=True)
class FetchedPage:
    """A fetched page: where it came from and what to store."""

    url: str  # the link as asked
    final_url: str  # after redirects
    filename: str  # a safe article file name from the final link (.html or .txt)
    data: bytes
    content_type: str


def shown_link(url: str) -> str:
    """The link for a one-line message: no query or fragment (they may hold tokens)."""
    parts = urlsplit(url) if isinstance(url, str) else None
    if parts is None or not parts.scheme:
        return upload.shown_name(str(url)[:80] or "(no link)")
    text = f"{parts.scheme}://{parts.netloc.rpartition('@')[2]}{parts.path}"
    return upload.shown_name(text)


def _refuse(url: str, reason: str) -> ArticleError:
    return ArticleError(shown_link(url), reason)


def check_link(url: str) -> tuple[str, str, int, str]:
    """``(scheme, host, port, path with query)`` of a link that may be fetched, or
    ``ArticleError``."""
    if not isinstance(url, str) or not url.strip():
        raise ArticleError("(no link)", "give the article's web address (http or https)")
    url = url.strip()
    if len(url) > MAX_URL_CHARS:
        raise _refuse(url, f"the link is too long (at most {MAX_URL_CHARS} characters)")
    if any(unicodedata.category(ch)[0] in "CZ" and ch != " " for ch in url) or " " in url:
        raise _refuse(url, "the link contains spaces or control characters")
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        raise _refuse(url, "that is not a valid web address") from None
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https"):
        raise _refuse(url, "only http:// and https:// links can be added")
    if parts.username is not None or parts.password is not None:
        raise _refuse(url, "links with a user name or password in them are refused")
    host = (parts.hostname or "").rstrip(".")
    if not host:
        raise _refuse(url, "the link has no host name")
    path = parts.path or "/"
    if parts.query:
        path += "?" + parts.query
    return scheme, host, port or (443 if scheme == "https" else 80), path


def is_public(address: str) -> bool:
    """Whether an IP address is on the public internet (not loopback, private,
    link-local, CGNAT, multicast, reserved or unspecified; IPv4-mapped checked as IPv4)."""
    try:
        ip = ipaddress.ip_address(address.split("%", 1)[0])
    except ValueError:
        return False
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    if isinstance(ip, ipaddress.IPv4Address) and ip in _CGNAT:
        return False
    return ip.is_global and not (ip.is_multicast or ip.is_reserved or ip.is_unspecified)


def resolve_host(url: str, host: str, port: int, *, allow_private: bool, resolve: Resolver) -> str:
    """The address to connect to: every address ``host`` resolves to must be public
    (unless ``allow_private``); the first is returned."""
    try:
        infos = resolve(host, port, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError) as exc:
        raise _refuse(url, f"the site's name could not be found ({host})") from exc
    addresses = [str(info[4][0]) for info in infos]
    if not addresses:
        raise _refuse(url, f"the site's name could not be found ({host})")
    if not allow_private:
        blocked = [a for a in addresses if not is_public(a)]
        if blocked:
            raise _refuse(url, "the link points to a private or local network address")
    return addresses[0]


class _PinnedHTTP(http.client.HTTPConnection):
    def __init__(self, host: str, port: int, address: str, timeout: float) -> None:
        super().__init__(host, port, timeout=timeout)
        self._address = address

    def connect(self) -> None:
        self.sock = socket.create_connection((self._address, self.port), self.timeout)


class _PinnedHTTPS(http.client.HTTPSConnection):
    def __init__(self, host: str, port: int, address: str, timeout: float) -> None:
        super().__init__(host, port, timeout=timeout, context=ssl.create_default_context())
        self._address = address

    def connect(self) -> None:
        sock = socket.create_connection((self._address, self.port), self.timeout)
        self.sock = self._context.wrap_socket(sock, server_hostname=self.host)  # type: ignore[attr-defined]


def _kind(content_type: str) -> str:
    if content_type == "application/pdf":
        return "a PDF"
    if content_type.startswith("image/"):
        return "an image"
    if content_type.startswith(("video/", "audio/")):
        return "a video or audio file"
    return f"a {content_type or 'file of unknown type'} file"


def _filename(final_url: str, suffix: str) -> str:
    """``host-last-path-part.html``: letters, digits, dots and dashes, within the upload
    name limit."""
    parts = urlsplit(final_url)
    host = (parts.hostname or "page").removeprefix("www.")
    words = [w for w in re.split(r"[^A-Za-z0-9]+", parts.path) if w]
    stem = "-".join(words[-8:]).lower() if words else "index"
    stem = re.sub(r"-(html?|php|aspx?)$", "", stem)
    name = f"{host}-{stem}"[: upload.MAX_NAME_CHARS - len(suffix)].strip("-.") or "page"
    return upload.check_name(name + suffix)


def _charset(header: str) -> str | None:
    match = re.search(r"charset=[\"']?([\w.:-]+)", header, re.IGNORECASE)
    return match.group(1) if match else None


def fetch(
    url: str,
    *,
    allow_private: bool = False,
    timeout: float = 10.0,
    max_bytes: int = upload.MAX_UPLOAD_BYTES,
    max_redirects: int = 5,
    resolve: Resolver = socket.getaddrinfo,
) -> FetchedPage:
    """Fetch ``url`` (following redirects) within the rules above, or ``ArticleError``."""
    asked = url.strip() if isinstance(url, str) else url
    deadline = time.monotonic() + timeout
    current, seen = asked, set()
    for _hop in range(max_redirects + 1):
        if current in seen:
            raise _refuse(asked, "the site redirects in a loop")
        seen.add(current)
        try:
            scheme, host, port, path = check_link(current)
            address = resolve_host(
                current, host, port, allow_private=allow_private, resolve=resolve
            )
        except ArticleError as exc:
            if current == asked:
                raise
            raise _refuse(asked, f"it redirects to {exc.path}: {exc.reason}") from None
        left = deadline - time.monotonic()
        if left <= 0:
            raise _refuse(asked, f"the site did not answer within {timeout:g} s")
        kind = _PinnedHTTPS if scheme == "https" else _PinnedHTTP
        connection = kind(host, port, address, timeout=left)
        try:
            connection.request(
                "GET",
                path,
                headers={
                    "User-Agent": USER_AGENT,
                    "Accept": "text/html,application/xhtml+xml,text/plain;q=0.9",
                    "Accept-Encoding": "identity",
                },
            )
            response = connection.getresponse()
            log.info("fetched %s://%s%s: %s", scheme, host, urlsplit(current).path, response.status)
            if response.status in _REDIRECTS:
                location = response.getheader("Location")
                if not location:
                    raise _refuse(asked, "the site redirected without saying where")
                current = urljoin(current, location.strip())
                continue
            return _page(asked, current, response, deadline, timeout, max_bytes)
        except TimeoutError:
            raise _refuse(asked, f"the site did not answer within {timeout:g} s") from None
        except ssl.SSLError as exc:
            raise _refuse(
                asked, f"its secure connection failed ({exc.reason or 'TLS error'})"
            ) from None
        except (OSError, http.client.HTTPException) as exc:
            if isinstance(exc, ArticleError):
                raise
            reason = getattr(exc, "strerror", None) or type(exc).__name__
            raise _refuse(asked, f"the site could not be reached ({reason})") from None
        finally:
            connection.close()
    raise _refuse(asked, f"the site redirected more than {max_redirects} times")


def _page(
    asked: str,
    final: str,
    response: http.client.HTTPResponse,
    deadline: float,
    timeout: float,
    max_bytes: int,
) -> FetchedPage:
    status = response.status
    if status in (401, 403):
        raise _refuse(asked, f"the site answered {status} {response.reason}: it needs a login")
    if status >= 400 or status < 200:
        raise _refuse(asked, f"the site answered {status} {response.reason}")
    header = response.getheader("Content-Type") or ""
    content_type = header.split(";", 1)[0].strip().lower()
    if content_type in _HTML_TYPES:
        suffix = ".html"
    elif content_type == "text/plain":
        suffix = ".txt"
    else:
        raise _refuse(asked, f"the link is {_kind(content_type)}, not a web page with an article")
    limit_mb = max_bytes / (1024 * 1024)
    length = response.getheader("Content-Length")
    if length and length.strip().isdigit() and int(length) > max_bytes:
        raise _refuse(asked, f"the page is larger than {limit_mb:g} MB")
    chunks, size = [], 0
    while True:
        if time.monotonic() > deadline:
            raise _refuse(asked, f"the site did not answer within {timeout:g} s")
        chunk = response.read1(_CHUNK) if hasattr(response, "read1") else response.read(_CHUNK)
        if not chunk:
            break
        size += len(chunk)
        if size > max_bytes:
            raise _refuse(asked, f"the page is larger than {limit_mb:g} MB")
        chunks.append(chunk)
    data = b"".join(chunks)
    charset = _charset(header)
    if charset and charset.lower().replace("_", "-") not in ("utf-8", "utf8", "us-ascii", "ascii"):
        # undecodable: left to the upload path, which says what is wrong with the text
        with contextlib.suppress(LookupError, UnicodeDecodeError):
            data = data.decode(charset).encode("utf-8")
    return FetchedPage(asked, final, _filename(final, suffix), data, content_type)


def fetch_article(url: str, **options: Any) -> tuple[FetchedPage, upload.PreparedUpload]:
    """Fetch a page and extract its article (``upload.prepare``); a page with almost no
    text (a login wall, a cookie or error page) is refused with one line."""
    page = fetch(url, **options)
    try:
        prepared = upload.prepare(page.filename, page.data)
    except ArticleError as exc:
        raise _refuse(url, f"no article text found on the page ({exc.reason})") from None
    words = sum(len(p.text.split()) for p in prepared.article.paragraphs if p.quotable)
    if words < _MIN_WORDS:
        raise _refuse(
            url,
            f"the page has almost no article text ({words} words): a login wall, a "
            "cookie page or a list of links?",
        )
    return page, prepared
