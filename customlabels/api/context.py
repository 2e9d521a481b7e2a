"""What every operation handler gets: the repository, back ends, clock and resource lookups.

Lookups turn an ARN from a request into the record it names, or raise the service's
ResourceNotFoundException. An ARN resolves only to the record created at the instant its suffix
records (a deleted and re-created project has a new ARN) and only in this deployment's region and
account: customlabels hosts one account, so another account's resources do not exist here.
"""

from __future__ import annotations

import copy
import threading
import time
from collections.abc import Callable
from typing import Any

from customlabels.api.backends import Backends
from customlabels.api.caller import UNKNOWN_CALLER, Caller
from customlabels.api.errors import InvalidPaginationTokenException, ResourceNotFoundException
from customlabels.pagination import InvalidToken, PageTokens, load_or_create_key
from customlabels.resources import arns
from customlabels.resources.records import Dataset, Project, ProjectVersion
from customlabels.resources.repository import Repository


def epoch_ms() -> int:
    """Now, in epoch milliseconds."""
    return time.time_ns() // 1_000_000


def seconds(epoch_ms: int | None) -> float | None:
    """Epoch milliseconds as the epoch seconds of a JSON 1.1 timestamp."""
    return None if epoch_ms is None else epoch_ms / 1000


class _SharedTokens:
    """The page-token codec, built on first use and shared by every request's view of the context."""

    def __init__(self, repository: Repository, tokens: PageTokens | None) -> None:
        self._repository = repository
        self._tokens = tokens
        self._lock = threading.Lock()

    def get(self) -> PageTokens:
        with self._lock:
            if self._tokens is None:
                self._tokens = PageTokens(load_or_create_key(self._repository.store))
            return self._tokens


class ApiContext:
    """Shared state of the API for one deployment (built once per process), and who is calling.

    :meth:`for_caller` gives each request a view that names its caller and shares the rest.
    """

    def __init__(
        self,
        repository: Repository,
        *,
        region: str,
        account: str,
        backends: Backends | None = None,
        tokens: PageTokens | None = None,
        clock: Callable[[], int] = epoch_ms,
    ) -> None:
        self.repository = repository
        self.region = region
        self.account = account
        self.backends = backends or Backends()
        self.clock = clock
        self.caller = UNKNOWN_CALLER
        self._tokens = _SharedTokens(repository, tokens)

    def for_caller(self, caller: Caller) -> ApiContext:
        """This context for one request signed by ``caller``."""
        view = copy.copy(self)
        view.caller = caller
        return view

    # Pagination
    @property
    def tokens(self) -> PageTokens:
        """The token codec, keyed with the deployment's key (read from the bucket on first use)."""
        return self._tokens.get()

    def page_position(self, scope: str, token: str | None) -> dict[str, Any] | None:
        """The position a request's NextToken resumes at (``None``: first page).

        Raises:
            InvalidPaginationTokenException: the token is not one we issued for this listing.
        """
        try:
            return self.tokens.read(scope, token)
        except InvalidToken as error:
            raise InvalidPaginationTokenException(f"Invalid NextToken: {error}") from None

    def next_token(self, scope: str, position: dict[str, Any] | None) -> str | None:
        """The NextToken for ``position``, or ``None`` on the last page (the member is left out)."""
        return self.tokens.issue(scope, position) if position is not None else None

    # Lookups
    def project(self, arn: str) -> Project:
        """The project ``arn`` names.

        Raises:
            ResourceNotFoundException: there is no such project.
        """
        ref = arns.parse_project_arn(arn)
        project = None
        if ref is not None and self._is_local(ref):
            project = self.repository.get_project_at(ref.project, ref.created_ms)
        if project is None:
            raise ResourceNotFoundException(f"The project {arn} does not exist")
        return project

    def version(self, arn: str) -> ProjectVersion:
        """The model ``arn`` names.

        Raises:
            ResourceNotFoundException: there is no such model.
        """
        ref = arns.parse_version_arn(arn)
        version = None
        if ref is not None and self._is_local(ref):
            version = self.repository.get_version_at(ref.project, ref.version, ref.created_ms)
        if version is None:
            raise ResourceNotFoundException(f"The model {arn} does not exist")
        return version

    def dataset(self, arn: str) -> tuple[Project, Dataset]:
        """The dataset ``arn`` names, with its project.

        Raises:
            ResourceNotFoundException: there is no such dataset.
        """
        ref = arns.parse_dataset_arn(arn)
        found = None
        if ref is not None and self._is_local(ref):
            found = self.repository.get_dataset_at(ref.project, ref.dataset_type, ref.created_ms)
        if found is None:
            raise ResourceNotFoundException(f"The dataset {arn} does not exist")
        return found

    def _is_local(self, ref: arns.ResourceRef | None) -> bool:
        return ref is not None and ref.region == self.region and ref.account == self.account
