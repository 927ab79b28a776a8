"""A bounded property-based run of the whole JSON API with schemathesis: requests generated
from the app's own OpenAPI document (``/api/openapi.json``), valid ones and deliberately
invalid ones, sent through the ASGI transport (no network, no server process), must never be
answered with a server error.

Each case is sent as an admin (every route is reachable, writes included) and as a viewer
(every answer passes the name masker), over the invented store of ``test_web_seed``. Each
operation gets at most ``EXAMPLES`` cases per generation mode, with a fixed seed, so the run is
the same every time and stays well under two minutes.

schemathesis' own pytest plugin (``schema.parametrize``) does not work with the pytest used
here, so the cases are drawn with hypothesis directly from each operation's strategy."""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

schemathesis = pytest.importorskip("schemathesis")

from hypothesis import HealthCheck, Phase, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402
from hypothesis.errors import Unsatisfiable  # noqa: E402
from schemathesis import GenerationMode  # noqa: E402
from schemathesis.checks import not_a_server_error  # noqa: E402

from marsad.config import database_url  # noqa: E402
from marsad.store import Store  # noqa: E402
from marsad.web import create_app  # noqa: E402
from postgres_schema import POSTGRES_URL, postgres_schema_url  # noqa: E402
from test_web_seed import USERS, seed  # noqa: E402

EXAMPLES = 20
BOUNDED = settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=True,  # the same cases on every run: a failure here is reproducible
    phases=[Phase.explicit, Phase.generate],
    suppress_health_check=list(HealthCheck),
    database=None,
)


# A cursor is opaque to the schema, so on its own the run would only send text that fails to
# decode, never a cursor that decodes to values of the wrong type (a boolean id, a number for a
# date): these are drawn as the server writes its cursors, base64 of a short JSON list.
_LEAF = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False)
    | st.text(max_size=12)
    | st.dates().map(str)
)
CURSORS = st.lists(_LEAF, min_size=0, max_size=3).map(
    lambda v: base64.urlsafe_b64encode(json.dumps(v).encode()).decode().rstrip("=")
)
NUL = "\x00"


def _with_nul(values: Any, data: st.DataObject) -> Any:
    """The same mapping with a NUL put into one of its texts (PostgreSQL cannot store one;
    text generated from the schema holds one only rarely)."""
    if not isinstance(values, dict):
        return values
    texts = sorted(k for k, v in values.items() if isinstance(v, str))
    if not texts:
        return values
    key = data.draw(st.sampled_from(texts))
    at = data.draw(st.integers(0, len(values[key])))
    return {**values, key: values[key][:at] + NUL + values[key][at:]}


def _hostile(case: Any, operation: Any, data: st.DataObject) -> None:
    """Make some cases hostile where the schema cannot: typed cursors and NUL bytes."""
    if any(p.name == "cursor" for p in operation.iter_parameters()) and data.draw(st.booleans()):
        case.query = {**(case.query or {}), "cursor": data.draw(CURSORS)}
    where = data.draw(st.sampled_from(["none", "query", "path", "body"]))
    if where == "query":
        case.query = _with_nul(case.query, data)
    elif where == "path":
        case.path_parameters = _with_nul(case.path_parameters, data)
    elif where == "body":
        case.body = _with_nul(case.body, data)


def _database(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    if request.param == "sqlite":
        yield database_url(str(Path(tmp_path_factory.mktemp("props")) / "p.db"))
        return
    if not POSTGRES_URL:
        pytest.skip("MARSAD_TEST_POSTGRES_URL not set")
    yield from postgres_schema_url()


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def api(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[Any, list[dict[str, str]]]]:
    for url in _database(request, tmp_path_factory):
        yield from _served_schema(url)


def _served_schema(url: str) -> Iterator[tuple[Any, list[dict[str, str]]]]:
    store = Store(url)
    seed(store)
    tokens = [store.create_token(USERS[role], actor="setup") for role in ("admin", "viewer")]
    store.close()
    app = create_app(url)
    schema = schemathesis.openapi.from_asgi("/api/openapi.json", app)
    yield schema, [{"Authorization": f"Bearer {t}"} for t in tokens]
    app.state.store.close()


def _operations(schema: Any) -> list[Any]:
    return [result.ok() for result in schema.get_all_operations()]


def test_the_schema_covers_the_api(api: tuple[Any, list[dict[str, str]]]) -> None:
    schema, _ = api
    labels = {op.label for op in _operations(schema)}
    assert {"GET /api/incidents", "POST /api/tokens", "GET /api/persons"} <= labels
    assert len(labels) >= 20


def _check(operation: Any, mode: Any, callers: list[dict[str, str]]) -> bool:
    """Run the bounded cases of one operation; False when none could be made for it."""

    @BOUNDED
    @given(case=operation.as_strategy(generation_mode=mode), data=st.data())
    def check(case: Any, data: st.DataObject) -> None:
        _hostile(case, operation, data)
        for headers in callers:
            response = case.call_and_validate(headers=dict(headers), checks=[not_a_server_error])
            assert "Traceback" not in response.text

    try:
        check()
    except Unsatisfiable:
        # nothing invalid can be made for it (no parameters, or free-text ones only)
        assert mode == GenerationMode.NEGATIVE, operation.label
        return False
    return True


@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE])
def test_no_server_errors(api: tuple[Any, list[dict[str, str]]], mode: Any) -> None:
    schema, callers = api
    failures: list[str] = []
    tried: list[str] = []
    for operation in _operations(schema):
        try:
            if _check(operation, mode, callers):
                tried.append(operation.label)
        except Exception as exc:  # noqa: BLE001 - collect every operation's failure, then fail
            failures.append(f"{operation.label}: {str(exc)[:600]}")
    assert not failures, "\n\n".join(failures)
    assert len(tried) >= 10, tried  # the run reached the API, not only its unsatisfiable parts
