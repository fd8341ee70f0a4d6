"""The console's routes: the page, its static files, the specs and the dev-only tokens.

``GET /console`` is a test client in the browser, plain HTML, CSS and JavaScript with
no build step and nothing loaded from elsewhere (it works offline). ``GET /docs`` is a
reference of both specs rendered by the same script. What they know about the protocol
comes from ``GET /console/spec.json``, derived from the specs when the app is created.
"""

from __future__ import annotations

import ipaddress
import logging
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from litestar import Request, Response, get
from litestar.datastructures import CacheControlHeader
from litestar.enums import MediaType
from litestar.exceptions import NotFoundException, ValidationException
from litestar.response import Redirect
from litestar.static_files import create_static_files_router
from litestar.types import ControllerRouterHandler

from wsrouter.auth import issue_token
from wsrouter.console.spec import SpecFiles, console_spec
from wsrouter.settings import Settings

log = logging.getLogger("wsrouter.console")

STATIC_DIR = Path(__file__).resolve().parent / "static"

SPEC_DIR_VARIABLE = "WSROUTER_SPEC_DIR"
"""Where ``asyncapi.yaml`` and ``openapi.yaml`` are, to serve other specs than the built-in ones."""

PACKAGED_SPEC_DIR = Path(__file__).resolve().parents[1] / "specs"
"""Where the wheel puts both specs (``pyproject.toml`` copies them in at build time)."""

DEV_TOKEN_TTL_SECONDS = 24 * 3600
"""As long as the tokens ``wsrouter serve`` prints in development mode."""

# Nothing but this server: the page loads no CDN asset and talks only to its own origin.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; connect-src 'self' ws: wss:; img-src 'self' data:; "
    "base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)


def find_spec_dir(env: Mapping[str, str] | None = None) -> Path | None:
    """The folder holding ``asyncapi.yaml``: ``$WSROUTER_SPEC_DIR``, the package, the repository.

    An installed wheel carries both specs as package data (``wsrouter/specs/``); in the
    source tree they are at the repository root, found from this file
    (``server/wsrouter/console/`` is three levels below it), so ``make run`` finds them
    from any working directory. The working directory comes last.
    """
    env = os.environ if env is None else env
    candidates = [
        Path(env[SPEC_DIR_VARIABLE]) if env.get(SPEC_DIR_VARIABLE) else None,
        PACKAGED_SPEC_DIR,
        Path(__file__).resolve().parents[3],
        Path.cwd(),
    ]
    for candidate in candidates:
        if candidate is not None and (candidate / "asyncapi.yaml").is_file():
            return candidate
    return None


