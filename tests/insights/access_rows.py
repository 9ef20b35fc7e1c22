"""Every insights route in the access matrix (tests/test_access_matrix.py).

The pages' rows and the feedback / outside-contact rows live in two modules, one per part
of the app; the matrix reads ROWS from here.
"""

from __future__ import annotations

from tests.access import Row
from tests.insights.rows_feedback import ROWS as FEEDBACK_ROWS
from tests.insights.rows_pages import ROWS as PAGE_ROWS

ROWS: list[Row] = [*PAGE_ROWS, *FEEDBACK_ROWS]
