"""What the book shows: thesis tables beside ours, figures, the status table, the claims'
verdict tables and the regime pages (``regime_runs`` loads their runs, ``iou_page`` is the
per-threshold page, ``regime_pages`` the training-length page and the claims' regime note); and
the tags of executed pages.
"""
