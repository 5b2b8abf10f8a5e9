"""Private file storage: certificates, print packs, logos and signatures. Never served by URL, only through
views that check who is asking."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from django.conf import settings
from django.core.files.storage import FileSystemStorage


def private_root() -> Path:
    """PRIVATE_MEDIA_ROOT when set, else <VAR_DIR>/private; read on every use so tests can point it elsewhere."""
    root = getattr(settings, "PRIVATE_MEDIA_ROOT", None)
    if root is None:
        root = Path(getattr(settings, "VAR_DIR", Path(settings.BASE_DIR) / "var")) / "private"
    return Path(root)


class PrivateStorage(FileSystemStorage):
    """A file system storage outside MEDIA_ROOT, with no public URL."""

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


_storage = PrivateStorage()


def private_storage() -> PrivateStorage:
    return _storage
