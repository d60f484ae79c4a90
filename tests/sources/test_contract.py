"""The source contract, over every built-in source (like 4CAT's test_modules): ids, detection, real samples."""

from __future__ import annotations

import importlib

from akimwatch.models import PLATFORMS
from akimwatch.sources import BUILTIN_SOURCES, all_formats
from akimwatch.sources.base import read_head
from tests.conftest import FORMATS, real_samples

# Which platform each real sample folder belongs to.
FOLDER_PLATFORMS = {
    "telegram-desktop-export-json": {"telegram"},
    "telegram-tme-preview-html": {"telegram"},
    "twitter-api-v2-twarc-csv": {"x"},
    "facebook-instagram-graph-api-pyfacebook": {"facebook", "instagram"},
    "vk-wall-get-kasandra-rus": {"vk"},
}


def test_every_builtin_source_is_a_module_with_formats():
    ids = []
    for name in BUILTIN_SOURCES:
        module = importlib.import_module(f"akimwatch.sources.{name}")
        assert module.FORMATS, name
        for fmt in module.FORMATS:
            assert fmt.id == fmt.id.lower() and " " not in fmt.id
            assert fmt.platform in PLATFORMS or fmt.platform == "*", fmt.id
            assert fmt.description
            ids.append(fmt.id)
    assert len(ids) == len(set(ids)) == len(all_formats())


def test_each_real_sample_is_claimed_by_at_most_one_format_of_its_own_platform():
    claimed_any = 0
    for path in real_samples():
        folder = path.relative_to(FORMATS).parts[0]
        claims = [f for f in all_formats() if f.detect(path, read_head(path))]
        assert len(claims) <= 1, (path, [f.id for f in claims])
        if claims:
            claimed_any += 1
            assert claims[0].platform in FOLDER_PLATFORMS[folder], (path, claims[0].id)
    assert claimed_any >= 40  # most samples are importable; unsupported Graph edges are claimed by none
