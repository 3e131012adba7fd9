"""Judging results: the statistics and the one verdict function, the claims' verdicts, the
demo-protocol study, the regime effects, the runs the claims still lack, the archive check.
"""
