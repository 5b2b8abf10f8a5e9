"""Private file storage: certificate PDFs, print packs, logos, signatures and report PDFs. Never served by URL,
only through views that check who is asking.

On one machine it is a folder (PRIVATE_MEDIA_ROOT). With web and worker nodes on several machines it is an
S3-compatible bucket through django-storages (PRIVATE_STORAGE_BUCKET and friends in the settings), so every node
reads what any worker wrote. Code asks `private_storage()` and never needs to know which.
"""

from __future__ import annotations

import functools
import os
import tempfile
from pathlib import Path

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import FileSystemStorage, InvalidStorageError, Storage, storages
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.utils.functional import LazyObject, empty

PRIVATE_ALIAS = "private"


def private_root() -> Path:
    """PRIVATE_MEDIA_ROOT when set, else <VAR_DIR>/private; read on every use so tests can point it elsewhere."""
    root = getattr(settings, "PRIVATE_MEDIA_ROOT", None)
    if root is None:
        root = Path(getattr(settings, "VAR_DIR", Path(settings.BASE_DIR) / "var")) / "private"
    return Path(root)


class PrivateFileSystemStorage(FileSystemStorage):
    """A folder outside MEDIA_ROOT, with no public URL."""

    @property
    def base_location(self) -> str:
        return str(private_root())

    @property
    def location(self) -> str:
        return os.path.abspath(self.base_location)

    @property
    def base_url(self) -> None:
        return None

    def url(self, name: str | None) -> str:
        raise ValueError("Private files have no URL; serve them through a view that checks permissions.")

    def write_atomic(self, name: str, content: bytes) -> str:
        """Write `content` under `name`, replacing any earlier file in one step: a reader never sees half a
        file, and writing the same name twice (a task run twice) leaves one file."""
        path = Path(self.path(name))
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".part")
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(content)
            os.chmod(temporary, 0o640)
            os.replace(temporary, path)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
        return name


@functools.cache
def _s3_storage_class():
    from storages.backends.s3 import S3Storage

    class PrivateS3Storage(S3Storage):
        """A private bucket (or a prefix in one): objects are written private and overwritten in place under the
        same name; no URL is ever handed out, files go through the permission-checking views."""

        default_acl = "private"
        file_overwrite = True
        querystring_auth = True

        def url(self, name, parameters=None, expire=None, http_method=None) -> str:
            raise ValueError("Private files have no URL; serve them through a view that checks permissions.")

        def write_atomic(self, name: str, content: bytes) -> str:
            # One PUT: S3 never shows a half-written object, and a second write of the name replaces the first.
            return self._save(name, ContentFile(content))

    return PrivateS3Storage


def __getattr__(name: str):
    # `rehab.storage.PrivateS3Storage` for the STORAGES setting, without importing boto3 where it is not used.
    if name == "PrivateS3Storage":
        return _s3_storage_class()
    raise AttributeError(name)


class _PrivateStorage(LazyObject):
    """The storage configured as STORAGES["private"] (a folder when none is configured), resolved on first use
    and again whenever the STORAGES setting changes (tests)."""

    def _setup(self) -> None:
        try:
            self._wrapped = storages[PRIVATE_ALIAS]
        except InvalidStorageError:
            self._wrapped = PrivateFileSystemStorage()


_private = _PrivateStorage()


def private_storage() -> Storage:
    """The private storage. Also the `storage` callable of private FileFields."""
    return _private


@receiver(setting_changed)
def _storages_changed(*, setting: str, **kwargs) -> None:
    # Django resets its own storage handler on this signal; the proxy must forget what it resolved too.
    if setting == "STORAGES":
        _private._wrapped = empty
