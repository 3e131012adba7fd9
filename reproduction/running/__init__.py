"""What runs torch and mmdetection: config building and the mmdet config files, training,
evaluation, learning-curve runs, the synthetic pretraining, and the loss-level measurements.
"""
