"""What the studio needs to know of where media is stored: local disk or an S3 bucket.

Everything else goes through Django's storage API and works the same on both. Two things
do not: a stored file in a private bucket is handed to browsers as a short-lived signed URL
(the bucket answers Range requests itself, and no web worker is held while it streams), and
its type is taken from the name we stored it under (chosen from its bytes at archive time)
rather than read back from the bucket on every request.
"""

from django.core.files.storage import default_storage
from django.utils.http import content_disposition_header


def _s3_storage_class():
    # Imported only when asked: a studio on local disk never loads boto3.
    from storages.backends.s3 import S3Storage

    return S3Storage


def is_object_storage(storage=None):
    """True when files live in an S3-compatible bucket (django-storages' S3Storage)."""
    storage = storage if storage is not None else default_storage
    # __class__, not type(): default_storage is a lazy wrapper that answers for its storage.
    if not storage.__class__.__module__.startswith("storages."):
        return False
    return isinstance(storage, _s3_storage_class())


def signed_url(field_file, *, content_type, filename, as_attachment, max_age):
    """A GET URL for a stored object that works for the storage's URL lifetime.

    The response-* overrides make the bucket answer with OUR type, disposition and caching,
    whatever metadata the object carries; they are part of the signature, so whoever holds
    the URL cannot change them.
    """
    return field_file.storage.url(
        field_file.name,
        parameters={
            "ResponseContentType": content_type,
            "ResponseContentDisposition": content_disposition_header(as_attachment, filename),
            "ResponseCacheControl": f"private, max-age={max_age}",
        },
    )


def url_lifetime(storage):
    return int(storage.querystring_expire)


def delete_prefix(storage, folder):
    """Delete every object under a folder of a bucket: one listing request and one delete
    request per 1,000 objects, where the storage API's listdir and delete would take one
    request per folder level and per object. Returns the names it could not delete."""
    folder = folder.strip("/")
    prefix = f"{storage.location.strip('/')}/{folder}/" if storage.location else f"{folder}/"
    failed = []
    for answer in storage.bucket.objects.filter(Prefix=prefix).delete():
        failed += [error.get("Key", "") for error in answer.get("Errors", [])]
    return failed


def check_bucket(storage=None):
    """Raise unless the bucket answers (one HEAD request), for the health check."""
    storage = storage if storage is not None else default_storage
    storage.connection.meta.client.head_bucket(Bucket=storage.bucket_name)
