"""What the URL cache (:mod:`.remote`) knows of fsspec's drivers, each of which says the same things
its own way: here, the fields of ``fs.info`` that tell one version of a file from another. Kept
apart from the cache, which only asks: a field named here the way one driver does not name it was
a version the cache never saw (HTTP's ``Last-Modified`` was looked for as S3's ``LastModified``)."""

from __future__ import annotations

from typing import Any

# The fields of ``fs.info`` that change when the file does, as each driver names them: HTTP's
# headers (ETag, Content-MD5, Digest, Last-Modified: python's http.server and many static hosts send
# Last-Modified alone, so a model refitted to the same size was never fetched again), S3's (ETag,
# LastModified, VersionId), GCS's (etag, generation, md5Hash), Azure's (etag, last_modified), the
# Hub's blob_id (the file's git object), a local or mounted file's mtime and created. Only what
# says the content: not the fields that also move when nothing but metadata does (GCS's
# metageneration, updated), which would fetch the same file again.
VERSION_FIELDS = (
    "ETag",
    "etag",
    "Content-MD5",
    "Digest",
    "Last-Modified",
    "LastModified",
    "last_modified",
    "VersionId",
    "generation",
    "md5Hash",
    "blob_id",
    "mtime",
    "created",
)


def version(info: dict[str, Any]) -> str:
    """What ``info`` (fsspec's of the file) says of its version: its size and
    :data:`VERSION_FIELDS`, those it has."""
    fields = ("size", *VERSION_FIELDS)
    return "|".join(f"{field}={info[field]}" for field in fields if info.get(field) not in (None, ""))
