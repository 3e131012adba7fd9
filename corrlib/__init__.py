"""corrlib: Correlation Loss, correlation metrics and their mmdetection integration."""

__version__ = "0.1.0"
