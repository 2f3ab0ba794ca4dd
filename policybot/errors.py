"""The few errors PolicyBot raises; each message names what was wrong and what to do."""

from __future__ import annotations


class PolicyBotError(Exception):
    """Base class: anything PolicyBot refuses with a message meant for the user."""


class DocumentError(PolicyBotError):
    """A document could not be read or parsed; names the file and the reason."""

    def __init__(self, source: str, reason: str) -> None:
        self.source = source
        self.reason = reason
        super().__init__(f"{source}: {reason}")


class InputError(PolicyBotError):
    """A question, query, flag or upload is out of bounds; names the field and the limit."""


class IndexMismatch(PolicyBotError):
    """The index on disk was built differently from what is configured (embedder, schema)."""


class IndexCorrupt(PolicyBotError):
    """An index file is missing, truncated or fails its checksum; rebuild with `policybot index`."""


class ModelError(PolicyBotError):
    """An embedding model could not be loaded; says how to make it available offline."""


class AccessDenied(PolicyBotError):
    """The admin password is not configured, wrong, or locked out after too many failures."""


class ServerBusy(PolicyBotError):
    """Every worker is busy and every waiting place taken; the request may be sent again in a moment."""


class BackendUnavailable(PolicyBotError):
    """The search engine configured (a Milvus server, Milvus Lite) cannot be reached or is not installed; names its
    URI."""
