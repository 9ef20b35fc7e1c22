"""Settings for benchmarks/bench_slots_api.py: the project's own, plus the floor view's URL.

Never deployed; DJANGO_SETTINGS_MODULE=benchmarks.floor_settings only in the benchmark.
"""

from __future__ import annotations

from config.settings import *  # noqa: F403  # the same settings and middleware

ROOT_URLCONF = "benchmarks.floor_urls"
