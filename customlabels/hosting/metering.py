"""Running hours and inference units as CloudWatch metrics, the way the guide reads them.

The guide (L7835-7845, L8722-8799) reports a model's usage with two metrics, dimensions
``ProjectName`` and ``VersionName``: ``InServiceInferenceUnits`` (units the model has now) and
``DesiredInferenceUnits`` (units auto scaling is moving to). Its dashboard reads
``InServiceInferenceUnits`` with stat Average over 3600 s periods: the sum of the hourly averages is
the inference hours used, the count of hours with data is the hours running, and gaps are hours
the model was not running (L8795).

So each running model reports both metrics once a minute (the metering function, on an
EventBridge schedule), and once more the moment it starts running, so that a model that runs for
less than a minute still shows in its hour. Stopped models report nothing.

The namespace is ``CustomLabels`` rather than the guide's ``AWS/Rekognition``: CloudWatch refuses
``PutMetricData`` into ``AWS/`` namespaces, which belong to AWS services. Metric and dimension
names are the guide's, so its dashboard source works with the namespace replaced.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from typing import Any

from customlabels.hosting.capacity import CapacityState, ModelCapacity
from customlabels.resources.records import FEATURES, ProjectVersion
from customlabels.resources.repository import Repository
from customlabels.resources.status import ProjectVersionStatus

logger = logging.getLogger(__name__)

IN_SERVICE_UNITS = "InServiceInferenceUnits"  # guide L7839, L8724
DESIRED_UNITS = "DesiredInferenceUnits"  # guide L7838
MAX_DATA_PER_CALL = 1000  # PutMetricData's limit on MetricData members


def dimensions(version: ProjectVersion) -> list[dict[str, str]]:
    """The guide's dimensions (L8775-8778): the project's and the model's names."""
    return [
        {"Name": "ProjectName", "Value": version.project_name},
        {"Name": "VersionName", "Value": version.name},
    ]


def metric_data(version: ProjectVersion, state: CapacityState, timestamp: datetime) -> list[dict[str, Any]]:
    """The two samples one running model reports at ``timestamp``."""
    return [
        {
            "MetricName": name,
            "Dimensions": dimensions(version),
            "Timestamp": timestamp,
            "Value": float(value),
            "Unit": "Count",
        }
        for name, value in ((IN_SERVICE_UNITS, state.in_service), (DESIRED_UNITS, state.desired))
    ]


def running_models(repository: Repository) -> Iterator[ProjectVersion]:
    """Every RUNNING model of the deployment (one listing per project, documents from the store's cache)."""
    after: str | None = None
    while True:
        page = repository.list_projects(features=FEATURES, after=after, limit=1000)
        for project in page.items:
            for version in repository.all_versions(project.name):
                if version.status == ProjectVersionStatus.RUNNING:
                    yield version
        if page.resume_after is None:
            return
        after = page.resume_after


class Metering:
    """Publishes the usage metrics of running models.

    Args:
        repository: where the models are.
        capacity: tells each model's desired and in-service units.
        cloudwatch: boto3 ``cloudwatch`` client.
        namespace: the metrics' namespace (``Settings.metrics_namespace``).
        clock: the samples' timestamp (tests pass a fixed one).
    """

    def __init__(
        self,
        repository: Repository,
        capacity: ModelCapacity,
        cloudwatch: Any,
        namespace: str,
        *,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self._repository = repository
        self._capacity = capacity
        self._cloudwatch = cloudwatch
        self._namespace = namespace
        self._clock = clock

    def report(self, versions: list[ProjectVersion]) -> int:
        """Publish one sample of each metric for each of ``versions``; returns how many models reported.

        A model whose capacity cannot be read is skipped (and logged), not allowed to stop the others.
        """
        now = self._clock()
        data: list[dict[str, Any]] = []
        reported = 0
        for version in versions:
            try:
                state = self._capacity.state(version)
            except Exception:
                logger.exception("cannot read the inference units of %s", version.arn)
                continue
            data.extend(metric_data(version, state, now))
            reported += 1
        for start in range(0, len(data), MAX_DATA_PER_CALL):
            self._cloudwatch.put_metric_data(
                Namespace=self._namespace, MetricData=data[start : start + MAX_DATA_PER_CALL]
            )
        return reported

    def report_running(self) -> int:
        """Publish the samples of every running model (the scheduled metering run)."""
        return self.report(list(running_models(self._repository)))
