"""API docs that work offline (Swagger UI served from an installed package) and the start URL.

FastAPI's own /docs loads Swagger UI from a CDN, so on a machine without internet it is a
blank page. The assets here come from the ``fastapi-offline`` wheel (pinned in uv.lock); only
a fixed list of file names is served, and the page references nothing outside this server.
FastAPI's ReDoc page is not offered: its bundle fetches a logo from the vendor's CDN.
"""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path

from fastapi import APIRouter
from fastapi.openapi.docs import get_swagger_ui_html, get_swagger_ui_oauth2_redirect_html
from starlette.responses import FileResponse, HTMLResponse, Response

from risk.errors import NotFound

ASSETS_PATH = "/docs-assets"
ASSETS = Path(str(files("fastapi_offline") / "static"))
ASSET_TYPES: dict[str, str] = {
    "swagger-ui-bundle.js": "text/javascript",
    "swagger-ui.css": "text/css",
    "favicon.png": "image/png",
}
OPENAPI_URL = "/openapi.json"
OAUTH2_REDIRECT_URL = "/docs/oauth2-redirect"
START_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>osteoref</title></head>
<body><h1>osteoref</h1>
<p>The web pages for clinicians and coordinators are at <a href="/web">/web</a>.</p>
<p>The API is described at <a href="/docs">/docs</a> (Swagger UI, works offline);
the OpenAPI document is <a href="/openapi.json">/openapi.json</a>.
Liveness: <a href="/health">/health</a>.</p>
</body></html>
"""

router = APIRouter(include_in_schema=False)


@router.get("/")
async def start() -> Response:
    """Send a browser to the web pages; the body says where the API docs are (for curl users)."""
    return HTMLResponse(START_PAGE, status_code=307, headers={"Location": "/web"})


@router.get("/docs")
async def swagger_ui() -> HTMLResponse:
    """Swagger UI with its script and stylesheet from this server."""
    return get_swagger_ui_html(
        openapi_url=OPENAPI_URL,
        title="osteoref API",
        oauth2_redirect_url=OAUTH2_REDIRECT_URL,
        swagger_js_url=f"{ASSETS_PATH}/swagger-ui-bundle.js",
        swagger_css_url=f"{ASSETS_PATH}/swagger-ui.css",
        swagger_favicon_url=f"{ASSETS_PATH}/favicon.png",
    )


@router.get(OAUTH2_REDIRECT_URL)
async def swagger_ui_redirect() -> HTMLResponse:
    """Swagger UI's OAuth2 helper page (part of its standard set-up)."""
    return get_swagger_ui_oauth2_redirect_html()


@router.get(ASSETS_PATH + "/{name}")
async def asset(name: str) -> Response:
    """One of the docs' asset files (a fixed list: no path from the URL reaches the disk)."""
    if name not in ASSET_TYPES:
        raise NotFound(f"no docs asset {name!r}")
    response = FileResponse(ASSETS / name, media_type=ASSET_TYPES[name])
    response.headers["Cache-Control"] = "public, max-age=86400"
    return response
