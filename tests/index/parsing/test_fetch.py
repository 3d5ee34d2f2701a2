"""/add url: fetching a page against a real local HTTP server: the article's text, or one
line saying what is wrong (scheme, private address on any hop, size, type, time, status)."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from index.errors import ArticleError
from index.parsing import fetch
from index.parsing.upload import MAX_UPLOAD_BYTES

PARAGRAPHS = [
    "The council of Brindle voted on Tuesday to close the old harbour bridge to cars from "
    "March, after engineers found cracks in two of its piers.",
    "“We cannot keep sending buses over a bridge that is failing,” said Mayor Ines Alder, "
    "who proposed the closure. “The repairs will take at least a year.”",
    "Cyclists and pedestrians will still be able to cross on a temporary walkway, the "
    "city's engineering department confirmed in a statement.",
    "Shop owners on the north bank said they feared losing customers during the works, "
    "and asked the council for help with rents while the bridge is shut.",
]
ARTICLE = (
    "<html><head><title>Brindle closes harbour bridge to cars</title></head><body>"
    "<nav><a href='/'>Home</a> <a href='/news'>News</a></nav><article>"
    "<h1>Brindle closes harbour bridge to cars</h1>"
    + "".join(f"<p>{p}</p>" for p in PARAGRAPHS)
    + "</article><footer>© Brindle Gazette</footer></body></html>"
).encode()
LOGIN = (
    b"<html><head><title>Sign in</title></head><body><form><p>Sign in to keep reading.</p>"
    b"<input name=user><input name=pass type=password></form></body></html>"
)

Route = Callable[[BaseHTTPRequestHandler], None]


def send(
    handler: BaseHTTPRequestHandler, status: int, body: bytes, ctype: str, **headers: str
) -> None:
    handler.send_response(status)
    handler.send_header("Content-Type", ctype)
    handler.send_header("Content-Length", str(len(body)))
    for key, value in headers.items():
        handler.send_header(key.replace("_", "-"), value)
    handler.end_headers()
    handler.wfile.write(body)


def chunked_forever(handler: BaseHTTPRequestHandler) -> None:
    """A page with no Content-Length that is larger than the cap."""
    handler.send_response(200)
    handler.send_header("Content-Type", "text/html")
    handler.end_headers()
    block = b"<p>" + b"word " * 2000 + b"</p>"
    try:
        for _ in range(MAX_UPLOAD_BYTES // len(block) + 10):
            handler.wfile.write(block)
    except OSError:
        pass  # the client hung up at the cap


def slow(handler: BaseHTTPRequestHandler) -> None:
    time.sleep(2.5)
    send(handler, 200, ARTICLE, "text/html")


ROUTES: dict[str, Route] = {
    "/article": lambda h: send(h, 200, ARTICLE, "text/html; charset=utf-8"),
    "/latin1": lambda h: send(
        h,
        200,
        ARTICLE.decode().replace("©", "é").encode("cp1252"),
        "text/html; charset=windows-1252",
    ),
    "/r1": lambda h: send(h, 302, b"", "text/html", Location="/r2"),
    "/r2": lambda h: send(h, 301, b"", "text/html", Location="/r3"),
    "/r3": lambda h: send(h, 307, b"", "text/html", Location="/article"),
    "/loop": lambda h: send(h, 302, b"", "text/html", Location="/loop"),
    "/to-private": lambda h: send(h, 302, b"", "text/html", Location="http://10.0.0.7/admin"),
    "/to-ftp": lambda h: send(h, 302, b"", "text/html", Location="ftp://example.org/a"),
    "/huge": lambda h: send(h, 200, b"x" * (MAX_UPLOAD_BYTES + 1), "text/html"),
    "/chunked": chunked_forever,
    "/pdf": lambda h: send(h, 200, b"%PDF-1.7 ...", "application/pdf"),
    "/png": lambda h: send(h, 200, b"\x89PNG....", "image/png"),
    "/slow": slow,
    "/login": lambda h: send(h, 200, LOGIN, "text/html"),
    "/forbidden": lambda h: send(h, 403, b"no", "text/html"),
    "/missing": lambda h: send(h, 404, b"no", "text/html"),
}


class Handler(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        route = ROUTES.get(self.path.split("?")[0])
        if route is None:
            send(self, 404, b"no", "text/html")
        else:
            route(self)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture(scope="module")
def site() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def refused(url: str, **options: object) -> str:
    with pytest.raises(ArticleError) as caught:
        fetch.fetch_article(url, **options)
    message = caught.value.message
    assert "\n" not in message
    return message


def test_an_article_page_gives_its_text(site: str) -> None:
    page, article = fetch.fetch_article(f"{site}/article?utm_source=x", allow_private=True)
    assert page.final_url == f"{site}/article?utm_source=x"
    assert page.filename == "127.0.0.1-article.html"
    assert article.name == "127.0.0.1-article.md"
    text = article.data.decode()
    assert text.startswith("Brindle closes harbour bridge to cars")
    for paragraph in PARAGRAPHS:
        assert paragraph in text
    assert "Home" not in text  # navigation and footer dropped


def test_a_declared_charset_is_honoured(site: str) -> None:
    _, article = fetch.fetch_article(f"{site}/latin1", allow_private=True)
    assert "Mayor Ines Alder" in article.data.decode()


def test_a_redirect_chain_is_followed(site: str) -> None:
    page, _ = fetch.fetch_article(f"{site}/r1", allow_private=True)
    assert page.final_url == f"{site}/article"


@pytest.mark.parametrize(
    ("path", "options", "reason"),
    [
        ("/loop", {}, "redirects in a loop"),
        ("/r1", {"max_redirects": 2}, "redirected more than 2 times"),
        ("/to-private", {"resolve": None}, "private or local network"),
        ("/to-ftp", {}, "only http:// and https://"),
        ("/huge", {}, "larger than 2 MB"),
        ("/chunked", {}, "larger than 2 MB"),
        ("/pdf", {}, "is a PDF, not a web page"),
        ("/png", {}, "is an image, not a web page"),
        ("/login", {}, "almost no article text"),
        ("/forbidden", {}, "403 Forbidden: it needs a login"),
        ("/missing", {}, "404 Not Found"),
        ("/slow", {"timeout": 1.0}, "did not answer within 1 s"),
    ],
)
def test_a_bad_page_gets_one_line(site: str, path: str, options: dict, reason: str) -> None:
    if options.get("resolve", 1) is None:
        # the first hop (the test site) is allowed, the redirect's private address is not
        options = {"resolve": allow_only_loopback_site}
        message = refused(f"{site}{path}", **options)
    else:
        message = refused(f"{site}{path}", allow_private=True, **options)
    assert reason in message
    assert message.startswith("http://127.0.0.1")


def allow_only_loopback_site(host: str, port: int, **kwargs: object) -> list:
    """Resolve the test site's 127.0.0.1 as if it were public; anything else normally."""
    if host == "127.0.0.1":
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", ("127.0.0.1", port))]
    return socket.getaddrinfo(host, port, **kwargs)


