"""Complete the prefetch from the EHR's FHIR server and assemble one collection Bundle.

A prefetch key that is omitted (or holds an OperationOutcome) is fetched with the given
access token; a key present as ``null`` means "no data". When a key can be neither
prefetched nor fetched the hook answers 412. The token is sent only to the ``fhirServer``
origin (``next`` links elsewhere are refused) and is never logged or stored.

httpx (with the CLI extras it loads, ~0.1 s) is imported with the first outbound request, not
before ``/ready`` (``docs/performance.md``, "Start-up").
"""

from __future__ import annotations

import asyncio
import re
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from api.cds.schemas import HookRequest
from api.cds.services import PREFETCH

if TYPE_CHECKING:
    import httpx


class PrefetchUnavailable(Exception):
    """Required data could be neither prefetched nor fetched (answered 412)."""


class FhirFetcher:
    """Fetches missing prefetch keys with an async HTTP client (injectable transport for tests)."""

    def __init__(
        self, *, timeout_seconds: float, max_pages: int, transport: httpx.AsyncBaseTransport | None = None
    ) -> None:
        self._timeout = timeout_seconds
        self._max_pages = max_pages
        self._transport = transport

    async def collection(self, request: HookRequest, *, require_https: bool) -> dict[str, Any]:
        """Every prefetched or fetched resource in one ``collection`` Bundle."""
        given = request.prefetch or {}
        values = {k: v for k, v in given.items() if k in PREFETCH and not _is_outcome(v)}
        missing = [k for k in PREFETCH if k not in values]
        paged = [k for k, v in values.items() if _next_link(v)]
        if missing or paged:
            values |= await self._fetch(request, missing, paged, require_https)
        resources = [r for key in PREFETCH for r in _flatten(values.get(key))]
        unresolved = unresolved_medications(resources)
        if unresolved and request.fhirServer:
            resources += await self._medications(request, unresolved, require_https)
        return {"resourceType": "Bundle", "type": "collection", "entry": _unique_entries(resources)}

    async def _medications(
        self, request: HookRequest, ids: list[str], require_https: bool
    ) -> list[dict[str, Any]]:
        """Medications a medicationReference names that the prefetch lacks (the client ignored _include).

        One that cannot be read is left out: the mapping then reports the reference as unresolved.
        """
        server = str(request.fhirServer)
        _check_server(server, require_https)
        async with self._client(request) as http:
            reader = _Reader(http, server, self._max_pages)
            urls = [f"{server.rstrip('/')}/Medication/{quote(rid, safe='')}" for rid in ids]
            found = await asyncio.gather(*(reader.read(url) for url in urls), return_exceptions=True)
        return [r for r in found if isinstance(r, dict) and r.get("resourceType") == "Medication"]

    def _client(self, request: HookRequest) -> httpx.AsyncClient:
        import httpx  # noqa: PLC0415 (first outbound call: see module docstring)

        headers = {"Accept": "application/fhir+json"}
        if request.fhirAuthorization is not None:
            headers["Authorization"] = f"Bearer {request.fhirAuthorization.access_token}"
        return httpx.AsyncClient(timeout=self._timeout, transport=self._transport, headers=headers)

    async def _fetch(
        self, request: HookRequest, missing: list[str], paged: list[str], require_https: bool
    ) -> dict[str, Any]:
        server = request.fhirServer
        if missing and not server:
            raise PrefetchUnavailable(f"prefetch {', '.join(missing)} missing and no fhirServer given")
        if not server:
            return {}  # a paginated prefetch without a server: use the pages we have
        _check_server(server, require_https)
        async with self._client(request) as http:
            reader = _Reader(http, server, self._max_pages)
            prefetch = request.prefetch or {}
            jobs = [reader.read(_url(server, PREFETCH[k], request.context.patientId)) for k in missing]
            jobs += [reader.more(prefetch[k]) for k in paged]
            results = await asyncio.gather(*jobs)
        return dict(zip([*missing, *paged], results, strict=True))


