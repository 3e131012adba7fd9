"""Results files and what travels with them: writing and reading them, their provenance, the
archive of committed runs, the runs table, step and run timings, learning curves.
"""