def test_a_local_site_is_refused_without_the_setting(site: str) -> None:
    assert "private or local network" in refused(f"{site}/article")


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("", "give the article's web address"),
        ("   ", "give the article's web address"),
        ("ftp://example.org/a.txt", "only http:// and https://"),
        ("file:///etc/passwd", "only http:// and https://"),
        ("javascript:alert(1)", "only http:// and https://"),
        ("example.org/news", "only http:// and https://"),
        ("https://user:secret@example.org/a", "user name or password"),
        ("https://exa mple.org/a", "spaces or control characters"),
        ("https://example.org/\x00a", "spaces or control characters"),
        ("https://example.org:99999/a", "not a valid web address"),
        ("https:///nohost", "no host name"),
        ("https://example.org/" + "a" * 2100, "too long"),
    ],
)
def test_a_malformed_link_gets_one_line(url: str, reason: str) -> None:
    message = refused(url)
    assert reason in message
    assert "secret" not in message


def fake_resolver(*addresses: str) -> Callable[..., list]:
    def resolve(host: str, port: int, **kwargs: object) -> list:
        return [
            (socket.AF_INET6 if ":" in a else socket.AF_INET, 1, 6, "", (a, port))
            for a in addresses
        ]

    return resolve


@pytest.mark.parametrize(
    "address",
    [
        "127.0.0.1",
        "10.1.2.3",
        "172.16.5.4",
        "192.168.1.1",
        "169.254.169.254",
        "100.64.0.1",
        "0.0.0.0",
        "224.0.0.1",
        "240.0.0.1",
        "::1",
        "fe80::1",
        "fc00::1",
        "::ffff:127.0.0.1",
        "::ffff:10.0.0.1",
    ],
)
def test_non_public_addresses_are_refused(address: str) -> None:
    message = refused("https://news.example.org/a", resolve=fake_resolver(address))
    assert "private or local network" in message


def test_one_private_address_among_public_ones_is_enough_to_refuse() -> None:
    resolve = fake_resolver("93.184.216.34", "10.0.0.1")
    assert "private or local network" in refused("https://news.example.org/a", resolve=resolve)


@pytest.mark.parametrize("address", ["93.184.216.34", "2606:2800:220:1:248:1893:25c8:1946"])
def test_public_addresses_pass_the_check(address: str) -> None:
    assert fetch.is_public(address)


def test_a_name_that_does_not_resolve_gets_one_line() -> None:
    def nowhere(host: str, port: int, **kwargs: object) -> list:
        raise socket.gaierror(-2, "Name or service not known")

    assert "could not be found (no-such-site.example)" in refused(
        "https://no-such-site.example/a", resolve=nowhere
    )


def test_the_connection_goes_to_the_checked_address(site: str) -> None:
    """DNS rebinding: the name resolves once, to the address checked; the connection
    goes there, whatever the name would resolve to later."""
    port = int(site.rsplit(":", 1)[1])
    calls = []

    def once(host: str, port_: int, **kwargs: object) -> list:
        calls.append(host)
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", ("127.0.0.1", port_))]

    page, _ = fetch.fetch_article(
        f"http://news.invalid:{port}/article", allow_private=True, resolve=once
    )
    assert calls == ["news.invalid"]
    assert page.filename == "news.invalid-article.html"