def console_routes(
    settings: Settings, spec_dir: Path | None = None
) -> list[ControllerRouterHandler]:
    """The route handlers of the console, the docs page, the specs and the dev tokens.

    ``spec_dir`` defaults to :func:`find_spec_dir`; without the specs the pages still
    load and say what is missing, and the spec routes answer 404.
    """
    spec_dir = spec_dir or find_spec_dir()
    if spec_dir is None:
        log.warning(
            "spec files not found; set %s to the folder of asyncapi.yaml", SPEC_DIR_VARIABLE
        )
        spec_dir = Path.cwd()
    files = SpecFiles(asyncapi=spec_dir / "asyncapi.yaml", openapi=spec_dir / "openapi.yaml")
    spec = console_spec(files)
    for problem in spec["problems"]:
        log.warning("console: %s", problem)
    console_page = (STATIC_DIR / "console.html").read_text(encoding="utf-8")
    docs_page = (STATIC_DIR / "docs.html").read_text(encoding="utf-8")
    favicon_svg = (STATIC_DIR / "favicon.svg").read_bytes()
    page_headers = {"Content-Security-Policy": CONTENT_SECURITY_POLICY}

    @get("/", include_in_schema=False)
    async def home() -> Redirect:
        return Redirect("/console")

    @get("/console", include_in_schema=False, media_type=MediaType.HTML)
    async def console() -> Response[str]:
        return Response(console_page, media_type=MediaType.HTML, headers=page_headers)

    @get("/docs", include_in_schema=False, media_type=MediaType.HTML)
    async def docs() -> Response[str]:
        return Response(docs_page, media_type=MediaType.HTML, headers=page_headers)

    @get("/favicon.ico", include_in_schema=False)
    async def favicon() -> Response[bytes]:
        # Browsers ask for it on every page without a <link rel="icon">: /docs, /health...
        return Response(favicon_svg, media_type="image/svg+xml")

    @get("/console/spec.json", include_in_schema=False)
    async def console_spec_json() -> dict[str, Any]:
        return spec

    @get("/asyncapi.yaml", include_in_schema=False)
    async def asyncapi_yaml() -> Response[bytes]:
        return _spec_file(files.asyncapi)

    @get("/openapi.yaml", include_in_schema=False)
    async def openapi_yaml() -> Response[bytes]:
        return _spec_file(files.openapi)

    @get(
        "/console/dev-token",
        include_in_schema=False,
        cache_control=CacheControlHeader(no_store=True),
    )
    async def dev_token(request: Request[Any, Any, Any]) -> dict[str, str]:
        """``?sub=`` (default ``1``), ``&name=``, ``&role=admin``: a token, in dev mode only."""
        # Only where `wsrouter serve` prints tokens anyway (no secret configured), and
        # only to this machine: a dev server bound to a public address gives none away.
        if not settings.dev_mode or not _from_loopback(request) or not _same_machine(request):
            raise NotFoundException()
        sub = request.query_params.get("sub", "1")
        name = request.query_params.get("name") or None
        role = request.query_params.get("role") or None
        if role not in (None, "admin"):
            raise ValidationException("role must be admin or absent")
        if name is None and sub == "1" and role is None:
            name = "Alice"  # the user of the start-up banner
        try:
            token = issue_token(
                settings, sub=sub, name=name, role=role, ttl_seconds=DEV_TOKEN_TTL_SECONDS
            )
        except ValueError as exc:
            raise ValidationException(str(exc)) from None
        return {"token": token, "sub": sub}

    static = create_static_files_router(
        path="/console/static", directories=[STATIC_DIR], include_in_schema=False
    )
    return [
        home,
        console,
        docs,
        favicon,
        console_spec_json,
        asyncapi_yaml,
        openapi_yaml,
        dev_token,
        static,
    ]


def _spec_file(path: Path) -> Response[bytes]:
    """The file as it is on disk now (``application/yaml``, RFC 9512)."""
    try:
        content = path.read_bytes()
    except OSError:
        raise NotFoundException(f"{path.name} is not available on this server") from None
    return Response(content, media_type="application/yaml; charset=utf-8")


LOOPBACK_NAMES = frozenset({"localhost", "localhost.", "ip6-localhost", "ip6-loopback"})


def _loopback_host(host: str) -> bool:
    """Whether ``host`` (a ``Host`` header, port and brackets allowed) names this machine."""
    host = host.strip().lower()
    if host.startswith("["):
        host = host[1:].split("]", 1)[0]
    elif host.count(":") == 1:
        host = host.split(":", 1)[0]
    if host in LOOPBACK_NAMES or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _same_machine(request: Request[Any, Any, Any]) -> bool:
    """A request a page of this machine made to this machine, not one of another site.

    A name that some page rebinds to 127.0.0.1 reaches a loopback server with its own
    ``Host``; a cross-site ``fetch`` carries its ``Origin`` and ``Sec-Fetch-Site``.
    """
    headers = request.headers
    if not _loopback_host(headers.get("host", "")):
        return False
    if headers.get("sec-fetch-site", "same-origin") not in ("same-origin", "none"):
        return False
    origin = headers.get("origin")
    if origin is None:
        return True
    return _loopback_host(origin.split("://", 1)[-1].split("/", 1)[0])


def _from_loopback(request: Request[Any, Any, Any]) -> bool:
    host = request.client.host if request.client else ""
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return False
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return address.ipv4_mapped.is_loopback
    return address.is_loopback