class _Reader:
    def __init__(self, http: httpx.AsyncClient, server: str, max_pages: int) -> None:
        self._http = http
        self._origin = _origin(server)
        self._max_pages = max_pages

    async def read(self, url: str) -> dict[str, Any]:
        first = await self._get(url)
        return await self.more(first) if first.get("resourceType") == "Bundle" else first

    async def more(self, bundle: dict[str, Any]) -> dict[str, Any]:
        """The bundle with the entries of its ``next`` pages appended."""
        entries = list(bundle.get("entry") or [])
        link, pages = _next_link(bundle), 1
        while link and pages < self._max_pages:
            page = await self._get(link)
            entries += page.get("entry") or []
            link, pages = _next_link(page), pages + 1
        return {"resourceType": "Bundle", "type": "searchset", "entry": entries}

    async def _get(self, url: str) -> dict[str, Any]:
        import httpx  # noqa: PLC0415 (first outbound call: see module docstring)

        if _origin(url) != self._origin:
            raise PrefetchUnavailable("a next link leaves the fhirServer origin")
        try:
            response = await self._http.get(url)
            response.raise_for_status()
            body = response.json()
        except (httpx.HTTPError, ValueError) as exc:
            # The type only: an exception text could carry the URL and its patient id.
            raise PrefetchUnavailable(f"FHIR read failed ({type(exc).__name__})") from exc
        if not isinstance(body, dict):
            raise PrefetchUnavailable("FHIR server answered something other than a resource")
        return body


def _check_server(server: str, require_https: bool) -> None:
    if require_https and not server.startswith("https://"):
        raise PrefetchUnavailable("fhirServer must use https")


MEDICATION_REFERENCE = re.compile(r"^Medication/([A-Za-z0-9\-.]{1,64})$")


def unresolved_medications(resources: list[dict[str, Any]]) -> list[str]:
    """Ids of Medications referenced as ``Medication/id`` but not among ``resources``."""
    present = {str(r.get("id")) for r in resources if r.get("resourceType") == "Medication"}
    wanted: list[str] = []
    for resource in resources:
        reference = (resource.get("medicationReference") or {}).get("reference")
        match = MEDICATION_REFERENCE.match(reference) if isinstance(reference, str) else None
        if match and match.group(1) not in present and match.group(1) not in wanted:
            wanted.append(match.group(1))
    return wanted


def _url(server: str, template: str, patient_id: str) -> str:
    return f"{server.rstrip('/')}/{template.replace('{{context.patientId}}', quote(patient_id, safe=''))}"


def _origin(url: str) -> tuple[str, str, int | None]:
    import httpx  # noqa: PLC0415 (first outbound call: see module docstring)

    parsed = httpx.URL(url)
    return parsed.scheme, parsed.host, parsed.port


def _is_outcome(value: Any) -> bool:
    return isinstance(value, dict) and value.get("resourceType") == "OperationOutcome"


def _next_link(value: Any) -> str | None:
    if not isinstance(value, dict) or value.get("resourceType") != "Bundle":
        return None
    return next((link.get("url") for link in value.get("link") or [] if link.get("relation") == "next"), None)


def _flatten(value: Any) -> list[dict[str, Any]]:
    if not isinstance(value, dict):
        return []
    if value.get("resourceType") != "Bundle":
        return [value]
    inner = [e.get("resource") for e in value.get("entry") or []]
    return [r for r in inner if isinstance(r, dict) and r.get("resourceType") != "OperationOutcome"]


def _unique_entries(resources: list[dict[str, Any]]) -> list[dict[str, Any]]:
    seen: set[tuple[str, str]] = set()
    entries = []
    for r in resources:
        key = (str(r.get("resourceType")), str(r.get("id", id(r))))
        if key not in seen:
            seen.add(key)
            entries.append({"resource": r})
    return entries
