"""Bulk screening of customer files: read rows, screen them, write results, never lose a row.

    from entityscreen.bulk import screen_file
    summary = screen_file(screener, Path("suppliers.csv"), Path("results.csv"), workers=2)

``readers`` streams CSV/TSV, JSON lines, XLSX and Parquet; ``columns`` finds the name, type,
country, birth date, identifier and key columns; ``prepare`` makes a row a query; ``run``
decides match / review / clear per row; ``writers`` writes results and rejects atomically
(``records`` writes other records, diffs and rescreen findings, the same way); ``html``
renders the summary report; ``pool`` screens chunks inline or in forked workers, ``cluster``
on a Dask cluster; ``summary`` holds the counts and the checkpoint that lets an interrupted
run resume.
"""

from entityscreen.bulk.columns import Columns
from entityscreen.bulk.html import render_html, write_html
from entityscreen.bulk.run import DEFAULT_REVIEW_THRESHOLD, screen_file
from entityscreen.bulk.summary import Summary
from entityscreen.bulk.writers import Outcome

__all__ = [
    "DEFAULT_REVIEW_THRESHOLD",
    "Columns",
    "Outcome",
    "Summary",
    "render_html",
    "screen_file",
    "write_html",
]
