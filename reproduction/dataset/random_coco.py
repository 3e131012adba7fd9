"""A random COCO-style ground truth and detections, for tests, benchmarks and examples.

Ground-truth boxes are scattered uniformly over the images; detections are a mix of jittered
copies of ground-truth boxes (some of them duplicates of one object) and boxes anywhere, with
scores that correlate with localisation quality only loosely, as in a real detector.
"""

from __future__ import annotations

import numpy as np

__all__ = ["random_coco"]


def random_coco(
    n_images: int = 100,
    n_categories: int = 80,
    dets_per_image: int = 100,
    gts_per_image: float = 7.0,
    crowd_fraction: float = 0.01,
    seed: int = 0,
) -> tuple[dict, list[dict]]:
    """Make a random COCO ground truth and a list of COCO result dicts.

    Args:
        n_images: number of 640x480 images.
        n_categories: number of categories (ids 1..n_categories).
        dets_per_image: detections per image.
        gts_per_image: mean number of ground-truth objects per image (Poisson, at least one).
        crowd_fraction: fraction of ground-truth objects marked ``iscrowd``.
        seed: seed of the random generator.

    Returns:
        ``(gt, dets)``: a COCO annotation dict and a list of result dicts with ``image_id``,
        ``category_id``, ``bbox`` (x, y, w, h in pixels) and ``score`` in (0, 1).
    """
    rng = np.random.default_rng(seed)
    width, height = 640.0, 480.0
    images = [{"id": i, "width": int(width), "height": int(height)} for i in range(1, n_images + 1)]
    categories = [{"id": c, "name": f"class_{c}"} for c in range(1, n_categories + 1)]
    annotations: list[dict] = []
    dets: list[dict] = []
    for image_id in range(1, n_images + 1):
        n_gt = max(1, int(rng.poisson(gts_per_image)))
        size = np.exp(rng.uniform(np.log(8.0), np.log(300.0), size=(n_gt, 2)))
        xy = rng.uniform(0.0, 1.0, size=(n_gt, 2)) * (np.array([width, height]) - size)
        gt_boxes = np.concatenate([xy, size], axis=1)
        gt_cats = rng.integers(1, n_categories + 1, size=n_gt)
        crowd = rng.uniform(size=n_gt) < crowd_fraction
        for box, cat, is_crowd in zip(gt_boxes, gt_cats, crowd, strict=True):
            annotations.append(
                {
                    "id": len(annotations) + 1,
                    "image_id": image_id,
                    "category_id": int(cat),
                    "bbox": [float(v) for v in box],
                    "area": float(box[2] * box[3]),
                    "iscrowd": int(is_crowd),
                }
            )
        # Half the detections near ground truths (duplicates included), half anywhere.
        n_near = dets_per_image // 2
        source = rng.integers(0, n_gt, size=n_near)
        scale = np.repeat(gt_boxes[source, 2:], 2, axis=1)
        jitter = rng.normal(0.0, 0.12, size=(n_near, 4)) * scale
        near = gt_boxes[source] + jitter
        near[:, 2:] = np.maximum(near[:, 2:], 1.0)
        near_cats = np.where(
            rng.uniform(size=n_near) < 0.85,
            gt_cats[source],
            rng.integers(1, n_categories + 1, size=n_near),
        )
        n_far = dets_per_image - n_near
        far_size = np.exp(rng.uniform(np.log(8.0), np.log(300.0), size=(n_far, 2)))
        far_xy = rng.uniform(0.0, 1.0, size=(n_far, 2)) * (np.array([width, height]) - far_size)
        far = np.concatenate([far_xy, far_size], axis=1)
        far_cats = rng.integers(1, n_categories + 1, size=n_far)
        quality = np.exp(-np.abs(jitter).sum(axis=1) / np.maximum(gt_boxes[source, 2:].sum(1), 1))
        near_scores = np.clip(0.6 * quality + 0.4 * rng.uniform(size=n_near), 1e-4, 1.0)
        far_scores = np.clip(0.5 * rng.uniform(size=n_far), 1e-4, 1.0)
        boxes = np.concatenate([near, far])
        cats = np.concatenate([near_cats, far_cats])
        scores = np.concatenate([near_scores, far_scores])
        for box, cat, score in zip(boxes, cats, scores, strict=True):
            dets.append(
                {
                    "image_id": image_id,
                    "category_id": int(cat),
                    "bbox": [float(v) for v in box],
                    "score": float(score),
                }
            )
    gt = {"images": images, "annotations": annotations, "categories": categories}
    return gt, dets
