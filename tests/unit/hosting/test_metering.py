"""The usage samples: the guide's metric and dimension names (L7835-7845, L8752-8791)."""

from __future__ import annotations

from datetime import UTC, datetime

from customlabels.hosting.capacity import CapacityState
from customlabels.hosting.metering import DESIRED_UNITS, IN_SERVICE_UNITS, metric_data

from .conftest import model


def test_one_sample_of_each_metric_per_model() -> None:
    when = datetime(2026, 11, 26, 10, 0, tzinfo=UTC)
    data = metric_data(model("v3"), CapacityState(ready=True, desired=4, in_service=2), when)
    assert {item["MetricName"]: item["Value"] for item in data} == {IN_SERVICE_UNITS: 2.0, DESIRED_UNITS: 4.0}
    assert (IN_SERVICE_UNITS, DESIRED_UNITS) == ("InServiceInferenceUnits", "DesiredInferenceUnits")
    for item in data:
        assert item["Dimensions"] == [
            {"Name": "ProjectName", "Value": "p"},
            {"Name": "VersionName", "Value": "v3"},
        ]
        assert item["Timestamp"] == when and item["Unit"] == "Count"
