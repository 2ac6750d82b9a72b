"""Reporting's audit log has a term, on real Kafka and MongoDB: entries older than it are deleted by the retention
run, which only an administrator starts; the counters and projects stay, as the register says."""

from datetime import UTC, datetime, timedelta

import pytest

from plumbing.access import Role
from tests.integration.reporting.test_lab import Lab, idea, lab

pytestmark = pytest.mark.integration
__all__ = ["lab"]  # the fixture, shared with the Schuldenlab tests


async def test_old_audit_entries_are_deleted_and_only_administrators_run_retention(lab: Lab) -> None:
    assert (await lab.client.post("/api/v1/lab/projects", json=idea())).status_code == 201
    assert (await lab.client.post("/api/v1/lab/projects", json=idea(id="tweede"))).status_code == 201
    old = await lab.db.audit.find_one({"record": "project:vroeg-erop-af"})
    assert old is not None
    written = datetime.now(UTC) - timedelta(days=lab.settings.audit_retention_days + 1)
    await lab.db.audit.update_one({"_id": old["_id"]}, {"$set": {"at": written}})

    assert (await lab.client.post("/api/v1/retention/run")).status_code == 403  # a programme lead
    response = await lab.client.post("/api/v1/retention/run", headers=lab.as_role(Role.ADMINISTRATOR))
    assert response.status_code == 200, response.text
    assert response.json() == {"expired_audit_entries": 1}
    assert await lab.db.audit.count_documents({"record": "project:vroeg-erop-af"}) == 0
    assert await lab.db.audit.count_documents({"record": "project:tweede"}) == 1
    assert await lab.db.lab_projects.count_documents({}) == 2
