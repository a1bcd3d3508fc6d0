"""Property-based run of every operation in /openapi.json: no input makes the server fail (5xx).

Bounded: a few generated examples per operation (positive and negative data), no shrinking, no
deadline per example. Writes are exercised without the token, so they stop at the auth check (no
fetches, no ingest). schemathesis' lazy pytest loader does not work with this pytest, so the
operations are driven through hypothesis directly.
"""
from __future__ import annotations

import pytest

schemathesis = pytest.importorskip("schemathesis")
from hypothesis import HealthCheck, Phase, given, settings  # noqa: E402
from hypothesis.errors import Unsatisfiable  # noqa: E402

MAX_EXAMPLES = 6


def test_openapi_operations_never_fail_with_5xx(demo_app) -> None:
    from schemathesis import GenerationMode

    schema = schemathesis.openapi.from_asgi("/openapi.json", demo_app)
    operations = [r.ok() for r in schema.get_all_operations()]
    assert len(operations) >= 11
    failures: list[str] = []
    for op in operations:
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            @settings(max_examples=MAX_EXAMPLES, deadline=None, derandomize=True, database=None,
                      phases=[Phase.explicit, Phase.generate],
                      suppress_health_check=list(HealthCheck))
            @given(case=op.as_strategy(generation_mode=mode))
            def run(case) -> None:
                resp = case.call()
                if resp.status_code >= 500:
                    failures.append(f"{case.method} {case.formatted_path} {case.query!r} "
                                    f"-> {resp.status_code} {resp.text[:200]}")
                elif resp.status_code >= 400:
                    body = resp.json()
                    assert set(body) == {"error"}, (case.path, resp.text[:200])
                    assert set(body["error"]) == {"code", "message", "detail"}

            try:
                run()
            except Unsatisfiable:
                # No invalid input exists for an operation without parameters (e.g. /api/health).
                assert mode == GenerationMode.NEGATIVE, op.label
    assert not failures, "\n".join(failures[:20])
