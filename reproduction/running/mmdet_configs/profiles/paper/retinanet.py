"""Paper profile, RetinaNet: Correlation Loss per pyramid level, averaged over the levels with
two or more positives, as the thesis author's RetinaNet config computes it (the thesis's Eq. 4.2
pools the batch's positives; the demo's pooled runs keep that)."""

corrlib = dict(loss_corr_settings=dict(moments="sample", grouping="level_mean"))
