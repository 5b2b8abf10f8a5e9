"""The private storage certificates use. It lives in rehab.storage (the lowest layer) so that every app can keep
private files the same way; this module keeps the names that migrations and older code refer to."""

from rehab.storage import PrivateFileSystemStorage as PrivateStorage
from rehab.storage import private_root, private_storage

__all__ = ["PrivateStorage", "private_root", "private_storage"]
