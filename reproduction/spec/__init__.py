"""What the companion reproduces, as data: the experiments, profiles and plans, the thesis's
claims and numbers, the book's pages and where every file lives. Imports nothing of the
companion outside itself.
"""
