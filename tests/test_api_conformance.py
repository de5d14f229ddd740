"""Schemathesis against the JSON API, in process, run the way `schemathesis run` runs: its engine with
the examples, coverage (unsupported methods and their Allow headers, boundary values, missing fields),
fuzzing and stateful phases, and every check it has but one, with a bounded number of examples.
No answer may be a 5xx and none may disagree with the OpenAPI document: status codes, content types,
response schemas, Allow headers, refusal of schema-violating data.

Left out: positive_data_acceptance, which expects every schema-valid body to be accepted. The case
model has rules the JSON Schema cannot state (a statute the law data models, a category or the prior
records, no offense date in the future); a schema-valid case that breaks one is refused with 422, as
the document says. The coverage phase, which derives hundreds of requests from the case model, runs on
one of the three operations whose body is a case (POST /api/calculate); the other two get the rest.
benchmarks/ has no schemathesis run: `schemathesis run` against `plealever serve` is the large one."""

from __future__ import annotations

from pathlib import Path

import schemathesis
from schemathesis.engine import Status, events, from_schema

from plealever.store import Store
from plealever.web.app import create_app
from plealever.web.security import Settings

ROOT = Path(__file__).resolve().parents[1]
CHECKS = {"included_check_names": ["all"], "excluded_check_names": ["positive_data_acceptance"]}


def _run(schema, phases: list[str]) -> tuple[list[str], list[str], list[int], set[str]]:
    """Failures, errors, response statuses and the operations reached, for one engine run."""
    schema.config.phases.update(phases=phases)
    failures, errors, statuses, operations = [], [], [], set()
    for event in from_schema(schema).execute():
        if isinstance(event, events.ScenarioFinished | events.FuzzScenarioFinished):
            recorder = event.recorder
            operations.add(recorder.label)
            for interaction in recorder.interactions.values():
                if interaction.response is not None:
                    statuses.append(interaction.response.status_code)
            for checks in recorder.checks.values():
                failures += [
                    f"{recorder.label}: {c.name}: {c.failure_info.failure.title if c.failure_info else ''}"
                    for c in checks
                    if c.status == Status.FAILURE
                ]
        elif isinstance(event, events.NonFatalError | events.FatalError):
            errors.append(str(getattr(event, "info", None) or getattr(event, "exception", event))[:300])
    return failures, errors, statuses, operations


def test_api_conforms_to_its_openapi_document(tmp_path):
    settings = Settings(host="testserver", port=80)
    auth = {"Authorization": f"Bearer {settings.token}"}
    store = Store(f"sqlite:///{tmp_path / 'api.sqlite3'}")
    case_id = store.import_file(ROOT / "examples" / "receipt-plea.yaml").id
    schema = schemathesis.openapi.from_asgi("/openapi.json", create_app(store, settings), headers=auth)
    # Operations on one case reach a stored case, so they test more than "no such case".
    schema.config.update(headers=auth, parameters={"case_id": case_id})
    schema.config.generation.update(max_examples=4)
    schema.config.seed = 12
    schema.config.checks.update(**CHECKS)
    results = [
        _run(schema, ["examples", "fuzzing", "stateful"]),
        _run(
            schema.exclude(method="POST", path="/api/cases").exclude(method="PUT", path="/api/cases/{case_id}"),
            ["coverage"],
        ),
    ]
    failures = sorted({f for r in results for f in r[0]})
    errors = [e for r in results for e in r[1]]
    statuses = [s for r in results for s in r[2]]
    operations = set().union(*(r[3] for r in results))
    assert not errors, errors
    assert not failures, failures
    assert all(code < 500 for code in statuses)
    # The runs reached every documented operation, with answers of both kinds.
    assert len({label for label in operations if label.startswith(("GET", "POST", "PUT"))}) >= 10
    assert any(code < 300 for code in statuses) and any(400 <= code < 500 for code in statuses)
    assert 405 in statuses  # the coverage phase tried undocumented methods (and the Allow headers held)
