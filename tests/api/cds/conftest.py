"""Fixtures of the CDS Hooks tests: signing keys, a fake EHR (JWK Set + FHIR server), the app."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from api.cds.settings import CdsClient, CdsSettings
from api.db.engine import Database
from api.main import create_app
from api.settings import DEFAULT_MODEL_PATH, Settings
from tests.api.cds.keys import BASE_URL, EC_ISS, RSA_ISS, RSA_JKU, Signer, ec_signer, rsa_signer
from tests.api.db.backends import backend, database, empty_database

__all__ = ["backend", "database", "empty_database"]


@dataclass
class FakeRemote:
    """Answers GETs from a URL → JSON table and records every request it saw."""

    pages: dict[str, Any] = field(default_factory=dict)
    seen: list[httpx.Request] = field(default_factory=list)

    def handle(self, request: httpx.Request) -> httpx.Response:
        self.seen.append(request)
        body = self.pages.get(str(request.url))
        if body is None:
            return httpx.Response(404, json={"resourceType": "OperationOutcome"})
        return httpx.Response(200, json=body)

    def urls(self) -> list[str]:
        return [str(r.url) for r in self.seen]


@pytest.fixture(scope="session")
def ec() -> Signer:
    return ec_signer()


@pytest.fixture(scope="session")
def rsa() -> Signer:
    return rsa_signer()


@pytest.fixture
def remote(rsa: Signer) -> FakeRemote:
    return FakeRemote(pages={RSA_JKU: {"keys": [rsa.public_jwk()]}})


@pytest.fixture
def cds_settings(ec: Signer) -> CdsSettings:
    return CdsSettings(
        cds_clients=[
            CdsClient(iss=EC_ISS, jwks={"keys": [ec.public_jwk()]}),
            CdsClient(iss=RSA_ISS, jku=RSA_JKU),
        ]
    )


class NoPdf:
    """The hooks never render a PDF: a renderer that fails loudly if asked (and spawns no pool)."""

    async def render(self, html_text: str) -> bytes:
        raise AssertionError("a CDS hook must never render a PDF")


def cds_app(cds_settings: CdsSettings, remote: FakeRemote, database: Database) -> FastAPI:
    """The whole app on ``database`` with ``cds_settings``; JWK Set and FHIR reads go to ``remote``."""
    url = database.engine.url.render_as_string(hide_password=False)
    settings = Settings(
        model_path=DEFAULT_MODEL_PATH, public_base_url=BASE_URL, database_url=url, cds=cds_settings
    )
    return create_app(settings, pdf_renderer=NoPdf(), cds_transport=httpx.MockTransport(remote.handle))


@pytest.fixture
def app(cds_settings: CdsSettings, remote: FakeRemote, database: Database) -> FastAPI:
    return cds_app(cds_settings, remote, database)


@pytest.fixture
def client(app: FastAPI) -> Iterator[TestClient]:
    with TestClient(app, base_url=BASE_URL) as test_client:
        yield test_client
