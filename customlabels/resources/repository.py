"""Typed access to projects and models in the metadata store, and the store's key layout.

Layout under the store's prefix (``_meta/`` in the data bucket)::

    projects/<project>/claim.json                              {created_ms, feature}: owner of the name
    catalog/<newest-first>/<project>/<feature>.json            Project (+ datasets, policies, tags)
    projects/<project>/model-names/<version>                   {created_ms}: owner of the model name
    projects/<project>/models/<newest-first>/<version>.json    ProjectVersion

``<newest-first>`` is ``9999999999999 - created_ms`` zero-padded to 13 digits, so S3's
lexicographic listing yields newest first, the order DescribeProjectVersions documents ("latest
to earliest") and the one DescribeProjects uses too.

Why documents sit under ordered keys: a listing page is one ListObjectsV2 call that returns the
page's documents in creation order, with the feature in the key (so the ``Features`` filter reads
nothing) and with their ETags, which let the store serve unchanged documents from its cache. A
DescribeProjects page over 1,000 projects costs one LIST, plus a parallel GET for each document
this process has not seen in its current version: never 1,000 reads. An ARN names the creation
time, so resolving one is a single GET of a computed key.

Names are unique through *claims*, created with ``If-None-Match: *`` before the document and
removed after it. A claim whose document never appeared (its creator crashed) is taken over by
the next creator once it is older than a grace period, so a name cannot stay blocked.
"""

from __future__ import annotations

from collections.abc import Callable, Container, Iterable
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from customlabels.resources.records import FEATURES, Dataset, Project, ProjectVersion
from customlabels.store import DocumentExists, DocumentNotFound, MetadataStore, StaleDocument

_NEWEST_FIRST_BASE = 10**13 - 1
_CATALOG = "catalog/"
CLAIM_GRACE_MS = 60_000  # a claim this old without its document is abandoned

T = TypeVar("T")


@dataclass(frozen=True)
class Page(Generic[T]):
    """Records of one listing page, and the key to resume after (``None``: last page)."""

    items: list[T]
    resume_after: str | None


