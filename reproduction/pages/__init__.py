"""What the book shows: thesis tables beside ours, figures, the status table, the claims'
verdict tables and the regime pages' text; and the tags of executed pages.
"""
