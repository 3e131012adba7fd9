"""The thesis companion: experiments and claims, profiles, the dataset generator, the thesis's
numbers, mmdet config files and their builder, the train and evaluate drivers, the report,
statistics and archive.

It imports :mod:`corrlib`; :mod:`corrlib` never imports it. The layering is written down as
import contracts in ``pyproject.toml`` (checked by ``lint-imports``).
"""