class Repository:
    """Projects and models as documents of a :class:`MetadataStore`."""

    def __init__(self, store: MetadataStore) -> None:
        self.store = store

    # Projects
    def create_project(self, project: Project) -> None:
        """Store a new project.

        Raises:
            DocumentExists: a project with that name exists.
        """
        claim = {"created_ms": project.created_ms, "feature": project.feature}
        self._claim(
            _project_claim(project.name), claim, lambda owner: _owner_project_key(project.name, owner)
        )
        self.store.create(
            _project_key(project.name, project.created_ms, project.feature), project.to_document()
        )

    def get_project(self, name: str) -> Project | None:
        """The project called ``name``, or ``None``."""
        claim = self.store.get(_project_claim(name))
        if claim is None:
            return None
        found = self.store.get(_owner_project_key(name, claim.body))
        return Project.from_document(found.body) if found else None

    def get_project_at(self, name: str, created_ms: int) -> Project | None:
        """The project ``name`` created at ``created_ms`` (what an ARN names), or ``None``."""
        for feature in FEATURES:  # CUSTOM_LABELS first: one GET for the common case
            found = self.store.get(_project_key(name, created_ms, feature))
            if found:
                return Project.from_document(found.body)
        return None

    def get_projects(self, names: Iterable[str]) -> list[Project]:
        """The existing projects among ``names``, newest first."""
        claims = self.store.get_many([_project_claim(name) for name in dict.fromkeys(names)])
        keys = [_owner_project_key(key.split("/")[1], claim.body) for key, claim in claims.items()]
        projects = [Project.from_document(doc.body) for doc in self.store.get_many(keys).values()]
        return sorted(projects, key=lambda project: (-project.created_ms, project.name))

    def list_projects(self, *, features: Container[str], after: str | None, limit: int) -> Page[Project]:
        """Up to ``limit`` projects with one of ``features``, newest first, after catalog key ``after``."""
        keys, etags, more = self._scan(
            _CATALOG, after, limit, lambda parts: parts[2][: -len(".json")] in features
        )
        found = self.store.get_listed({key: etags[key] for key in keys})
        projects = [Project.from_document(found[key].body) for key in keys if key in found]
        return Page(projects, keys[-1] if more and keys else None)

    def update_project(self, project: Project, change: Callable[[Project], None]) -> Project:
        """Apply ``change`` to ``project``'s stored document atomically (re-applied when a
        concurrent write wins); returns the project as written.

        Raises:
            DocumentNotFound: the project has been deleted.
            WriteConflict: too many concurrent writers.
        """
        changed: list[Project] = []

        def apply(doc: dict[str, Any]) -> dict[str, Any]:
            current = Project.from_document(doc)
            change(current)
            changed[:] = [current]
            return current.to_document()

        self.store.update(_project_key(project.name, project.created_ms, project.feature), apply)
        return changed[0]

    def get_dataset_at(
        self, project: str, dataset_type: str, created_ms: int
    ) -> tuple[Project, Dataset] | None:
        """The dataset of ``project`` of ``dataset_type`` created at ``created_ms`` (what a dataset
        ARN names), with its project; ``None`` if there is none (datasets live in the project's
        document, see :mod:`customlabels.resources.records`)."""
        found = self.get_project(project)
        dataset = found.datasets.get(dataset_type) if found is not None else None
        if found is None or dataset is None or dataset.created_ms != created_ms:
            return None
        return found, dataset

    def delete_project(self, project: Project) -> None:
        """Remove the project's document, then release its name."""
        self.store.delete(_project_key(project.name, project.created_ms, project.feature))
        self._release(_project_claim(project.name), project.created_ms)

    # Models
    def create_version(self, version: ProjectVersion) -> None:
        """Store a new model.

        Raises:
            DocumentExists: the project already has a model with that name.
        """
        project, name = version.project_name, version.name
        self._claim(
            _version_claim(project, name),
            {"created_ms": version.created_ms},
            lambda owner: _version_key(project, name, int(owner["created_ms"])),
        )
        self.store.create(_version_key(project, name, version.created_ms), version.to_document())

    def get_version(self, project: str, name: str) -> ProjectVersion | None:
        """The model ``name`` of ``project``, or ``None``."""
        claim = self.store.get(_version_claim(project, name))
        return self.get_version_at(project, name, int(claim.body["created_ms"])) if claim else None

    def get_version_at(self, project: str, name: str, created_ms: int) -> ProjectVersion | None:
        """The model created at ``created_ms`` (what an ARN names), or ``None``."""
        found = self.store.get(_version_key(project, name, created_ms))
        return ProjectVersion.from_document(found.body) if found else None

    def get_versions(self, project: str, names: Iterable[str]) -> list[ProjectVersion]:
        """The existing models among ``names``, newest first."""
        claims = self.store.get_many([_version_claim(project, name) for name in dict.fromkeys(names)])
        keys = [
            _version_key(project, key.rsplit("/", 1)[1], int(claim.body["created_ms"]))
            for key, claim in claims.items()
        ]
        versions = [ProjectVersion.from_document(doc.body) for doc in self.store.get_many(keys).values()]
        return sorted(versions, key=lambda version: (-version.created_ms, version.name))

    def list_versions(self, project: str, *, after: str | None, limit: int) -> Page[ProjectVersion]:
        """Up to ``limit`` models of ``project``, newest first, after key ``after``."""
        keys, etags, more = self._scan(_version_index(project), after, limit, lambda parts: True)
        found = self.store.get_listed({key: etags[key] for key in keys})
        versions = [ProjectVersion.from_document(found[key].body) for key in keys if key in found]
        return Page(versions, keys[-1] if more and keys else None)

    def all_versions(self, project: str) -> list[ProjectVersion]:
        """Every model of ``project``, newest first."""
        versions: list[ProjectVersion] = []
        after: str | None = None
        while True:
            page = self.list_versions(project, after=after, limit=1000)
            versions.extend(page.items)
            if page.resume_after is None:
                return versions
            after = page.resume_after

    def has_versions(self, project: str) -> bool:
        """Whether any model of ``project`` exists (or is being created)."""
        return self.store.exists_under(f"projects/{project}/model-names/")

    def update_version(
        self, version: ProjectVersion, change: Callable[[ProjectVersion], None]
    ) -> ProjectVersion:
        """Apply ``change`` to the model's stored document atomically (see :meth:`update_project`)."""
        changed: list[ProjectVersion] = []

        def apply(doc: dict[str, Any]) -> dict[str, Any]:
            current = ProjectVersion.from_document(doc)
            change(current)
            changed[:] = [current]
            return current.to_document()

        self.store.update(_version_key(version.project_name, version.name, version.created_ms), apply)
        return changed[0]

    def delete_version(self, version: ProjectVersion) -> None:
        """Remove the model's artifacts and document, then release its name."""
        if version.artifacts_prefix:
            self.store.delete_objects_under(version.artifacts_prefix)
        self.store.delete(_version_key(version.project_name, version.name, version.created_ms))
        self._release(_version_claim(version.project_name, version.name), version.created_ms)

    # Claims and scans
    def _claim(self, key: str, claim: dict[str, Any], owner_key: Callable[[dict[str, Any]], str]) -> None:
        """Take the name ``key`` for ``claim``, or raise DocumentExists if someone holds it."""
        try:
            self.store.create(key, claim)
            return
        except DocumentExists:
            holder = self.store.get(key)
        if holder is None:  # released meanwhile: one more try
            self.store.create(key, claim)
            return
        abandoned = claim["created_ms"] - int(holder.body["created_ms"]) > CLAIM_GRACE_MS
        if not abandoned or self.store.get(owner_key(holder.body)) is not None:
            raise DocumentExists(key)
        try:
            self.store.replace(key, claim, holder.etag)
        except (StaleDocument, DocumentNotFound):
            raise DocumentExists(key) from None

    def _release(self, key: str, created_ms: int) -> None:
        holder = self.store.get(key)
        if holder is not None and holder.body.get("created_ms") == created_ms:
            self.store.delete(key)

    def _scan(
        self, prefix: str, after: str | None, limit: int, accept: Callable[[list[str]], bool]
    ) -> tuple[list[str], dict[str, str], bool]:
        """Up to ``limit`` accepted keys under ``prefix`` after ``after``, their ETags, and whether
        more exist (listing one key beyond the page to know)."""
        chosen: list[str] = []
        etags: dict[str, str] = {}
        start = after
        while True:
            page = self.store.list_keys(prefix, start_after=start, limit=min(1000, limit + 1 - len(chosen)))
            for key in page.keys:
                if accept(key[len(prefix) :].split("/")):
                    if len(chosen) == limit:
                        return chosen, etags, True
                    chosen.append(key)
                    etags[key] = page.etags[key]
            if not page.truncated or not page.keys:
                return chosen, etags, False
            start = page.keys[-1]


def _newest_first(created_ms: int) -> str:
    return f"{_NEWEST_FIRST_BASE - created_ms:013d}"


def _project_claim(name: str) -> str:
    return f"projects/{name}/claim.json"


def _project_key(name: str, created_ms: int, feature: str) -> str:
    return f"{_CATALOG}{_newest_first(created_ms)}/{name}/{feature}.json"


def _owner_project_key(name: str, claim: dict[str, Any]) -> str:
    return _project_key(name, int(claim["created_ms"]), str(claim["feature"]))


def _version_index(project: str) -> str:
    return f"projects/{project}/models/"


def _version_claim(project: str, name: str) -> str:
    return f"projects/{project}/model-names/{name}"


def _version_key(project: str, name: str, created_ms: int) -> str:
    return f"{_version_index(project)}{_newest_first(created_ms)}/{name}.json"
